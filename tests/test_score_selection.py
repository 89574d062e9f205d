"""The keep rule (aligner.score.selection): each pair on its own, consistency as evidence, flags."""

from __future__ import annotations

import pytest

from aligner.export.selection import SelectedTuples, drop_reason
from aligner.model import AlignedTuple
from aligner.score.selection import SelectOptions, pair_keeps, pair_threshold, tuple_kept, with_keep

TEXTS = {"ar": "قالت الأمم المتحدة إن المحادثات ستستأنف.", "en": "The UN said talks would resume.",
         "fr": "L'ONU a déclaré que les pourparlers reprendraient."}


def scores(ar_en=0.9, ar_fr=0.9, en_fr=0.9, consistency=1.0, **extra):
    out = {"ar-en.quality": ar_en, "ar-fr.quality": ar_fr, "en-fr.quality": en_fr,
           "quality": min(ar_en, ar_fr, en_fr), **extra}
    if consistency is not None:
        out["consistency"] = consistency
    return out


def test_threshold_moves_with_agreement_in_log_odds():
    assert pair_threshold(SelectOptions(0.5), None) == 0.5
    agreeing, disagreeing = pair_threshold(SelectOptions(0.5), 1.0), pair_threshold(SelectOptions(0.5), 2 / 3)
    assert agreeing == pytest.approx(0.30, abs=0.005) and disagreeing == pytest.approx(0.80, abs=0.005)
    assert pair_threshold(SelectOptions(0.7), 1.0) < 0.7 < pair_threshold(SelectOptions(0.7), 0.5)
    assert pair_threshold(SelectOptions(0.0), 0.5) == 0.0 and pair_threshold(SelectOptions(1.0), 1.0) == 1.0  # the ends stay where asked


def test_a_weak_pair_does_not_take_the_good_pairs_out():
    weak_french = scores(ar_en=0.95, ar_fr=0.1, en_fr=0.2)
    assert pair_keeps(weak_french, SelectOptions(0.5)) == {"ar-en": True, "ar-fr": False, "en-fr": False}
    assert not tuple_kept(weak_french, 3, SelectOptions(0.5))
    item = with_keep(AlignedTuple("g", "g-1", {}, dict(TEXTS), weak_french), SelectOptions(0.5))
    assert not item.keep
    assert (item.scores["ar-en.keep"], item.scores["ar-fr.keep"], item.scores["en-fr.keep"]) == (1.0, 0.0, 0.0)
    assert drop_reason(item, None, ("ar", "en")) is None
    assert drop_reason(item, None, ("en", "fr")) == "pair not kept"
    assert drop_reason(item, None) == "not kept"
    # either order names the pair
    assert drop_reason(item, None, ("en", "ar")) is None
    assert [t.tuid for t in SelectedTuples([item], None).for_pair(("ar", "en"))] == ["g-1"]
    assert list(SelectedTuples([item], None)) == []


def test_agreement_keeps_a_middling_pair_and_disagreement_drops_it():
    assert tuple_kept(scores(ar_en=0.4, consistency=1.0), 3, SelectOptions(0.5))
    assert not tuple_kept(scores(ar_en=0.4, consistency=2 / 3), 3, SelectOptions(0.5))
    assert not tuple_kept(scores(ar_en=0.75, consistency=2 / 3), 3, SelectOptions(0.5))
    assert tuple_kept(scores(ar_en=0.95, ar_fr=0.95, en_fr=0.95, consistency=2 / 3), 3, SelectOptions(0.5))
    # a bilingual tuple has no consistency: the threshold as given
    bilingual = {"ar-en.quality": 0.45, "quality": 0.45}
    assert not tuple_kept(bilingual, 2, SelectOptions(0.5)) and tuple_kept(bilingual, 2, SelectOptions(0.4))


def test_flags_drop_the_pair_or_the_row():
    assert pair_keeps(scores(**{"en-fr.copy": 1.0, "copy": 1.0}), SelectOptions(0.5))["en-fr"] is False
    assert pair_keeps(scores(**{"en-fr.copy": 1.0}), SelectOptions(0.5))["ar-en"] is True
    assert pair_keeps(scores(**{"ar-en.duplicate": 1.0}), SelectOptions(0.5)) == {"ar-en": False, "ar-fr": True, "en-fr": True}
    assert not any(pair_keeps(scores(boilerplate=1.0), SelectOptions(0.5)).values())
    assert not any(pair_keeps(scores(duplicate=1.0), SelectOptions(0.5)).values())


def test_one_language_or_no_scores_is_never_kept():
    assert not tuple_kept({"quality": 0.0}, 1, SelectOptions(0.5))
    assert not tuple_kept({}, 2, SelectOptions(0.5))
    # a row scored only as a whole: its quality and flags
    assert tuple_kept({"quality": 0.6}, 2, SelectOptions(0.5)) and not tuple_kept({"quality": 0.6, "copy": 1.0}, 2, SelectOptions(0.5))


def test_min_quality_reapplies_the_same_rule():
    item = with_keep(AlignedTuple("g", "g-1", {}, dict(TEXTS), scores(ar_en=0.6, consistency=1.0)), SelectOptions(0.5))
    assert item.keep and drop_reason(item, SelectOptions(0.5)) is None
    assert drop_reason(item, SelectOptions(0.8)) == "quality below minimum"  # 0.6 < threshold(0.8, agreeing) = 0.63
    assert drop_reason(item, SelectOptions(0.8), ("ar", "fr")) is None
    assert drop_reason(item, SelectOptions(0.8), ("ar", "en")) == "pair below minimum or flagged"


def test_the_pairs_own_agreement_decides_its_shift_not_the_tuples():
    # ar-en was overruled by way of French (its beads reach outside the tuple); en-fr made the tuple
    row = scores(ar_en=0.75, ar_fr=0.75, en_fr=0.75, consistency=1 / 3,
                 **{"ar-en.agreement": 0.0, "ar-fr.agreement": 0.0, "en-fr.agreement": 1.0})
    assert pair_keeps(row, SelectOptions(0.5)) == {"ar-en": False, "ar-fr": False, "en-fr": True}
    agreeing = scores(ar_en=0.35, **{"ar-en.agreement": 1.0, "ar-fr.agreement": 1.0, "en-fr.agreement": 1.0})
    assert pair_keeps(agreeing, SelectOptions(0.5))["ar-en"] is True
