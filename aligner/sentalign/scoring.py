"""Bead costs for the dynamic programme: margin-normalised group distance plus a few sanity terms.

A bead joins ``a`` consecutive source sentences to ``b`` consecutive target
sentences. Its cost, for ``a, b >= 1``, is::

    (a + b) / 2 * (distance + mismatch_weight * max(distance - mismatch_distance, 0))
        + merge_cost * (a + b - 2) + length_weight * length_term
        + stray_weight * stray_term + shrink_weight * shrink_term     (groups: a + b > 2)
        + split_weight * max(split_term - split_distance, 0)          (many-to-many: a, b > 1)

* ``distance`` is ``1 - cos`` of the two *group vectors*, divided by
  ``1 - knn``, where ``knn`` is the mean similarity of the two groups to their
  ``margin_k`` nearest neighbours of the same shape on the other side (the
  kNN normalisation of Artetxe & Schwenk (2019) and Vecalign, in distance
  form). About 0.65 for a true 1-1 pair, 1.3 for neighbouring sentences that
  are not translations, 1.6 for a random pair (e5). Normalising each bead
  shape by its own neighbours matters: groups average out noise, so a 2-2
  group is always closer to its neighbours than a single sentence is, and
  with the members' sentence-level kNN the programme merges everything.
  Beyond ``mismatch_distance`` a bead is no translation and its distance
  counts extra, so the path prefers leaving sentences unaligned (which the
  crossing step can then pick up) to forcing wrong pairs.
* A group vector is the real embedding of the joined text when pass 2
  computed one, otherwise the length-weighted sum of the member sentence
  vectors, renormalised: a cheap stand-in that already tells a true merge
  (every member pulls toward the other side) from a neighbour glued on.
* Scaling by ``(a + b) / 2`` charges per sentence, so a 2-2 bead and two 1-1
  beads of equal quality cost the same; ``merge_cost`` tips ties to the
  smaller beads.
* ``length_term``: squared log-ratio of the character lengths, corrected by
  the document's overall ratio (Gale-Church-like: translations have
  proportional lengths).
* ``stray_term``: for every member, how much closer it is to its best single
  match elsewhere (or to ``stray_cap``, whichever is closer) than to its
  closest partner inside the bead, less ``stray_slack``: a sentence that
  belongs elsewhere, or nowhere, should not be swallowed by a merge.
* ``shrink_term``: how much farther the group is than the best bead with one
  member fewer; a real merge gets closer as members join, a glued-on sentence
  that translates nothing pushes it away.
* ``split_term``: how far apart the two halves of a many-to-many group are
  (see :func:`_split_distance`); two 1-1 pairs glued into a 2-2 share nothing
  across the cut, a true 2-2 does.

An unaligned sentence (1-0 or 0-1) costs ``null_cost``. A sentence flagged to
stand alone (a heading) is never part of a group: a heading and the body text
after it are two things, even where the other version has one sentence for both.
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

    Defaults tuned jointly on the two dev sets, Text+Berg ``dev`` and the
    perturbed NTREX documents (docs/sentalign.md has the numbers).
    """

    #: Neighbours averaged by the margin normalisation.
    margin_k: int = 4
    #: Cost of one unaligned sentence.
    null_cost: float = 0.85
    #: Cost of every sentence beyond the first on each side of a bead.
    merge_cost: float = 0.1
    length_weight: float = 0.2
    #: Beyond this distance a bead is no plausible translation: the excess counts ``mismatch_weight`` times more.
    mismatch_distance: float = 1.0
    mismatch_weight: float = 2.0
    stray_weight: float = 1.0
    stray_slack: float = 0.05
    #: A member this far from the other side counts as stray even if it matches nothing better elsewhere.
    stray_cap: float = 1.0
    shrink_weight: float = 1.0
    #: A many-to-many group whose two parts are farther apart than this is two beads, not one.
    split_distance: float = 1.1
    split_weight: float = 2.0
    #: "distance": the per-sentence cost above. "gain": one score per bead, whatever its size,
    #: ``(gain_threshold - distance) * log2(1 + shorter / longer length)`` (lengths in the document's
    #: own proportion), the bead cost its negative and ``skip_cost`` per unaligned sentence
    #: (Bertalign's bead score on the margin distance): a merge then pays only when it loses
    #: similarity, so a partial translation is not split off.
    objective: str = "distance"
    #: Distance at which a bead gains nothing ("gain"): beyond it a bead is no translation.
    gain_threshold: float = 1.0
    #: Cost of one unaligned sentence ("gain").
    skip_cost: float = 0.1

    def __post_init__(self) -> None:
        if self.objective not in ("distance", "gain"):
            raise ValueError(f"unknown bead objective {self.objective!r}: 'distance' or 'gain'")

    @property
    def unaligned_cost(self) -> float:
        """What one unaligned sentence costs under this objective."""
        return self.skip_cost if self.objective == "gain" else self.null_cost


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
    gain = params.objective == "gain"
    null = params.unaligned_cost
    for m, (a, b) in enumerate(moves):
        possible = _usable(band, a, b) & ~src.holds_alone(rows, a) & ~tgt.holds_alone(columns, b)
        if b == 0:
            out.append(np.where(possible, np.float32(null * a), np.float32(np.inf)))
            continue
        sim = banded_dot(src.groups[a - 1], tgt.groups[b - 1], band)
        dist = np.where(possible, _distance(sim, band, margins.rows[m], margins.cols[m]), np.inf).astype(np.float32)
        dists[(a, b)] = dist
        if gain:
            gained = params.gain_threshold - np.where(possible, dist, params.gain_threshold)
            score = gained * _length_factor(src, tgt, band, a, b, ratio)
            out.append(np.where(possible, -score, np.inf).astype(np.float32))
            continue
        mismatch = np.where(possible, np.maximum(dist - params.mismatch_distance, 0.0), 0.0)
        cost = (a + b) / 2 * (dist + params.mismatch_weight * mismatch) + params.merge_cost * (a + b - 2)
        cost += params.length_weight * _length_term(src, tgt, band, a, b, ratio)
        if a + b > 2:
            cost += _group_terms(dist1, wide, band, dists, margins, a, b, params)
        out.append(np.where(possible, cost, np.inf).astype(np.float32))
    distance = [dists.get(move) for move in moves]
    return Costs(moves, out, np.full(band.n_tgt, null), margins, distance)


