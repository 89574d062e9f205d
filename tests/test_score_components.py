"""Hand-written ar/en/fr cases for each quality component (no embedding model needed)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from aligner.score.components import (
    end_punctuation,
    ends_at_boundary,
    start_case,
    starts_like_sentence,
    langid_confidence,
    length_ratio,
    log_length_ratio,
    names_agreement,
    script_purity,
    skeletons_match,
    word_coverage,
)
from aligner.score.numbers import number_set, number_sets, numbers_agreement
from aligner.score.similarity import MARGIN_K, cosine, ratio_margin, rival_gap

# -- numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "src, tgt",
    [
        ("قتل ١٢٣ شخصا", "123 people were killed"),  # Arabic-Indic digits
        ("Près de 1.000 blessés", "Nearly 1,000 injured"),  # thousands separators
        ("نحو 1000 جريح", "près de 1 000 blessés"),  # no separator / space separator
        ("2,5 millions de dollars", "2.5 million dollars"),  # decimal comma, multiplier word
        ("٢٫٥ مليون دولار", "2,500,000 dollars"),  # Arabic decimal separator, multiplier
        ("ثلاثة آلاف متظاهر", "3,000 protesters"),  # number words (ar) multiplied out
        ("trois morts le 2 janvier", "three dead on January 2"),  # small number word + month
        ("في 2 كانون الثاني", "le 2 janvier"),  # Levantine month name
        ("12 pour cent", "12 percent"),  # percent words
        ("١٢ في المئة", "12%"),
        ("الساعة 47/10", "at 10.47 a.m."),  # clock times, UN Arabic writes minutes/hours
        ("à 15 heures", "at 3 p.m."),
        ("الساعة 15:00", "à 15 h"),
        ("12. The report was adopted.", "Le rapport a été adopté."),  # a list number is layout
        ("مؤرخة 23 شباط/فبراير 2015", "dated 23 February 2015"),  # a month named twice (UN Arabic)
        ("في 11 كانون الأول/ديسمبر 1986", "le 11 décembre 1986"),
        ("مبلغ 600 10 دولار (000 2 دولار)", "$10,600 ($2,000)"),  # digit groups stored in reverse
        ("نحو 000 100 نسمة", "about 100,000 people"),
        ("في الساعة 3 مساءً", "at 3pm"),  # Arabic evening time
        ("the £2.8bn market", "le marché de 2,8 milliards de livres"),  # "bn"
    ],
)
def test_numbers_agree_across_scripts_and_conventions(src, tgt):
    assert number_set(src) == number_set(tgt), (number_set(src), number_set(tgt))
    assert numbers_agreement(src, tgt) == 1.0


def test_number_set_canonical_forms():
    assert number_set("Près de 1.000 blessés, trois morts, le 2 janvier") == {"1000", "3", "2", "month1"}
    assert number_set("in May 2019 we may go") == {"month5", "2019"}  # lowercase "may" is not a month
    assert number_set("thousands of people") == {"1000"}


def test_numbers_are_multisets_and_word_numbers_are_soft():
    # the same years, but one changed: sets would agree, multisets do not
    a = "Belarus (2017), Poland (2017), Romania (2017), Russia (2016)"
    b = "Bélarus (2016), Pologne (2017), Roumanie (2017), Russie (2016)"
    assert numbers_agreement(a, b) == pytest.approx(0.75)
    # Arabic often says "two" with a dual, English with a word: a number word alone is no contradiction
    assert numbers_agreement("هذان العنصران مستقلان", "These two factors are independent") == 1.0
    assert numbers_agreement("يوم الاثنين", "on Monday") == 1.0  # الاثنين is also "Monday"
    assert numbers_agreement("two factors", "2 facteurs") == 1.0  # but it counts when matched


def test_numbers_written_into_names_are_soft():
    # "COVID-19" is a name: Arabic may say كورونا, or كوفيد-19 (then the 19 counts on both sides)
    assert numbers_agreement("during the COVID-19 pandemic", "أثناء وباء كورونا") == 1.0
    assert numbers_agreement("pendant la pandémie de COVID-19", "أثناء جائحة كوفيد-19") == 1.0
    assert numbers_agreement("the G20 summit", "قمة مجموعة العشرين") == 1.0
    assert numbers_agreement("the G20 summit in 2021", "قمة مجموعة العشرين عام 2022") == 0.5  # the year still counts
    assert number_sets("Su-27 and MH17") == ((), ("17", "27"))


def test_only_malformed_arabic_digit_groups_are_read_in_reverse():
    assert number_set("بين 918 483 شخصا") == {"918483"}  # well-formed: kept as written
    assert number_set("between 600 10 people") == {"600", "10"}  # Latin-script text: never reversed
    assert number_set("شباط/فبراير و آذار/مارس") == {"month2", "month3"}
    assert numbers_agreement("شباط وشباط", "février et février") == 1.0  # a month said twice stays twice


def test_numbers_wrong_or_missing():
    assert numbers_agreement("Près de 1.000 blessés le 2 janvier", "Nearly 1,500 injured on January 2") == pytest.approx(2 * 2 / 6)
    assert numbers_agreement("12 agents sont morts", "Twelve officers died") == 1.0
    assert numbers_agreement("12 agents sont morts", "13 officers died") == 0.0
    assert numbers_agreement("317 policiers blessés", "Police officers were injured") == 0.0  # one side only
    assert numbers_agreement("Le chat dort.", "The cat sleeps.") == 1.0  # nothing to contradict


# -- names ----------------------------------------------------------------------------------------


def test_names_transliterated_ar_latin():
    ar = "طالبت المفوضة السامية ميشيل باشليه جميع الأطراف في كازاخستان بالامتناع عن العنف"
    en = "The commissioner Michelle Bachelet urged all sides in Kazakhstan to refrain from violence"
    fr = "La commissaire Michelle Bachelet a appelé toutes les parties au Kazakhstan à renoncer à la violence"
    assert names_agreement(ar, en, "ar", "en") == 1.0
    assert names_agreement(ar, fr, "ar", "fr") == 1.0
    assert names_agreement(en, fr, "en", "fr") == 1.0
    other = "The president Joe Biden spoke with Vladimir Putin about Ukraine"
    assert names_agreement(ar, other, "ar", "en") == 0.0
    assert names_agreement(fr, other, "fr", "en") < 0.5
    # capitalised titles count as names too: they lower the score of a true pair, not to zero
    titled = "The High Commissioner Michelle Bachelet urged all sides in Kazakhstan to refrain from violence"
    assert names_agreement(ar, other, "ar", "en") < names_agreement(ar, titled, "ar", "en") < 1.0


def test_names_sentence_initial_word_is_not_a_name():
    # "Près" and "Nearly" start their sentences: not names, so nothing is missing.
    assert names_agreement("Près de mille blessés.", "Nearly a thousand injured.", "fr", "en") == 1.0


def test_skeletons_match():
    assert skeletons_match("bsl", "bslt")  # باشليه / Bachelet: prefix
    assert skeletons_match("kskstn", "kskstn")
    assert not skeletons_match("bdn", "btn")


# -- length ---------------------------------------------------------------------------------------


def test_length_ratio_truncated_translation_is_further_from_expected():
    fr = "Près de 1.000 personnes auraient été blessées lors des manifestations qui ont commencé le 2 janvier."
    en_full = "Nearly 1,000 people were reportedly injured in the protests that began on 2 January."
    en_truncated = "Nearly 1,000 people were reportedly injured"
    expected = log_length_ratio(fr, en_full) + 0.02  # pretend the pair's usual ratio is close to this one
    assert abs(length_ratio(fr, en_full, expected)) < 0.05
    assert abs(length_ratio(fr, en_truncated, expected)) > 0.5
    assert length_ratio("abc", "abcdef") == pytest.approx(math.log(2))
    assert length_ratio("a b c", "abc") == 0.0  # white space does not count


# -- sentence boundaries ---------------------------------------------------------------------------


def test_end_punctuation():
    assert ends_at_boundary("Il a dit : « Non. »")
    assert ends_at_boundary("هل أنت بخير؟")
    assert not ends_at_boundary("Welsh AMs worried about 'looking like muppets'")
    assert end_punctuation("Le chat dort.", "The cat sleeps.") == 1.0
    assert end_punctuation("Des élus inquiets", "Welsh AMs worried") == 1.0  # two headlines
    full = "Près de 1.000 personnes ont été blessées lors des manifestations."
    assert end_punctuation(full, "Nearly 1,000 people were injured in the") == 0.0  # cut short
    # a piece that ends at a clause boundary is not cut short
    assert ends_at_boundary("كما أن ما يقرب من ألف شخص أصيبوا في الاحتجاجات التي بدأت في 2 يناير،")
    assert end_punctuation("Près de 1.000 personnes ont été blessées,", "Nearly 1,000 people were injured.") == 1.0


def test_start_case():
    assert starts_like_sentence("« Le droit") is True
    assert starts_like_sentence("five minutes") is False
    assert starts_like_sentence("2019 was") is True
    assert starts_like_sentence("قال") is None
    assert start_case("Le rapport", "The report") == 1.0
    assert start_case("(a) to do", "a) faire") == 1.0
    assert start_case("ويقترح أن تقتصر مدة كل بيان على خمس دقائق.", "five minutes be established for each statement.") == 0.0
    assert start_case("ويقترح", "It is proposed") == 1.0
    assert start_case("قال", "قالت") == 1.0


# -- language and script --------------------------------------------------------------------------


def test_script_purity():
    assert script_purity("قتل ١٢٣ شخصا", "ar") == 1.0
    assert script_purity("قال MWPs إن", "ar") == pytest.approx(5 / 9)
    assert script_purity("Élections à Genève", "fr") == 1.0
    assert script_purity("Il a dit : شكرا", "fr") < 0.7
    assert script_purity("2019 - 2020", "en") == 1.0  # no letters
    with pytest.raises(ValueError):
        script_purity("text", "de")


def test_langid_confidence():
    fr = "Le porte-parole de la police a déclaré que les forces de sécurité avaient tué des dizaines de manifestants."
    assert langid_confidence(fr, "fr") > 0.9
    assert langid_confidence(fr, "en") < 0.1
    ar = "طالبت المفوضة السامية لحقوق الإنسان جميع الأطراف بالامتناع عن العنف."
    assert langid_confidence(ar, "ar") > 0.9
    assert langid_confidence(ar, "fr") < 0.1


def test_word_coverage():
    assert word_coverage((0.9, 0.4)) == 0.4
    assert math.isnan(word_coverage(None))


# -- vectors --------------------------------------------------------------------------------------


def _unit(rows):
    m = np.asarray(rows, dtype=np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def test_cosine():
    a = _unit([[1, 0, 0], [1, 1, 0]])
    b = _unit([[1, 0, 0], [0, 1, 0]])
    assert cosine(a, b) == pytest.approx([1.0, math.sqrt(0.5)], abs=1e-6)
    with pytest.raises(ValueError):
        cosine(a, b[:1])


def test_ratio_margin_prefers_unique_partner():
    rng = np.random.default_rng(0)
    base = rng.normal(size=(6, 16))
    src = _unit(base)
    tgt = _unit(base + 0.2 * rng.normal(size=(6, 16)))  # noisy translations, row i <-> row i
    good = ratio_margin(src, tgt)
    assert (good > 1.0).all()
    # pair 0's source with the target of line 1: its own partner (line 0) is in the context
    wrong = ratio_margin(src[:1], tgt[1:2], src, tgt)
    assert wrong[0] < 1.0 < good[0]
    # a near-duplicate of x's best neighbour lowers the margin of a pair that is not the best match
    assert ratio_margin(src[:1], _unit(0.7 * tgt[:1] + 0.3 * tgt[2:3]), src, tgt)[0] < good[0]


def test_rival_gap():
    rng = np.random.default_rng(0)
    base = rng.normal(size=(6, 16))
    src = _unit(base)
    tgt = _unit(base + 0.2 * rng.normal(size=(6, 16)))
    gaps = rival_gap(src, tgt)
    assert (gaps > 0).all()  # every pair is its sides' best match
    # the source of line 0 with the target of line 1: line 0's own target is a better rival
    assert rival_gap(src[:1], tgt[1:2], src, tgt)[0] < 0
    # a pair is never its own rival, even when its sentences are in the context
    assert rival_gap(src[:1], tgt[:1], src, tgt)[0] == pytest.approx(gaps[0], abs=1e-6)
    assert np.isnan(rival_gap(src[:2], tgt[:2])).all()  # fewer than k context rows


def test_ratio_margin_needs_k_context_rows():
    src = _unit(np.eye(8)[: MARGIN_K - 1] + 0.1)
    assert np.isnan(ratio_margin(src, src)).all()
    src = _unit(np.eye(8)[:MARGIN_K] + 0.1)
    assert not np.isnan(ratio_margin(src, src)).any()


def test_arabic_duals_of_hundred_thousand_million_are_numbers():
    from aligner.score.numbers import numbers_agreement

    assert numbers_agreement("تتحدث التقارير عن ألفي محتجز.", "Reports speak of 2,000 detainees.") == 1.0
    assert numbers_agreement("أصيب مائتا شخص.", "Deux cents personnes, soit 200, ont été blessées.") > 0.5
    assert numbers_agreement("تتحدث التقارير عن ألفي محتجز.", "Reports speak of 3,000 detainees.") == 0.0


# -- quantities converted between units -----------------------------------------------------------

@pytest.mark.parametrize("src, tgt", [
    ("Rosa had winds of 85 mph and was 385 miles southwest of Punta Eugenia.",
     "Les vents soufflaient à 135 km/h, Rosa se trouvait à 620 km au sud-ouest de Punta Eugenia."),
    ("خنزيرًا يبلغ وزنه 550 رطلاً", "l’animal pesant 250 kg"),
    ("a 650-pound pig pinned a farmer", "un porc de 295 kg coinça un éleveur"),
    ("أمطار من 2 إلى 4 بوصات", "entre 5 et 10 cm de pluie"),
    ("ربما تصل درجة الحرارة إلى 80 درجة", "Le mercure pourrait atteindre les 26 degrés"),
    ("The 6-foot forward", "L'ailier de 1,83 m"),
])
def test_a_quantity_converted_to_other_units_is_the_same_number(src, tgt):
    assert numbers_agreement(src, tgt) == 1.0
    assert numbers_agreement(tgt, src) == 1.0


@pytest.mark.parametrize("src, tgt", [
    ("He walked 5 miles.", "Il a marché 2 km."),  # 5 miles are 8 km
    ("The pig weighed 550 pounds.", "Le porc pesait 400 kg."),
    ("It was 80 degrees.", "Il faisait 40 degrés."),
    ("Rain of 3 inches fell.", "Il est tombé 30 kg de pluie."),
])
def test_a_wrong_conversion_or_another_dimension_is_no_match(src, tgt):
    assert numbers_agreement(src, tgt) == 0.0


def test_arabic_morning_times_and_shortened_year_ranges_read_like_their_translations():
    assert numbers_agreement("دخل السوق في الساعة 4.40 صباحًا", "entering the market at 4.40 am") == 1.0
    assert numbers_agreement("الحرب الكورية التي استمرت من 1950 وحتى 1953", "the 1950-53 Korea War") == 1.0
    assert numbers_agreement("a record of 18-7", "un bilan de 18 victoires et 7 défaites") == 1.0


@pytest.mark.parametrize("piece, sentence", [
    ("and he said that in the sty was a large male pig.", "Il affirme qu’un énorme porc mâle s’y trouvait."),
    ("et les plans du chancelier prévoient également", "The shadow chancellor's plans also mean"),
    ("but the United States has said Pyongyang must give up its weapons.", "لكن الولايات المتحدة قالت إن على بيونغيانغ التخلي عن أسلحتها."),
])
def test_a_clause_joined_with_a_conjunction_says_nothing_about_the_start(piece, sentence):
    assert start_case(piece, sentence) == 1.0 and start_case(sentence, piece) == 1.0


def test_a_lowercase_fragment_still_disagrees_with_a_sentence():
    assert start_case("the meeting was held on Monday.", "La réunion a eu lieu lundi.") == 0.0
    assert start_case("android phones sold well.", "Les téléphones Android se sont bien vendus.") == 0.0
