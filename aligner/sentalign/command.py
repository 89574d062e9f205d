"""``aligner align SRC TGT``: align two one-sentence-per-line files, print Vecalign beads."""

from __future__ import annotations

import argparse
from pathlib import Path

from aligner.embed import DEFAULT_SPEC, embedder_help
from aligner.errors import InputError
from aligner.sentalign.pairwise import PRESETS


def add_parser(commands) -> None:
    align = commands.add_parser(
        "align", help="align two one-sentence-per-line files; print Vecalign-format beads [i, j]:[k]:cost (0-based)")
    align.add_argument("src", type=Path, metavar="SRC_FILE")
    align.add_argument("tgt", type=Path, metavar="TGT_FILE")
    align.add_argument("--embedder", default=DEFAULT_SPEC, help=embedder_help())
    align.add_argument("--preset", choices=tuple(PRESETS), default="news",
                       help="news (default: close translations, moved paragraphs) or loose (free translations: one "
                            "score per bead, so partial translations are merged, not split off)")
    align.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                       help="change one knob of the preset, as `aligner build --set sentalign.KEY=VALUE` does, "
                            "e.g. --set score.null_cost=0.9 (keys: aligner config, [sentalign])")
    align.add_argument("--cache-dir", type=Path, default=None, help="embedding cache folder")
    align.add_argument("--refine", metavar="SRC_LANG,TGT_LANG", default=None,
                       help="refine the beads with word links as `aligner build` does (docs/refine.md): sentences "
                            "glued to a bead that the other side does not express are detached, glued beads are "
                            "cut between sentences; give the two files' languages (ar, en, fr). A bead the "
                            "refinement made is printed without a score")
    align.set_defaults(run=run_align)


def run_align(args: argparse.Namespace) -> int:
    from aligner.embed import get_embedder
    from aligner.evaluate.alignment import format_bead
    from aligner.fileio import read_text_lines
    from aligner.progress import EncodedAhead, Progress

    from aligner.config.codec import with_assignments

    from . import align_texts

    sides = []
    for path in (args.src, args.tgt):
        lines = read_text_lines(path, "sentence")
        if not any(line.strip() for line in lines):
            raise InputError(path, "no sentences (the file is empty or blank)")
        sides.append(lines)
    config = with_assignments(PRESETS[args.preset], args.overrides)
    embedder = get_embedder(args.embedder, cache_dir=args.cache_dir)
    texts = sides[0] + sides[1]  # encoded ahead in chunks, with a bar on a terminal (align reads them from memory)
    with Progress("align", len(set(texts)), "sentences", log_done=False) as progress:
        embedder = EncodedAhead(embedder, texts, progress)
    if args.refine is None:
        beads = align_texts(sides[0], sides[1], embedder, config)
    else:
        beads = _refined_beads(sides, _refine_languages(args.refine), embedder, args, config)
    for bead in beads:
        print(format_bead(bead))
    return 0


def _refine_languages(spec: str) -> tuple[str, str]:
    from aligner.wordalign.tokens import LANGUAGES

    langs = tuple(part.strip() for part in spec.split(","))
    if len(langs) != 2 or langs[0] == langs[1] or not set(langs) <= set(LANGUAGES):
        raise SystemExit(f"aligner align: --refine takes the two files' languages, two different ones of "
                         f"{', '.join(LANGUAGES)} (e.g. --refine ar,en), not {spec!r}")
    return langs


def _refined_beads(sides, langs: tuple[str, str], embedder, args: argparse.Namespace, config):
    from aligner.refine import refine_texts, tuples_as_beads
    from aligner.wordalign import word_aligner_for

    src, tgt = langs
    word_aligner = word_aligner_for(embedder.embedded, args.embedder, cache_dir=args.cache_dir)
    tuples, alignment = refine_texts({src: sides[0], tgt: sides[1]}, embedder, word_aligner, config)
    scores = {bead.key: bead.score for bead in alignment.pairs[(src, tgt)]}
    return tuples_as_beads(tuples, src, tgt, scores)
