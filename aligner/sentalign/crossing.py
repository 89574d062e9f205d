"""Crossing alignments: blocks that one version moved elsewhere.

A monotone path cannot follow a paragraph that the other version moved. Where
it meets one, it either leaves the block unaligned twice (once where the block
sits in the source, once where it sits in the target) or, when the block is
near, forces wrong pairs through it. So after the monotone pass a *pool* is
formed of the sentences it left unaligned and of the members of *weak* beads
(margin-normalised distance above ``weak_distance``, far from any true
translation), usually a small share of the document. Pool sentences are
compared with each other; a pair that are each other's nearest pool sentence
and closer than ``anchor_distance`` is an *anchor*. Around each anchor, closest
first, the maximal runs of free pool sentences on both sides are aligned with
each other by the same banded programme, in the cost context of the whole
document, and the non-null beads it finds are taken out of the pool. The
caller then realigns the remaining sentences monotonically (see
:mod:`aligner.sentalign.pairwise`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .band import Band
from .dp import Move, run_dp
from .margins import Margins
from .scoring import Costs, ScoreParams, bead_costs
from .search import find_band
from .sides import Side

#: Source pool sentences compared with all target pool sentences per matrix product.
_CHUNK = 256

Path = list[tuple[int, int, int, int]]
ScoredPath = list[tuple[int, int, int, int, float]]


@dataclass(frozen=True)
class CrossParams:
    """When a sentence joins the pool and when a pool pair anchors a moved block."""

    #: A bead this far (per sentence, margin-normalised) is treated as unaligned (a true pair is ~0.65).
    weak_distance: float = 1.0
    #: Largest distance of an anchor pair (a random pair is ~1.6).
    anchor_distance: float = 1.0


def pool(
    path: Path, costs: Costs, band: Band, weak_distance: float, n_src: int, n_tgt: int
) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the source and target sentences left unaligned or in weak beads by ``path``."""
    free_src = np.zeros(n_src, dtype=bool)
    free_tgt = np.zeros(n_tgt, dtype=bool)
    for s0, s1, t0, t1 in path:
        if s0 < s1 and t0 < t1:
            distance = costs.distance[costs.moves.index((s1 - s0, t1 - t0))]
            if distance[s1, t1 - band.lo[s1]] <= weak_distance:
                continue
        free_src[s0:s1] = True
        free_tgt[t0:t1] = True
    return free_src, free_tgt


def anchors(
    src: Side, tgt: Side, src_ids: np.ndarray, tgt_ids: np.ndarray, margins: Margins, single: int, limit: float
) -> list[tuple[float, int, int]]:
    """Mutual nearest pool pairs closer than ``limit``, as ``(distance, src id, tgt id)``, closest first.

    ``single`` is the index of the 1-1 move in the margins. Memory is
    ``O(chunk * len(tgt_ids))``; time is the product of the two pool sizes,
    small unless the documents barely match at all.
    """
    src_vecs = src.groups[0][src_ids + 1]
    tgt_vecs = tgt.groups[0][tgt_ids + 1]
    src_knn = margins.rows[single][src_ids + 1]
    tgt_knn = margins.cols[single][tgt_ids + 1]
    best_for_src = np.empty(len(src_ids), dtype=np.int64)
    dist_for_src = np.empty(len(src_ids))
    best_for_tgt = np.zeros(len(tgt_ids), dtype=np.int64)
    dist_for_tgt = np.full(len(tgt_ids), np.inf)
    for start in range(0, len(src_ids), _CHUNK):
        stop = min(start + _CHUNK, len(src_ids))
        sim = src_vecs[start:stop] @ tgt_vecs.T
        knn = (src_knn[start:stop, None] + tgt_knn[None, :]) / 2.0
        dist = (1.0 - sim) / np.maximum(1.0 - knn, 1e-3)
        best_for_src[start:stop] = dist.argmin(axis=1)
        dist_for_src[start:stop] = dist.min(axis=1)
        col_best = dist.argmin(axis=0)
        col_dist = dist[col_best, np.arange(len(tgt_ids))]
        better = col_dist < dist_for_tgt
        best_for_tgt[better] = col_best[better] + start
        dist_for_tgt[better] = col_dist[better]
    found = [
        (float(dist_for_src[s]), int(src_ids[s]), int(tgt_ids[t]))
        for s, t in enumerate(best_for_src)
        if best_for_tgt[t] == s and dist_for_src[s] < limit
    ]
    return sorted(found)


def find_moved(
    path: Path,
    band: Band,
    costs: Costs,
    src: Side,
    tgt: Side,
    params: ScoreParams,
    cross: CrossParams,
    full_cells: int,
    halfwidth: int,
) -> ScoredPath:
    """Beads ``(src_start, src_end, tgt_start, tgt_end, cost)`` for blocks the monotone ``path`` could not follow."""
    free_src, free_tgt = pool(path, costs, band, cross.weak_distance, src.size, tgt.size)
    if not free_src.any() or not free_tgt.any():
        return []
    moves = costs.moves
    seeds = anchors(
        src,
        tgt,
        np.flatnonzero(free_src),
        np.flatnonzero(free_tgt),
        costs.margins,
        moves.index((1, 1)),
        cross.anchor_distance,
    )
    found: ScoredPath = []
    for _, s, t in seeds:
        if not (free_src[s] and free_tgt[t]):
            continue  # already used by the block of a closer anchor
        runs = _run_around(free_src, s), _run_around(free_tgt, t)
        for bead in _align_block(src, tgt, runs, costs.margins, moves, params, full_cells, halfwidth):
            b_s0, b_s1, b_t0, b_t1, _ = bead
            if b_s0 < b_s1 and b_t0 < b_t1:
                found.append(bead)
                free_src[b_s0:b_s1] = False
                free_tgt[b_t0:b_t1] = False
    return sorted(found)


def _run_around(free: np.ndarray, index: int) -> tuple[int, int]:
    """The maximal run of free positions containing ``index``."""
    start = index
    while start > 0 and free[start - 1]:
        start -= 1
    stop = index + 1
    while stop < len(free) and free[stop]:
        stop += 1
    return start, stop


def _align_block(
    src: Side,
    tgt: Side,
    runs: tuple[tuple[int, int], tuple[int, int]],
    margins: Margins,
    moves: list[Move],
    params: ScoreParams,
    full_cells: int,
    halfwidth: int,
) -> ScoredPath:
    """Align two runs of pool sentences with each other, in the cost context of the whole document."""
    (s0, s1), (t0, t1) = runs
    sub_src, sub_tgt = src.sliced(s0, s1), tgt.sliced(t0, t1)
    sub_margins = margins.sliced(slice(s0, s1), slice(t0, t1))
    src_len, tgt_len = np.diff(sub_src.chars), np.diff(sub_tgt.chars)
    band = find_band(sub_src.groups[0][1:], sub_tgt.groups[0][1:], src_len, tgt_len, params, full_cells, halfwidth)
    costs = bead_costs(sub_src, sub_tgt, band, moves, params, sub_margins)
    path = run_dp(band, moves, costs.bead, costs.insert).path()
    return [(a + s0, b + s0, c + t0, d + t0, costs.of(band, (a, b, c, d))) for a, b, c, d in path]
