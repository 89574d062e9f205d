"""The word links the report shows: per language pair, the files ``wordalign.A-B.txt`` (Pharaoh
links, one line per corpus row) and ``wordalign.A-B.src-tgt`` (the tokens they index), found,
checked against corpus.tsv and read one row at a time.

A module of its own because these files are read apart from the rest of the build folder: their
line counts are checked first (a file that does not match corpus.tsv is left out with a warning),
then they are read again alongside corpus.tsv, row by row, so no tuple's links stay in memory.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aligner.model import AlignedTuple

if TYPE_CHECKING:
    from aligner.report.data import ReportData

WORDALIGN_LINKS = "wordalign.{pair}.txt"
WORDALIGN_TOKENS = "wordalign.{pair}.src-tgt"

_LINK = re.compile(r"^(\d+)-(\d+)$")


@dataclass(frozen=True)
class WordAlignment:
    """One tuple's word alignment for one language pair ``a-b``: tokens of each side and links."""

    tokens_a: tuple[str, ...]
    tokens_b: tuple[str, ...]
    links: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class WordAlignmentFiles:
    """The files of one pair's word alignment, one line per corpus row (``tokens`` None when missing)."""

    links: Path
    tokens: Path | None


def language_pairs(languages: list[str]) -> list[tuple[str, str]]:
    """Every unordered pair of languages, each written alphabetically (``ar-en, ar-fr, en-fr``)."""
    return [tuple(sorted(p)) for p in itertools.combinations(sorted(languages), 2)]


def parse_pharaoh(line: str) -> list[tuple[int, int]]:
    """``"0-0 1-2"`` -> ``[(0, 0), (1, 2)]``; raises ValueError on a malformed link."""
    links = []
    for item in line.split():
        match = _LINK.match(item)
        if not match:
            raise ValueError(f"malformed link {item!r} (expected i-j)")
        links.append((int(match.group(1)), int(match.group(2))))
    return links


def _text_lines(path: Path) -> Iterator[str]:
    """The lines of a per-row file, one at a time, without their line break (universal newlines)."""
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            yield line[:-1] if line.endswith("\n") else line


def _row_count_matches(path: Path, rows: int, pair: str, warnings: list[str]) -> bool:
    """Whether a per-row file has one line per corpus row (if not, a warning says so)."""
    lines = sum(1 for _ in _text_lines(path))
    if lines != rows:
        warnings.append(f"{path.name}: {lines} lines but corpus.tsv has {rows} rows; {pair} word links not shown")
    return lines == rows


def find_word_alignments(out_dir: Path, languages: list[str], rows: int,
                         warnings: dict[str, list[str]]) -> dict[str, WordAlignmentFiles]:
    """The word alignment files of every pair that exist and have one line per corpus row (the
    others get a warning in ``warnings[pair]``)."""
    found: dict[str, WordAlignmentFiles] = {}
    for a, b in language_pairs(languages):
        pair = f"{a}-{b}"
        notes = warnings.setdefault(pair, [])
        links_path = Path(out_dir) / WORDALIGN_LINKS.format(pair=pair)
        if not links_path.exists() or not _row_count_matches(links_path, rows, pair, notes):
            continue
        tokens_path = links_path.with_name(WORDALIGN_TOKENS.format(pair=pair))
        if not tokens_path.exists():
            notes.append(f"{tokens_path.name} missing: {pair} tokens taken as the whitespace-split texts")
            tokens_path = None
        elif not _row_count_matches(tokens_path, rows, pair, notes):
            continue
        found[pair] = WordAlignmentFiles(links_path, tokens_path)
    return found


@dataclass(frozen=True)
class RowLinks:
    """One corpus row's word alignment for one pair, as read: what the page shows and what was wrong."""

    alignment: WordAlignment | None
    dropped: int = 0
    error: str | None = None


def _row_links(item: AlignedTuple, pair: str, line: str, token_line: str | None) -> RowLinks:
    """Links that point past the end of either token list are dropped (and counted)."""
    a, b = pair.split("-")
    if token_line is not None:
        src, _, tgt = token_line.partition("|||")
        tokens_a, tokens_b = tuple(src.split()), tuple(tgt.split())
    else:
        tokens_a, tokens_b = tuple(item.texts.get(a, "").split()), tuple(item.texts.get(b, "").split())
    try:
        links = parse_pharaoh(line)
    except ValueError as err:
        return RowLinks(None, error=str(err))
    unique = set(links)
    kept = tuple(sorted((i, j) for i, j in unique if i < len(tokens_a) and j < len(tokens_b)))
    return RowLinks(WordAlignment(tokens_a, tokens_b, kept) if (tokens_a and tokens_b) else None,
                     dropped=len(unique) - len(kept))


def word_alignment_rows(data: ReportData) -> Iterator[tuple[AlignedTuple, dict[str, RowLinks]]]:
    """Each tuple, in corpus order, with its row of every pair in ``data.word_alignments``."""
    pairs = list(data.word_alignments)
    with ExitStack() as files:
        def lines(path: Path | None) -> Iterator[str | None]:
            return files.enter_context(contextlib.closing(_text_lines(path))) if path else itertools.repeat(None)

        sources = [zip(lines(data.word_alignments[pair].links), lines(data.word_alignments[pair].tokens))
                   for pair in pairs]
        for item, *rows in zip(data.corpus, *sources):
            yield item, {pair: _row_links(item, pair, line, tokens) for pair, (line, tokens) in zip(pairs, rows)}


def _add_link_warnings(data: ReportData, warnings: dict[str, list[str]]) -> None:
    """Add to ``warnings[pair]`` the pair's first malformed line and its count of links outside the token lists."""
    bad_line: dict[str, str] = {}
    dropped = dict.fromkeys(data.word_alignments, 0)
    for number, (_, rows) in enumerate(word_alignment_rows(data), start=1):
        for pair, row in rows.items():
            dropped[pair] += row.dropped
            if row.error and pair not in bad_line:
                bad_line[pair] = f"{data.word_alignments[pair].links.name} line {number}: {row.error}"
    for pair, files in data.word_alignments.items():
        if pair in bad_line:
            warnings[pair].append(f"{bad_line[pair]}; those lines' links not shown")
        if dropped[pair]:
            warnings[pair].append(f"{files.links.name}: {dropped[pair]} link(s) outside the token lists dropped")
