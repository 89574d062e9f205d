"""Sentence-boundary precision/recall/F1 against gold files marked with ``‖``.

Gold format (see ``tests/data/segmentation/README.md``): the raw text with ``‖`` inserted right
before the first character of every sentence that does not start a line. A boundary is the
character offset, in the normalized line, where a new sentence starts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from aligner.ingest.normalize import LINE_BREAK, normalize_line
from aligner.segment import SpanSplitter

MARKER = "‖"


@dataclass(frozen=True)
class GoldParagraph:
    text: str
    boundaries: frozenset[int]


@dataclass(frozen=True)
class BoundaryCounts:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    def __add__(self, other: BoundaryCounts) -> BoundaryCounts:
        return BoundaryCounts(self.true_positives + other.true_positives,
                              self.false_positives + other.false_positives,
                              self.false_negatives + other.false_negatives)

    @property
    def precision(self) -> float:
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        gold = self.true_positives + self.false_negatives
        return self.true_positives / gold if gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def parse_gold(text: str) -> list[GoldParagraph]:
    """Gold paragraphs (normalized exactly as ingest normalizes a line) with their boundaries."""
    paragraphs = []
    for raw_line in LINE_BREAK.split(text):
        line = normalize_line(raw_line)
        if not line:
            continue
        boundaries, clean = set(), []
        for char in line:
            if char == MARKER:
                boundaries.add(len("".join(clean)))
            else:
                clean.append(char)
        plain = "".join(clean)
        # a marker after a space: the boundary is where the next sentence starts
        paragraphs.append(GoldParagraph(plain, frozenset(b + (len(plain[b:]) - len(plain[b:].lstrip()))
                                                          for b in boundaries)))
    return paragraphs


def read_gold(path: Path) -> list[GoldParagraph]:
    return parse_gold(Path(path).read_text(encoding="utf-8"))


def boundary_counts(paragraphs: Iterable[GoldParagraph], splitter: SpanSplitter, lang: str) -> BoundaryCounts:
    total = BoundaryCounts()
    for paragraph in paragraphs:
        predicted = {start for start, _ in splitter(paragraph.text, lang)[1:]}
        total += BoundaryCounts(len(predicted & paragraph.boundaries), len(predicted - paragraph.boundaries),
                                len(paragraph.boundaries - predicted))
    return total
