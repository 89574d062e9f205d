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

Both tuple flags make ``keep`` 0 (:func:`aligner.groups.with_keep`).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import replace

from aligner.ingest.boilerplate import duplicate_key, furniture_reason
from aligner.model import AlignedTuple

#: Tuple-level flag columns; a row with either at 1 is not kept.
FLAG_COLUMNS = ("boilerplate", "duplicate")


def raised_flag(scores: Mapping[str, float]) -> str | None:
    """The first of :data:`FLAG_COLUMNS` set in a row's ``scores``, or None."""
    return next((name for name in FLAG_COLUMNS if scores.get(name) == 1.0), None)


class CorpusFlags:
    """Flags rows in corpus order; remembers a 16-byte digest per distinct row and pair, not the texts."""

    def __init__(self, languages: Sequence[str]) -> None:
        self.languages = list(languages)
        self._seen: set[bytes] = set()

    def flag(self, item: AlignedTuple) -> AlignedTuple:
        """``item`` with ``boilerplate``, ``duplicate`` and ``<a>-<b>.duplicate`` added to its scores."""
        keys = {lang: duplicate_key(item.texts[lang]) for lang in self.languages if item.texts.get(lang)}
        flags = {f"{a}-{b}.duplicate": self._repeated("pair", (a, keys[a]), (b, keys[b]))
                 for a, b in itertools.combinations(keys, 2)}
        flags["boilerplate"] = float(any(furniture_reason(item.texts[lang]) for lang in keys))
        flags["duplicate"] = self._repeated("row", *keys.items())
        return replace(item, scores={**item.scores, **flags})

    def _repeated(self, kind: str, *sides: tuple[str, str]) -> float:
        """Whether the ``kind`` ("row" or "pair") with these ``(language, key)`` sides was seen before (and note it)."""
        text = "\x1f".join([kind, *(f"{lang}\x1e{key}" for lang, key in sides)])
        digest = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
        if digest in self._seen:
            return 1.0
        self._seen.add(digest)
        return 0.0
