"""Held-out evaluation of the quality model: ROC-AUC per component and of ``quality``, reliability
table, expected calibration error, keep rates at thresholds, and per error kind.

Usage:
    .venv/bin/python scripts/bench_quality.py [--embedder e5] [--model aligner/score/quality_model.json]
        [--unpc-lines 480] [--tatoeba-lines 1000] [--seed 13] [--json FILE]

The data set is rebuilt exactly as ``scripts/train_quality.py`` builds it (same sources, seed and
block split; see ``aligner/score/training.py``), and only the held-out blocks (30%, never trained
on) are scored. Components use the model's stored expected length ratios. AUCs are computed on
the held-out pairs as they are (about one positive to four negatives); the reliability table and
ECE weight the two classes equally, because ``quality`` is calibrated for equal prior odds.

The main numbers use the margin context of training: each pair's document (block) as it would
read if the pair's error were real. "File mode" re-scores the held-out pairs as ``aligner
score-pairs`` would: one simulated file per block and language pair, where each line is the gold
pair or, for 20% of lines, one of that line's errors, and the margin's context is the file's own
rows (blocks of at most 32 lines).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from aligner.embed import get_embedder  # noqa: E402
from aligner.score import DEFAULT_MIN_QUALITY, pair_components, predict_quality, tuple_quality  # noqa: E402
from aligner.score.command import context_blocks  # noqa: E402
from aligner.score.quality import MODEL_PATH, load_model  # noqa: E402
from aligner.score.metrics import COMPONENT_DIRECTIONS, balanced_weights, reliability, roc_auc  # noqa: E402
from aligner.score.training import PAIRS, SEED, _pair_langs, featurize  # noqa: E402

from train_quality import load_dataset  # noqa: E402

#: Share of lines of a simulated score-pairs file that hold an error.
FILE_ERROR_SHARE = 0.2
THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def simulated_files(held, seed: int, error_share: float = FILE_ERROR_SHARE) -> list[list[int]]:
    """Held-out candidates arranged as ``score-pairs`` input files: one file per block and language
    pair, line ``i`` the gold pair of line ``i`` or, with probability ``error_share``, one of that
    line's negatives (any kind). Seed-article blocks (no gold) are files of their negatives."""
    by_group: dict[tuple[str, str], dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for index, c in enumerate(held):
        by_group[(c.block_id, c.pair)][c.line].append(index)
    files = []
    for (block_id, pair), lines in sorted(by_group.items()):
        rng = random.Random(f"{seed}:{block_id}:{pair}:file")
        if -1 in lines:  # seed articles
            files.append(sorted(lines[-1]))
            continue
        rows = []
        for line in sorted(lines):
            gold = [i for i in lines[line] if held[i].label == 1]
            wrong = [i for i in lines[line] if held[i].label == 0]
            rows.append(rng.choice(wrong) if wrong and (not gold or rng.random() < error_share) else gold[0])
        files.append(rows)
    return files


def file_mode_rows(held, files, vectors, model) -> dict[int, dict[str, float]]:
    """Components as ``aligner score-pairs`` computes them: the margin's context is the file's own
    rows, in blocks of at most 32 lines."""
    out = {}
    for rows in files:
        for start, stop in context_blocks(len(rows)):
            idx = rows[start:stop]
            src_lang, tgt_lang = _pair_langs(held[idx[0]].pair)
            src = [held[i].src for i in idx]
            tgt = [held[i].tgt for i in idx]
            scored = pair_components(src, tgt, src_lang, tgt_lang, src_vecs=np.stack([vectors[t] for t in src]),
                                     tgt_vecs=np.stack([vectors[t] for t in tgt]), model=model)
            out.update(zip(idx, scored))
    return out


def fmt(x: float, digits: int = 3) -> str:
    return "—" if x != x else f"{x:.{digits}f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", default="e5")
    parser.add_argument("--model", type=Path, default=MODEL_PATH)
    parser.add_argument("--unpc-lines", type=int, default=480)
    parser.add_argument("--tatoeba-lines", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers as JSON here")
    args = parser.parse_args(argv)

    model = load_model(args.model)
    embedder = get_embedder(args.embedder)
    t0 = time.perf_counter()
    _, candidates, vectors = load_dataset(args, embedder)
    held = [c for c in candidates if c.heldout]
    expected = {pair: model.pairs[pair].expected_log_ratio for pair in PAIRS}
    rows = featurize(held, vectors, expected)
    files = simulated_files(held, args.seed)
    file_rows = file_mode_rows(held, files, vectors, model)
    file_idx = np.array(sorted(file_rows))
    labels = np.array([c.label for c in held])
    pairs = [c.pair for c in held]

    def langs(i: int) -> tuple[str, str]:
        return _pair_langs(pairs[i])

    quality = np.array([predict_quality(r, *langs(i), model) for i, r in enumerate(rows)])
    no_context = np.array([predict_quality({k: v for k, v in r.items() if k not in ("margin", "rival_gap")},
                                           *langs(i), model) for i, r in enumerate(rows)])
    file_quality = np.array([predict_quality(file_rows[i], *langs(i), model) for i in file_idx])
    file_labels = labels[file_idx]
    elapsed = time.perf_counter() - t0

    groups = {pair: np.array([p == pair for p in pairs]) for pair in PAIRS}
    groups["all"] = np.ones(len(held), dtype=bool)
    result: dict = {"heldout_pairs": len(held), "positives": int(labels.sum()), "auc": {}, "by_pair_counts": {}}
    for name, mask in groups.items():
        result["by_pair_counts"][name] = {"positives": int(labels[mask].sum()), "negatives": int((~labels[mask].astype(bool)).sum())}

    def auc_row(name: str, values: np.ndarray) -> dict[str, float]:
        return {g: roc_auc(values[mask], labels[mask]) for g, mask in groups.items()}

    for component, direction in COMPONENT_DIRECTIONS.items():
        values = np.array([direction(r.get(component, float("nan"))) for r in rows])
        result["auc"][component] = auc_row(component, values)
    result["auc"]["quality"] = auc_row("quality", quality)
    result["auc"]["quality, no_context variant"] = auc_row("no_context", no_context)
    file_pairs = np.array(pairs)[file_idx]
    result["file_mode"] = {
        "pairs": int(len(file_idx)), "positives": int(file_labels.sum()), "files": len(files),
        "auc": {g: roc_auc(file_quality[file_pairs == g] if g != "all" else file_quality,
                           file_labels[file_pairs == g] if g != "all" else file_labels) for g in groups},
        "auc_cos": roc_auc(np.array([file_rows[i]["cos"] for i in file_idx]), file_labels),
        "auc_margin": roc_auc(np.array([file_rows[i].get("margin", float("nan")) for i in file_idx]), file_labels),
        "ece": reliability(file_quality, file_labels, 10, balanced_weights(file_labels))[1],
        "ece_natural": reliability(file_quality, file_labels, 10)[1],
    }

    weights = balanced_weights(labels)
    table, ece = reliability(quality, labels, 10, weights)
    result["reliability"] = table
    result["ece"] = ece
    result["ece_by_pair"] = {pair: reliability(quality[m], labels[m], 10, balanced_weights(labels[m]))[1]
                             for pair, m in groups.items() if pair != "all"}
    result["thresholds"] = []
    for t in THRESHOLDS:
        kept = quality >= t
        tpr = float(kept[labels == 1].mean())
        fpr = float(kept[labels == 0].mean())
        result["thresholds"].append({"threshold": t, "positives_kept": tpr, "negatives_kept": fpr,
                                     "precision_at_equal_prior": tpr / (tpr + fpr) if tpr + fpr else float("nan")})
    kinds: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(held):
        kinds[c.kind].append(i)
    result["by_kind"] = {kind: {"n": len(idx), "mean_quality": float(quality[idx].mean()),
                                "kept_at_default": float((quality[idx] >= DEFAULT_MIN_QUALITY).mean())}
                         for kind, idx in sorted(kinds.items())}
    sources: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(held):
        if c.label == 1:
            sources[c.source].append(i)
    result["positives_by_source"] = {s: {"n": len(idx), "kept_at_default": float((quality[idx] >= DEFAULT_MIN_QUALITY).mean())}
                                     for s, idx in sorted(sources.items())}
    # tuple rule on the trilingual held-out lines (NTREX, UNPC): the three gold pairs of a line
    gold_by_line: dict[tuple[str, int], dict[str, float]] = defaultdict(dict)
    for i, c in enumerate(held):
        if c.label == 1:
            gold_by_line[(c.block_id, c.line)][c.pair] = float(quality[i])
    tuples = [tuple_quality(q) for q in gold_by_line.values() if len(q) == 3]
    result["gold_tuples"] = {"n": len(tuples), "kept_at_default": float(np.mean([t >= DEFAULT_MIN_QUALITY for t in tuples])),
                             "kept_at": {t: float(np.mean([v >= t for v in tuples])) for t in (0.3, 0.5, 0.7)},
                             "pairs_kept_at_default": float(np.mean([v >= DEFAULT_MIN_QUALITY for q in gold_by_line.values()
                                                                     if len(q) == 3 for v in q.values()]))}
    result["seconds"] = elapsed

    print(f"Held-out pairs: {len(held)} ({int(labels.sum())} positives) from the 30% held-out blocks; "
          f"embedder {args.embedder}; model {args.model.name}; {elapsed:.0f} s\n")
    print("ROC-AUC (held out)\n")
    print("| score | " + " | ".join(groups) + " |")
    print("|---|" + "---:|" * len(groups))
    for name, aucs in result["auc"].items():
        print(f"| {name} | " + " | ".join(fmt(aucs[g]) for g in groups) + " |")
    print("\nReliability of quality (held out, classes weighted equally)\n")
    print("| predicted | pairs | weight share | mean predicted | observed positive rate |")
    print("|---|---:|---:|---:|---:|")
    for row in table:
        print(f"| {row['lo']:.1f}–{row['hi']:.1f} | {row['n']} | {fmt(row['share'])} | {fmt(row['mean_pred'])} | {fmt(row['observed'])} |")
    print(f"\nECE {ece:.4f} (by pair: " + ", ".join(f"{p} {e:.4f}" for p, e in result["ece_by_pair"].items()) + ")\n")
    print("| threshold | positives kept | negatives kept | precision at equal prior |")
    print("|---:|---:|---:|---:|")
    for row in result["thresholds"]:
        print(f"| {row['threshold']:.1f} | {fmt(row['positives_kept'])} | {fmt(row['negatives_kept'])} | "
              f"{fmt(row['precision_at_equal_prior'])} |")
    print(f"\nBy kind (kept = quality >= {DEFAULT_MIN_QUALITY})\n")
    print("| kind | pairs | mean quality | kept |")
    print("|---|---:|---:|---:|")
    for kind, row in result["by_kind"].items():
        print(f"| {kind} | {row['n']} | {fmt(row['mean_quality'])} | {fmt(row['kept_at_default'])} |")
    print("\nGold pairs kept by source: " + ", ".join(f"{s} {r['kept_at_default']:.3f} (n={r['n']})"
                                                   for s, r in result["positives_by_source"].items()))
    gt = result["gold_tuples"]
    print(f"Gold trilingual tuples (NTREX, UNPC) kept by tuple_quality = min over pairs >= {DEFAULT_MIN_QUALITY}: "
          f"{gt['kept_at_default']:.3f} of {gt['n']} (their pairs one by one: {gt['pairs_kept_at_default']:.3f}); "
          "at other thresholds: " + ", ".join(f"{t} -> {v:.3f}" for t, v in gt["kept_at"].items()))
    fm = result["file_mode"]
    print(f"\nFile mode (score-pairs on simulated files, {FILE_ERROR_SHARE:.0%} of lines wrong; context = the file's "
          f"rows): {fm['pairs']} pairs ({fm['positives']} positives) in {fm['files']} files; quality AUC "
          + ", ".join(f"{g} {v:.3f}" for g, v in fm["auc"].items())
          + f"; cos {fm['auc_cos']:.3f}, margin {fm['auc_margin']:.3f}; ECE {fm['ece']:.4f} "
          f"(classes weighted equally), {fm['ece_natural']:.4f} (as they come)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
