"""Banded dynamic programming over beads: the cheapest monotone path through a :class:`Band`.

A *move* ``(a, b)`` consumes ``a`` source and ``b`` target sentences: one bead.
The caller supplies, for every move with ``a >= 1``, the cost of the bead that
*ends* in each band cell (``costs[m][i, k]`` for the bead covering source
sentences ``i - a .. i - 1`` and target sentences ``j - b .. j - 1``, with
``j = lo[i] + k``), and a per-sentence cost for target insertions ``(0, 1)``.

Rows are filled one after the other with a few vectorised numpy operations
each; insertions, which stay in the same row, are folded in with one
prefix-minimum scan, so no Python loop runs over cells or moves. Ties go to
the move listed first, which makes the result deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .band import Band

Move = tuple[int, int]

#: Back-pointer value of a target insertion ``(0, 1)``.
INSERT = -2
_NONE = -1


def make_moves(max_side: int, max_total: int) -> list[Move]:
    """Every move with at most ``max_side`` sentences on a side and ``max_total`` in all.

    The deletion ``(1, 0)`` comes first and ``(1, 1)`` second, so on a tie the
    cheaper-to-explain bead wins; the insertion ``(0, 1)`` is implicit (see
    :func:`run_dp`).
    """
    moves: list[Move] = [(1, 0), (1, 1)]
    for total in range(3, max_total + 1):
        for a in range(1, total):
            b = total - a
            if a <= max_side and b <= max_side:
                moves.append((a, b))
    return moves


def gather(values: np.ndarray, source: Band, target: Band, di: int, dj: int, fill: float) -> np.ndarray:
    """Read ``values`` (stored on band ``source``) at cell ``(i - di, j - dj)`` for every cell ``(i, j)`` of ``target``.

    Cells whose counterpart lies outside the grid or outside ``source`` get ``fill``.
    This is how a bead ending in ``(i, j)`` looks up the cell it starts from.
    """
    rows = np.arange(target.n_src + 1) - di
    out = np.full((target.n_src + 1, target.width), fill, dtype=values.dtype)
    ok_rows = rows >= 0
    rows = rows[ok_rows]
    cols = target.columns()[ok_rows] - dj
    k = cols - source.lo[rows][:, None]
    ok = (k >= 0) & (cols < source.hi[rows][:, None]) & target.valid()[ok_rows]
    picked = values[rows[:, None], np.clip(k, 0, values.shape[1] - 1)]
    out[ok_rows] = np.where(ok, picked, fill)
    return out


@dataclass(frozen=True)
class DPResult:
    """Cheapest cost to reach every band cell, and the move that got there."""

    band: Band
    moves: list[Move]
    total: np.ndarray  # float64 (n_src + 1, width), inf outside the band / unreachable
    back: np.ndarray  # int8, index into moves, INSERT, or -1

    @property
    def cost(self) -> float:
        """Cost of the best complete path (to ``(n_src, n_tgt)``)."""
        band = self.band
        return float(self.total[-1, band.n_tgt - band.lo[-1]])

    def path(self) -> list[tuple[int, int, int, int]]:
        """The best path as beads ``(src_start, src_end, tgt_start, tgt_end)``, in order."""
        band = self.band
        i, j = band.n_src, band.n_tgt
        beads: list[tuple[int, int, int, int]] = []
        while i > 0 or j > 0:
            code = int(self.back[i, j - band.lo[i]])
            if code == INSERT:
                a, b = 0, 1
            elif code >= 0:
                a, b = self.moves[code]
            else:
                raise RuntimeError(f"no path reaches cell ({i}, {j}): the band is disconnected")
            beads.append((i - a, i, j - b, j))
            i, j = i - a, j - b
        beads.reverse()
        return beads


def run_dp(band: Band, moves: list[Move], costs: list[np.ndarray], insert_cost: np.ndarray) -> DPResult:
    """Fill the band row by row; ``costs[m]`` is the ``(n_src + 1, width)`` cost array of ``moves[m]``.

    ``insert_cost[q]`` is the cost of leaving target sentence ``q`` unaligned.
    Where every move of a cell reads its predecessor is worked out for all
    cells up front (flat indices into the table, or a sentinel holding
    infinity), so each row costs one gather, one addition and one argmin.
    """
    n, width = band.n_src, band.width
    columns = band.columns()
    valid = band.valid()
    sentinel = (n + 1) * width
    previous = np.empty((len(moves), n + 1, width), dtype=np.int64 if sentinel >= 2**31 else np.int32)
    step_costs = np.empty((len(moves), n + 1, width), dtype=np.float32)
    for m, (a, b) in enumerate(moves):
        rows = np.arange(n + 1) - a
        start_rows = np.maximum(rows, 0)
        k_prev = columns - b - band.lo[start_rows][:, None]
        ok = valid & (rows[:, None] >= 0) & (k_prev >= 0) & (columns - b < band.hi[start_rows][:, None])
        previous[m] = np.where(ok, start_rows[:, None] * width + k_prev, sentinel)
        step_costs[m] = np.where(ok, costs[m], np.inf)
    # inserted[j]: cost of inserting target sentences 0..j-1, so a run q0..q1-1 costs inserted[q1] - inserted[q0].
    inserted = np.concatenate([[0.0], np.cumsum(insert_cost, dtype=np.float64)])
    flat = np.full(sentinel + 1, np.inf)
    total = flat[:sentinel].reshape(n + 1, width)
    back = np.full((n + 1, width), _NONE, dtype=np.int8)
    lanes = np.arange(width)
    for i in range(n + 1):
        candidates = flat[previous[:, i]] + step_costs[:, i]
        arg = candidates.argmin(axis=0)
        best = candidates[arg, lanes]
        arg = np.where(np.isfinite(best), arg, _NONE).astype(np.int8)
        if i == 0:
            best[0] = 0.0  # the empty prefix (lo[0] is always 0): the start, no move
        # Insertions stay in the row: total[j] = min over j' <= j of best[j'] + inserted[j] - inserted[j'].
        # Compared in the shifted domain so that rounding never fakes an insertion.
        ins = inserted[np.minimum(columns[i], band.n_tgt)]
        shifted = best - ins
        running = np.minimum.accumulate(shifted)
        by_insert = running < shifted
        arg[by_insert] = INSERT
        total[i] = np.where(valid[i], np.where(by_insert, running + ins, best), np.inf)
        back[i] = arg
    return DPResult(band, moves, total.copy(), back)


def reverse_costs(band: Band, moves: list[Move], costs: list[np.ndarray]) -> list[np.ndarray]:
    """The cost arrays of the mirrored problem (both sequences reversed), on ``band.reversed()``.

    A bead ending at ``(i', j')`` of the mirrored grid is the bead starting at
    ``(n_src - i', n_tgt - j')`` of the original, i.e. ending at
    ``(n_src - i' + a, n_tgt - j' + b)``.
    """
    rev = band.reversed()
    n, m_tgt = band.n_src, band.n_tgt
    rows = n - np.arange(n + 1)
    cols = m_tgt - rev.columns()
    out = []
    for (a, b), cost in zip(moves, costs):
        src_rows = rows + a
        src_cols = cols + b
        ok = rev.valid() & (src_rows[:, None] <= n)
        r = np.minimum(src_rows, n)
        k = src_cols - band.lo[r][:, None]
        ok &= (k >= 0) & (src_cols < band.hi[r][:, None])
        out.append(np.where(ok, cost[r[:, None], np.clip(k, 0, cost.shape[1] - 1)], np.float32(np.inf)))
    return out


def cost_to_end(forward: DPResult, backward: DPResult) -> np.ndarray:
    """Best cost from every cell of ``forward.band`` to the end, read from ``backward``.

    ``backward`` is :func:`run_dp` on the mirrored problem; its total at
    ``(n_src - i, n_tgt - j)`` is the best cost from ``(i, j)`` to the end.
    """
    band, rev = forward.band, backward.band
    n, m_tgt = band.n_src, band.n_tgt
    columns = band.columns()
    rows = n - np.arange(n + 1)
    k_rev = (m_tgt - columns) - rev.lo[rows][:, None]
    ok = band.valid() & (k_rev >= 0) & (m_tgt - columns < rev.hi[rows][:, None])
    return np.where(ok, backward.total[rows[:, None], np.clip(k_rev, 0, rev.width - 1)], np.inf)


def min_marginal(forward: DPResult, to_end: np.ndarray, move: Move, cost: np.ndarray) -> np.ndarray:
    """For every cell, the cost of the best complete path whose bead ending there is ``move``.

    The difference to ``forward.cost`` says how close that rival bead came.
    """
    a, b = move
    return gather(forward.total, forward.band, forward.band, a, b, np.inf) + cost + to_end
