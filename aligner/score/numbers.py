"""The ``numbers`` quality component: the numbers of each side of a pair, read in a
language-neutral form, and their overlap (:func:`numbers_agreement`).

A module of its own because reading numbers is most of the text-level scoring code: digit
scripts and separators, number words and multipliers in ar/en/fr, Arabic duals, clock times,
month names, percent words and the digit groups of Arabic numbers stored in reverse.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from functools import lru_cache

import regex

from aligner.embed.lexical import (
    _DIGITS,
    _MONTH_NEEDS_CAPITAL,
    _MONTH_PHRASES,
    _MONTH_WORDS,
    _NUMBER,
    _NUMBER_WORDS,
    _normalise_arabic as _normalise_arabic_uncached,
    _strip_article,
    canonical_number,
    fold_latin,
)
from aligner.score.quantities import converted_pairs

#: Texts and words repeat across the pairs of a batch: per-text results are memoised.
_CACHE = 65536
_normalise_arabic = lru_cache(maxsize=_CACHE)(_normalise_arabic_uncached)


#: Small numbers written as words (1 is left out: "one", "un", "une" are mostly pronouns/articles).
_SMALL_NUMBER_WORDS: dict[str, int] = {}
for _value, _words in {
    2: "two deux اثنان اثنين اثنتان اثنتين",
    3: "three trois ثلاثة ثلاث",
    4: "four quatre أربعة أربع اربعة اربع",
    5: "five cinq خمسة خمس",
    6: "six ستة ست",
    7: "seven sept سبعة سبع",
    8: "eight huit ثمانية ثماني ثمان",
    9: "nine neuf تسعة تسع",
    10: "ten dix عشرة عشر",
    11: "eleven onze",
    12: "twelve douze",
    20: "twenty vingt عشرون عشرين",
    100: "hundred cent مائة مئة",
}.items():
    for _word in _words.split():
        _SMALL_NUMBER_WORDS[_word] = _value
#: Arabic duals of hundred / thousand / million are numbers on their own ("ألفي محتجز" = 2,000 detainees).
_ARABIC_DUALS: dict[str, str] = {}  # (not ألفا / مليونا: also accusative singulars, "عشرون ألفا")
for _value, _words in {"200": "مئتا مئتي مئتان مئتين مائتا مائتي مائتان مائتين",
                       "2000": "ألفي ألفان ألفين الفي الفين",
                       "2000000": "مليوني مليونان مليونين"}.items():
    for _word in _words.split():
        _ARABIC_DUALS[_word] = _value
# Arabic numerals that are also common words (ست = "lady"/"six", عشر also in "eleven" compounds) are
# kept: in news text they are overwhelmingly numbers.

#: Number words and abbreviations ("£2.8bn") that multiply a preceding number, and percent words.
_MULTIPLIER_WORDS = {**_NUMBER_WORDS, "bn": "1e9"}
#: Number words that multiply a preceding number ("2.5 million", "ثلاثة آلاف").
_MULTIPLIERS = {"1000": 1_000, "1e6": 1_000_000, "1e9": 1_000_000_000}
_TOKEN = regex.compile(rf"(?P<num>{_NUMBER.pattern})|(?P<word>\p{{L}}[\p{{L}}\p{{M}}]*)|(?P<pct>%)")
#: Clock times: 10:47, 10.47 a.m., 3 p.m., 10 h 47, 10h47 (hour and minutes; ":00" minutes dropped).
_TIME = regex.compile(
    r"(?<![\d.,])(\d{1,2})(?:(?:[:.](\d{2}))?\s?(?P<half>[ap])\.?\s?m\b\.?|\s?[:h]\s?(\d{2}))(?![\d.,]\d)",
    regex.IGNORECASE,
)


def _clock(hour: int, minutes: str | None) -> str:
    return f" {hour} " if minutes in (None, "00") else f" {hour} {int(minutes)} "


def _time(match: regex.Match) -> str:
    hour = int(match.group(1))
    if (match.group("half") or "").lower() == "p" and hour < 12:
        hour += 12  # 3 p.m. = 15 h
    return _clock(hour, match.group(2) or match.group(4))


#: An Arabic clock time in the evening ("الساعة 3 مساءً" = 3 p.m. = 15).
_ARABIC_PM = regex.compile(r"(?<![\d.,])(\d{1,2})(?:[:.](\d{2}))?(?=\s*مساء)")


def _arabic_pm(match: regex.Match) -> str:
    hour = int(match.group(1))
    return _clock(hour + 12 if hour < 12 else hour, match.group(2))


#: An Arabic clock time in the morning with its minutes ("4.40 صباحًا" = 4:40, not 4.4).
_ARABIC_AM = regex.compile(r"(?<![\d.,])(\d{1,2})[:.](\d{2})(?=\s*صباح)")
#: A year range with the second year shortened ("1950-53" = 1950 and 1953).
_YEAR_RANGE = regex.compile(r"(?<![\d.,])((19|20)\d\d)\s?[-–—]\s?(\d\d)(?![\d.,]?\d)")


def _year_range(match: regex.Match) -> str:
    return f"{match.group(1)} {match.group(2)}{match.group(3)}"


_PERCENT_PHRASES = regex.compile(r"\b(?:pour\s*cent|per\s+cent)\b|في\s+الما?ئة", regex.IGNORECASE)
_ARABIC_LETTER = regex.compile(r"\p{Arabic}")
#: One unambiguous single-word name per month, to stand in for the two-word Levantine names.
_MONTH_NAME = {month: word for word, month in reversed(list(_MONTH_WORDS.items())) if word not in _MONTH_NEEDS_CAPITAL}


def _format_number(value: float) -> str:
    if value == int(value):
        return str(int(value))
    return f"{value:.6g}"


def _word_value(token: str) -> tuple[str, str | int] | None:
    """``("mult", "1e6")``, ``("small", 3)``, ``("dual", "2000")``, ``("month", 4)``, ``("pct", "%")`` or None."""
    if _ARABIC_LETTER.match(token):
        arabic = _normalise_arabic(token)
        forms = [arabic, _strip_article(arabic)]
        if arabic[:1] in "وبل" and len(arabic) > 3:  # و / ب / ل proclitics
            forms += [arabic[1:], _strip_article(arabic[1:])]
    else:
        folded = fold_latin(token)
        forms = [folded]
        if folded in _MONTH_WORDS and folded in _MONTH_NEEDS_CAPITAL and not token[:1].isupper():
            return None
    for form in forms:
        if form in _ARABIC_DUALS:
            return "dual", _ARABIC_DUALS[form]
        if form in _MONTH_WORDS:
            return "month", _MONTH_WORDS[form]
        if form in _MULTIPLIER_WORDS:
            value = _MULTIPLIER_WORDS[form]
            return ("pct", "%") if value == "%" else ("mult", value)
        if form in _SMALL_NUMBER_WORDS:
            return "small", _SMALL_NUMBER_WORDS[form]
    return None


#: A number written into a name ("COVID-19", "G20", "Su-27", "كوفيد-19"): a translation may well
#: name the thing without it ("كورونا", "the Group of Twenty").
_NAME_NUMBER = regex.compile(r"(?<=\p{L}[\p{L}\p{M}]*)-?(\d+)(?![\d.,]\d)")
#: Digit groups of an Arabic number stored in reverse (UN documents: "600 10 دولار" for $10,600,
#: "000 100 نسمة" for 100,000 people): the leading groups have three digits and the last one fewer,
#: or the first starts with 0, which no well-formed number has.
_GROUP_SPACE = r"[\u00a0\u202f\u2009 ]"
_REVERSED_GROUPS = regex.compile(
    rf"(?<![\d.,])((?:\d{{3}}{_GROUP_SPACE})+)(\d{{1,2}})(?![\d.,]?\d)"  # "600 10"
    rf"|(?<![\d.,])(0\d\d(?:{_GROUP_SPACE}\d{{3}})*){_GROUP_SPACE}(\d{{1,3}})(?![\d.,]?\d)"  # "000 100"
)
#: A month named twice, Levantine then Egyptian ("شباط/فبراير", "كانون الأول/ديسمبر"): one month.
_MONTH_SLASH = regex.compile(r"\s*/\s*")
#: A list number opening a segment ("12. The ...", "٨٤ - أما ..."): layout, often on one side only.
_ENUMERATOR = regex.compile(r"^\s*\(?\d{1,3}\s*[.)\-–\u2014]\s+(?=\D)")


@lru_cache(maxsize=_CACHE)
def number_sets(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(firm, soft)``: the numbers of ``text`` in a language-neutral form, as sorted multisets
    (a number mentioned twice is there twice).

    Arabic-Indic and Eastern Arabic digits become Latin digits and separators are read as in
    :func:`aligner.embed.lexical.canonical_number` (``1.000`` = ``1,000`` = ``1 000`` = ``1000``,
    ``2,5`` = ``2.5``); a number followed by thousand / million / billion (en, fr, ar) is multiplied
    out (``2,5 millions`` = ``2.5 million`` = ``2500000``, ``ثلاثة آلاف`` = ``3000``); month names
    become ``month1``..``month12``; percent signs and words become ``%``; a clock time is its hour
    and minutes (``10.47 a.m.`` = ``10 h 47`` = ``10:47``; ``3 p.m.`` = ``15:00`` = ``15``). A list number
    opening the text (``12. The ...``) is layout and is skipped.

    *Soft* numbers are those that a faithful translation may well leave implicit: small numbers
    written as words (2-12, 20, 100 in en/fr/ar; Arabic often says "two" with a dual, and
    الاثنين is also Monday), a lone thousand / million / billion ("thousands of"), the month
    names that are also ordinary words (May, March), and numbers written into a name
    (``COVID-19``, ``G20``: "كورونا" names the same thing). They count when the other side has
    them too.
    """
    text = unicodedata.normalize("NFKC", text).translate(_DIGITS)
    text = _ENUMERATOR.sub(" ", text, count=1)
    if _ARABIC_LETTER.search(text):
        text = _REVERSED_GROUPS.sub(_unreversed, text)
    for phrase, month in _MONTH_PHRASES.items():
        text = text.replace(phrase, f" {_MONTH_NAME[month]} ")
    text = _PERCENT_PHRASES.sub(" % ", text)
    text = _ARABIC_PM.sub(_arabic_pm, text)
    text = _ARABIC_AM.sub(lambda m: _clock(int(m.group(1)), m.group(2)), text)
    text = _YEAR_RANGE.sub(_year_range, text)
    text = _TIME.sub(_time, text)
    firm: list[str] = []
    soft: list[str] = [match.group(1).lstrip("0") or "0" for match in _NAME_NUMBER.finditer(text)]
    text = _NAME_NUMBER.sub(" ", text)
    previous: tuple[float, bool] | None = None  # (value, from a word) of the number just before
    last_month: tuple[int, int] | None = None  # (month, end offset) of the month word just before
    for match in _TOKEN.finditer(text):
        if match.group("num"):
            canonical = canonical_number(match.group("num"))
            try:
                previous = (float(canonical), False)
            except ValueError:
                previous = None
            firm.append(canonical)
            continue
        if match.group("pct"):
            firm.append("%")
            previous = None
            continue
        word = match.group("word")
        value = _word_value(word)
        if value is None:
            previous = None
            continue
        kind, payload = value
        if kind == "mult":
            factor = _MULTIPLIERS[payload]
            if previous is not None:
                held = firm if not previous[1] else soft
                if _format_number(previous[0]) in held:
                    held.remove(_format_number(previous[0]))
                firm.append(_format_number(previous[0] * factor))
            else:
                soft.append(str(factor))
            previous = None
        elif kind == "small":
            previous = (float(payload), True)
            soft.append(str(payload))
        elif kind == "dual":
            firm.append(payload)
            previous = None
        elif kind == "month":
            named_twice = (last_month is not None and last_month[0] == payload
                           and _MONTH_SLASH.fullmatch(text, last_month[1], match.start()) is not None)
            if not named_twice:
                ambiguous = fold_latin(word) in _MONTH_NEEDS_CAPITAL
                (soft if ambiguous else firm).append(f"month{payload}")
            last_month = (payload, match.end())
            previous = None
        else:
            firm.append("%")
            previous = None
    return tuple(sorted(firm)), tuple(sorted(value for value in soft if value not in firm))


