"""Bead costs for the dynamic programme: one score per bead, its margin times its length agreement.

A bead joins ``a`` consecutive source sentences to ``b`` consecutive target
sentences. Its cost, for ``a, b >= 1``, is::

    (a + b) / 2 - (1 - distance) * log2(1 + shorter / longer)
        + mismatch_weight * max(distance - 1, 0)
        + stray_weight * stray_term                                   (groups: a + b > 2)

and an unaligned sentence (1-0 or 0-1) costs ``null_cost`` = 0.6. Every
sentence is in exactly one bead of a path, so the 0.5 per sentence adds the
same to every path: what decides is one score per bead, whatever the bead's
size, against 0.1 per unaligned sentence (Bertalign's scoring, Liu & Zhu
2022, with Vecalign's kNN margin). The constant keeps every cost at 0 or
above, so a bead's cost reads as before: a good 1-1 bead about 0.4-0.8.

* ``distance`` is ``1 - cos`` of the two *group vectors*, divided by
  ``1 - knn``, where ``knn`` is the mean similarity of the two groups to their
  ``margin_k`` nearest neighbours of the same shape on the other side (the
  kNN normalisation of Artetxe & Schwenk (2019) and Vecalign, in distance
  form). About 0.65 for a true 1-1 pair, 1.3 for neighbouring sentences that
  are not translations, 1.6 for a random pair (e5). ``1 - distance`` is the
  margin: positive for a bead closer than the neighbours of its shape,
  negative for a wrong pair, whatever the encoder's range of cosines.
  Normalising each bead shape by its own neighbours matters: groups average
  out noise, so a 2-2 group is always closer to its neighbours than a single
  sentence is.
* Beyond ``distance`` 1 the bead is farther than the neighbours of its
  shape, no translation: ``mismatch_weight`` makes such a pair cost more
  than leaving both sentences unaligned, so the path leaves them to the
  crossing step (a moved block) instead of forcing them together.
* The **length factor** ``log2(1 + shorter / longer)`` compares the
  character lengths of the two sides, the target's corrected by the
  document's overall ratio: 1 for proportional lengths, 0.58 when one side is
  half the other. It multiplies the margin, so a bead that leaves out half of
  its translation (a 1-1 whose second target sentence became an unaligned
  one) loses a large share of its score, while the full 1-2 keeps it.
* One score per bead, not per sentence: two good 1-1 beads score twice, the
  2-2 bead glued from them once, so the path does not merge what it can
  split; and a sentence that translates part of a bead joins it for the
  price of what it changes in the bead's score, instead of being charged
  like a sentence of its own (the cost per sentence of the earlier model made
  an unaligned clause nearly as cheap as a good 1-1 pair).
* ``stray_term``: for every member of a group, how much farther it is from
  its closest partner inside the bead than from its best single match
  elsewhere, less ``stray_slack``. The best match counts only where it is a
  confident one (distance below ``stray_distance``); otherwise ``stray_cap``
  stands in, the distance of a non-translation neighbour. A sentence whose
  translation sits elsewhere (a block moved by the other version, a dropped
  sentence's neighbour) or that is foreign to the bead is not swallowed by a
  merge, which would cost only the little it lowers the bead's score; a
  loosely translated clause with no good match of its own anywhere may join.
  (The earlier cap of 1.0 charged those clauses too: most of the
  1-1 + unaligned-clause errors on Text+Berg.)
* A group vector is the real embedding of the joined text when pass 2
  computed one, otherwise the length-weighted sum of the member sentence
  vectors, renormalised.

A sentence flagged to stand alone (a heading) is never part of a group: a
heading and the body text after it are two things, even where the other
version has one sentence for both.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .band import Band
from .dp import Move, gather

#: Rows handled by one matrix product in :func:`banded_dot`.
_CHUNK_ROWS = 64


@dataclass(frozen=True)
class ScoreParams:
    """Weights of the bead cost (see the module docstring).

    Tuned on the two dev sets, Text+Berg ``dev`` and the perturbed NTREX
    documents of seed 13 (docs/sentalign.md has the numbers).
    """

    #: Neighbours averaged by the margin normalisation.
    margin_k: int = 4
    #: Cost of one unaligned sentence: the 0.5 every sentence pays plus 0.1 (a good 1-1 bead costs about 0.6).
    null_cost: float = 0.6
    stray_weight: float = 1.0
    stray_slack: float = 0.05
    #: A member's best match elsewhere counts against a merge only if it is at least this close.
    stray_distance: float = 0.8
    #: Added per unit of distance beyond 1.0 (a bead farther than its neighbours): a wrong pair costs more
    #: than two unaligned sentences.
    mismatch_weight: float = 1.0
    #: A member this far from every partner in its bead (a non-translation neighbour is ~1.3) counts as stray
    #: even with no confident match elsewhere.
    stray_cap: float = 1.3


@dataclass(frozen=True)
class Side:
    """One side of the pair as the scorer sees it.

    ``groups[L - 1][e]`` is the unit vector of sentences ``e - L .. e - 1``
    (rows ``e < L`` are zero); ``chars`` holds prefix sums of character
    lengths, so a group's length is a difference. ``real`` maps the
    ``(start, size)`` groups that have a real embedding (pass 2) to it.
    ``alone`` holds prefix counts of the sentences that must stand alone on
    their side of a bead (headings), ``None`` when there are none.
    """

    groups: list[np.ndarray]
    chars: np.ndarray
    real: dict[tuple[int, int], np.ndarray] = field(default_factory=dict)
    alone: np.ndarray | None = None

    @property
    def size(self) -> int:
        return len(self.chars) - 1

    def holds_alone(self, ends: np.ndarray, size: int) -> np.ndarray:
        """Whether the group of ``size`` sentences ending at each of ``ends`` joins a must-stand-alone sentence."""
        if self.alone is None or size < 2:
            return np.zeros(np.shape(ends), dtype=bool)
        return self.alone[ends] - self.alone[np.maximum(ends - size, 0)] > 0

    def sliced(self, start: int, stop: int) -> Side:
        """Sentences ``start .. stop - 1`` as a side of their own (groups reaching before ``start`` are never read)."""
        real = {(s - start, n): v for (s, n), v in self.real.items() if s >= start and s + n <= stop}
        groups = [g[start : stop + 1] for g in self.groups]
        alone = None if self.alone is None else self.alone[start : stop + 1] - self.alone[start]
        return Side(groups, self.chars[start : stop + 1] - self.chars[start], real, alone)

    def subset(self, keep: np.ndarray) -> Side:
        """The sentences ``keep`` (ascending ids) as a side of their own.

        A group that would join sentences not adjacent in the original (the
        gap held a moved block) gets a zero vector, so no bead uses it.
        """
        vecs = self.groups[0][keep + 1]
        lengths = np.diff(self.chars)[keep]
        alone = None if self.alone is None else np.diff(self.alone)[keep] > 0
        side = make_side(vecs, lengths, len(self.groups), alone)
        position = {int(k): e for e, k in enumerate(keep)}
        gap_before = np.concatenate([[0], np.cumsum(np.diff(keep) > 1)])  # holes up to each kept sentence
        groups = side.groups
        for size in range(2, len(groups) + 1):
            ends = np.arange(size, len(keep) + 1)
            holes = gap_before[ends - 1] - gap_before[ends - size]
            groups[size - 1][ends[holes > 0]] = 0.0
        real = {
            (position[s], n): v
            for (s, n), v in self.real.items()
            if s in position and s + n - 1 in position and position[s + n - 1] - position[s] == n - 1
        }
        return with_embedded(side, real)


def text_lengths(texts: list[str]) -> np.ndarray:
    """Character length of every sentence (at least 1, so ratios stay finite)."""
    return np.array([max(len(t.strip()), 1) for t in texts], dtype=np.float64)


def make_side(vecs: np.ndarray, lengths: np.ndarray, max_group: int, alone: np.ndarray | None = None) -> Side:
    """Sentence vectors and their approximate group vectors up to ``max_group`` sentences.

    ``alone`` flags the sentences that no bead may join with others on this side (headings).

    A group's approximate vector is the sum of its members' vectors weighted
    by character length, renormalised: a sentence-embedding model averages
    token states, so a longer member weighs more in the real embedding too.
    """
    n = len(lengths)
    vecs = np.asarray(vecs, dtype=np.float32).reshape(n, -1)
    chars = np.concatenate([[0.0], np.cumsum(lengths)])
    # prefix[e] = weighted sum of sentences 0..e-1, so a group is a difference of two rows.
    prefix = np.zeros((n + 1, vecs.shape[1]))
    np.cumsum(vecs * lengths[:, None], axis=0, out=prefix[1:])
    groups = []
    for size in range(1, max_group + 1):
        summed = np.zeros_like(prefix)
        if size <= n:
            summed[size:] = prefix[size:] - prefix[:-size]
        norms = np.linalg.norm(summed, axis=1, keepdims=True)
        groups.append(np.divide(summed, norms, out=np.zeros_like(summed), where=norms > 0).astype(np.float32))
    groups[0][1:] = vecs  # single sentences exactly as embedded
    flags = None if alone is None or not np.any(alone) else np.concatenate([[0], np.cumsum(np.asarray(alone, bool))])
    return Side(groups, chars, alone=flags)


def with_embedded(side: Side, vectors: dict[tuple[int, int], np.ndarray]) -> Side:
    """``side`` with the group vectors of ``(start, size)`` spans replaced by real embeddings."""
    groups = [g.copy() for g in side.groups]
    for (start, size), vector in vectors.items():
        groups[size - 1][start + size] = vector
    return replace(side, groups=groups, real={**side.real, **vectors})


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


def _usable(band: Band, a: int, b: int) -> np.ndarray:
    """Cells of the band where an ``a``-``b`` bead fits in the grid."""
    cols = band.columns()
    usable = band.valid() & (cols >= b) & (cols <= band.n_tgt)
    usable[:a] = False
    return usable


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


@dataclass(frozen=True)
class Costs:
    """What the DP needs: a cost array per move (``moves`` order) and per-sentence insertion costs."""

    moves: list[Move]
    bead: list[np.ndarray]
    insert: np.ndarray
    margins: Margins
    #: Margin-normalised distance of every bead (``None`` for 1-0), what "a weak bead" is judged by.
    distance: list[np.ndarray | None]

    def of(self, band: Band, bead: tuple[int, int, int, int]) -> float:
        """Cost of one bead ``(src_start, src_end, tgt_start, tgt_end)`` ending inside ``band``."""
        s0, s1, t0, t1 = bead
        if s0 == s1:
            return float(self.insert[t0:t1].sum())
        m = self.moves.index((s1 - s0, t1 - t0))
        return float(self.bead[m][s1, t1 - band.lo[s1]])


def bead_costs(
    src: Side, tgt: Side, band: Band, moves: list[Move], params: ScoreParams, margins: Margins | None = None
) -> Costs:
    """Cost of every bead of every move ending in every cell of ``band``.

    ``margins`` defaults to the kNN context measured on this band; a sub-grid
    (a moved block) passes the context of the whole document instead, so its
    costs mean the same as the main ones.
    """
    max_a = max(a for a, _ in moves)
    max_b = max(b for _, b in moves)
    # Single-sentence distances on a band wide enough for every member lookup of every group.
    wide = band.widened(max_b - 1, max_a - 1)
    sim1 = banded_dot(src.groups[0], tgt.groups[0], wide)
    if margins is None:
        margins = _measure_margins(src, tgt, sim1, wide, band, moves, params.margin_k)
    one = moves.index((1, 1))
    dist1 = _distance(sim1, wide, margins.rows[one], margins.cols[one]).astype(np.float32)

    ratio = (tgt.chars[-1] + 1.0) / (src.chars[-1] + 1.0)
    out = []
    dists: dict[Move, np.ndarray] = {}
    rows = np.arange(band.n_src + 1)[:, None]
    columns = np.minimum(band.columns(), band.n_tgt)
    for m, (a, b) in enumerate(moves):
        possible = _usable(band, a, b) & ~src.holds_alone(rows, a) & ~tgt.holds_alone(columns, b)
        if b == 0:
            out.append(np.where(possible, np.float32(params.null_cost * a), np.float32(np.inf)))
            continue
        sim = banded_dot(src.groups[a - 1], tgt.groups[b - 1], band)
        dist = np.where(possible, _distance(sim, band, margins.rows[m], margins.cols[m]), np.inf).astype(np.float32)
        dists[(a, b)] = dist
        with np.errstate(invalid="ignore"):  # -inf * 0 where no bead can end; replaced below
            cost = (a + b) / 2 - (1.0 - dist) * length_factor(src, tgt, band, a, b, ratio)
            cost += params.mismatch_weight * np.maximum(dist - 1.0, 0.0)  # inf where no bead: replaced below
        if a + b > 2:
            pair = _member_distances(dist1, wide, band, a, b)
            stray = _stray(pair, band, margins, params.stray_slack, params.stray_distance, params.stray_cap)
            cost += params.stray_weight * stray
        out.append(np.where(possible, cost, np.inf).astype(np.float32))
    distance = [dists.get(move) for move in moves]
    return Costs(moves, out, np.full(band.n_tgt, params.null_cost), margins, distance)


def length_factor(src: Side, tgt: Side, band: Band, a: int, b: int, ratio: float) -> np.ndarray:
    """``log2(1 + shorter / longer)`` of the two groups' character lengths, the target's divided by ``ratio``.

    ``ratio`` is the document's target-to-source length ratio, so a bead of
    proportional lengths gets 1 in any language pair.
    """
    rows = np.arange(band.n_src + 1)[:, None]
    columns = np.minimum(band.columns(), band.n_tgt)
    src_len = src.chars[rows] - src.chars[np.maximum(rows - a, 0)]
    tgt_len = (tgt.chars[columns] - tgt.chars[np.maximum(columns - b, 0)]) / ratio
    shorter, longer = np.minimum(src_len, tgt_len), np.maximum(src_len, tgt_len)
    return np.log2(1.0 + shorter / np.maximum(longer, 1.0))


def _member_distances(dist1: np.ndarray, wide: Band, band: Band, a: int, b: int) -> np.ndarray:
    """``pair[u, v]``: distance of source member ``i-1-u`` to target member ``j-1-v`` of the group ending at each cell."""
    return np.stack([np.stack([gather(dist1, wide, band, u, v, np.inf) for v in range(b)]) for u in range(a)])


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


def _stray(pair: np.ndarray, band: Band, margins: Margins, slack: float, confident: float, cap: float) -> np.ndarray:
    """Sum over the members of a group of how much farther each is from the bead than from its best match.

    ``pair[u, v]`` is the distance of source member ``i-1-u`` to target member
    ``j-1-v``. A member's best match is its closest single sentence on the
    other side if that is closer than ``confident`` (a likely translation),
    otherwise ``cap``: a member that matches nothing well may join a bead it
    is loosely related to (a clause translated freely), not one it is as far
    from as from any neighbour.
    """
    a, b = pair.shape[:2]
    rows = np.arange(band.n_src + 1)[:, None]
    columns = np.minimum(band.columns(), band.n_tgt)
    total = np.zeros((band.n_src + 1, band.width))
    with np.errstate(invalid="ignore"):  # inf - inf where no bead can end; zeroed below
        for u in range(a):
            best = margins.best_src[np.maximum(rows - u, 0)]
            total += np.maximum(pair[u].min(axis=0) - np.where(best < confident, best, cap) - slack, 0.0)
        for v in range(b):
            best = margins.best_tgt[np.maximum(columns - v, 0)]
            total += np.maximum(pair[:, v].min(axis=0) - np.where(best < confident, best, cap) - slack, 0.0)
    return np.where(np.isfinite(total), total, 0.0)
