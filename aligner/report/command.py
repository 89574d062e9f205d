"""The ``aligner report`` subcommand: rebuild ``OUT_DIR/report/index.html`` from a build folder.

``aligner/cli.py`` registers it with ``add_parser(subparsers)``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from aligner.config import EmbedConfig
from aligner.embed import DEFAULT_SPEC, embedder_help
from aligner.publish import record_written


def run(args: argparse.Namespace) -> int:
    from .page import build_report

    embedder = args.embedder or build_embed_config(args.out_dir).embedder(args.cache_dir)
    path = build_report(args.out_dir, embedder, cache_dir=args.cache_dir)
    record_written(args.out_dir, [p.relative_to(args.out_dir).as_posix() for p in path.parent.rglob("*") if p.is_file()])
    print(f"report written to {path} (open it in a browser: file://{path.resolve()})", file=sys.stderr)
    return 0


def build_embed_config(out_dir: Path) -> EmbedConfig:
    """The embedder section of the build of ``out_dir`` (its ``build.json``), so the heatmaps read the cached
    vectors; the default one for a folder without a readable manifest."""
    from aligner.config.codec import ConfigError, from_table

    try:
        table = json.loads((Path(out_dir) / "build.json").read_text(encoding="utf-8"))["config"]["embed"]
        return from_table(EmbedConfig, table)
    except (OSError, ValueError, KeyError, TypeError, ConfigError):
        return EmbedConfig()


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register ``report OUT_DIR [--embedder SPEC] [--cache-dir DIR]``."""
    parser = subparsers.add_parser(
        "report",
        help="write OUT_DIR/report/index.html: an HTML page to inspect a built corpus",
        description="Rebuild the HTML report of a build folder (corpus.tsv, documents.tsv, segments.tsv and, "
        "when present, wordalign.*.txt): document groups and rejected pairs, sentence-similarity heatmaps, "
        "a quality histogram and every tuple side by side with filters. See docs/report.md.",
    )
    parser.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="a folder written by `aligner build --out`")
    parser.add_argument("--embedder", default=None,
                        help=embedder_help(f"the build's, from OUT_DIR/build.json, a cache hit after the build; "
                                           f"{DEFAULT_SPEC} without one", "sentence embedder for the heatmaps"))
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="embedding cache folder (default: $ALIGNER_CACHE or ~/.cache/aligner)")
    parser.set_defaults(run=run)
    return parser
