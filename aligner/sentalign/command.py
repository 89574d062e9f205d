"""``aligner align --presegmented SRC TGT``: align two one-sentence-per-line files, print Vecalign beads."""

from __future__ import annotations

import argparse
from pathlib import Path

from aligner.errors import InputError


def add_parser(commands) -> None:
    align = commands.add_parser(
        "align", help="align two one-sentence-per-line files; print Vecalign-format beads [i, j]:[k]:cost (0-based)")
    align.add_argument("src", type=Path, metavar="SRC_FILE")
    align.add_argument("tgt", type=Path, metavar="TGT_FILE")
    align.add_argument("--presegmented", action="store_true", required=True,
                       help="the files hold one sentence per line (the only input this command takes)")
    align.add_argument("--embedder", default="e5", help="e5 (default), use, lexical or st:PATH")
    align.add_argument("--preset", choices=("news", "loose"), default="news",
                       help="news (default: close translations, moved paragraphs) or loose (free translations)")
    align.add_argument("--cache-dir", type=Path, default=None, help="embedding cache folder")
    align.set_defaults(run=run_align)


def run_align(args: argparse.Namespace) -> int:
    from aligner.embed import get_embedder
    from aligner.evaluate.alignment import format_bead
    from aligner.fileio import read_text_lines

    from . import LOOSE, NEWS, align_texts

    sides = []
    for path in (args.src, args.tgt):
        lines = read_text_lines(path, "sentence")
        if not any(line.strip() for line in lines):
            raise InputError(path, "no sentences (the file is empty or blank)")
        sides.append(lines)
    config = LOOSE if args.preset == "loose" else NEWS
    beads = align_texts(sides[0], sides[1], get_embedder(args.embedder, cache_dir=args.cache_dir), config)
    for bead in beads:
        print(format_bead(bead))
    return 0
