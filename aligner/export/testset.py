"""Held-out sets for evaluating MT systems: ``testset/test.LANG`` plus ``testset/test.meta.tsv`` (the
``test`` split), and ``devset/dev.LANG`` plus ``devset/dev.meta.tsv`` (the ``dev`` split), same layout.
Exported under another name (``aligner export --name kz``) the folders are ``kz.testset/`` and ``kz.devset/``,
with the same files inside, so ``aligner evaluate --testset OUT_DIR/kz.testset`` reads them.

Only selected tuples of the split that have every language of the corpus; line *n* of each ``test.LANG`` is
the same tuple, one segment per line (same cleaning as the Moses files). ``test.meta.tsv`` has one
row per line: ``line`` (1-based), ``tuid``, ``group``, ``LANG_documents`` and ``LANG_segments`` for
each language (space-separated ids), then every score column of the corpus (4 decimals, empty when
missing). Read it with ``polars.read_csv(path, separator="\\t")`` (the TSV convention of :mod:`aligner.export.tables`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from pathlib import Path

from aligner.export.corpus_tsv import format_score
from aligner.export.moses import aligned_lines
from aligner.export.selection import FileReport, documents_of
from aligner.export.tables import tsv_line
from aligner.fileio import atomic_writer
from aligner.model import AlignedTuple

def meta_columns(languages: Sequence[str], score_names: Sequence[str]) -> list[str]:
    languages = sorted(languages)
    return ["line", "tuid", "group", *(f"{lang}_documents" for lang in languages),
            *(f"{lang}_segments" for lang in languages), *score_names]


#: The exports' default file-name stem (``corpus.tmx``, ...), under which the held-out folders keep their plain names.
DEFAULT_NAME = "corpus"


def folder_name(split: str, name: str = DEFAULT_NAME) -> str:
    """``testset`` for ``test``, ``devset`` for ``dev``; ``NAME.testset``, ``NAME.devset`` under another name."""
    return f"{split}set" if name == DEFAULT_NAME else f"{name}.{split}set"


def write_testset(out_dir: Path, tuples: Iterable[AlignedTuple], languages: Sequence[str],
                  score_names: Sequence[str] = (), split: str = "test",
                  export_name: str = DEFAULT_NAME) -> dict[str, FileReport]:
    """Write ``out_dir/<split>set/`` (``NAME.<split>set/`` for another ``export_name``) from ``tuples`` (those
    of ``split``), one tuple at a time; returns ``{path relative to out_dir: report}``."""
    name = folder_name(split, export_name)
    folder = Path(out_dir) / name
    languages = sorted(languages)
    reports = {lang: FileReport(name) for lang in languages}
    meta = FileReport(name)
    with ExitStack() as stack:
        handles = {lang: stack.enter_context(atomic_writer(folder / f"{split}.{lang}")) for lang in languages}
        meta_file = stack.enter_context(atomic_writer(folder / f"{split}.meta.tsv"))
        meta_file.write(tsv_line(meta_columns(languages, score_names)))
        for number, (item, lines) in enumerate(aligned_lines(tuples, languages, reports), start=1):
            for lang in languages:
                handles[lang].write(lines[lang] + "\n")
            ids = {lang: item.segment_ids.get(lang, ()) for lang in languages}
            meta_file.write(tsv_line([number, item.tuid, item.group_id,
                                      *(" ".join(documents_of(ids[lang])) for lang in languages),
                                      *(" ".join(ids[lang]) for lang in languages),
                                      *(format_score(item.scores.get(name)) for name in score_names)]))
            meta.rows = number
    meta.skipped = dict(reports[languages[0]].skipped)
    written = {f"{name}/{split}.{lang}": reports[lang] for lang in languages}
    written[f"{name}/{split}.meta.tsv"] = meta
    return written
