"""ArgMax, IterMax and Match on hand-made similarity matrices (aligner.wordalign.match)."""

from __future__ import annotations

import numpy as np
import pytest

from aligner.wordalign.match import argmax, get_matcher, itermax, match

# 3 source x 4 target words. Row maxima: 0->0, 1->1, 2->1; column maxima: 0->0, 1->1, 2->2, 3->2.
SIM = np.array(
    [
        [0.9, 0.1, 0.2, 0.3],
        [0.2, 0.8, 0.1, 0.1],
        [0.1, 0.7, 0.6, 0.5],
    ]
)


def test_argmax_keeps_only_mutual_best_pairs():
    # 2->1 is row 2's best but column 1 prefers row 1; 2->2 is column 2's best but not row 2's
    assert argmax(SIM) == [(0, 0), (1, 1)]


def test_argmax_on_a_permutation_finds_it():
    perm = [2, 0, 3, 1]
    sim = np.full((4, 4), 0.1)
    sim[np.arange(4), perm] = 0.9
    assert argmax(sim) == [(i, j) for i, j in enumerate(perm)]


def test_argmax_ties_take_the_first_maximum():
    assert argmax(np.array([[0.5, 0.5], [0.5, 0.5]])) == [(0, 0)]


def test_itermax_links_words_left_out_by_argmax():
    # Round 2: source 2 is free; targets 2 and 3 are free. Weights: 1 for two free words, 0.9 for one,
    # 0 for two aligned ones, so row 2 becomes [0.09, 0.63, 0.6, 0.5] and column 1 keeps only
    # row 2 (0.63; rows 0 and 1 are aligned like column 1): 2-1 is a mutual best and is added.
    assert itermax(SIM) == [(0, 0), (1, 1), (2, 1)]
    # With a weaker 2-1, row 2 prefers target 2 (0.6 against 0.27), which prefers it back.
    sim = SIM.copy()
    sim[2, 1] = 0.3
    assert itermax(sim) == [(0, 0), (1, 1), (2, 2)]


def test_itermax_stops_when_one_side_is_fully_aligned():
    sim = np.array([[0.95, 0.1, 0.1], [0.2, 0.1, 0.15], [0.85, 0.1, 0.1], [0.1, 0.9, 0.2], [0.1, 0.2, 0.9]])
    assert argmax(sim) == [(0, 0), (3, 1), (4, 2)]
    assert itermax(sim) == argmax(sim)  # every target word already has a link


def test_itermax_rounds_give_one_word_several_links():
    # "pommes de terre" / "potatoes ... <untranslated word>": target 3 stays free, so rounds run.
    sim = np.array(
        [
            [0.95, 0.1, 0.1, 0.05],
            [0.2, 0.1, 0.15, 0.05],
            [0.85, 0.1, 0.1, 0.05],
            [0.1, 0.9, 0.2, 0.05],
            [0.1, 0.2, 0.9, 0.05],
        ]
    )
    assert argmax(sim) == itermax(sim, max_count=1) == [(0, 0), (3, 1), (4, 2)]
    # round 2 (the default max_count=2): rows 1 and 2 both prefer target 0 (0.18, 0.765), which prefers row 2
    assert itermax(sim) == [(0, 0), (2, 0), (3, 1), (4, 2)]
    # round 3: only row 1 is free; target 0 now prefers it
    assert itermax(sim, max_count=3) == [(0, 0), (1, 0), (2, 0), (3, 1), (4, 2)]


def test_methods_agree_with_simalign_on_random_matrices():
    """simalign (a dependency) as the reference: same links from the same similarity matrix."""
    from simalign import SentenceAligner

    rng = np.random.default_rng(5)
    for _ in range(300):
        m, n = rng.integers(1, 12, size=2)
        sim = rng.random((m, n))
        forward, backward = SentenceAligner.get_alignment_matrix(sim)
        for ours, theirs in (
            (argmax(sim), forward * backward),
            (itermax(sim), SentenceAligner.iter_max(sim)),
            (match(sim), SentenceAligner.get_max_weight_match(sim)),
        ):
            assert ours == [(int(i), int(j)) for i, j in zip(*np.nonzero(theirs))], sim


def test_itermax_small_sentences_are_argmax_only():
    sim = np.array([[0.9, 0.8, 0.7], [0.8, 0.2, 0.1]])
    assert itermax(sim) == argmax(sim) == [(0, 0)]


def test_itermax_rejects_negative_similarities():
    with pytest.raises(ValueError, match="non-negative"):
        itermax(SIM - 0.5)


def test_match_is_one_to_one_and_maximises_the_total():
    # greedy would take 0-0 (0.9) then 1-1 (0.1): total 1.0; the best matching is 0-1 + 1-0 = 1.6
    sim = np.array([[0.9, 0.8], [0.8, 0.1]])
    assert match(sim) == [(0, 1), (1, 0)]
    assert argmax(sim) == [(0, 0)]


def test_match_covers_the_shorter_side():
    links = match(SIM)
    assert links == [(0, 0), (1, 1), (2, 2)]
    assert match(SIM.T) == [(0, 0), (1, 1), (2, 2)]


def test_empty_and_bad_matrices():
    for f in (argmax, itermax, match):
        assert f(np.zeros((0, 3))) == []
        assert f(np.zeros((2, 0))) == []
        with pytest.raises(ValueError, match="2-D"):
            f(np.zeros(3))
        with pytest.raises(ValueError, match="NaN"):
            f(np.array([[np.nan, 1.0]]))
    with pytest.raises(ValueError, match="unknown matching method"):
        get_matcher("grow-diag")
    assert get_matcher("match") is match
