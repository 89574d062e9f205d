"""Vector-level quality components of a sentence pair, from sentence embeddings: ``cos``, ``margin``
and ``rival_gap`` (the text-level ones are in :mod:`aligner.score.components`).

A module of its own because these are the components that need vectors and a *context* (the
document or batch the pair comes from), and share the unit-normalisation and nearest-neighbour
code; they take arrays, not texts. Formulas and ranges are in ``docs/scores.md``.
"""

from __future__ import annotations

import numpy as np

#: Neighbours averaged on each side by the ratio margin (as in Artetxe and Schwenk 2019, k=4).
MARGIN_K = 4
#: A context side with fewer texts than this gives no margin (the score is then absent): with fewer
#: than k rows the neighbourhood is the whole side, and the ratio says little.
MIN_MARGIN_CONTEXT = MARGIN_K
#: Cosine above which a context row is taken to be the pair's own sentence.
_SAME = 0.9999


def cosine(src_vecs: np.ndarray, tgt_vecs: np.ndarray) -> np.ndarray:
    """Row-wise cosine of two ``(n, dim)`` arrays (rows need not be normalised). Range [-1, 1]."""
    src = np.asarray(src_vecs, dtype=np.float32)
    tgt = np.asarray(tgt_vecs, dtype=np.float32)
    if src.shape != tgt.shape:
        raise ValueError(f"cosine: shapes differ, {src.shape} vs {tgt.shape}")
    num = np.einsum("ij,ij->i", src, tgt)
    den = np.linalg.norm(src, axis=1) * np.linalg.norm(tgt, axis=1)
    return np.where(den > 0, num / np.maximum(den, 1e-12), 0.0).astype(np.float64)


def _unit(matrix: np.ndarray) -> np.ndarray:
    m = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.maximum(norms, 1e-12)


def _knn_mean(queries: np.ndarray, context: np.ndarray, k: int, block: int = 2048) -> np.ndarray:
    """Mean of the ``k`` largest cosines of each query row against the context rows."""
    k = min(k, len(context))
    out = np.empty(len(queries), dtype=np.float64)
    for start in range(0, len(queries), block):
        sims = queries[start : start + block] @ context.T
        if k < sims.shape[1]:
            sims = np.partition(sims, sims.shape[1] - k, axis=1)[:, -k:]
        out[start : start + block] = sims.mean(axis=1)
    return out


def ratio_margin(
    src_vecs: np.ndarray,
    tgt_vecs: np.ndarray,
    src_context: np.ndarray | None = None,
    tgt_context: np.ndarray | None = None,
    k: int = MARGIN_K,
) -> np.ndarray:
    """Artetxe and Schwenk's ratio margin of each pair ``(x, y)``::

        margin(x, y) = cos(x, y) / ( mean_{z in NN_k(x)} cos(x, z) / 2 + mean_{z in NN_k(y)} cos(y, z) / 2 )

    ``NN_k(x)`` are the ``k`` target-side context sentences closest to ``x`` and ``NN_k(y)`` the ``k``
    source-side context sentences closest to ``y`` (``k`` is cut to the context size). The context is
    the document (or batch) the pair comes from: by default the pairs' own source and target rows,
    so a good pair among good pairs scores about 1 or more and a pair whose sentences have a better
    partner nearby scores below 1. With fewer than :data:`MIN_MARGIN_CONTEXT` rows on a context side
    the margin says nothing and is returned as NaN. Range: about (0, 2]; higher is better.
    """
    src = _unit(src_vecs)
    tgt = _unit(tgt_vecs)
    src_ctx = src if src_context is None else _unit(src_context)
    tgt_ctx = tgt if tgt_context is None else _unit(tgt_context)
    cos = np.einsum("ij,ij->i", src, tgt).astype(np.float64)
    if len(src_ctx) < MIN_MARGIN_CONTEXT or len(tgt_ctx) < MIN_MARGIN_CONTEXT or not len(src):
        return np.full(len(src), np.nan)
    forward = _knn_mean(src, tgt_ctx, k)
    backward = _knn_mean(tgt, src_ctx, k)
    den = (forward + backward) / 2
    return np.where(den > 1e-6, cos / np.maximum(den, 1e-6), np.nan)


def rival_gap(
    src_vecs: np.ndarray,
    tgt_vecs: np.ndarray,
    src_context: np.ndarray | None = None,
    tgt_context: np.ndarray | None = None,
) -> np.ndarray:
    """``rival_gap``: how much closer the two sides are to each other than to their best rival::

        rival_gap(x, y) = cos(x, y) - max( max_{z in T, z != y} cos(x, z), max_{w in S, w != x} cos(w, y) )

    ``S`` / ``T`` are the source / target context (as in :func:`ratio_margin`); a context row is
    "the pair's own sentence" when its cosine with it is above 0.9999 (the same text). Positive: each
    side is the other's best match in the context (a 1-nearest-neighbour, difference version of the
    margin); negative: some other sentence fits better (the pair is misaligned or only part of a
    translation). NaN with fewer than :data:`MIN_MARGIN_CONTEXT` rows on a context side. Range [-2, 2].
    """
    src = _unit(src_vecs)
    tgt = _unit(tgt_vecs)
    src_ctx = src if src_context is None else _unit(src_context)
    tgt_ctx = tgt if tgt_context is None else _unit(tgt_context)
    if len(src_ctx) < MIN_MARGIN_CONTEXT or len(tgt_ctx) < MIN_MARGIN_CONTEXT or not len(src):
        return np.full(len(src), np.nan)
    cos = np.einsum("ij,ij->i", src, tgt).astype(np.float64)
    forward = src @ tgt_ctx.T
    forward[(tgt @ tgt_ctx.T) > _SAME] = -np.inf  # y itself is no rival
    backward = tgt @ src_ctx.T
    backward[(src @ src_ctx.T) > _SAME] = -np.inf
    rival = np.maximum(forward.max(axis=1), backward.max(axis=1)).astype(np.float64)
    return np.where(np.isfinite(rival), cos - rival, np.nan)
