"""``corpus.tsv``: one row per aligned tuple, the build's main output and the input of ``aligner export``.

Columns: ``group``, ``tuid``, one text column per language (``ar``, ``en``, ``fr``; empty where the
tuple lacks the language), ``<lang>_ids`` (space-separated segment ids), the named scores in a
fixed order, ``split`` (``train``, ``dev``, ``test``, or ``excluded``: a training row whose text is also
in dev or test, :mod:`aligner.split`) and ``keep`` (1/0). A corpus.tsv without a ``split`` column
(written before splits existed) is read as all ``train``. Tab-separated with RFC 4180 quoting, one row a line
(:mod:`aligner.export.tables`). Read back with :func:`read_corpus_tsv` (or :class:`CorpusTsv`, which
streams the rows), or with pandas, polars or ``csv`` and their defaults.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from itertools import repeat
from pathlib import Path

from aligner.errors import InputError
from aligner.export.tables import iter_tsv_rows, read_tsv_header, split_tsv_line, tsv_line, write_tsv
from aligner.fileio import atomic_writer
from aligner.model import AlignedTuple
from aligner.split import EXCLUDED, SPLITS

ID_SUFFIX = "_ids"
#: The values of the ``split`` column.
CORPUS_SPLITS = (*SPLITS, EXCLUDED)
#: Where a row is in corpus.tsv: the byte offset of its line and its line number.
RowPlace = tuple[int, int]


def score_names(tuples: Iterable[AlignedTuple]) -> list[str]:
    """Every score name used by ``tuples``, in column order (:func:`score_column_order`)."""
    names: dict[str, None] = {}
    for item in tuples:
        names.update(dict.fromkeys(item.scores))
    return score_column_order(list(names))


def score_column_order(names: Sequence[str]) -> list[str]:
    """Score names given in order of first appearance, in column order: per-pair scores (``ar-en.cos``)
    first, pairs in alphabetical order, components in order of first appearance; then the tuple
    scores (``consistency``, ``quality``)."""
    order = {name: k for k, name in enumerate(names)}
    components = {name.partition(".")[2]: order[name] for name in reversed(names) if "." in name}

    def key(name: str) -> tuple:
        pair, dot, component = name.partition(".")
        return (0, pair, components[component]) if dot else (1, "", order[name])

    return sorted(names, key=key)


def format_score(value: float | None) -> str:
    """Scores with 4 decimals, for reading (TMX properties, test sets); missing or NaN: an empty cell."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:.4f}"


def exact_score(value: float | None) -> str:
    """Scores as corpus.tsv stores them: the shortest text that reads back as the same float, so
    ``filter`` and ``export`` select from the very values the build selected from."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return repr(float(value))


def corpus_header(languages: Sequence[str], scores: Sequence[str]) -> list[str]:
    return ["group", "tuid", *languages, *(f"{lang}{ID_SUFFIX}" for lang in languages), *scores, "split", "keep"]


def _leading_cells(item: AlignedTuple, languages: Sequence[str]) -> list[str]:
    """The cells before the scores: group, tuid, the texts, the segment ids."""
    return [item.group_id, item.tuid,
            *(item.texts.get(lang, "") for lang in languages),
            *(" ".join(item.segment_ids.get(lang, ())) for lang in languages)]


def write_corpus_tsv(path: Path, tuples: Iterable[AlignedTuple], languages: Sequence[str],
                     scores: Sequence[str] | None = None, splits: Iterable[str] | None = None) -> None:
    """``scores``: the score columns, in order (default: :func:`score_names` of ``tuples``, which then
    must be a collection: it is read twice). ``splits``: each tuple's split, in order (default: ``train``)."""
    scores = list(scores) if scores is not None else score_names(tuples)
    rows = ([*_leading_cells(item, languages), *(exact_score(item.scores.get(name)) for name in scores), split,
             item.keep] for item, split in zip(tuples, repeat("train") if splits is None else splits))
    write_tsv(path, corpus_header(languages, scores), rows)


