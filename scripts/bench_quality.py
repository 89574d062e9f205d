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

Two context modes for the margin are reported: ``document`` (the block's gold sentences, as the
build passes a group's sentences) and ``batch`` (the pairs' own rows in the block, as
``aligner score-pairs`` does for a block of a file, where wrong candidates are among the neighbours).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from aligner.embed import get_embedder  # noqa: E402
from aligner.score import DEFAULT_MIN_QUALITY, pair_components, predict_quality  # noqa: E402
from aligner.score.quality import MODEL_PATH, load_model  # noqa: E402
from aligner.score.training import (  # noqa: E402
    COMPONENT_DIRECTIONS,
    PAIRS,
    SEED,
    _pair_langs,
    balanced_weights,
    featurize,
    reliability,
    roc_auc,
)

from train_quality import load_dataset  # noqa: E402

THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def batch_context_rows(candidates, vectors, model) -> list[dict[str, float]]:
    """Components with the margin's context = the candidates' own rows per block and pair."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, c in enumerate(candidates):
        groups[(c.block_id, c.pair)].append(i)
    out: list = [None] * len(candidates)
    for (_, pair), idx in groups.items():
        src_lang, tgt_lang = _pair_langs(pair)
        src = [candidates[i].src for i in idx]
        tgt = [candidates[i].tgt for i in idx]
        rows = pair_components(src, tgt, src_lang, tgt_lang, src_vecs=np.stack([vectors[t] for t in src]),
                               tgt_vecs=np.stack([vectors[t] for t in tgt]), model=model)
        for i, row in zip(idx, rows):
            out[i] = row
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
    batch_rows = batch_context_rows(held, vectors, model)
    labels = np.array([c.label for c in held])
    pairs = [c.pair for c in held]

    def langs(i: int) -> tuple[str, str]:
        return _pair_langs(pairs[i])

    quality = np.array([predict_quality(r, *langs(i), model) for i, r in enumerate(rows)])
    no_margin = np.array([predict_quality({k: v for k, v in r.items() if k != "margin"}, *langs(i), model)
                          for i, r in enumerate(rows)])
    batch_quality = np.array([predict_quality(r, *langs(i), model) for i, r in enumerate(batch_rows)])
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
    result["auc"]["quality (no_margin variant)"] = auc_row("no_margin", no_margin)
    result["auc"]["quality (batch context)"] = auc_row("batch", batch_quality)
    batch_margin = np.array([r.get("margin", float("nan")) for r in batch_rows])
    result["auc"]["margin (batch context)"] = auc_row("batch margin", batch_margin)

    weights = balanced_weights(labels)
    table, ece = reliability(quality, labels, 10, weights)
    result["reliability"] = table
    result["ece"] = ece
    result["ece_by_pair"] = {pair: reliability(quality[m], labels[m], 10, balanced_weights(labels[m]))[1]
                             for pair, m in groups.items() if pair != "all"}
    result["ece_batch_context"] = reliability(batch_quality, labels, 10, weights)[1]
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
    print(f"\nECE {ece:.4f} (by pair: " + ", ".join(f"{p} {e:.4f}" for p, e in result["ece_by_pair"].items())
          + f"; batch context {result['ece_batch_context']:.4f})\n")
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
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
