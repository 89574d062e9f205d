"""Trilingual tuples: hand-made meaning vectors (as in the pairwise tests) and hand-made pairwise beads."""

from __future__ import annotations

import numpy as np

from aligner.model import Bead
from aligner.sentalign import LanguageSide, align_group, combine_pairs

from test_sentalign_pairwise import _COMMON, _MEANINGS, texts, vectors


def side(lang: str, meanings: list[tuple[int, ...]], seed: int) -> LanguageSide:
    return LanguageSide(lang, texts(meanings), vectors(meanings, seed))


def members(result) -> list[dict[str, tuple[int, ...]]]:
    return [t.members for t in result.tuples]


def assert_partition(result, sizes: dict[str, int]) -> None:
    seen = [(lang, i) for t in result.tuples for lang, ids in t.members.items() for i in ids]
    assert sorted(seen) == sorted((lang, i) for lang, n in sizes.items() for i in range(n))


def test_parallel_documents_give_three_way_one_to_one_tuples():
    m = [(k,) for k in range(10)]
    result = align_group([side("ar", m, 1), side("en", m, 2), side("fr", m, 3)])
    assert members(result) == [{"ar": (k,), "en": (k,), "fr": (k,)} for k in range(10)]
    assert all(t.consistency == 1.0 for t in result.tuples)


def test_one_long_sentence_matching_several_on_the_other_sides_is_one_tuple():
    ar = [(0,), (1, 2, 3), (4,), (5,), (6,), (7,)]
    en = [(0,), (1,), (2,), (3,), (4,), (5,), (6,), (7,)]
    fr = [(0,), (1,), (2, 3), (4,), (5,), (6,), (7,)]
    result = align_group([side("ar", ar, 1), side("en", en, 2), side("fr", fr, 3)])
    assert {"ar": (1,), "en": (1, 2, 3), "fr": (1, 2)} in members(result)
    assert_partition(result, {"ar": 6, "en": 8, "fr": 7})


def test_content_missing_from_one_version_gives_a_two_language_tuple_and_extra_content_stays_alone():
    ar = [(k,) for k in range(8)]
    en = [(k,) for k in range(8)] + [(900,)]          # en has an extra sentence of its own at the end
    fr = [(k,) for k in range(8) if k != 4]           # fr lacks meaning 4
    result = align_group([side("ar", ar, 1), side("en", en, 2), side("fr", fr, 3)])
    found = members(result)
    assert {"ar": (4,), "en": (4,)} in found
    assert {"en": (8,)} in found
    assert {"ar": (5,), "en": (5,), "fr": (4,)} in found
    assert_partition(result, {"ar": 8, "en": 9, "fr": 7})


def test_a_pair_that_disagrees_is_outvoted_by_the_other_two():
    m = [(k,) for k in range(6)]
    sides = [side("ar", m, 1), side("en", m, 2), side("fr", m, 3)]
    diagonal = [Bead((k,), (k,), 0.5) for k in range(6)]
    # en-fr glues sentences 2 and 3 into a 2-2 bead; ar-en and ar-fr keep them apart.
    wrong = [Bead((0,), (0,), 0.5), Bead((1,), (1,), 0.5), Bead((2, 3), (2, 3), 1.0),
             Bead((4,), (4,), 0.5), Bead((5,), (5,), 0.5)]
    tuples = combine_pairs(sides, {("ar", "en"): diagonal, ("ar", "fr"): diagonal, ("en", "fr"): wrong})
    assert [t.members for t in tuples] == [{"ar": (k,), "en": (k,), "fr": (k,)} for k in range(6)]
    assert [t.consistency for t in tuples][2:4] == [2 / 3, 2 / 3]


def test_a_link_one_pair_missed_is_made_through_the_third_language():
    m = [(k,) for k in range(5)]
    sides = [side("ar", m, 1), side("en", m, 2), side("fr", m, 3)]
    diagonal = [Bead((k,), (k,), 0.5) for k in range(5)]
    missed = [Bead((k,), (k,), 0.5) for k in range(5) if k != 2] + [Bead((2,), (), 0.85), Bead((), (2,), 0.85)]
    tuples = combine_pairs(sides, {("ar", "en"): diagonal, ("ar", "fr"): diagonal, ("en", "fr"): missed})
    assert tuples[2].members == {"ar": (2,), "en": (2,), "fr": (2,)}
    assert tuples[2].agreeing_pairs == (("ar", "en"), ("ar", "fr"))