def _group_lengths(src: Side, tgt: Side, band: Band, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
    """Character lengths of the ``a`` source and ``b`` target sentences of the bead ending in each cell."""
    rows = np.arange(band.n_src + 1)[:, None]
    columns = np.minimum(band.columns(), band.n_tgt)
    return (src.chars[rows] - src.chars[np.maximum(rows - a, 0)],
            tgt.chars[columns] - tgt.chars[np.maximum(columns - b, 0)])


def _length_factor(src: Side, tgt: Side, band: Band, a: int, b: int, ratio: float) -> np.ndarray:
    """``log2(1 + shorter / longer)`` of the two groups' character lengths, the source scaled by the
    document's length ratio ``ratio`` (target / source): 1 for lengths in the document's proportion."""
    src_len, tgt_len = _group_lengths(src, tgt, band, a, b)
    src_len = src_len * ratio
    return np.log2(1.0 + np.minimum(src_len, tgt_len) / np.maximum(np.maximum(src_len, tgt_len), 1.0))


def _length_term(src: Side, tgt: Side, band: Band, a: int, b: int, ratio: float) -> np.ndarray:
    """Squared log-ratio of the two groups' character lengths, after the document's own ratio."""
    src_len, tgt_len = _group_lengths(src, tgt, band, a, b)
    return np.log((tgt_len + 10.0) / (ratio * (src_len + 10.0))) ** 2


def _group_terms(
    dist1: np.ndarray,
    wide: Band,
    band: Band,
    dists: dict[Move, np.ndarray],
    margins: Margins,
    a: int,
    b: int,
    params: ScoreParams,
) -> np.ndarray:
    """The stray, shrink and split terms of an ``a``-``b`` group, weighted."""
    # pair[u, v]: distance of source member i-1-u to target member j-1-v.
    pair = np.stack([np.stack([gather(dist1, wide, band, u, v, np.inf) for v in range(b)]) for u in range(a)])
    total = params.shrink_weight * _shrink(dists, band, a, b)
    total += params.stray_weight * _stray(pair, band, margins, params.stray_slack, params.stray_cap)
    if a > 1 and b > 1:
        total += params.split_weight * np.maximum(_split_distance(pair) - params.split_distance, 0.0)
    return total


def _split_distance(pair: np.ndarray) -> np.ndarray:
    """How cleanly a many-to-many group falls apart into two beads.

    For every way of cutting both sides into a head and a tail, the closest
    pair across the cut (a head member of one side with a tail member of the
    other); the result is the largest such value over the cuts. Two
    independent 1-1 pairs glued into a 2-2 have nothing in common across the
    cut (large), a true 2-2, whose sentence boundaries disagree, does.
    """
    a, b = pair.shape[:2]
    best = np.full(pair.shape[2:], -np.inf)
    for tail_a in range(1, a):  # u < tail_a are the last tail_a source members
        for tail_b in range(1, b):
            across = np.minimum(pair[:tail_a, tail_b:].min(axis=(0, 1)), pair[tail_a:, :tail_b].min(axis=(0, 1)))
            best = np.maximum(best, across)
    return np.where(np.isfinite(best), best, 0.0)


def _shrink(dists: dict[Move, np.ndarray], band: Band, a: int, b: int) -> np.ndarray:
    """How much farther a group is than the best bead one member smaller (first or last member of a side dropped).

    A true merge gets closer as members join (each carries part of the
    translation); a sentence glued on that translates nothing pushes the group
    away. Cells where nothing smaller exists get 0.
    """
    options = []
    if a >= 2:
        options += [dists[(a - 1, b)], gather(dists[(a - 1, b)], band, band, 1, 0, np.inf)]
    if b >= 2:
        options += [dists[(a, b - 1)], gather(dists[(a, b - 1)], band, band, 0, 1, np.inf)]
    with np.errstate(invalid="ignore"):  # inf - inf where no bead can end
        excess = np.maximum(dists[(a, b)] - np.min(options, axis=0), 0.0)
    return np.where(np.isfinite(excess), excess, 0.0)


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


def _stray(pair: np.ndarray, band: Band, margins: Margins, slack: float, cap: float) -> np.ndarray:
    """Sum over the members of a group of how much farther each is from the bead than from its best match.

    ``pair[u, v]`` is the distance of source member ``i-1-u`` to target member
    ``j-1-v``. A member's best match is its closest single sentence on the
    other side, or ``cap`` if nothing is that close (a member far from
    everything is better left unaligned than glued into a bead).
    """
    a, b = pair.shape[:2]
    rows = np.arange(band.n_src + 1)[:, None]
    columns = np.minimum(band.columns(), band.n_tgt)
    total = np.zeros((band.n_src + 1, band.width))
    with np.errstate(invalid="ignore"):  # inf - inf where no bead can end; zeroed below
        for u in range(a):
            best = np.minimum(margins.best_src[np.maximum(rows - u, 0)], cap)
            total += np.maximum(pair[u].min(axis=0) - best - slack, 0.0)
        for v in range(b):
            best = np.minimum(margins.best_tgt[np.maximum(columns - v, 0)], cap)
            total += np.maximum(pair[:, v].min(axis=0) - best - slack, 0.0)
    return np.where(np.isfinite(total), total, 0.0)