class CorpusTsvWriter:
    """Writes corpus.tsv a few tuples at a time (a build's groups as they finish), holding none of them.

    The score columns are known only once every tuple has been seen, so rows first go to a part
    file beside ``path`` with their score cells in order of first appearance: a row has a cell for
    every score name seen up to and including it, and names that first appear later are missing
    from it (empty cells). Leaving the ``with`` block writes ``path`` atomically: the header, then
    each row with its score cells moved to their columns; the bytes are those of
    :func:`write_corpus_tsv` on all the tuples. An error leaves ``path`` untouched.
    """

    def __init__(self, path: Path, languages: Sequence[str]) -> None:
        self.path = Path(path)
        self.languages = list(languages)
        self.rows = 0
        self._names: dict[str, int] = {}  # score name -> its place in order of first appearance

    def __enter__(self) -> CorpusTsvWriter:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, part = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".rows", dir=self.path.parent)
        self._part_path = Path(part)
        self._part = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        return self

    def write(self, tuples: Iterable[AlignedTuple], splits: Iterable[str] | None = None) -> None:
        """``splits``: each tuple's split, in order (default: ``train``)."""
        for item, split in zip(tuples, repeat("train") if splits is None else splits):
            for name in item.scores:
                self._names.setdefault(name, len(self._names))
            self._part.write(tsv_line([*_leading_cells(item, self.languages),
                                       *(exact_score(item.scores.get(name)) for name in self._names), split,
                                       item.keep]))
            self.rows += 1

    def __exit__(self, exc_type, exc, traceback) -> None:
        try:
            self._part.close()
            if exc_type is None:
                self._assemble()
        finally:
            self._part_path.unlink(missing_ok=True)

    def _assemble(self) -> None:
        columns = score_column_order(list(self._names))
        leading = 2 + 2 * len(self.languages)
        places = [self._names[name] for name in columns]
        with atomic_writer(self.path) as out, open(self._part_path, encoding="utf-8", newline="\n") as part:
            out.write(tsv_line(corpus_header(self.languages, columns)))
            for line in part:
                cells = split_tsv_line(line[:-1])
                scores = cells[leading:-2]
                moved = [scores[k] if k < len(scores) else "" for k in places]
                out.write(tsv_line([*cells[:leading], *moved, *cells[-2:]]))


class CorpusTsv:
    """A corpus.tsv whose header is checked when opened and whose tuples are read on each iteration.

    Every iteration reads the file again, one row at a time: several writers can each make their
    pass without the corpus ever being in memory. A malformed row is an :class:`InputError` when
    the iteration reaches it.
    """

    def __init__(self, path: Path) -> None:
        path = Path(path)
        if not path.is_file():
            raise InputError(path, "no such file (run `aligner build` first)")
        header = read_tsv_header(path, ("group", "tuid", "keep"), "corpus.tsv")
        if header[:2] != ["group", "tuid"] or header[-1] != "keep":
            raise InputError(path, "not a corpus.tsv: header must start with group, tuid and end with keep")
        languages = [name[: -len(ID_SUFFIX)] for name in header if name.endswith(ID_SUFFIX)]
        if header[2: 2 + len(languages)] != languages:
            raise InputError(path, "not a corpus.tsv: text columns must precede their _ids columns")
        self.path = path
        self.header = header
        self.languages = languages
        #: Whether the file has a ``split`` column (without one every row is ``train``).
        self.has_split = header[-2:] == ["split", "keep"]
        #: The score columns, in order.
        self.scores = header[2 + 2 * len(languages): -2 if self.has_split else -1]

    def __iter__(self) -> Iterator[AlignedTuple]:
        return (item for _, _, item in self._parsed())

    def rows(self, start: RowPlace | None = None) -> Iterator[tuple[RowPlace, AlignedTuple]]:
        """Each tuple with its place in the file, from the first row or from ``start`` (a place given before)."""
        return ((place, item) for place, _, item in self._parsed(start))

    def split_rows(self) -> Iterator[tuple[str, AlignedTuple]]:
        """Each tuple with its split."""
        return ((split, item) for _, split, item in self._parsed())

    def in_split(self, split: str) -> SplitTuples:
        """The tuples of one split, read from the file on each iteration."""
        return SplitTuples(self, split)

    def _parsed(self, start: RowPlace | None = None) -> Iterator[tuple[RowPlace, str, AlignedTuple]]:
        n = len(self.languages)
        end = -2 if self.has_split else -1
        for number, offset, cells in iter_tsv_rows(self.path, len(self.header), "corpus.tsv", start):
            texts = dict(zip(self.languages, cells[2: 2 + n]))
            ids = {lang: tuple(cell.split()) for lang, cell in zip(self.languages, cells[2 + n: 2 + 2 * n])}
            try:
                values = {name: float(cell) for name, cell in zip(self.scores, cells[2 + 2 * n: end]) if cell}
            except ValueError as err:
                raise InputError(self.path, f"line {number}: {err}") from None
            if cells[-1] not in ("0", "1"):
                raise InputError(self.path, f"line {number}: keep must be 0 or 1, got {cells[-1]!r}")
            split = cells[-2] if self.has_split else "train"
            if split not in CORPUS_SPLITS:
                raise InputError(self.path, f"line {number}: split must be one of {', '.join(CORPUS_SPLITS)}, "
                                            f"got {split!r}")
            yield (offset, number), split, AlignedTuple(cells[0], cells[1], ids, texts, values, cells[-1] == "1")


class SplitTuples:
    """The tuples of one split of a :class:`CorpusTsv`, filtered each time it is iterated."""

    def __init__(self, corpus: CorpusTsv, split: str) -> None:
        self.corpus, self.split = corpus, split

    def __iter__(self) -> Iterator[AlignedTuple]:
        return (item for split, item in self.corpus.split_rows() if split == self.split)


def read_corpus_tsv(path: Path) -> tuple[list[str], list[AlignedTuple]]:
    """Read a corpus.tsv back: its languages and its tuples (scores as floats, missing ones left out)."""
    corpus = CorpusTsv(path)
    return corpus.languages, list(corpus)
