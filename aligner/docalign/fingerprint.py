"""Cheap, language-neutral fingerprints of a document: its numbers, its names, its length.

Versions of one statement in different languages keep the figures (``1.000`` in French is
``1,000`` in English and ``١٠٠٠`` in Arabic) and the names of people and places. Digits are
normalised here; number words and names come from :func:`aligner.embed.lexical.features`, which
maps them to a form shared by Arabic, English and French (names reduced to a consonant skeleton,
so باشليه and Bachelet meet). These are evidence and a retrieval aid, not the verdict: articles on
the same events share them too (see docs/docalign.md).
"""

from __future__ import annotations

import unicodedata
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import regex

from aligner.embed.lexical import canonical_number, features

#: Characters (spaces excluded) per character of English for the same content, measured on
#: NTREX-128 (ar 93,330 / en 100,415 / fr 117,349 over the same 60 documents). Other
#: languages count as English.
CHARS_PER_ENGLISH_CHAR = {"ar": 0.93, "en": 1.0, "fr": 1.17}

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬", "01234567890123456789.,")
#: A number with thousands separators (``1.000``, ``1,000``, ``1 000``) or a plain/decimal one.
_NUMBER = regex.compile(r"\d{1,3}(?:[.,\u00a0\u202f\u2009 ]\d{3}(?!\d))+|\d+(?:[.,]\d+)?")
_WORD = regex.compile(r"\p{L}[\p{L}\p{M}]*")

#: Dimensions of the hashed fingerprint vector added to the document embedding for retrieval.
FINGERPRINT_DIM = 256


@dataclass(frozen=True)
class Fingerprint:
    """Numbers and name skeletons of a document, and its length in English-equivalent characters."""

    numbers: frozenset[str]
    names: frozenset[str]
    length: float


def fingerprint(sentences: Iterable[str], lang: str) -> Fingerprint:
    """The fingerprint of a document given as its sentences.

    Numbers are digit forms (``1.000`` -> ``1000``, Arabic-Indic digits mapped) and number words
    (*thousand*, *mille*, ``ألف``), not month names: every report about the same events has the
    same dates, so months tell versions from mere neighbours badly. Names are whole skeletons of
    at least three letters (shorter ones collide across unrelated words).
    """
    numbers: set[str] = set()
    names: set[str] = set()
    length = 0
    for sentence in sentences:
        text = unicodedata.normalize("NFKC", sentence).translate(_DIGITS)
        numbers.update(canonical_number(match.group()) for match in _NUMBER.finditer(text))
        for word in _WORD.findall(text):
            word_numbers, word_names = _word_items(word)
            numbers.update(word_numbers)
            names.update(word_names)
        length += sum(1 for c in sentence if not c.isspace())
    return Fingerprint(frozenset(numbers), frozenset(names), length / CHARS_PER_ENGLISH_CHAR.get(lang, 1.0))


@lru_cache(maxsize=1 << 17)
def _word_items(word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Number words and name skeletons of one word, by :func:`aligner.embed.lexical.features` (cached: words repeat)."""
    channels = features(word)
    numbers = tuple(n for n in channels["num"] if n[:1].isdigit())
    names = tuple(g[1:] for g in channels["name"] if g.startswith("=") and len(g) >= 4)
    return numbers, names


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the smaller set found in the other (0 when either is empty: no evidence either way)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def length_ratio(a: Fingerprint, b: Fingerprint) -> float:
    """Shorter / longer, in English-equivalent characters (1 = same length)."""
    longer = max(a.length, b.length)
    return min(a.length, b.length) / longer if longer else 1.0


def fingerprint_vector(print_: Fingerprint) -> np.ndarray:
    """Numbers and names hashed (CRC-32, signed) into a unit vector: dot products approximate shared items."""
    vector = np.zeros(FINGERPRINT_DIM, dtype=np.float32)
    for kind, items in (("n", print_.numbers), ("w", print_.names)):
        for item in items:
            h = zlib.crc32(f"{kind}:{item}".encode())
            vector[h % FINGERPRINT_DIM] += 1.0 if (h >> 31) & 1 else -1.0
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector
