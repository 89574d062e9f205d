"""The kNN context a bead cost is normalised by: for every bead shape, how similar each source and
target group is to its ``k`` nearest neighbours on the other side, inside the band, and the
margin-normalised distance ``(1 - cos) / (1 - knn)`` it gives.

A module of its own because the context is measured once per band (:func:`_measure_margins`)
and then shared: a sub-grid (a moved block, see :mod:`.crossing`) is scored against the context
of the whole document, so its costs mean the same as the main ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .band import Band, _usable, banded_dot
from .dp import Move
from .sides import Side


def knn_means(sim: np.ndarray, band: Band, k: int, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean similarity of every source and target group to its ``k`` nearest neighbours in the band.

    ``sim`` compares, in cell ``(i, j)``, the ``a`` source sentences ending at
    ``i`` with the ``b`` target sentences ending at ``j``. Results are indexed
    by group end (``rows[i]``, ``cols[j]``); a group with no neighbour gets
    the mean of the others. Neighbours are looked for inside the band only,
    which keeps the cost linear; the band is wide enough (several sentences
    either side of the path) for the mean to measure how similar a group is
    to everything around its translation.
    """
    m = band.n_tgt
    cols = band.columns()
    usable = _usable(band, a, b)
    rows_knn = _topk_mean(np.where(usable, sim, -np.inf), k)
    rows, ks = np.nonzero(usable)
    ends = cols[rows, ks]
    values = sim[rows, ks].astype(np.float64)
    order = np.lexsort((-values, ends))
    ends, values = ends[order], values[order]
    rank = np.arange(len(ends)) - np.searchsorted(ends, ends, side="left")
    keep = rank < k
    sums = np.bincount(ends[keep], weights=values[keep], minlength=m + 1)
    counts = np.bincount(ends[keep], minlength=m + 1)
    cols_knn = np.divide(sums, counts, out=np.full(m + 1, np.nan), where=counts > 0)
    return _fill_missing(rows_knn), _fill_missing(cols_knn)

def _topk_mean(values: np.ndarray, k: int) -> np.ndarray:
    k = min(k, values.shape[1])
    top = -np.partition(-values, k - 1, axis=1)[:, :k]
    finite = np.isfinite(top)
    counts = finite.sum(axis=1)
    sums = np.where(finite, top, 0.0).sum(axis=1)
    return np.divide(sums, counts, out=np.full(len(values), np.nan), where=counts > 0)


def _fill_missing(values: np.ndarray) -> np.ndarray:
    missing = ~np.isfinite(values)
    if missing.any():
        values = values.copy()
        values[missing] = np.nanmean(values) if (~missing).any() else 0.0
    return values


@dataclass(frozen=True)
class Margins:
    """The context a bead cost is normalised by, indexed by group end.

    ``rows[m][i]`` / ``cols[m][j]``: kNN mean similarity of the source group of
    move ``m`` ending at ``i`` / the target group ending at ``j``.
    ``best_src[e]`` / ``best_tgt[e]``: smallest single-sentence distance of
    sentence ``e - 1`` to anything (for the stray term).
    """

    rows: list[np.ndarray]
    cols: list[np.ndarray]
    best_src: np.ndarray
    best_tgt: np.ndarray

    def sliced(self, src: slice, tgt: slice) -> Margins:
        """The context of a sub-grid (source sentences ``src``, target sentences ``tgt``)."""
        s = slice(src.start, src.stop + 1)
        t = slice(tgt.start, tgt.stop + 1)
        return Margins([r[s] for r in self.rows], [c[t] for c in self.cols], self.best_src[s], self.best_tgt[t])


def _measure_margins(
    src: Side, tgt: Side, sim1: np.ndarray, wide: Band, band: Band, moves: list[Move], k: int
) -> Margins:
    """kNN means of every bead shape on ``band`` (single sentences on ``wide``), and best single matches."""
    rows, cols = [], []
    for a, b in moves:
        if b == 0:
            rows.append(np.zeros(band.n_src + 1))
            cols.append(np.zeros(band.n_tgt + 1))
        elif (a, b) == (1, 1):  # single sentences look on the wider band, like the stray term that uses them
            r, c = knn_means(sim1, wide, k, 1, 1)
            rows.append(r)
            cols.append(c)
        else:
            r, c = knn_means(banded_dot(src.groups[a - 1], tgt.groups[b - 1], band), band, k, a, b)
            rows.append(r)
            cols.append(c)
    one = moves.index((1, 1))
    dist1 = _distance(sim1, wide, rows[one], cols[one])
    masked = np.where(_usable(wide, 1, 1), dist1, np.inf)
    best_src = masked.min(axis=1)
    best_tgt = np.full(band.n_tgt + 1, np.inf)
    i, k_ = np.nonzero(np.isfinite(masked))
    np.minimum.at(best_tgt, wide.columns()[i, k_], masked[i, k_])
    return Margins(rows, cols, best_src, best_tgt)


def _distance(sim: np.ndarray, band: Band, row_knn: np.ndarray, col_knn: np.ndarray) -> np.ndarray:
    """``1 - cos`` over ``1 - (mean kNN similarity of the two groups)``."""
    columns = np.minimum(band.columns(), band.n_tgt)
    knn = (row_knn[:, None] + col_knn[columns]) / 2.0
    return (1.0 - sim) / np.maximum(1.0 - knn, 1e-3)
