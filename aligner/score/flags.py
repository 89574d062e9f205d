"""Flags a corpus row gets from the whole corpus: a side that is page furniture, and texts an earlier row had.

A build reads its groups one after another and flags each row as it goes (:class:`CorpusFlags`),
so a flag depends only on the rows before it, in corpus order:

* ``boilerplate`` (tuple): 1 when a side, read on its own, is page furniture by the ingest rules
  that need no page context (byline, dateline, reading time, sharing or related-links widget, no
  letters; :func:`aligner.ingest.boilerplate.furniture_reason`). Ingest removes such lines from
  pages; a segment that slips through (a widget in a paragraph of its own) must not be exported
  as a translation, even a right one ("Similar Posts" / "Articles similaires").
* ``duplicate`` (tuple): 1 when an earlier row has the same text in every language, compared
  case-, space- and punctuation-insensitively (:func:`aligner.ingest.boilerplate.duplicate_key`);
  the first copy gets 0.
* ``<a>-<b>.duplicate`` (each pair the row has): the same, for the pair's two sides only, so a
  pair file can be deduplicated although the rows differ in the third language.

* ``<a>-<b>.copy`` (each pair): 1 when one side is the other copied rather than translated: both
  are written in the same script and share at least :data:`COPY_OVERLAP` of their character
  trigrams (Dice, case- and space-insensitive). On NTREX's 956 en-fr gold pairs the highest
  overlap of a real translation is 0.78 (names kept as they are: "John Edward is Director of the
  Scottish Council..."); the one pair above it is a French quote left untranslated in the English
  article (1.0). ``copy`` (tuple): 1 when any pair is a copy.

Each tuple flag makes ``keep`` 0 (:func:`aligner.score.selection.with_keep`).
"""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace

import regex

from aligner.ingest.boilerplate import duplicate_key, furniture_reason
from aligner.model import AlignedTuple

#: Tuple-level flag columns; a row with any of them at 1 is not kept.
FLAG_COLUMNS = ("boilerplate", "duplicate", "copy")
#: Character-trigram overlap (Dice) from which two same-script sides are a copy, not a translation.
COPY_OVERLAP = 0.85
_LETTER_SCRIPT = regex.compile(r"(\p{Arabic})|(\p{Latin})|(\p{L})")
_SPACES = regex.compile(r"\s+")


def dominant_script(text: str) -> str:
    """``Arabic``, ``Latin`` or ``other``: the script most of the letters of ``text`` are in (``none`` without letters)."""
    counts = Counter(match.lastindex for match in _LETTER_SCRIPT.finditer(text))
    if not counts:
        return "none"
    return {1: "Arabic", 2: "Latin", 3: "other"}[counts.most_common(1)[0][0]]


def trigram_overlap(a: str, b: str) -> float:
    """Dice coefficient of the two texts' sets of character trigrams, case- and space-insensitive."""
    def grams(text: str) -> set[str]:
        text = _SPACES.sub(" ", text.casefold()).strip()
        return {text[k:k + 3] for k in range(max(1, len(text) - 2))}

    first, second = grams(a), grams(b)
    return 2 * len(first & second) / (len(first) + len(second))


def is_copy(a: str, b: str) -> bool:
    """Whether one side is the other copied (same script, :data:`COPY_OVERLAP` of the trigrams or more)."""
    return dominant_script(a) == dominant_script(b) != "none" and trigram_overlap(a, b) >= COPY_OVERLAP


def raised_flag(scores: Mapping[str, float]) -> str | None:
    """The first of :data:`FLAG_COLUMNS` set in a row's ``scores``, or None."""
    return next((name for name in FLAG_COLUMNS if scores.get(name) == 1.0), None)


class CorpusFlags:
    """Flags rows in corpus order; remembers a 16-byte digest per distinct row and pair, not the texts."""

    def __init__(self, languages: Sequence[str]) -> None:
        self.languages = list(languages)
        self._seen: set[bytes] = set()

    def flag(self, item: AlignedTuple) -> AlignedTuple:
        """``item`` with ``boilerplate``, ``duplicate``, ``copy`` and their per-pair columns added to its scores."""
        keys = {lang: duplicate_key(item.texts[lang]) for lang in self.languages if item.texts.get(lang)}
        flags = {f"{a}-{b}.duplicate": self._repeated("pair", (a, keys[a]), (b, keys[b]))
                 for a, b in itertools.combinations(keys, 2)}
        copies = {f"{a}-{b}.copy": float(is_copy(item.texts[a], item.texts[b])) for a, b in itertools.combinations(keys, 2)}
        flags.update(copies)
        flags["boilerplate"] = float(any(furniture_reason(item.texts[lang]) for lang in keys))
        flags["duplicate"] = self._repeated("row", *keys.items())
        flags["copy"] = float(any(copies.values()))
        return replace(item, scores={**item.scores, **flags})

    def _repeated(self, kind: str, *sides: tuple[str, str]) -> float:
        """Whether the ``kind`` ("row" or "pair") with these ``(language, key)`` sides was seen before (and note it)."""
        text = "\x1f".join([kind, *(f"{lang}\x1e{key}" for lang, key in sides)])
        digest = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
        if digest in self._seen:
            return 1.0
        self._seen.add(digest)
        return 0.0