def _unreversed(match: regex.Match) -> str:
    head, last = (match.group(1), match.group(2)) if match.group(2) else (match.group(3), match.group(4))
    return " ".join(reversed(head.split() + [last]))


def number_set(text: str) -> frozenset[str]:
    """All numbers of ``text``, firm and soft (see :func:`number_sets`).

    >>> sorted(number_set("Près de 1.000 blessés, trois morts, le 2 janvier"))
    ['1000', '2', '3', 'month1']
    """
    firm, soft = number_sets(text)
    return frozenset(firm) | frozenset(soft)


def numbers_agreement(src: str, tgt: str) -> float:
    """``numbers``: Dice overlap ``2|A & B| / (|A| + |B|)`` of the two sides' numbers (multisets:
    ``2017, 2017, 2016`` against ``2016, 2016, 2017`` is 2/3), where a soft number
    (:func:`number_sets`) only enters ``A`` or ``B`` if the other side has it too.

    A quantity one side converts to other units (:mod:`aligner.score.quantities`: "550 pounds" /
    "250 kg", "80 degrees" / "26 degrés") counts as shared.

    1.0 when both sides have the same numbers **or neither has any** (nothing contradicts); 0.0 when
    they share none (including one side with numbers and the other without). Range [0, 1].
    """
    src_firm, src_soft = number_sets(src)
    tgt_firm, tgt_soft = number_sets(tgt)
    a_all, b_all = set(src_firm) | set(src_soft), set(tgt_firm) | set(tgt_soft)
    a = Counter(src_firm) + Counter(v for v in src_soft if v in b_all)
    b = Counter(tgt_firm) + Counter(v for v in tgt_soft if v in a_all)
    if not a and not b:
        return 1.0
    for x, y in converted_pairs(src, tgt):  # "85 mph" / "135 km/h": one quantity in two units
        if (a - b)[x] > 0 and (b - a)[y] > 0:
            a[x] -= 1
            b[y] -= 1
            a[f"~{x}"] += 1
            b[f"~{x}"] += 1
    return 2 * sum((a & b).values()) / (sum(a.values()) + sum(b.values()))
