"""A model-free embedder: hashed character n-grams of a language-neutral form of the text.

Translations of news sentences share things no matter the language: numbers,
dates, and names of people and places. This embedder keeps only those, in a
form shared by Arabic, English and French, plus the sentence length:

* **numbers** (channel ``num``): Arabic-Indic (٠-٩) and Eastern Arabic (۰-۹)
  digits become Latin digits; thousands separators go (``1.000``, ``1,000``,
  ``1 000`` and ``1000`` are all ``1000``) and a decimal comma becomes a point.
  A few number words (thousand / mille / ألف ...) and the month names
  (January / janvier / يناير / كانون الثاني ...) count as numbers.
* **names** (channel ``name``): Latin-script words that start with a capital
  (minus a short list of capitalised function words such as *The*, *Selon*;
  all-capital acronyms are always kept)
  and every Arabic word that is not a frequent function word, after a rough
  Arabic-to-Latin transliteration (definite article dropped). Both become a
  consonant *skeleton* (accents dropped, ``ch``/``sh`` -> ``s``, ``p`` -> ``b``,
  ``v`` -> ``f``, ``g``/``j`` merged, inner vowels dropped), so باشليه and
  Bachelet both give ``bsl…``, كازاخستان and Kazakhstan both ``kskstn``; each
  skeleton contributes its character trigrams (with word-boundary marks) and
  itself.
* **cognates** (channel ``word``): the skeletons of the other Latin-script
  words (lowercase, at least 4 letters), which catch en/fr cognates such as
  *government* / *gouvernement*. Arabic text has none, so this channel never
  matches across scripts.
* **length**: a Gaussian bump over log-length buckets, in dimensions of its
  own, so sentences of similar length are a little more similar.

Each channel is L2-normalised on its own, then weighted, so a long sentence does
not drown a short one's numbers. Features are hashed (CRC-32, signed) into a
fixed number of dimensions; everything is deterministic across processes and
machines. Change anything that alters vectors -> bump ``LEXICAL_VERSION`` (it
is part of the embedding-cache key).
"""

from __future__ import annotations

import math
import unicodedata
import zlib
from collections import Counter
from functools import lru_cache

import numpy as np
import regex

from .base import BaseEmbedder

LEXICAL_VERSION = "1"

#: Output dimension: hashed features, then the length buckets.
LEXICAL_DIM = 2048
_LENGTH_BUCKETS = 32
_HASHED_DIM = LEXICAL_DIM - _LENGTH_BUCKETS
#: Each length bucket is this ratio wider than the previous one.
_LENGTH_RATIO = 1.3
_LENGTH_SIGMA = 1.5  # in buckets

#: Channel weights (before the final normalisation).
WEIGHTS = {"num": 1.0, "name": 0.8, "word": 0.8, "length": 0.5}

# -- numbers -------------------------------------------------------------------
_DIGITS = str.maketrans(
    "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬٪",
    "01234567890123456789.,%",
)
_SEP = "[.,\u00a0\u202f\u2009 ]"  # thousands separators: point, comma, (narrow) no-break space, space
_NUMBER = regex.compile(rf"\d{{1,3}}(?:{_SEP}\d{{3}}(?!\d))+|\d+(?:[.,]\d+)?")
_GROUPED = regex.compile(rf"\d{{1,3}}(?:{_SEP}\d{{3}})+")
_DECIMAL = regex.compile(r"(\d+)[.,](\d+)")


def canonical_number(token: str) -> str:
    """``1.000`` / ``1,000`` / ``1 000`` -> ``1000``; ``2,5`` -> ``2.5``; ``007`` -> ``7``.

    A single separator followed by exactly three digits is read as a thousands
    separator (``1.000`` is one thousand, as in French and Arabic news).
    """
    if _GROUPED.fullmatch(token):
        return str(int(regex.sub(r"\D", "", token)))
    decimal = _DECIMAL.fullmatch(token)
    if decimal:
        frac = decimal.group(2).rstrip("0")
        return f"{int(decimal.group(1))}.{frac}" if frac else str(int(decimal.group(1)))
    digits = regex.sub(r"\D", "", token)
    return str(int(digits)) if digits else token


