"""Sentence alignment on the Text+Berg de-fr gold (Bleualign/Vecalign test set), scored like Vecalign.

Usage:
    .venv/bin/python scripts/bench_textberg.py [--embedder e5|use|lexical] [--preset news|loose]
        [--set KEY=VALUE ...] [--cache-dir DIR] [--out DIR] [--only dev|test] [--refine]

Aligns ``dev`` (the tuning document, reported on its own) and ``test0..6``
(reported together, micro-averaged), then prints strict and lax
precision/recall/F1, texts embedded per input sentence (pass 1 + pass 2) and
the split between time spent in the embedder and time spent aligning.
Embeddings go through the embedder's disk cache, so a rerun costs little
embedding time; pass ``--cache-dir`` pointing to an empty folder to time a
cold run. ``--set`` overrides a field of ``AlignConfig``
(``--set halfwidth=6``) or of its score/cross parameters
(``--set score.null_cost=0.9``, ``--set cross.anchor_distance=0.6``).
``--preset`` picks the starting configuration: ``news`` (the defaults) or
``loose`` (``aligner.sentalign.pairwise.LOOSE``, for free translations like
these). ``--out`` writes the predicted beads, one file per document. ``--refine``
scores what ``aligner build`` writes for the two languages instead: the
beads refined with word links (docs/refine.md), pieces of a sentence joined.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from aligner.embed import DEFAULT_SPEC, get_embedder
from aligner.evaluate.alignment import format_bead, format_scores, read_beads, score_alignment
from aligner.refine import refine_texts, tuples_as_beads
from aligner.config.codec import with_assignments
from aligner.sentalign.pairwise import PRESETS, AlignConfig, AlignStats, align_texts_detailed
from aligner.wordalign import word_aligner_for

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "textberg"
SETS = {"dev": ["dev"], "test": [f"test{i}" for i in range(7)]}


def read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def configured(overrides: list[str], preset: str = "news") -> AlignConfig:
    """A preset with ``KEY=VALUE`` overrides of its knobs (``halfwidth=6``, ``score.null_cost=0.9``), read as
    ``aligner build --set sentalign.KEY=VALUE`` reads them."""
    return with_assignments(PRESETS[preset], overrides)


def run_set(name: str, docs: list[str], embedder, config: AlignConfig, out: Path | None, word_aligner=None) -> None:
    """Align and score one set; with a ``word_aligner``, score the build's refined tuples instead of the beads."""
    gold, pred, stats = [], [], []
    for doc in docs:
        texts = {"de": read_lines(DATA / f"{doc}.de"), "fr": read_lines(DATA / f"{doc}.fr")}
        if word_aligner is not None:
            # The word tokenizer knows ar, en and fr only: German goes through the English (Latin-script)
            # rules, and none of its words is an English stopword, so every German word counts as content.
            tuples, alignment = refine_texts({"en": texts["de"], "fr": texts["fr"]}, embedder, word_aligner, config)
            beads = tuples_as_beads(tuples, "en", "fr")
            stats.append(alignment.stats[("en", "fr")])
        else:
            result = align_texts_detailed(texts["de"], texts["fr"], embedder, config)
            beads = result.beads
            stats.append(result.stats)
        gold.append(read_beads(DATA / f"{doc}.defr"))
        pred.append(beads)
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            (out / f"{doc}.defr").write_text("".join(format_bead(b) + "\n" for b in beads), encoding="utf-8")
    print(format_scores(score_alignment(gold, pred), title=f"== {name} ({', '.join(docs)})"))
    print(cost_line(stats))
    print()


def cost_line(stats: list[AlignStats]) -> str:
    sentences = sum(s.n_src + s.n_tgt for s in stats)
    pass1 = sum(s.pass1_texts for s in stats)
    pass2 = sum(s.pass2_texts for s in stats)
    embed = sum(s.embed_seconds for s in stats)
    align = sum(s.align_seconds for s in stats)
    moved = sum(s.moved_beads for s in stats)
    band = sum(s.band_cells for s in stats) / max(sum(s.grid_cells for s in stats), 1)
    return (
        f"{sentences} sentences; embedded texts per sentence {(pass1 + pass2) / sentences:.2f} "
        f"(pass 1 {pass1 / sentences:.2f}, pass 2 {pass2 / sentences:.2f}); "
        f"embedding {embed:.1f} s, alignment {align:.1f} s ({align / embed:.0%} of embedding); "
        f"band {band:.0%} of the grid; {moved} moved bead(s)"
        if embed > 0
        else f"{sentences} sentences; alignment {align:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--embedder", default=DEFAULT_SPEC, help="embedder spec: e5+use (default), e5, use, lexical")
    parser.add_argument("--preset", choices=sorted(PRESETS), default="news", help="configuration to start from")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--cache-dir", type=Path, default=None, help="embedding cache folder (default: the shared one)")
    parser.add_argument("--out", type=Path, default=None, help="write predicted beads here")
    parser.add_argument("--only", choices=sorted(SETS), default=None, help="run one set only")
    parser.add_argument("--refine", action="store_true",
                        help="score the build's two-language tuples (sentence alignment refined with word links)")
    args = parser.parse_args()

    config = configured(args.overrides, args.preset)
    embedder = get_embedder(args.embedder, args.cache_dir)
    word_aligner = word_aligner_for(embedder, args.embedder) if args.refine else None
    print(f"embedder {args.embedder}; preset {args.preset}; config {config}")
    started = time.perf_counter()
    for name, docs in SETS.items():
        if args.only in (None, name):
            run_set(name, docs, embedder, config, args.out, word_aligner)
    texts = getattr(embedder, "texts_encoded", None)
    print(f"total {time.perf_counter() - started:.1f} s; texts sent to the model this run: {texts}")


if __name__ == "__main__":
    main()
