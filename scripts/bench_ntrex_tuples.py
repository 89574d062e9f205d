"""Trilingual tuples on perturbed NTREX documents (ar, en, fr): strict tuple F1 and F1 per projected pair.

Usage:
    .venv/bin/python scripts/bench_ntrex_tuples.py [--embedder e5|use|lexical] [--seed 13] [--cache-dir DIR]

Every NTREX document exists in ar, en and fr, line-parallel. Each language's version is
perturbed independently with a generator seeded by ``(seed, language, document)``, the same
way ``bench_ntrex_pairs.py`` perturbs one side: about one line in ten merged with the next,
one in twenty dropped, and in documents of 8+ units one language (drawn per document) gets a
block of 2-4 units moved at least 3 positions. Gold tuples join the units sharing line ids
across the three languages. Reported:

* **tuples**: strict precision/recall/F1 of the tuples with at least two languages (a tuple
  counts only if its units in every language are exactly the gold ones);
* **pairs**: each tuple projected onto ar-en, ar-fr and en-fr, scored against the gold
  projected the same way with Vecalign's strict/lax semantics (``aligner.evaluate.alignment``);
  beside it, the pairwise aligner's own beads against the pair's own gold (finer: a merge in
  the third language does not join them), for reference.

With ``--refine`` the tuples are the build's: the sentence aligner's tuples refined with word
links (``aligner.refine``: detach, split, clauses moved across tuples). A sentence cut
into pieces is whole again for scoring (tuples sharing a sentence are joined), so the score
says what refining did at the sentence level: mostly sentences detached from glued tuples.
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from aligner.embed import DEFAULT_SPEC, get_embedder
from aligner.evaluate.alignment import score_alignment
from aligner.model import Bead
from aligner.sentalign import AlignConfig, LanguageSide, align_group

from bench_ntrex_pairs import LANGS, Unit, drop_some, gold_beads, merge_some, move_block, read_documents
from aligner.refine import refine_texts
from aligner.wordalign import word_aligner_for

PAIRS = list(itertools.combinations(LANGS, 2))
TupleKey = tuple[tuple[str, tuple[int, ...]], ...]


def perturbed_document(lines: dict[str, list[str]], seed: int, doc_index: int) -> dict[str, list[Unit]]:
    """Each language merged and dropped on its own; one language (drawn) gets a moved block."""
    out = {}
    mover = int(np.random.default_rng([seed, 99, doc_index]).integers(len(LANGS)))
    for k, lang in enumerate(LANGS):
        rng = np.random.default_rng([seed, k, doc_index])
        units = drop_some(merge_some([Unit(t, (n,)) for n, t in enumerate(lines[lang])], rng), rng)
        if k == mover:
            units, _ = move_block(units, rng)
        out[lang] = units
    return out


def gold_tuples(units: dict[str, list[Unit]]) -> list[dict[str, tuple[int, ...]]]:
    """Components of units sharing a line id, across languages."""
    by_line: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for lang, seq in units.items():
        for i, unit in enumerate(seq):
            for line in unit.lines:
                by_line[line].append((lang, i))
    parent = {(lang, i): (lang, i) for lang, seq in units.items() for i in range(len(seq))}

    def root(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for nodes in by_line.values():
        for node in nodes[1:]:
            parent[root(node)] = root(nodes[0])
    groups: dict = defaultdict(lambda: defaultdict(list))
    for node in parent:
        groups[root(node)][node[0]].append(node[1])
    return [{lang: tuple(sorted(ids)) for lang, ids in g.items()} for g in groups.values()]


def key(members: dict[str, tuple[int, ...]]) -> TupleKey:
    return tuple((lang, members[lang]) for lang in LANGS if members.get(lang))


def projected(tuples: list[dict[str, tuple[int, ...]]], a: str, b: str, n_a: int, n_b: int) -> list[Bead]:
    """Beads of pair a-b: tuples having both languages, plus 1-0/0-1 for every other sentence."""
    beads, seen_a, seen_b = [], set(), set()
    for t in tuples:
        if t.get(a) and t.get(b):
            beads.append(Bead(t[a], t[b]))
            seen_a.update(t[a])
            seen_b.update(t[b])
    beads += [Bead((i,), ()) for i in range(n_a) if i not in seen_a]
    beads += [Bead((), (j,)) for j in range(n_b) if j not in seen_b]
    return beads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--embedder", default=DEFAULT_SPEC)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--limit", type=int, default=None, help="only the first N documents")
    parser.add_argument("--rescore-margin", type=float, default=None,
                        help="pass 2 embeds only groups of beads within this cost of the best path (default: the aligner's)")
    parser.add_argument("--refine", action="store_true",
                        help="score the build's refined tuples (word links) instead of the sentence aligner's")
    args = parser.parse_args()

    embedder = get_embedder(args.embedder, args.cache_dir)
    word_aligner = word_aligner_for(embedder, args.embedder) if args.refine else None
    config = AlignConfig() if args.rescore_margin is None else AlignConfig(rescore_margin=args.rescore_margin)
    pass2_texts = sentences = 0
    docs = {lang: read_documents(lang) for lang in LANGS}
    doc_ids = list(docs["en"])[: args.limit]
    print(f"embedder {args.embedder}; seed {args.seed}; {len(doc_ids)} documents"
          + ("; refined tuples (word links)" if args.refine else ""))
    started = time.perf_counter()
    gold_total = pred_total = hits = 0
    gold_pairs: dict = defaultdict(list)
    pred_pairs: dict = defaultdict(list)
    pair_gold: dict = defaultdict(list)
    pair_pred: dict = defaultdict(list)
    for doc_index, doc_id in enumerate(doc_ids):
        units = perturbed_document({lang: docs[lang][doc_id] for lang in LANGS}, args.seed, doc_index)
        texts = {lang: [u.text for u in units[lang]] for lang in LANGS}
        if args.refine:
            pred, result = refine_texts(texts, embedder, word_aligner, config)
        else:
            vectors = {lang: embedder.encode(texts[lang]) for lang in LANGS}
            sides = [LanguageSide(lang, texts[lang], vectors[lang]) for lang in LANGS]
            result = align_group(sides, embedder, config)
            pred = [t.members for t in result.tuples]
        for stats in result.stats.values():
            pass2_texts += stats.pass2_texts
        sentences += sum(len(texts[lang]) for lang in LANGS)
        gold = gold_tuples(units)
        gold_keys = {key(t) for t in gold if len(key(t)) > 1}
        pred_keys = {key(t) for t in pred if len(key(t)) > 1}
        gold_total += len(gold_keys)
        pred_total += len(pred_keys)
        hits += len(gold_keys & pred_keys)
        for a, b in PAIRS:
            n_a, n_b = len(units[a]), len(units[b])
            gold_pairs[(a, b)].append(projected(gold, a, b, n_a, n_b))
            pred_pairs[(a, b)].append(projected(pred, a, b, n_a, n_b))
            pair_gold[(a, b)].append(gold_beads(units[a], units[b]))
            pair_pred[(a, b)].append(result.pairs[(a, b)])
    p, r = hits / max(pred_total, 1), hits / max(gold_total, 1)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    print(f"tuples (2+ languages): strict P/R/F1 {p:.3f}/{r:.3f}/{f1:.3f} ({gold_total} gold, {pred_total} predicted)")
    for a, b in PAIRS:
        s = score_alignment(gold_pairs[(a, b)], pred_pairs[(a, b)])
        d = score_alignment(pair_gold[(a, b)], pair_pred[(a, b)])
        print(f"{a}-{b} (projected): strict P/R/F1 {s.strict_precision:.3f}/{s.strict_recall:.3f}/{s.strict_f1:.3f}"
              f"  lax F1 {s.lax_f1:.3f};  pairwise alone vs the pair's own gold: strict F1 {d.strict_f1:.3f}")
    print(f"pass-2 group texts per input sentence: {pass2_texts / max(sentences, 1):.2f} "
          "(counted per pair; a group two pairs share is embedded once)")
    print(f"total {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