_MONTHS = {
    # en, fr, Egyptian/Maghreb-style Arabic, Levantine/Iraqi Arabic
    1: "january janvier يناير جانفي كانون الثاني",
    2: "february fevrier فبراير فيفري شباط",
    3: "march mars مارس آذار اذار",
    4: "april avril أبريل ابريل إبريل افريل أفريل نيسان",
    5: "may mai مايو ماي أيار ايار",
    6: "june juin يونيو جوان حزيران",
    7: "july juillet يوليو جويلية تموز",
    8: "august aout أغسطس اغسطس أوت اوت آب",
    9: "september septembre سبتمبر أيلول ايلول",
    10: "october octobre أكتوبر اكتوبر تشرين الأول",
    11: "november novembre نوفمبر تشرين الثاني",
    12: "december decembre ديسمبر دجنبر كانون الأول",
}
# Two-word Levantine names are matched as phrases before tokenising.
_MONTH_PHRASES = {
    "كانون الثاني": 1, "تشرين الأول": 10, "تشرين الاول": 10, "تشرين الثاني": 11, "كانون الأول": 12, "كانون الاول": 12,
}
_MONTH_WORDS: dict[str, int] = {}
for _number, _names in _MONTHS.items():
    for _word in _names.split():
        if _word not in ("كانون", "تشرين", "الثاني", "الأول"):
            _MONTH_WORDS.setdefault(_word, _number)
# English "may" and "march" are ordinary words too: only count them when capitalised (English
# months always are; French ones never are, which is why the rule is per word).
_MONTH_NEEDS_CAPITAL = {"may", "march"}

_NUMBER_WORDS = {
    "thousand": "1000", "thousands": "1000", "mille": "1000", "milliers": "1000",
    "ألف": "1000", "آلاف": "1000", "الف": "1000", "الاف": "1000", "ألفا": "1000",
    "million": "1e6", "millions": "1e6", "مليون": "1e6", "ملايين": "1e6",
    "billion": "1e9", "billions": "1e9", "milliard": "1e9", "milliards": "1e9", "مليار": "1e9", "مليارات": "1e9",
    "percent": "%", "pourcent": "%", "بالمئة": "%", "بالمائة": "%", "المئة": "%", "المائة": "%",
}

# -- words ---------------------------------------------------------------------
_WORD = regex.compile(r"\p{L}[\p{L}\p{M}]*")
_LATIN = regex.compile(r"\p{Latin}")
_ARABIC = regex.compile(r"\p{Arabic}")

#: Capitalised Latin words that are not names (sentence starters, titles).
_LATIN_STOP = frozenset(
    """
    a an the this that these those there it its he she they we you i his her their our my
    in on at of for from to by with as after before during since until about against between into over under
    and or but if when while where whether because although though however also yet so then thus
    according meanwhile moreover furthermore still later earlier today yesterday tomorrow
    mr mrs ms dr sir madam president minister
    le la les l un une des du de d en dans il elle ils elles nous vous je on ce cet cette ces
    au aux par pour sur sous avec sans selon apres avant depuis pendant entre vers chez contre
    et ou mais si quand lorsque alors ainsi donc car pourtant cependant toutefois neanmoins
    aujourd hui hier demain m mme mmes mlle president ministre son sa ses leur leurs notre nos
    """.split()
)

#: Frequent Arabic function words (after alef/yaa normalisation), never names.
_ARABIC_STOP = frozenset(
    """
    في من على الى إلى عن مع ان أن إن لا لم لن ما ماذا هل قد كان كانت يكون تكون هذا هذه ذلك تلك هو هي هم
    التي الذي الذين اللذين اللتين كما او أو ثم بل لكن حتى منذ عند بعد قبل خلال بين حول ضد دون نحو كل بعض
    غير أي اي وقد وقال وقالت قال قالت واضاف واضافت وأضاف وأضافت اضاف أضاف اضافت أضافت وكان وكانت وهو وهي وفي ومن
    وعلى وان وأن وإن ولا وما كذلك ايضا أيضا فقط حيث اذا إذا لدى لها له لهم بها به بهم فيها فيه عليها عليه منها منه
    عنها عنه اليوم امس أمس يوم العام عام الى مساء صباح
    """.split()
)
_ARABIC_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال")