def test_a_heading_never_joins_other_sentences_of_its_language():
    # The French version has a heading (3) that repeats part of the body sentence after it.
    body = [(0,), (1,), (2,), (3, 7), (4,), (5,)]
    fr = [(0,), (1,), (2,), (3,), (3, 7), (4,), (5,)]

    def sides(headings):
        return [side("ar", body, 1), side("en", body, 2), LanguageSide("fr", texts(fr), vectors(fr, 3), headings)]

    glued = {"ar": (3,), "en": (3,), "fr": (3, 4)}
    assert glued in members(align_group(sides(())))
    result = align_group(sides([k == 3 for k in range(len(fr))]))
    assert {"fr": (3,)} in members(result) and {"ar": (3,), "en": (3,), "fr": (4,)} in members(result)
    # Beads from elsewhere that glue it (ar-fr) are refused in the tuples too.
    diagonal = [Bead((k,), (k,), 0.5) for k in range(6)]
    after = [Bead((k,), (k + 1,), 0.5) for k in (4, 5)]
    ar_fr = [Bead((k,), (k,), 0.5) for k in range(3)] + [Bead((3,), (3, 4), 1.0)] + after
    en_fr = [Bead((k,), (k,), 0.5) for k in range(3)] + [Bead((), (3,), 0.85), Bead((3,), (4,), 0.5)] + after
    pairs = {("ar", "en"): diagonal, ("ar", "fr"): ar_fr, ("en", "fr"): en_fr}
    assert glued in [t.members for t in combine_pairs(sides(()), pairs)]
    tuples = [t.members for t in combine_pairs(sides([k == 3 for k in range(len(fr))]), pairs)]
    assert {"fr": (3,)} in tuples and {"ar": (3,), "en": (3,), "fr": (4,)} in tuples


def test_two_languages_and_empty_sides():
    m = [(k,) for k in range(4)]
    result = align_group([side("en", m, 1), side("fr", m, 2)])
    assert members(result) == [{"en": (k,), "fr": (k,)} for k in range(4)]
    empty = LanguageSide("ar", [], np.zeros((0, 64), dtype=np.float32))
    result = align_group([empty, side("en", m, 1), side("fr", m, 2)])
    assert members(result) == [{"en": (k,), "fr": (k,)} for k in range(4)]


def test_with_two_languages_the_tuples_are_the_pairs_beads():
    # ar 1 and en 1 mean different things: as one bead among three pairs the 1-1 would cost more
    # than two singletons and be refused, but with one pair its bead is all the evidence there is
    sides = [side("ar", [(0,), (1,), (2,)], 1), side("en", [(0,), (5,), (2,)], 2)]
    beads = [Bead((0,), (0,), 0.3), Bead((1,), (1,), 1.2), Bead((2,), (2,), 0.3)]
    tuples = combine_pairs(sides, {("ar", "en"): beads})
    assert [t.members for t in tuples] == [{"ar": (k,), "en": (k,)} for k in range(3)]


def test_tuples_follow_each_language_in_reading_order():
    # Arabic has two sentences, for English/French 0 and 8 of 10. Ordered by relative position in
    # their first language, the Arabic 1 tuple (1/2) would come before English/French 6 (6/10).
    sides = [side("ar", [(0,), (8,)], 1), side("en", [(k,) for k in range(10)], 2),
             side("fr", [(k,) for k in range(10)], 3)]
    to_arabic = [Bead((0,), (0,), 0.5), Bead((1,), (8,), 0.5)]
    diagonal = [Bead((k,), (k,), 0.5) for k in range(10)]
    tuples = combine_pairs(sides, {("ar", "en"): to_arabic, ("ar", "fr"): to_arabic, ("en", "fr"): diagonal})
    assert [t.members["en"] for t in tuples] == [(k,) for k in range(10)]
    assert [t.members.get("ar") for t in tuples] == [(0,)] + [None] * 7 + [(1,)] + [None]


