"""Moses-style plain text: ``NAME.xx-yy.xx`` / ``NAME.xx-yy.yy`` per language pair, ``NAME.ar-en-fr.*`` for all.

Line *n* of every file of one set is the same tuple; a set holds only the tuples that have every one
of its languages, so there are no empty lines. One segment per line: each run of line-break
characters inside a segment (everything ``str.splitlines`` breaks on: LF, CR, VT, FF, FS, GS, RS,
NEL, U+2028, U+2029) becomes one space, lone surrogates are removed; both are counted per file in
the returned :class:`FileReport`. Language codes in names are alphabetical.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path

from aligner.export.selection import FileReport, SelectedTuples, code, has_text, one_line
from aligner.fileio import atomic_writer
from aligner.model import AlignedTuple


def aligned_lines(tuples: Iterable[AlignedTuple], languages: Sequence[str],
                  reports: dict[str, FileReport]) -> Iterator[tuple[AlignedTuple, dict[str, str]]]:
    """Each tuple that has every one of ``languages``, with its one-line text per language.

    ``reports[lang]`` gets the counts of that language's file; tuples left out are counted as
    skipped in every report (``missing LANG``, or ``no text`` when none of ``languages`` is present).
    """
    for item in tuples:
        lines, counts = {}, {}
        for lang in languages:
            text, removed, replaced = one_line(item.texts.get(lang, ""))
            if has_text(text):
                lines[lang] = text
                counts[lang] = (removed, replaced)
        if len(lines) < len(languages):
            missing = next(lang for lang in languages if lang not in lines)
            reason = f"missing {missing}" if lines else "no text"
            for report in reports.values():
                report.skip(reason)
            continue
        for lang, (removed, replaced) in counts.items():
            reports[lang].rows += 1
            reports[lang].removed_characters += removed
            reports[lang].replaced_characters += replaced
        yield item, lines


def parallel_names(name: str, languages: Sequence[str]) -> dict[str, str]:
    """``{lang: file name}`` of one parallel set, e.g. ``corpus.ar-en.ar``."""
    languages = sorted(languages)
    return {lang: f"{name}.{code(languages)}.{lang}" for lang in languages}


def write_parallel(out_dir: Path, name: str, tuples: Iterable[AlignedTuple],
                   languages: Sequence[str]) -> dict[str, FileReport]:
    """Write one parallel set (a pair or more languages); returns ``{file name: report}``."""
    languages = sorted(languages)
    names = parallel_names(name, languages)
    reports = {lang: FileReport("moses") for lang in languages}
    with ExitStack() as stack:
        handles = {lang: stack.enter_context(atomic_writer(Path(out_dir) / names[lang])) for lang in languages}
        for _item, lines in aligned_lines(tuples, languages, reports):
            for lang in languages:
                handles[lang].write(lines[lang] + "\n")
    return {names[lang]: reports[lang] for lang in languages}


def write_moses(out_dir: Path, name: str, tuples: SelectedTuples, languages: Sequence[str],
                pairs: Sequence[tuple[str, str]]) -> dict[str, FileReport]:
    """One set per pair (the rows whose pair is kept), then (with three or more languages) the set
    of every language (the rows kept as a whole).

    ``tuples`` is read once per set.
    """
    written: dict[str, FileReport] = {}
    for pair in pairs:
        written.update(write_parallel(out_dir, name, tuples.for_pair(pair), pair))
    if len(languages) > 2:
        written.update(write_parallel(out_dir, name, tuples, languages))
    return written
