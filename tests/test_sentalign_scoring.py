"""Bead costs (aligner.sentalign.scoring): one score per bead, its length factor, deletions priced against merges.

Hand-made vectors: a shared component (real encoders make all sentences fairly similar), the
directions of the meanings a sentence expresses, with weights, and a little noise.
"""

from __future__ import annotations

import math

import numpy as np

from aligner.sentalign.band import full_band
from aligner.sentalign.dp import make_moves, run_dp
from aligner.sentalign.scoring import ScoreParams, bead_costs, length_factor, make_side

DIM = 64
_rng = np.random.default_rng(99)
_COMMON = _rng.standard_normal(DIM)
_COMMON /= np.linalg.norm(_COMMON)
_MEANINGS = _rng.standard_normal((200, DIM))
_MEANINGS /= np.linalg.norm(_MEANINGS, axis=1, keepdims=True)
MOVES = make_moves(4, 5)


def sentence(weights: dict[int, float], seed: int) -> np.ndarray:
    vec = 2.0 * _COMMON + sum(w * _MEANINGS[m] for m, w in weights.items())
    vec = vec + np.random.default_rng(seed).standard_normal(DIM) * 0.05
    return vec / np.linalg.norm(vec)


def sides(src: list[dict[int, float]], tgt: list[dict[int, float]], src_len: list[float], tgt_len: list[float]):
    side_s = make_side(np.array([sentence(w, 10 + k) for k, w in enumerate(src)]), np.array(src_len), 4)
    side_t = make_side(np.array([sentence(w, 50 + k) for k, w in enumerate(tgt)]), np.array(tgt_len), 4)
    return side_s, side_t


def costs_of(src, tgt, src_len, tgt_len, params: ScoreParams = ScoreParams()):
    """Bead costs on the full grid and the best path."""
    band = full_band(len(src), len(tgt))
    costs = bead_costs(*sides(src, tgt, src_len, tgt_len), band, MOVES, params)
    return band, costs, run_dp(band, MOVES, costs.bead, costs.insert).path()


def context(n: int, first: int = 100) -> list[dict[int, float]]:
    """Sentences of their own around the case under test (the kNN margins need neighbours)."""
    return [{first + k: 1.0} for k in range(n)]


def test_a_one_to_two_bead_beats_one_to_one_plus_an_unaligned_clause():
    # Source sentence 3 says meanings 1 and 2; the target splits it, and its second sentence
    # renders meaning 2 loosely (40%, with words of its own and some shared with source sentence 4).
    # The 1-1 bead alone has the target half missing: its length factor is log2(1.5), and the
    # clause left unaligned costs 0.6. (The earlier cost per sentence left the clause unaligned.)
    src = context(3) + [{1: 1.0, 2: 1.0}] + context(3, 110)
    tgt = context(3) + [{1: 1.0}, {2: 0.4, 110: 0.5, 150: 0.5}] + context(3, 110)
    lengths_src = [40.0] * 3 + [80.0] + [40.0] * 3
    band, costs, path = costs_of(src, tgt, lengths_src, [40.0] * 8)
    assert (3, 4, 3, 5) in path and (4, 5, 5, 6) in path
    assert costs.of(band, (3, 4, 3, 5)) < costs.of(band, (3, 4, 3, 4)) + costs.of(band, (4, 4, 4, 5))


def test_two_good_pairs_are_not_merged_into_a_two_to_two_bead():
    # The 2-2 group of two true pairs is closer than either pair (sums average out noise), but it
    # earns one score where the two pairs earn two.
    src = context(3) + [{1: 1.0}, {2: 1.0}] + context(3, 110)
    tgt = context(3) + [{1: 1.0}, {2: 1.0}] + context(3, 110)
    lengths = [40.0] * 8
    band, costs, path = costs_of(src, tgt, lengths, lengths)
    assert (3, 4, 3, 4) in path and (4, 5, 4, 5) in path
    assert costs.of(band, (3, 5, 3, 5)) > costs.of(band, (3, 4, 3, 4)) + costs.of(band, (4, 5, 4, 5)) + 0.2


def test_a_sentence_translated_elsewhere_is_charged_for_joining_a_bead():
    # Source sentence 3 is translated by target 6, far from the bead [2, 3]:[2]; gluing it on
    # would lower the bead's score only a little, the stray term charges what it is worth elsewhere.
    src = context(2) + [{1: 1.0}, {2: 1.0}] + context(3, 110)
    tgt = context(2) + [{1: 1.0}] + context(3, 110) + [{2: 1.0}]
    lengths_src = [40.0] * 7
    lengths_tgt = [40.0] * 7
    band, costs, path = costs_of(src, tgt, lengths_src, lengths_tgt)
    glued = costs.of(band, (2, 4, 2, 3))
    alone = costs.of(band, (2, 3, 2, 3)) + costs.of(band, (3, 4, 3, 3))
    assert glued > alone + 0.5
    assert (2, 3, 2, 3) in path


def test_a_member_that_matches_nothing_well_is_not_charged_as_stray():
    # The same glued bead, but source sentence 3 has no translation anywhere: joining costs only
    # what it takes from the bead's score and length factor, so the comparison with leaving it
    # unaligned is the scores' alone (no stray charge on top).
    src = context(2) + [{1: 1.0}, {160: 1.0}] + context(3, 110)
    tgt = context(2) + [{1: 1.0}] + context(3, 110)
    band, costs, _ = costs_of(src, tgt, [40.0] * 7, [40.0] * 6)
    _, no_stray, _ = costs_of(src, tgt, [40.0] * 7, [40.0] * 6, ScoreParams(stray_weight=0.0))
    assert costs.of(band, (2, 4, 2, 3)) == no_stray.of(band, (2, 4, 2, 3))


def test_length_factor_after_the_document_ratio():
    side_s = make_side(np.eye(3, DIM, dtype=np.float32), np.array([40.0, 40.0, 80.0]), 2)
    side_t = make_side(np.eye(3, DIM, dtype=np.float32), np.array([60.0, 30.0, 30.0]), 2)
    band = full_band(3, 3)
    ratio = 1.5  # target sentences are half as long again as the source's
    one = length_factor(side_s, side_t, band, 1, 1, ratio)
    assert math.isclose(one[1, 1], 1.0)  # 40 against 60 / 1.5
    assert math.isclose(one[2, 2], math.log2(1.5))  # 40 against 20
    two = length_factor(side_s, side_t, band, 1, 2, ratio)
    assert math.isclose(two[3, 3], math.log2(1.0 + 40.0 / 80.0))  # 80 against (30 + 30) / 1.5
