"""The export formats, declared once: name, what it writes, the writer and how many files it makes.

:func:`aligner.export.export` selects the tuples once and hands every chosen format an
:class:`ExportJob`; the CLI's ``--format`` choices and help, the build's default formats and the
docs table come from :data:`FORMATS`. A new format is one entry here plus its writer's module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from aligner.export.corpus_tsv import write_corpus_tsv
from aligner.export.moses import write_moses
from aligner.export.selection import FileReport, Selection, all_pairs, code
from aligner.export.testset import write_testset
from aligner.export.tmx import write_tmx
from aligner.registry import Registry


@dataclass(frozen=True)
class ExportJob:
    """What every writer reads: where and under which name, the corpus's columns, and the selections."""

    out_dir: Path
    name: str
    languages: tuple[str, ...]
    scores: tuple[str, ...]
    #: ``--pairs`` (None: not given).
    pairs: list[tuple[str, str]] | None
    srclang: str | None
    #: The selection of each split: ``train`` always, ``test`` and ``dev`` when a format needs them.
    selections: Mapping[str, Selection]
    manifest: dict | None
    license: str | None

    @property
    def train(self) -> Selection:
        return self.selections["train"]


Writer = Callable[[ExportJob], dict[str, FileReport]]


@dataclass(frozen=True)
class ExportFormat:
    write: Writer
    #: How many files it writes for (``--pairs``, languages): the progress bar's total.
    files: Callable[[list | None, Sequence[str]], int]
    #: The splits it reads besides ``train``.
    splits: tuple[str, ...] = ()


def _tmx(job: ExportJob) -> dict[str, FileReport]:
    selected, rule = job.train.tuples, job.train.rule
    files = {f"{job.name}.tmx": write_tmx(job.out_dir / f"{job.name}.tmx", selected, job.languages, job.scores,
                                          srclang=job.srclang, selection_rule=rule)}
    for pair in job.pairs or ():
        target = f"{job.name}.{code(pair)}.tmx"
        files[target] = write_tmx(job.out_dir / target, selected.for_pair(pair), pair, job.scores,
                                  srclang=job.srclang, require_all=True, selection_rule=rule)
    return files


def _tsv(job: ExportJob) -> dict[str, FileReport]:
    target = f"{job.name}.filtered.tsv"
    write_corpus_tsv(job.out_dir / target, job.train.tuples, job.languages, job.scores)
    return {target: FileReport("tsv", rows=job.train.selected)}


def _moses(job: ExportJob) -> dict[str, FileReport]:
    return write_moses(job.out_dir, job.name, job.train.tuples, job.languages, job.pairs or all_pairs(job.languages))


def _records(fmt: str) -> Writer:
    """JSONL or Parquet translation records (:mod:`aligner.export.hf`; polars imported only when used)."""

    def write(job: ExportJob) -> dict[str, FileReport]:
        from aligner.export.hf import pair_score_names, write_hf

        selected = job.train.tuples
        files = {f"{job.name}.{fmt}": write_hf(job.out_dir / f"{job.name}.{fmt}", fmt, selected, job.languages,
                                                job.scores)}
        for pair in job.pairs or ():
            target = f"{job.name}.{code(pair)}.{fmt}"
            files[target] = write_hf(job.out_dir / target, fmt, selected.for_pair(pair), pair,
                                     pair_score_names(job.scores, pair), require_all=True)
        return files

    return write


def _held_out(split: str) -> Writer:
    def write(job: ExportJob) -> dict[str, FileReport]:
        return write_testset(job.out_dir, job.selections[split].tuples, job.languages, job.scores, split,
                             export_name=job.name)

    return write


def _hf(job: ExportJob) -> dict[str, FileReport]:
    from aligner.export.card import write_dataset_folder  # polars: imported only when needed

    return write_dataset_folder(job.out_dir, job.selections, job.languages, job.scores, job.manifest,
                                job.license.strip() if job.license is not None else None)


def _per_pair(pairs, languages) -> int:
    return 1 + len(pairs or ())  # NAME.<fmt> and one per --pairs pair


def _moses_files(pairs, languages) -> int:
    return 2 * len(pairs or all_pairs(languages)) + (len(languages) if len(languages) > 2 else 0)


def _held_out_files(pairs, languages) -> int:
    return len(languages) + 1


FORMATS: Registry[ExportFormat] = Registry("export format")
FORMATS.add("tmx", "NAME.tmx, TMX 1.4b with every language (with --pairs also NAME.XX-YY.tmx)",
            ExportFormat(_tmx, _per_pair))
FORMATS.add("tsv", "NAME.filtered.tsv, the selected rows of corpus.tsv", ExportFormat(_tsv, lambda p, l: 1))
FORMATS.add("moses", "NAME.XX-YY.XX / .YY line-aligned text for each pair, and NAME.ar-en-fr.* for all languages",
            ExportFormat(_moses, _moses_files))
FORMATS.add("jsonl", "NAME.jsonl, one JSON translation record a line (with --pairs also NAME.XX-YY.jsonl)",
            ExportFormat(_records("jsonl"), _per_pair))
FORMATS.add("parquet", "NAME.parquet, the same records as Parquet (with --pairs also NAME.XX-YY.parquet)",
            ExportFormat(_records("parquet"), _per_pair))
FORMATS.add("testset", "testset/, the test split: one text file per language and test.meta.tsv",
            ExportFormat(_held_out("test"), _held_out_files, ("test",)))
FORMATS.add("devset", "devset/, the dev split, laid out like testset/",
            ExportFormat(_held_out("dev"), _held_out_files, ("dev",)))
FORMATS.add("hf", "a Hugging Face dataset folder: data/{train,validation,test}.parquet and a README.md card",
            ExportFormat(_hf, lambda p, l: 4, ("test", "dev")))  # 3 splits + the card