def test_where_a_moved_block_makes_the_languages_disagree_every_tuple_is_still_output_once():
    # French moved ar/en 1-2 after ar/en 5: French reads the tuples in another order (a cycle)
    m = [(k,) for k in range(6)]
    sides = [side("ar", m, 1), side("en", m, 2), side("fr", [(0,), (3,), (4,), (5,), (1,), (2,)], 3)]
    diagonal = [Bead((k,), (k,), 0.5) for k in range(6)]
    moved = [Bead((0,), (0,), 0.5), Bead((1,), (4,), 0.5), Bead((2,), (5,), 0.5), Bead((3,), (1,), 0.5),
             Bead((4,), (2,), 0.5), Bead((5,), (3,), 0.5)]
    tuples = combine_pairs(sides, {("ar", "en"): diagonal, ("ar", "fr"): moved, ("en", "fr"): moved})
    assert sorted(t.members["ar"] for t in tuples) == [(k,) for k in range(6)]
    assert all(len(t.members) == 3 for t in tuples)
    assert [t.members["ar"] for t in tuples] == [(k,) for k in range(6)]  # the cycle is broken by position


def test_a_confident_bead_that_took_a_sentence_from_where_two_pairs_put_it_is_undone():
    # The seeds' opening: Arabic 0 says what English 0-2 say (French lacks it) and mentions what
    # English 3 / French 0 report; Arabic 1 is English 3-5 / French 0-2. The ar-fr pair puts
    # Arabic 0 with French 0, a 1-1 bead merged first; then ar-en's Arabic 1 bead joins both
    # tuples and Arabic 0 ends up with the report while English 0-2 stay alone. Taking ar-en's
    # Arabic 0 bead out as a tuple of its own costs less, so the second look makes it.
    def vec(weights: dict[int, float]) -> np.ndarray:
        v = 2.0 * _COMMON + sum(w * _MEANINGS[m] for m, w in weights.items())
        return v / np.linalg.norm(v)

    ar_meanings, en_meanings, fr_meanings = [(0, 1, 5), (2, 3, 4)], [(0,), (1,), (5,), (2,), (3,), (4,)], [(2,), (3,), (4,)]
    ar = np.array([vec({0: 1, 1: 1, 5: 1, 2: 0.7}), vec({2: 1, 3: 1, 4: 1})], dtype=np.float32)
    sides = [LanguageSide("ar", texts(ar_meanings), ar),
             LanguageSide("en", texts(en_meanings), np.array([vec({m[0]: 1}) for m in en_meanings], np.float32)),
             LanguageSide("fr", texts(fr_meanings), np.array([vec({m[0]: 1}) for m in fr_meanings], np.float32))]
    pairs = {("ar", "en"): [Bead((0,), (0, 1, 2), 2.1), Bead((1,), (3, 4, 5), 1.4)],
             ("ar", "fr"): [Bead((0,), (0,), 1.1), Bead((1,), (1, 2), 1.1)],
             ("en", "fr"): [Bead((3,), (0,), 0.5), Bead((4,), (1,), 0.5), Bead((5,), (2,), 0.5)]}
    tuples = combine_pairs(sides, pairs)
    assert [t.members for t in tuples] == [{"ar": (0,), "en": (0, 1, 2)},
                                           {"ar": (1,), "en": (3, 4, 5), "fr": (0, 1, 2)}]


def test_where_one_language_moved_a_block_the_order_follows_the_other_two():
    # English moved Arabic 2's sentence (meaning 5) before meaning 9, which only English and French
    # have; Arabic and French agree: 3, (9), 4, 5. Releasing the tuple that the fewest languages
    # hold back breaks the cycle where English disagrees, so 9 stays between 3 and 4.
    sides = [side("ar", [(3,), (4,), (5,)], 1), side("en", [(3,), (5,), (9,), (4,)], 2),
             side("fr", [(3,), (9,), (4,), (5,)], 3)]
    pairs = {("ar", "en"): [Bead((0,), (0,), 0.5), Bead((1,), (3,), 0.5), Bead((2,), (1,), 0.5)],
             ("ar", "fr"): [Bead((0,), (0,), 0.5), Bead((1,), (2,), 0.5), Bead((2,), (3,), 0.5)],
             ("en", "fr"): [Bead((0,), (0,), 0.5), Bead((1,), (3,), 0.5), Bead((2,), (1,), 0.5), Bead((3,), (2,), 0.5)]}
    tuples = combine_pairs(sides, pairs)
    assert [t.members for t in tuples] == [{"ar": (0,), "en": (0,), "fr": (0,)}, {"en": (2,), "fr": (1,)},
                                           {"ar": (1,), "en": (3,), "fr": (2,)}, {"ar": (2,), "en": (1,), "fr": (3,)}]