_ARABIC_TO_LATIN = str.maketrans(
    {
        "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ٱ": "a", "ء": "", "ؤ": "u", "ئ": "i", "ى": "a",
        "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r",
        "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "a", "غ": "gh",
        "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "ة": "a", "و": "w",
        "ي": "y", "پ": "p", "چ": "ch", "ڤ": "v", "گ": "g", "ـ": "",
    }
)
_DIGRAPHS = (
    ("sch", "s"), ("tch", "s"), ("ch", "s"), ("sh", "s"), ("ph", "f"), ("th", "t"), ("kh", "k"),
    ("gh", "g"), ("dh", "d"), ("ck", "k"), ("qu", "k"), ("ng", "n"), ("x", "ks"),
    ("ce", "se"), ("ci", "si"), ("cy", "sy"),
)
_LETTERS = str.maketrans({"c": "k", "q": "k", "g": "j", "z": "s", "v": "f", "p": "b", "w": "u", "y": "i"})
_VOWELS = frozenset("aeiou")


def fold_latin(word: str) -> str:
    """Lowercase ASCII letters only: accents and other marks dropped (``Genève`` -> ``geneve``)."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if "a" <= c <= "z")


def transliterate_arabic(word: str) -> str:
    """Rough Arabic -> Latin letters (no vowels are invented; long vowels and hamza seats map to vowels)."""
    word = regex.sub(r"\p{Mn}", "", word)  # harakat
    return word.translate(_ARABIC_TO_LATIN)


def skeleton(latin: str) -> str:
    """Consonant skeleton of a lowercase ASCII word, shared by spellings and transliterations of a name."""
    s = latin
    for old, new in _DIGRAPHS:
        s = s.replace(old, new)
    s = s.translate(_LETTERS).replace("h", "")
    if not s:
        return ""
    head = "a" if s[0] in _VOWELS else s[0]
    body = "".join(c for c in s[1:] if c not in _VOWELS)
    out = []
    for c in head + body:
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)


def _normalise_arabic(word: str) -> str:
    word = regex.sub(r"\p{Mn}", "", word).replace("ـ", "")
    return word.replace("ى", "ي")


def _strip_article(word: str) -> str:
    for prefix in _ARABIC_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            return word[len(prefix) :]
    return word


def _skeleton_grams(skel: str) -> list[str]:
    padded = f"^{skel}$"
    grams = [padded[i : i + 3] for i in range(len(padded) - 2)] or [padded]
    return [*grams, "=" + skel]


@lru_cache(maxsize=1 << 16)
def _word_features(token: str) -> tuple[str, tuple[str, ...]] | None:
    """The channel and features of one word of a normalised text (None: it has none).

    A function of the word alone, so it is cached: news repeats its words, and the names score
    reads every text twice (with and without its first word).
    """
    if _ARABIC.match(token):
        arabic = _normalise_arabic(token)
        bare = _strip_article(arabic)
        for form in (arabic, bare, bare[1:] if bare[:1] in "وب" else ""):
            if form in _MONTH_WORDS:
                return "num", (f"month{_MONTH_WORDS[form]}",)
            if form in _NUMBER_WORDS:
                return "num", (_NUMBER_WORDS[form],)
        if arabic in _ARABIC_STOP or bare in _ARABIC_STOP or len(bare) < 3:
            return None
        skel = skeleton(transliterate_arabic(bare))
        return ("name", tuple(_skeleton_grams(skel))) if len(skel) >= 2 else None
    if not _LATIN.match(token):
        return None  # other scripts: ignored
    folded = fold_latin(token)
    capitalised = token[0].isupper()
    if folded in _MONTH_WORDS and (capitalised or folded not in _MONTH_NEEDS_CAPITAL):
        return "num", (f"month{_MONTH_WORDS[folded]}",)
    if folded in _NUMBER_WORDS:
        return "num", (_NUMBER_WORDS[folded],)
    acronym = len(token) >= 2 and token.isupper()  # UN, OMS, MWPs: kept even if "un" is a stop word
    if acronym or (capitalised and len(folded) >= 2 and folded not in _LATIN_STOP):
        channel = "name"
    elif len(folded) >= 4 and folded not in _LATIN_STOP:
        channel = "word"
    else:
        return None
    skel = skeleton(folded)
    return (channel, tuple(_skeleton_grams(skel))) if len(skel) >= 2 else None


def features(text: str) -> dict[str, Counter[str]]:
    """The language-neutral features of ``text``, by channel (``num``, ``name``, ``word``).

    >>> sorted(features("Michel Bachelet a dit que 1.000 personnes")["num"])
    ['1000']
    """
    text = unicodedata.normalize("NFKC", text).translate(_DIGITS)
    channels: dict[str, Counter[str]] = {"num": Counter(), "name": Counter(), "word": Counter()}
    num = channels["num"]

    for match in _NUMBER.finditer(text):
        num[canonical_number(match.group())] += 1
    if "%" in text:
        num["%"] += 1
    for phrase, month in _MONTH_PHRASES.items():
        if phrase in text:
            num[f"month{month}"] += 1
            text = text.replace(phrase, " ")

    for match in _WORD.finditer(text):
        feature = _word_features(match.group())
        if feature is not None:
            channels[feature[0]].update(feature[1])
    return channels


def _bucket(feature: str) -> tuple[int, float]:
    h = zlib.crc32(feature.encode("utf-8"))
    return h % _HASHED_DIM, (1.0 if (h >> 31) & 1 else -1.0)


def length_profile(text: str) -> np.ndarray:
    """Unit-norm Gaussian bump over log-length buckets (length = non-space characters)."""
    n = sum(1 for c in text if not c.isspace())
    centre = math.log(max(n, 1)) / math.log(_LENGTH_RATIO)
    centre = min(centre, _LENGTH_BUCKETS - 1)
    idx = np.arange(_LENGTH_BUCKETS, dtype=np.float64)
    bump = np.exp(-0.5 * ((idx - centre) / _LENGTH_SIGMA) ** 2)
    return (bump / np.linalg.norm(bump)).astype(np.float32)


def lexical_vector(text: str, weights: dict[str, float] | None = None) -> np.ndarray:
    """The (unit-norm, float32, ``LEXICAL_DIM``) vector of one text."""
    w = WEIGHTS if weights is None else {**WEIGHTS, **weights}
    vector = np.zeros(LEXICAL_DIM, dtype=np.float64)
    for channel, counts in features(text).items():
        if not counts or not w.get(channel):
            continue
        part = np.zeros(_HASHED_DIM, dtype=np.float64)
        for feature, count in counts.items():
            index, sign = _bucket(f"{channel}:{feature}")
            part[index] += sign * count
        norm = np.linalg.norm(part)
        if norm > 0:
            vector[:_HASHED_DIM] += w[channel] * part / norm
    vector[_HASHED_DIM:] = w["length"] * length_profile(text)
    norm = np.linalg.norm(vector)
    if norm == 0:  # nothing to go on (possible only with a zero length weight): a fixed "empty" feature
        index, sign = _bucket("empty")
        vector[index], norm = sign, 1.0
    vector /= norm
    return vector.astype(np.float32)


class LexicalEmbedder(BaseEmbedder):
    """No model: :func:`lexical_vector` of each text (see the module docstring). Deterministic and fast."""

    name = "lexical"
    version = LEXICAL_VERSION
    dim = LEXICAL_DIM
    batch_size = 1024

    def __init__(self, weights: dict[str, float] | None = None, batch_size: int | None = None) -> None:
        super().__init__(batch_size)
        unknown = set(weights or {}) - set(WEIGHTS)
        if unknown:
            raise ValueError(f"unknown lexical weight(s) {sorted(unknown)}; known: {sorted(WEIGHTS)}")
        self.weights = {**WEIGHTS, **(weights or {})}
        if weights:
            tag = ",".join(f"{k}={self.weights[k]:g}" for k in sorted(self.weights))
            self.version = f"{LEXICAL_VERSION};{tag}"

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        return np.stack([lexical_vector(text, self.weights) for text in texts])
