"""Word alignment of a corpus: every tuple, every language pair present, one encoder pass per tuple side.

Each distinct tuple side (the joined text of one language) is tokenized once and gets its word
vectors from the stored pieces of its segments (:func:`encode_tuple_sides`): the model has run on
each segment once, for sentence alignment, whatever tuple and pairs it ends up in;
the links of each pair come from matching the stored vectors (:func:`pair_words`). The build
uses them through :func:`aligner.refine.refine_tuples`; :func:`align_tuples` is the
same without the refinement.
:class:`WordAlignmentWriter` writes, a few corpus rows at a time, per pair ``a-b`` (alphabetical),
``wordalign.a-b.txt`` (Pharaoh links, 0-based, one line per corpus row, empty when the tuple lacks
a or b) and beside it ``wordalign.a-b.src-tgt`` (``a tokens ||| b tokens``, the tokens the links index).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from aligner.fileio import atomic_writer
from aligner.model import AlignedTuple

from .align import EncodedSentence, WordAligner, content_coverage, format_pharaoh

Pair = tuple[str, str]


@dataclass(frozen=True)
class PairWords:
    """The word alignment of one tuple for one language pair."""

    src_tokens: tuple[str, ...]
    tgt_tokens: tuple[str, ...]
    links: list[tuple[int, int]]
    src_coverage: float
    tgt_coverage: float


def language_pairs(languages: Sequence[str]) -> list[Pair]:
    """Every pair of ``languages``, each written in alphabetical order (ar-en, ar-fr, en-fr)."""
    return [tuple(sorted(pair)) for pair in itertools.combinations(languages, 2)]


def encode_tuple_sides(tuples: Sequence[AlignedTuple], aligner: WordAligner,
                       segment_texts: Mapping[str, str] | None = None) -> dict[tuple[str, str], EncodedSentence]:
    """Every distinct side ``(lang, text)`` of the multi-language tuples, tokenized and encoded once.

    With ``segment_texts`` (segment id -> text), a side's vectors are joined from its segments'
    stored pieces (each segment in its own context, as sentence alignment embedded it); without,
    the side's text is one unit.
    """
    sides: dict[tuple[str, str], list[str]] = {}
    for item in tuples:
        if len(item.languages) > 1:
            for lang in item.languages:
                parts = ([segment_texts[sid] for sid in item.segment_ids[lang]] if segment_texts is not None
                         else [item.texts[lang]])
                sides.setdefault((lang, item.texts[lang]), parts)
    if not sides:
        return {}
    keys = sorted(sides)
    encoded = aligner.encode([aligner.tokenize(text, lang) for lang, text in keys], [sides[k] for k in keys])
    return dict(zip(keys, encoded))


def pair_words(sides: Mapping[str, EncodedSentence], languages: Sequence[str],
               align: Callable[[EncodedSentence, EncodedSentence], list[tuple[int, int]]]) -> dict[Pair, PairWords]:
    """The word alignment of every language pair present in ``sides`` (lang -> encoded side)."""
    out: dict[Pair, PairWords] = {}
    for a, b in language_pairs(languages):
        if a in sides and b in sides:
            src, tgt = sides[a], sides[b]
            links = align(src, tgt)
            share_a, share_b = content_coverage(links, src.tokens, tgt.tokens, a, b)
            out[(a, b)] = PairWords(src.tokens.tokens, tgt.tokens.tokens, links, share_a, share_b)
    return out


def align_tuples(
    tuples: Sequence[AlignedTuple], languages: Sequence[str], aligner: WordAligner,
    segment_texts: Mapping[str, str] | None = None,
) -> list[dict[Pair, PairWords]]:
    """For each tuple (same order), the word alignment of every language pair it has (no refinement)."""
    encoded = encode_tuple_sides(tuples, aligner, segment_texts)
    return [pair_words({lang: encoded[(lang, item.texts[lang])] for lang in item.languages}, languages, aligner.align)
            if len(item.languages) > 1 else {}
            for item in tuples]


class WordAlignmentWriter:
    """Writes ``wordalign.a-b.txt`` and ``wordalign.a-b.src-tgt`` of every pair, a few corpus rows at a time.

    All the files are open together inside the ``with`` block, each written atomically; the rows
    passed to :meth:`write` (one word alignment per corpus row, in corpus order) are not kept.
    """

    def __init__(self, out_dir: Path, languages: Sequence[str]) -> None:
        self.out_dir = Path(out_dir)
        self.pairs = language_pairs(languages)

    def __enter__(self) -> WordAlignmentWriter:
        self._files = ExitStack()

        def open_atomic(name: str) -> IO:
            return self._files.enter_context(atomic_writer(self.out_dir / name))

        try:
            self._handles = {(a, b): (open_atomic(f"wordalign.{a}-{b}.txt"), open_atomic(f"wordalign.{a}-{b}.src-tgt"))
                             for a, b in self.pairs}
        except BaseException as error:  # discard the files already opened
            self._files.__exit__(type(error), error, error.__traceback__)
            raise
        return self

    def write(self, alignments: Iterable[dict[Pair, PairWords]]) -> None:
        for words in alignments:
            for pair, (links, bitext) in self._handles.items():
                found = words.get(pair)
                links.write((format_pharaoh(found.links) if found else "") + "\n")
                bitext.write((" ".join(found.src_tokens) + " ||| " + " ".join(found.tgt_tokens) if found else "")
                             + "\n")

    def __exit__(self, exc_type, exc, traceback) -> bool | None:
        return self._files.__exit__(exc_type, exc, traceback)
