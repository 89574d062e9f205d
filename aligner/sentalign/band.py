"""The search band: which cells of the alignment grid the dynamic programme may visit.

The grid has a row per number of source sentences consumed (``0..n_src``) and a
column per number of target sentences consumed (``0..n_tgt``). A band keeps, for
every row ``i``, the columns ``lo[i] <= j < hi[i]``. Both bounds never decrease
from one row to the next and consecutive rows overlap, so a path from ``(0, 0)``
to ``(n_src, n_tgt)`` always exists inside the band.

Everything band-shaped is stored as a dense ``(n_src + 1, width)`` array whose
cell ``(i, k)`` stands for grid cell ``(i, lo[i] + k)``; cells with
``lo[i] + k >= hi[i]`` are padding. Memory is therefore ``n_src * width``, not
``n_src * n_tgt``: that is what keeps long documents linear. :func:`banded_dot` fills such an
array with the similarities of two sets of vectors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Rows handled by one matrix product in :func:`banded_dot`.
_CHUNK_ROWS = 64


@dataclass(frozen=True)
class Band:
    """Columns ``lo[i]`` (inclusive) to ``hi[i]`` (exclusive) of every grid row ``i``."""

    lo: np.ndarray
    hi: np.ndarray
    n_tgt: int

    @property
    def n_src(self) -> int:
        return len(self.lo) - 1

    @property
    def width(self) -> int:
        """Width of the dense storage: the widest row."""
        return int((self.hi - self.lo).max())

    @property
    def cells(self) -> int:
        """Grid cells really inside the band (padding excluded)."""
        return int((self.hi - self.lo).sum())

    def columns(self) -> np.ndarray:
        """``(n_src + 1, width)`` grid column of every stored cell (padding included)."""
        return self.lo[:, None] + np.arange(self.width)[None, :]

    def valid(self) -> np.ndarray:
        """``(n_src + 1, width)`` mask of the stored cells that are inside the band."""
        return self.columns() < self.hi[:, None]

    def contains(self, i: int, j: int) -> bool:
        return 0 <= i <= self.n_src and self.lo[i] <= j < self.hi[i]

    def widened(self, left: int, rows_ahead: int) -> Band:
        """The band with every row reaching ``left`` columns further back and as far right as ``rows_ahead`` rows below.

        A bead ending in cell ``(i, j)`` reads the single-sentence cells of its
        members, ``(i - u, j - v)`` for ``u < a`` and ``v < b``; on this wider
        band all of them exist when ``a <= rows_ahead + 1`` and ``b <= left + 1``.
        """
        n = self.n_src
        lo = np.maximum(self.lo - left, 0)
        hi = self.hi[np.minimum(np.arange(n + 1) + rows_ahead, n)]
        return Band(lo, hi.copy(), self.n_tgt)

    def reversed(self) -> Band:
        """The band of the mirrored grid: cell ``(i, j)`` becomes ``(n_src - i, n_tgt - j)``."""
        lo = self.n_tgt + 1 - self.hi[::-1]
        hi = self.n_tgt + 1 - self.lo[::-1]
        return Band(lo.copy(), hi.copy(), self.n_tgt)


def full_band(n_src: int, n_tgt: int) -> Band:
    """Every cell of the grid (for short documents)."""
    lo = np.zeros(n_src + 1, dtype=np.int64)
    hi = np.full(n_src + 1, n_tgt + 1, dtype=np.int64)
    return Band(lo, hi, n_tgt)


def band_around_path(path: np.ndarray, n_src: int, n_tgt: int, halfwidth: int) -> Band:
    """The band covering a monotone path through the grid, ``halfwidth`` columns either side.

    ``path`` is an ``(n_points, 2)`` array of grid cells, from ``(0, 0)`` to
    ``(n_src, n_tgt)``, non-decreasing in both coordinates; consecutive points
    may be far apart (a coarse path projected onto a finer grid), in which case
    the whole rectangle between them is covered. The band also reaches
    ``halfwidth`` rows above and below, so a path that strays vertically stays
    inside.
    """
    lo = np.full(n_src + 1, n_tgt + 1, dtype=np.int64)
    hi = np.zeros(n_src + 1, dtype=np.int64)
    for (i0, j0), (i1, j1) in zip(path[:-1], path[1:]):
        rows = slice(max(i0 - halfwidth, 0), min(i1 + halfwidth, n_src) + 1)
        lo[rows] = np.minimum(lo[rows], j0 - halfwidth)
        hi[rows] = np.maximum(hi[rows], j1 + halfwidth + 1)
    lo = np.clip(lo, 0, n_tgt)
    hi = np.clip(hi, 1, n_tgt + 1)
    # Monotone bounds keep the band connected: lo may only drop looking back, hi only grow.
    lo = np.minimum.accumulate(lo[::-1])[::-1]
    hi = np.maximum.accumulate(hi)
    lo[0], hi[-1] = 0, n_tgt + 1
    return Band(lo, hi, n_tgt)


def banded_dot(rows: np.ndarray, cols: np.ndarray, band: Band) -> np.ndarray:
    """``out[i, k] = rows[i] . cols[lo[i] + k]`` on the band (0 on padding).

    Works in chunks of rows: one matrix product against the columns the chunk
    spans, then each row picks its own window. Along a diagonal band a chunk
    spans about ``width + chunk`` columns, so the work stays linear.
    """
    columns = np.minimum(band.columns(), len(cols) - 1)
    out = np.empty((band.n_src + 1, band.width), dtype=np.float32)
    for start in range(0, band.n_src + 1, _CHUNK_ROWS):
        stop = min(start + _CHUNK_ROWS, band.n_src + 1)
        first, last = int(columns[start:stop].min()), int(columns[start:stop].max()) + 1
        block = rows[start:stop] @ cols[first:last].T
        out[start:stop] = np.take_along_axis(block, columns[start:stop] - first, axis=1)
    out[~band.valid()] = 0.0
    return out


def _usable(band: Band, a: int, b: int) -> np.ndarray:
    """Cells of the band where an ``a``-``b`` bead fits in the grid."""
    cols = band.columns()
    usable = band.valid() & (cols >= b) & (cols <= band.n_tgt)
    usable[:a] = False
    return usable
