"""Where to search: a coarse-to-fine band, so long documents cost linear time and memory.

Short documents are searched exhaustively. A longer pair is first halved on
both sides (each coarse "sentence" is two consecutive ones: their vectors
summed by length and renormalised, their lengths added), aligned recursively
at that resolution, and the coarse path, projected back, becomes a band of
``halfwidth`` cells either side. This is Vecalign's recursion (Thompson &
Koehn, 2019); the coarse path plays the role of Bertalign's first-pass anchors.
Every level is a band of roughly constant width around a path, and the levels
shrink geometrically, so the total work is linear in the document length.

The band only has to contain the right monotone path; blocks moved far away
show up as runs of unaligned sentences and are recovered afterwards (see
:mod:`aligner.sentalign.crossing`).
"""

from __future__ import annotations

import numpy as np

from .band import Band, band_around_path, full_band
from .dp import make_moves, run_dp
from .scoring import ScoreParams, bead_costs
from .sides import make_side

#: Moves of the coarse levels: they only need to locate the path.
_COARSE_MOVES = make_moves(max_side=2, max_total=3)


def find_band(
    src_vecs: np.ndarray,
    tgt_vecs: np.ndarray,
    src_lengths: np.ndarray,
    tgt_lengths: np.ndarray,
    params: ScoreParams,
    full_cells: int,
    halfwidth: int,
) -> Band:
    """The band to search for a pair of sentence sequences (see the module docstring)."""
    n, m = len(src_lengths), len(tgt_lengths)
    if (n + 1) * (m + 1) <= full_cells or min(n, m) < 2:
        return full_band(n, m)
    coarse_src, coarse_src_len = halve(src_vecs, src_lengths)
    coarse_tgt, coarse_tgt_len = halve(tgt_vecs, tgt_lengths)
    coarse_band = find_band(coarse_src, coarse_tgt, coarse_src_len, coarse_tgt_len, params, full_cells, halfwidth)
    src = make_side(coarse_src, coarse_src_len, 2)
    tgt = make_side(coarse_tgt, coarse_tgt_len, 2)
    costs = bead_costs(src, tgt, coarse_band, _COARSE_MOVES, params)
    path = run_dp(coarse_band, _COARSE_MOVES, costs.bead, costs.insert).path()
    corners = np.array([(0, 0)] + [(i1, j1) for _, i1, _, j1 in path])
    fine = np.minimum(corners * 2, [n, m])
    return band_around_path(fine, n, m, halfwidth)


def halve(vecs: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Merge sentences two by two (a lone last one stays alone): length-weighted vector sums, summed lengths."""
    n = len(lengths)
    pairs = (n + 1) // 2
    weighted = np.zeros((pairs * 2, vecs.shape[1]))
    weighted[:n] = vecs * lengths[:, None]
    summed = weighted.reshape(pairs, 2, -1).sum(axis=1)
    norms = np.linalg.norm(summed, axis=1, keepdims=True)
    merged = np.divide(summed, norms, out=np.zeros_like(summed), where=norms > 0).astype(np.float32)
    padded = np.zeros(pairs * 2)
    padded[:n] = lengths
    return merged, padded.reshape(pairs, 2).sum(axis=1)
