"""``aligner export OUT_DIR``: write the research formats of a built corpus (see docs/formats.md)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from aligner.publish import record_written
from aligner.export import DEFAULT_FORMATS, FORMATS, export, format_report, parse_formats
from aligner.export.testset import DEFAULT_NAME


def _formats(value: str) -> tuple[str, ...]:
    try:
        return parse_formats(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def quality_threshold(value: str) -> float:
    """An argparse type: a quality threshold, a number from 0 to 1."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0.0 <= number <= 1.0:  # also rejects NaN
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {value}")
    return number


def license_name(value: str) -> str:
    """An argparse type: a license for the dataset card, e.g. ``cc-by-4.0`` (not blank)."""
    if not value.strip():
        raise argparse.ArgumentTypeError("give a license name such as cc-by-4.0")
    return value.strip()


def canonical_pairs(value: str | None) -> tuple[str | None, list[str]]:
    """``--pairs`` with each pair in the order its files are named (alphabetical: ``en-ar`` is ``ar-en``),
    and a note for each pair given the other way round or twice. Malformed items are left for
    :func:`aligner.export.selection.parse_pairs` to reject with its message."""
    if value is None:
        return None, []
    items, notes, seen = [], [], set()
    for item in value.split(","):
        parts = [part.strip() for part in item.split("-")]
        if len(parts) == 2 and all(parts) and parts[0] != parts[1]:
            pair = "-".join(sorted(parts))
            if pair in seen:
                notes.append(f"--pairs {item.strip()}: the same pair as {pair}, written once")
                continue
            if pair != "-".join(parts):
                notes.append(f"--pairs {item.strip()} read as {pair} (pairs are named in alphabetical order, "
                             f"e.g. NAME.{pair}.tmx)")
            seen.add(pair)
            items.append(pair)
        else:
            items.append(item)
    return ",".join(items), notes


def run(args: argparse.Namespace) -> int:
    formats = [name for group in args.formats for name in group] if args.formats else DEFAULT_FORMATS
    pairs, notes = canonical_pairs(args.pairs)
    for note in notes:
        print(f"aligner export: note: {note}", file=sys.stderr)
    result = export(args.out_dir, formats, pairs=pairs, min_quality=args.min_quality, name=args.name,
                    srclang=args.srclang, license=args.license)
    record_written(args.out_dir, list(result["files"]))
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else format_report(result))
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``export`` on the ``aligner`` command's subparsers; returns its parser."""
    parser = subparsers.add_parser(
        "export", help=f"write the research formats ({', '.join(FORMATS.names())}) of OUT_DIR/corpus.tsv",
        description="Write research formats of OUT_DIR/corpus.tsv into OUT_DIR (docs/formats.md). Tuples are "
                    "selected by the keep column, or by --min-quality, and by the split column.")
    parser.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="the build's output folder (has corpus.tsv)")
    parser.add_argument("--format", "-f", dest="formats", action="append", type=_formats, metavar="FORMAT",
                        help="; ".join(f"{choice.name}: {choice.help}" for choice in FORMATS)
                             + f"; all: every one. Repeat it or give a comma list (default: {','.join(DEFAULT_FORMATS)})")
    parser.add_argument("--pairs", default=None, metavar="XX-YY,...",
                        help="language pairs, e.g. ar-en,en-fr: adds per-pair TMX/JSONL/Parquet files and limits "
                             "the Moses sets to these pairs (default: Moses for every pair, no per-pair files); "
                             "either order is accepted (en-ar is read as ar-en, with a note)")
    parser.add_argument("--min-quality", type=quality_threshold, default=None, metavar="Q",
                        help="keep tuples whose quality score is at least Q (0..1) instead of using the keep "
                             "column; an error if the corpus has no quality column")
    parser.add_argument("--srclang", default=None, metavar="XX",
                        help="source language written in the TMX header (default: *all*)")
    parser.add_argument("--license", type=license_name, default=None,
                        help="license named in the dataset card README.md (default: the build's --license, "
                             "else unknown)")
    parser.add_argument("--name", default=DEFAULT_NAME,
                        help=f"file-name stem of the outputs (default: {DEFAULT_NAME}); under another name the test "
                             "and dev sets go to NAME.testset/ and NAME.devset/ (default: testset/, devset/)")
    parser.add_argument("--json", action="store_true", help="print what was written and dropped as JSON")
    parser.set_defaults(run=run)
    return parser
