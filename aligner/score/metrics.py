"""How well the quality model, or one component, tells translations from errors: ROC AUC,
reliability table and expected calibration error, class-balanced weights, and the direction in
which each component is read for its own AUC.

A module of its own because these measure a score on labelled candidates
(:mod:`aligner.score.training`) and know nothing of how the candidates were made; used by
``scripts/train_quality.py`` and ``scripts/bench_quality.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def roc_auc(scores: Sequence[float], labels: Sequence[int]) -> float:
    """Area under the ROC curve (Mann-Whitney U, ties count one half)."""
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels, dtype=bool)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if not n_pos or not n_neg:
        return float("nan")
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), dtype=np.float64)
    sorted_s = s[order]
    # average ranks over ties
    boundaries = np.flatnonzero(np.diff(sorted_s)) + 1
    starts = np.concatenate(([0], boundaries))
    stops = np.concatenate((boundaries, [len(s)]))
    for start, stop in zip(starts, stops):
        ranks[order[start:stop]] = (start + stop + 1) / 2
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def balanced_weights(labels: Sequence[int]) -> np.ndarray:
    """Weights that give both classes the same total (the 50% prior the model is calibrated for)."""
    y = np.asarray(labels, dtype=bool)
    w = np.empty(len(y), dtype=np.float64)
    w[y] = 0.5 / max(int(y.sum()), 1)
    w[~y] = 0.5 / max(int((~y).sum()), 1)
    return w


def reliability(probs: Sequence[float], labels: Sequence[int], bins: int = 10,
                weights: Sequence[float] | None = None) -> tuple[list[dict[str, float]], float]:
    """Reliability table (equal-width bins of predicted probability) and expected calibration error.

    Each row: ``lo``, ``hi``, ``n`` (pairs), ``share`` (weight share), ``mean_pred`` and ``observed``
    (weighted positive rate). ECE = sum over bins of share * |observed - mean_pred|.
    """
    p = np.asarray(probs, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    w = np.ones(len(p)) if weights is None else np.asarray(weights, dtype=np.float64)
    total = w.sum()
    index = np.minimum((p * bins).astype(int), bins - 1)
    rows, ece = [], 0.0
    for b in range(bins):
        mask = index == b
        if not mask.any():
            rows.append({"lo": b / bins, "hi": (b + 1) / bins, "n": 0, "share": 0.0,
                         "mean_pred": float("nan"), "observed": float("nan")})
            continue
        wb = w[mask]
        mean_pred = float((p[mask] * wb).sum() / wb.sum())
        observed = float((y[mask] * wb).sum() / wb.sum())
        share = float(wb.sum() / total)
        ece += share * abs(observed - mean_pred)
        rows.append({"lo": b / bins, "hi": (b + 1) / bins, "n": int(mask.sum()), "share": share,
                     "mean_pred": mean_pred, "observed": observed})
    return rows, float(ece)


#: How each component is oriented for its own AUC (higher = more likely a translation).
COMPONENT_DIRECTIONS: dict[str, Callable[[float], float]] = {
    "cos": lambda v: v,
    "margin": lambda v: v,
    "rival_gap": lambda v: v,
    "len_ratio": lambda v: -abs(v),
    "numbers": lambda v: v,
    "names": lambda v: v,
    "end_punct": lambda v: v,
    "start_case": lambda v: v,
    "langid_src": lambda v: v,
    "langid_tgt": lambda v: v,
    "script_src": lambda v: v,
    "script_tgt": lambda v: v,
}
