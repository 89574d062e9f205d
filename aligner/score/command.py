"""``aligner score-pairs``: quality components and ``quality`` of each line of a ``src<TAB>tgt`` file.

The lead's ``aligner/cli.py`` calls :func:`add_parser` with its sub-parser collection.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path

from aligner.embed import embedder_help
from aligner.errors import InputError
from aligner.score import COMPONENTS

#: Lines per margin / rival_gap context: the file is cut into near-equal blocks of at most this many lines.
CONTEXT_BLOCK = 32
#: Columns printed: every component but those of the word-alignment stage, which this command does not run.
COLUMNS = (*(choice.name for choice in COMPONENTS if choice.make != "words"), "quality")


def parse_langs(value: str) -> tuple[str, str]:
    """``"ar,en"`` -> ``("ar", "en")``; ValueError unless two different known languages."""
    from .components import SCRIPTS

    parts = [p.strip() for p in value.split(",")]
    if len(parts) != 2 or not all(parts):
        raise ValueError(f"--langs: expected two languages separated by a comma, e.g. ar,en; got {value!r}")
    for lang in parts:
        if lang not in SCRIPTS:
            raise ValueError(f"--langs: unsupported language {lang!r}; choose from {', '.join(SCRIPTS)}")
    if parts[0] == parts[1]:
        raise ValueError(f"--langs: the two languages must differ, got {value!r}")
    return parts[0], parts[1]


def read_pairs(path: Path) -> tuple[list[str], list[str]]:
    """The source and target sides of a ``src<TAB>tgt`` file; InputError naming the first bad line."""
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror or err}") from err
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(path, f"line {line}: not UTF-8 (byte 0x{data[err.start]:02x})") from err
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise InputError(path, "no lines: expected one 'source<TAB>target' pair per line")
    src, tgt = [], []
    for number, line in enumerate(lines, start=1):
        line = line.rstrip("\r")
        fields = line.split("\t")
        if len(fields) != 2:
            found = "no tab" if len(fields) == 1 else f"{len(fields)} tab-separated fields"
            raise InputError(path, f"line {number}: expected 'source<TAB>target', found {found}")
        a, b = fields
        if not a.strip() or not b.strip():
            raise InputError(path, f"line {number}: empty {'source' if not a.strip() else 'target'} side")
        src.append(a.strip())
        tgt.append(b.strip())
    return src, tgt


def context_blocks(n: int, block: int = CONTEXT_BLOCK) -> list[tuple[int, int]]:
    """``[start, stop)`` of ``ceil(n / block)`` near-equal runs of consecutive lines."""
    if n <= 0:
        return []
    count = math.ceil(n / block)
    bounds = [round(i * n / count) for i in range(count + 1)]
    return list(zip(bounds[:-1], bounds[1:]))


def score_file(path: Path, src_lang: str, tgt_lang: str, embedder="e5", block: int = CONTEXT_BLOCK,
               model=None, stream=None) -> list[dict[str, float]]:
    """Scores of every line of ``path``, the margin's neighbours taken within blocks of ``block`` lines.
    ``stream``: where the bars go when it is a terminal (the command passes stderr; default none)."""
    from aligner.progress import Progress, encode_in_chunks, track

    from . import _resolve_embedder, score_pairs

    if block < 2:
        raise ValueError(f"--block must be at least 2, got {block}")
    src, tgt = read_pairs(path)
    embedder = _resolve_embedder(embedder)
    with Progress("encode", len(set(src)) + len(set(tgt)), "sentences", stream, log_done=False) as progress:
        src_vecs = encode_in_chunks(embedder, src, progress)
        tgt_vecs = encode_in_chunks(embedder, tgt, progress)
    rows: list[dict[str, float]] = []
    for start, stop in track(context_blocks(len(src), block), "score-pairs", "lines", total=len(src),
                             stream=stream, weight=lambda bounds: bounds[1] - bounds[0]):
        rows.extend(score_pairs(src[start:stop], tgt[start:stop], src_lang, tgt_lang,
                                src_vecs=src_vecs[start:stop], tgt_vecs=tgt_vecs[start:stop], model=model))
    return rows


def format_rows(rows: Sequence[dict[str, float]], columns: Sequence[str] = COLUMNS) -> str:
    """TSV with a header; a component that could not be computed is an empty cell."""
    out = ["\t".join(columns)]
    for row in rows:
        out.append("\t".join(f"{row[c]:.4f}" if c in row else "" for c in columns))
    return "\n".join(out) + "\n"


def run(args: argparse.Namespace) -> int:
    src_lang, tgt_lang = parse_langs(args.langs)
    if args.embedder != "e5":
        print(f"aligner score-pairs: warning: the quality model was trained on e5 vectors; with "
              f"{args.embedder!r} 'quality' is not calibrated", file=sys.stderr)
    rows = score_file(args.file, src_lang, tgt_lang, args.embedder, args.block, stream=sys.stderr)
    sys.stdout.write(format_rows(rows))
    return 0


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register ``score-pairs`` on ``subparsers`` (what ``parser.add_subparsers()`` returned)."""
    parser = subparsers.add_parser(
        "score-pairs", help="quality components and calibrated quality of src<TAB>tgt pairs (docs/scores.md)",
        description="Print a TSV (header + one row per input line) of the quality components and "
                    "'quality' (probability that the two sides are mutual translations) of each pair.")
    parser.add_argument("file", type=Path, metavar="FILE", help="UTF-8 file, one 'source<TAB>target' pair per line")
    parser.add_argument("--langs", required=True, help="source and target language, e.g. ar,en (ar, en, fr)")
    parser.add_argument("--embedder", default="e5",
                        help=embedder_help("e5, the one the quality model was trained on"))
    parser.add_argument("--block", type=int, default=CONTEXT_BLOCK,
                        help=f"lines per context block of margin and rival_gap (default {CONTEXT_BLOCK})")
    parser.set_defaults(run=run)
    return parser
