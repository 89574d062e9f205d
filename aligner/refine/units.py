"""Units: a whole segment or a piece of one, with its tokens and its slice of the stored word vectors.

Everything the refinement cuts or moves is a unit, and every new tuple side is assembled from
units, so the word vectors of one encoder pass per tuple side serve every piece (the model never
runs again). A piece is named by its segment id and the half-open character range it holds
(``doc:3:0@0-57``, :func:`split_unit_id`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from aligner.model import Segment
from aligner.wordalign.align import EncodedSentence, is_content_word
from aligner.wordalign.tokens import Tokens

_PIECE_ID = re.compile(r"^(?P<sid>.+)@(?P<start>\d+)-(?P<end>\d+)$")


@dataclass(frozen=True)
class Unit:
    """A segment, or the characters ``[start, end)`` of it, with its tokens and word vectors."""

    lang: str
    segment_id: str
    index: int  # position of the segment in its document (AlignedGroup.segments[lang])
    start: int
    end: int
    length: int  # length of the segment text
    text: str  # segment text[start:end]
    tokens: Tokens  # tokens of ``text`` (offsets relative to it)
    vectors: np.ndarray
    covered: np.ndarray

    @property
    def whole(self) -> bool:
        return self.start == 0 and self.end == self.length

    @property
    def unit_id(self) -> str:
        return self.segment_id if self.whole else f"{self.segment_id}@{self.start}-{self.end}"

    @property
    def shown(self) -> str:
        """The text a tuple shows: the segment as it is, a piece stripped."""
        return self.text if self.whole else self.text.strip()

    @property
    def position(self) -> float:
        return self.index + self.start / max(self.length, 1)


def split_unit_id(unit_id: str) -> tuple[str, int | None, int | None]:
    """``"doc:3:0@0-57"`` -> ``("doc:3:0", 0, 57)``; a plain segment id -> ``(id, None, None)``."""
    m = _PIECE_ID.match(unit_id)
    if m is None:
        return unit_id, None, None
    return m["sid"], int(m["start"]), int(m["end"])


def slice_unit(unit: Unit, start: int, end: int) -> Unit:
    """The characters ``[start, end)`` (relative to ``unit.text``) of a unit, with their tokens."""
    keep = [k for k, (s, e) in enumerate(unit.tokens.offsets) if start <= s and e <= end]
    spans = [(unit.tokens.offsets[k][0] - start, unit.tokens.offsets[k][1] - start) for k in keep]
    text = unit.text[start:end]
    return replace(unit, start=unit.start + start, end=unit.start + end, text=text,
                   tokens=Tokens(text, tuple(unit.tokens.tokens[k] for k in keep), tuple(spans)),
                   vectors=unit.vectors[keep], covered=unit.covered[keep])


def side_units(lang: str, segments: Sequence[tuple[int, Segment]], side: EncodedSentence) -> list[Unit]:
    """Cut one encoded tuple side (segment texts joined by one space) back into its segments."""
    if side.tokens.text != " ".join(s.text for _, s in segments):
        raise ValueError(f"the encoded {lang} side is not the tuple's segments joined by spaces")
    units, pos = [], 0
    offsets = side.tokens.offsets
    for index, segment in segments:
        end = pos + len(segment.text)
        keep = [k for k, (s, e) in enumerate(offsets) if pos <= s and e <= end]
        spans = tuple((offsets[k][0] - pos, offsets[k][1] - pos) for k in keep)
        tokens = Tokens(segment.text, tuple(side.tokens.tokens[k] for k in keep), spans)
        units.append(Unit(lang, segment.segment_id, index, 0, len(segment.text), len(segment.text), segment.text,
                          tokens, side.vectors[keep], side.covered[keep]))
        pos = end + 1
    return units


def assemble(units: Sequence[Unit], layer: int) -> EncodedSentence:
    """The encoded side made of ``units``: their shown texts joined by one space, their vectors stacked."""
    texts, tokens, spans, pos = [], [], [], 0
    for unit in units:
        shown = unit.shown
        lead = len(unit.text) - len(unit.text.lstrip()) if not unit.whole else 0
        tokens.extend(unit.tokens.tokens)
        spans.extend((pos + s - lead, pos + e - lead) for s, e in unit.tokens.offsets)
        texts.append(shown)
        pos += len(shown) + 1
    vectors = np.concatenate([u.vectors for u in units]) if units else np.zeros((0, 1), np.float32)
    covered = np.concatenate([u.covered for u in units]) if units else np.zeros(0, bool)
    return EncodedSentence(Tokens(" ".join(texts), tuple(tokens), tuple(spans)), vectors, layer, covered)


def token_owner(units: Sequence[Unit]) -> list[int]:
    """For each token of the assembled side, the index of its unit."""
    return [k for k, unit in enumerate(units) for _ in unit.tokens.tokens]


def content_mask(units: Sequence[Unit], lang: str) -> list[bool]:
    return [is_content_word(t, lang) for unit in units for t in unit.tokens.tokens]


def unit_starts(units: Sequence[Unit]) -> list[int]:
    """Token indices (over the units' tokens) where the second, third, ... unit starts."""
    return list(itertools.accumulate(len(u.tokens) for u in units[:-1]))


def relative_positions(units: Sequence[Unit]) -> list[float]:
    """For each token of the units, then for the end, the share of the units' characters before it."""
    total = max(sum(len(u.text) for u in units), 1)
    rel, before = [], 0
    for unit in units:
        rel.extend((before + s) / total for s, _ in unit.tokens.offsets)
        before += len(unit.text)
    return rel + [1.0]


def cut_pieces(unit: Unit, cuts: Sequence[int]) -> list[Unit]:
    """The unit cut before each token of ``cuts``; whitespace before a cut stays with the earlier piece."""
    starts = [0, *(unit.tokens.offsets[i][0] for i in cuts)]
    ends = [*starts[1:], len(unit.text)]
    return [slice_unit(unit, s, e) for s, e in zip(starts, ends)]
