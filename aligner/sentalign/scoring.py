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

The group vectors are built in :mod:`.sides`, the kNN context and the
margin-normalised distance in :mod:`.margins`; this module adds up the cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .band import Band, _usable, banded_dot
from .dp import Move, gather
from .margins import Margins, _distance, _measure_margins
from .sides import Side


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
