"""Corpus-level flags: page furniture and rows an earlier row already had, and what they do to keep/selection."""

from __future__ import annotations

import pytest

from aligner.export.selection import drop_reason
from aligner.ingest.boilerplate import furniture_reason
from aligner.model import AlignedTuple
from aligner.score.selection import SelectOptions, with_keep
from aligner.score.flags import CorpusFlags, is_copy

LANGS = ("ar", "en", "fr")


def row(number: int, quality: float = 0.9, **texts: str) -> AlignedTuple:
    return AlignedTuple("g1", f"g1-{number:05d}", {lang: (f"d{lang}:0:{number}",) if text else ()
                                                   for lang, text in texts.items()},
                        {lang: texts.get(lang, "") for lang in LANGS}, {"quality": quality})


@pytest.mark.parametrize("text", ["Similar Posts", "Articles similaires", "اقرأ أيضا", "By John Smith",
                                  "بقلم محمد علي", "Par la rédaction", "Published on January 5, 2022 10:30",
                                  "3 min read", "* * *"])
def test_page_furniture_is_recognised_on_its_own(text):
    assert furniture_reason(text)


@pytest.mark.parametrize("text", ["The protesters seized several government buildings.",
                                  "Kazakhstan: The UN calls for restraint", "Internet", "حالة الطوارئ",
                                  "Les manifestants ont saisi des bâtiments."])
def test_body_text_and_headings_are_not_furniture(text):
    assert furniture_reason(text) is None


def test_a_later_copy_of_a_row_is_flagged_and_not_kept_the_first_is():
    flags = CorpusFlags(LANGS)
    first = flags.flag(row(1, ar="قتل 12 شخصا.", en="Twelve people were killed.", fr="Douze personnes ont été tuées."))
    other = flags.flag(row(2, ar="أصيب 300 شرطي.", en="300 police officers were injured.", fr="300 policiers blessés."))
    # the same texts again, with other case, spacing and punctuation
    copy = flags.flag(row(3, ar="قتل 12 شخصا", en="twelve people  were killed!", fr="Douze personnes ont été tuées"))
    assert [t.scores["duplicate"] for t in (first, other, copy)] == [0.0, 0.0, 1.0]
    assert all(copy.scores[f"{a}-{b}.duplicate"] == 1.0 for a, b in (("ar", "en"), ("ar", "fr"), ("en", "fr")))
    assert [with_keep(t, SelectOptions(0.5)).keep for t in (first, other, copy)] == [True, True, False]
    assert drop_reason(copy, SelectOptions(0.5)) == "duplicate" and drop_reason(first, SelectOptions(0.5)) is None


def test_a_pair_repeated_in_rows_that_differ_in_the_third_language_is_flagged_as_a_pair_only():
    flags = CorpusFlags(LANGS)
    flags.flag(row(1, ar="قتل 12 شخصا.", en="Twelve people were killed.", fr="Douze personnes ont été tuées."))
    again = flags.flag(row(2, ar="قتل 12 شخصا.", en="Twelve people were killed.", fr="Douze morts."))
    assert again.scores["ar-en.duplicate"] == 1.0
    assert again.scores["ar-fr.duplicate"] == again.scores["en-fr.duplicate"] == 0.0
    assert again.scores["duplicate"] == 0.0 and with_keep(again, SelectOptions(0.5)).keep
    # a two-language row whose pair is new is no copy of itself
    pair = flags.flag(row(3, en="Curfew from 23:00.", fr="Couvre-feu dès 23 heures."))
    assert pair.scores["duplicate"] == pair.scores["en-fr.duplicate"] == 0.0


def test_a_row_with_a_furniture_side_is_flagged_and_not_kept_whatever_its_quality():
    flags = CorpusFlags(LANGS)
    widget = flags.flag(row(1, quality=0.99, en="Similar Posts", fr="Articles similaires"))
    assert widget.scores["boilerplate"] == 1.0 and widget.scores["duplicate"] == 0.0
    assert not with_keep(widget, SelectOptions(0.5)).keep
    assert drop_reason(widget, SelectOptions(0.5)) == "boilerplate"
    body = flags.flag(row(2, en="The curfew lasts until 19 January.", fr="Le couvre-feu dure jusqu'au 19 janvier."))
    assert body.scores["boilerplate"] == 0.0 and with_keep(body, SelectOptions(0.5)).keep


@pytest.mark.parametrize("source, copied", [
    ("The council met on Monday in Geneva to adopt the report.", "The council met on monday in Geneva to adopt the report"),
    ("Le conseil s'est réuni lundi à Genève.", "Le Conseil s'est réuni lundi à Genève"),
    ("اجتمع المجلس يوم الاثنين في جنيف.", "اجتمع المجلس يوم الاثنين في جنيف"),
])
def test_a_side_that_is_the_other_copied_is_a_copy_and_not_kept(source, copied):
    assert is_copy(source, copied)
    flagged = CorpusFlags(LANGS).flag(row(1, en=source, fr=copied))
    assert flagged.scores["en-fr.copy"] == 1.0 and flagged.scores["copy"] == 1.0
    assert not with_keep(flagged, SelectOptions(0.5)).keep and drop_reason(flagged, SelectOptions(0.5)) is not None


@pytest.mark.parametrize("a, b", [
    ("John Edward is Director of the Scottish Council of Independent Schools",
     "John Edward est le directeur du Scottish Council of Independent Schools"),  # names kept, still translated
    ("The UN Security Council met on 5 March 2022.", "Le Conseil de sécurité de l'ONU s'est réuni le 5 mars 2022."),
    ("Michelle Bachelet", "ميشيل باشيليت"),  # other scripts are never a copy
])
def test_translations_sharing_names_and_numbers_are_not_copies(a, b):
    assert not is_copy(a, b)
    flagged = CorpusFlags(LANGS).flag(row(1, en=a, fr=b))
    assert flagged.scores["copy"] == 0.0 and with_keep(flagged, SelectOptions(0.5)).keep


def test_sides_without_letters_are_not_copies():
    assert not is_copy("12 000", "12 000")  # nothing says it is untranslated (the boilerplate flag drops it)
