"""Word tokenization with character offsets (aligner.wordalign.tokens)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aligner.wordalign.tokens import Tokens, arabic_clitic_spans, containing_tokens, tokenize


def words(text: str, lang: str, **kw) -> list[str]:
    return list(tokenize(text, lang, **kw).tokens)


def assert_offsets_valid(t: Tokens) -> None:
    end = 0
    for token, (s, e) in zip(t.tokens, t.offsets):
        assert t.text[s:e] == token
        assert s >= end and e > s
        assert not any(ch.isspace() for ch in token)
        end = e


def test_english_moses_with_offsets():
    t = tokenize('He said: "I don\'t know..." (2,000 people).', "en")
    assert t.tokens == ("He", "said", ":", '"', "I", "don", "'t", "know", "...", '"', "(", "2,000", "people", ")", ".")
    assert t.offsets[:3] == ((0, 2), (3, 7), (7, 8))
    assert_offsets_valid(t)


def test_french_elision_with_typographic_apostrophe_keeps_original_characters():
    t = tokenize("L’Assemblée a dit « c'est 2.000 » aujourd’hui.", "fr")
    assert t.tokens == ("L’", "Assemblée", "a", "dit", "«", "c'", "est", "2.000", "»", "aujourd’", "hui", ".")
    assert t.offsets[0] == (0, 2) and t.text[0:2] == "L’"
    assert_offsets_valid(t)


def test_decomposed_accents_stay_in_their_word():
    text = "e\u0301te\u0301 de\u0301cre\u0301te\u0301"  # été décrété, with combining acute accents
    t = tokenize(text, "fr")
    assert t.tokens == ("e\u0301te\u0301", "de\u0301cre\u0301te\u0301")
    assert t.offsets == ((0, 5), (6, 16))


def test_control_and_zero_width_characters_are_not_tokens():
    t = tokenize("a\x7fb \u200bc\x01d", "en")
    assert "\u200b" not in t.tokens and "\x7f" not in t.tokens
    assert_offsets_valid(t)
    assert "".join(t.tokens).replace("\x7f", "").replace("\x01", "") == "abcd"


def test_arabic_whole_words_by_default():
    text = "قالت المفوضة، بالأمم المتحدة: «إن التقارير تشير» والمتظاهرين؟"
    t = tokenize(text, "ar")
    assert t.tokens == ("قالت", "المفوضة", "،", "بالأمم", "المتحدة", ":", "«", "إن", "التقارير", "تشير", "»",
                        "والمتظاهرين", "؟")
    assert_offsets_valid(t)


def test_arabic_harakat_and_tatweel_stay_inside_words():
    assert words("بِسْمِ اللَّهِ كـــبير", "ar") == ["بِسْمِ", "اللَّهِ", "كـــبير"]


@pytest.mark.parametrize(
    ("word", "each", "cluster"),
    [
        ("والمتظاهرين", ["و", "ال", "متظاهرين"], ["وال", "متظاهرين"]),
        ("بالأمم", ["ب", "ال", "أمم"], ["بال", "أمم"]),
        ("للمواطنين", ["ل", "ل", "مواطنين"], ["لل", "مواطنين"]),  # ل + article with elided alif
        ("فالحكومة", ["ف", "ال", "حكومة"], ["فال", "حكومة"]),
        ("وبالتالي", ["و", "ب", "ال", "تالي"], ["وبال", "تالي"]),
        ("الحق", ["ال", "حق"], ["ال", "حق"]),
        # not clitics: no article, a relative pronoun, too short a stem, a stem beginning with وال
        ("وزارة", ["وزارة"], ["وزارة"]),
        ("وقالت", ["وقالت"], ["وقالت"]),
        ("التي", ["التي"], ["التي"]),
        ("الله", ["الله"], ["الله"]),
        ("وكالات", ["وكالات"], ["وكالات"]),
        ("والده", ["والده"], ["والده"]),
        ("الى", ["الى"], ["الى"]),
    ],
)
def test_arabic_clitic_modes(word, each, cluster):
    assert words(word, "ar", arabic_clitics="each") == each
    assert words(word, "ar", arabic_clitics="cluster") == cluster
    assert words(word, "ar", arabic_clitics="none") == [word]


def test_clitic_offsets_point_into_the_sentence():
    text = "دعت إلى الإفراج عن المعتقلين والمحتجزين."
    t = tokenize(text, "ar", arabic_clitics="each")
    assert_offsets_valid(t)
    k = t.tokens.index("محتجزين")
    assert t.offsets[k - 2 : k + 1] == ((29, 30), (30, 32), (32, 39))
    whole = tokenize(text, "ar")
    assert containing_tokens(t, whole)[k - 2 : k + 1] == [whole.tokens.index("والمحتجزين")] * 3


def test_containing_tokens_rejects_a_finer_coarse_side():
    a = tokenize("والمتظاهرين", "ar")
    b = tokenize("والمتظاهرين", "ar", arabic_clitics="each")
    with pytest.raises(ValueError, match="not inside a single"):
        containing_tokens(a, b)


def test_bad_arguments():
    with pytest.raises(ValueError, match="unsupported language"):
        tokenize("x", "de")
    with pytest.raises(ValueError, match="arabic_clitics"):
        tokenize("x", "ar", arabic_clitics="all")
    with pytest.raises(ValueError, match="arabic_clitics"):
        arabic_clitic_spans("والمتظاهرين", "split")
    with pytest.raises(ValueError, match="overlap"):
        Tokens("ab", ("ab", "b"), ((0, 2), (1, 2)))


def test_pretokenized_words():
    t = Tokens.from_pretokenized(["le", "chat", "dort", "."])
    assert t.text == "le chat dort ." and t.offsets[2] == (8, 12)
    with pytest.raises(ValueError, match="whitespace"):
        Tokens.from_pretokenized(["a b"])
    assert len(tokenize("", "en")) == 0 and len(tokenize("  \n ", "fr")) == 0


# Text mixing what news contains: Latin with accents (pre- and decomposed), Arabic with
# harakat and tatweel, digits, punctuation of both scripts, apostrophes, odd spaces and
# the control/format characters that Moses deletes or rewrites.
_ALPHABET = (
    "abcdeéèàçXYZ L'’-.,;:!?()[]\"«»…$%&@/0123456789 \t\n\u00a0\u200b\u0301\x7f\x01|<>*"
    "قالتمفوضةوالبأنيحسبإلىعن،؛؟٪ـًَُِّْ٠١٢"
)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=_ALPHABET, max_size=60), lang=st.sampled_from(["ar", "en", "fr"]),
       clitics=st.sampled_from(["none", "cluster", "each"]))
def test_offsets_always_point_at_the_token_and_never_overlap(text, lang, clitics):
    t = tokenize(text, lang, arabic_clitics=clitics)
    assert_offsets_valid(t)
    # every letter or digit of the text is inside some token (nothing silently dropped)
    covered = set()
    for s, e in t.offsets:
        covered.update(range(s, e))
    assert all(i in covered for i, ch in enumerate(text) if ch.isalnum())
