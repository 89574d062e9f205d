"""Sentence alignment on perturbed NTREX documents (ar, en, fr): merges, drops and a moved block.

Usage:
    .venv/bin/python scripts/bench_ntrex_pairs.py [--embedder e5|use|lexical] [--seed 13]
        [--preset news|loose] [--set KEY=VALUE ...] [--cache-dir DIR] [--pairs ar-en,ar-fr,en-fr]

NTREX is line-parallel, so every document (lines regrouped by document id)
can be perturbed with a known answer. For each language pair and document a
generator seeded with ``(seed, pair, document)`` makes, in this order:

* **merges**: about one line in ten on one side (chosen at random per
  document) is joined with the next one (-> 2-1 or 1-2 beads);
* **drops**: one line in twenty (at least one in documents of 6+ lines) is
  removed from the other side (-> 1-0 or 0-1 beads);
* **a moved block**: in documents of 8+ units, a block of 2-4 consecutive
  units of a random side is moved at least 3 positions away (-> crossing beads),
  never splitting two lines merged on the other side (the gold beads stay
  runs of consecutive sentences, which any sentence aligner outputs).

The gold beads follow from the line ids each unit carries. Reported per pair:
strict/lax F1, and how many moved blocks were aligned exactly (every gold
bead of the block predicted). ``--set`` works as in ``bench_textberg.py``.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aligner.embed import DEFAULT_SPEC, get_embedder
from aligner.evaluate.alignment import score_alignment
from aligner.model import Bead
from aligner.refine import refine_texts, tuples_as_beads
from aligner.sentalign.pairwise import PRESETS, align_texts_detailed
from aligner.wordalign import word_aligner_for

from bench_textberg import configured, cost_line

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "ntrex-dev"
LANGS = ("ar", "en", "fr")
PAIRS = ("ar-en", "ar-fr", "en-fr")


@dataclass
class Unit:
    """One sentence of a perturbed document: its text and the original line numbers it holds."""

    text: str
    lines: tuple[int, ...]


def read_documents(lang: str) -> dict[str, list[str]]:
    """Document id -> its lines, in order."""
    docs: dict[str, list[str]] = defaultdict(list)
    for row in (DATA / f"{lang}.tsv").read_text(encoding="utf-8").splitlines():
        key, _, text = row.partition("\t")
        docs[key.rsplit(".", 1)[0]].append(text)
    return dict(docs)


def merge_some(units: list[Unit], rng: np.random.Generator) -> list[Unit]:
    """Join about one unit in ten with its successor."""
    out: list[Unit] = []
    k = 0
    while k < len(units):
        if k + 1 < len(units) and rng.random() < 0.1:
            out.append(Unit(units[k].text + " " + units[k + 1].text, units[k].lines + units[k + 1].lines))
            k += 2
        else:
            out.append(units[k])
            k += 1
    return out


def drop_some(units: list[Unit], rng: np.random.Generator) -> list[Unit]:
    """Remove one unit in twenty (at least one when there are 6 or more)."""
    count = max(len(units) // 20, 1 if len(units) >= 6 else 0)
    dropped = set(rng.choice(len(units), size=count, replace=False).tolist()) if count else set()
    return [u for k, u in enumerate(units) if k not in dropped]


def move_block(units: list[Unit], rng: np.random.Generator) -> tuple[list[Unit], set[int]]:
    """Move 2-4 consecutive units at least 3 positions away; return the new order and the moved line ids."""
    if len(units) < 8:
        return units, set()
    size = int(rng.integers(2, 5))
    start = int(rng.integers(0, len(units) - size + 1))
    block, rest = units[start : start + size], units[:start] + units[start + size :]
    targets = [p for p in range(len(rest) + 1) if abs(p - start) >= 3]
    if not targets:
        return units, set()
    where = int(rng.choice(targets))
    return rest[:where] + block + rest[where:], {line for u in block for line in u.lines}


def gold_beads(src: list[Unit], tgt: list[Unit]) -> list[Bead]:
    """Beads joining the units that share line ids (connected components), in source order."""
    tgt_of_line = {line: j for j, u in enumerate(tgt) for line in u.lines}
    parent = {("s", i): ("s", i) for i in range(len(src))} | {("t", j): ("t", j) for j in range(len(tgt))}

    def root(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, u in enumerate(src):
        for line in u.lines:
            if line in tgt_of_line:
                parent[root(("s", i))] = root(("t", tgt_of_line[line]))
    groups: dict = defaultdict(lambda: ([], []))
    for node in parent:
        groups[root(node)][0 if node[0] == "s" else 1].append(node[1])
    beads = [Bead(tuple(sorted(s)), tuple(sorted(t))) for s, t in groups.values()]
    return sorted(beads, key=lambda b: (b.src[0] if b.src else len(src), b.tgt[0] if b.tgt else -1))


def contiguous(beads: list[Bead]) -> bool:
    """Whether every bead joins consecutive sentences (a move must not split a merged pair)."""
    return all(not ids or max(ids) - min(ids) == len(ids) - 1 for b in beads for ids in (b.src, b.tgt))


def perturbed_pair(src_lines: list[str], tgt_lines: list[str], rng: np.random.Generator):
    """The perturbed source and target units, the gold beads and the line ids of the moved block.

    A move that would split two lines merged on the other side is drawn again
    (up to 20 times, then the document keeps its order).
    """
    sides = [[Unit(t, (k,)) for k, t in enumerate(src_lines)], [Unit(t, (k,)) for k, t in enumerate(tgt_lines)]]
    merged = int(rng.integers(2))
    sides[merged] = merge_some(sides[merged], rng)
    sides[1 - merged] = drop_some(sides[1 - merged], rng)
    moved_side = int(rng.integers(2))
    for _ in range(20):
        candidate, moved_lines = move_block(sides[moved_side], rng)
        trial = list(sides)
        trial[moved_side] = candidate
        beads = gold_beads(trial[0], trial[1])
        if contiguous(beads):
            return trial[0], trial[1], beads, moved_lines
    return sides[0], sides[1], gold_beads(sides[0], sides[1]), set()


def block_recovered(gold: list[Bead], pred: list[Bead], src: list[Unit], moved_lines: set[int]) -> bool:
    """Whether every gold bead holding a moved line is predicted exactly."""
    predicted = {b.key for b in pred}
    involved = [b for b in gold if b.src and b.tgt and any(set(src[i].lines) & moved_lines for i in b.src)]
    return all(b.key in predicted for b in involved)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--embedder", default=DEFAULT_SPEC)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--preset", choices=sorted(PRESETS), default="news")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--pairs", default=",".join(PAIRS))
    parser.add_argument("--refine", action="store_true",
                        help="score the build's two-language tuples (sentence alignment refined with word links)")
    args = parser.parse_args()

    config = configured(args.overrides, args.preset)
    embedder = get_embedder(args.embedder, args.cache_dir)
    word_aligner = word_aligner_for(embedder, args.embedder) if args.refine else None
    docs = {lang: read_documents(lang) for lang in LANGS}
    doc_ids = list(docs["en"])
    print(f"embedder {args.embedder}; seed {args.seed}; preset {args.preset}; {len(doc_ids)} documents")
    print(f"config {config}")
    started = time.perf_counter()
    for pair in args.pairs.split(","):
        src_lang, tgt_lang = pair.split("-")
        gold, pred, stats = [], [], []
        moved = recovered = 0
        for doc_index, doc_id in enumerate(doc_ids):
            rng = np.random.default_rng([args.seed, PAIRS.index(pair), doc_index])
            src, tgt, beads, moved_lines = perturbed_pair(docs[src_lang][doc_id], docs[tgt_lang][doc_id], rng)
            if args.refine:
                texts = {src_lang: [u.text for u in src], tgt_lang: [u.text for u in tgt]}
                tuples, alignment = refine_texts(texts, embedder, word_aligner, config)
                predicted = tuples_as_beads(tuples, src_lang, tgt_lang)
                stats.append(alignment.stats[(src_lang, tgt_lang)])
            else:
                result = align_texts_detailed([u.text for u in src], [u.text for u in tgt], embedder, config)
                predicted = result.beads
                stats.append(result.stats)
            gold.append(beads)
            pred.append(predicted)
            if moved_lines:
                moved += 1
                recovered += block_recovered(beads, predicted, src, moved_lines)
        scores = score_alignment(gold, pred)
        print(
            f"{pair}: strict P/R/F1 {scores.strict_precision:.3f}/{scores.strict_recall:.3f}/{scores.strict_f1:.3f}  "
            f"lax F1 {scores.lax_f1:.3f}  moved blocks aligned {recovered}/{moved}  "
            f"({scores.n_gold} gold beads, {scores.n_pred} predicted)"
        )
        print("   " + cost_line(stats))
    print(f"total {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
