"""Word alignment of a corpus: every tuple, every language pair present, one encoder pass per tuple side.

The build calls :func:`align_tuples` after sentence alignment. Each distinct tuple side (the
joined text of one language) is tokenized and encoded once, in batches sorted by length, even
though it takes part in two pairs; the links of each pair come from matching the stored vectors.
:func:`write_word_alignments` writes, per pair ``a-b`` (alphabetical), ``wordalign.a-b.txt``
(Pharaoh links, 0-based, one line per corpus row, empty when the tuple lacks a or b) and beside it
``wordalign.a-b.src-tgt`` (``a tokens ||| b tokens``, the tokens the links index).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

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


def align_tuples(
    tuples: Sequence[AlignedTuple], languages: Sequence[str], aligner: WordAligner
) -> list[dict[Pair, PairWords]]:
    """For each tuple (same order), the word alignment of every language pair it has."""
    sides = sorted({(lang, t.texts[lang]) for t in tuples if len(t.languages) > 1 for lang in t.languages})
    encoded: dict[tuple[str, str], EncodedSentence] = {}
    if sides:
        tokens = [aligner.tokenize(text, lang) for lang, text in sides]
        encoded = dict(zip(sides, aligner.encode(tokens)))
    out = []
    for item in tuples:
        words: dict[Pair, PairWords] = {}
        for a, b in language_pairs(languages):
            if a in item.languages and b in item.languages:
                src, tgt = encoded[(a, item.texts[a])], encoded[(b, item.texts[b])]
                links = aligner.align(src, tgt)
                share_a, share_b = content_coverage(links, src.tokens, tgt.tokens, a, b)
                words[(a, b)] = PairWords(src.tokens.tokens, tgt.tokens.tokens, links, share_a, share_b)
        out.append(words)
    return out


def write_word_alignments(out_dir: Path, languages: Sequence[str], alignments: Sequence[dict[Pair, PairWords]]) -> None:
    """``wordalign.a-b.txt`` and ``wordalign.a-b.src-tgt`` per pair, one line per corpus row."""
    for a, b in language_pairs(languages):
        name = f"wordalign.{a}-{b}"
        with atomic_writer(Path(out_dir) / f"{name}.txt") as links, \
                atomic_writer(Path(out_dir) / f"{name}.src-tgt") as bitext:
            for words in alignments:
                pair = words.get((a, b))
                links.write((format_pharaoh(pair.links) if pair else "") + "\n")
                bitext.write((" ".join(pair.src_tokens) + " ||| " + " ".join(pair.tgt_tokens) if pair else "") + "\n")
