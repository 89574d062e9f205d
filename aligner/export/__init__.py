"""Exports researchers can use directly, made from ``OUT_DIR/corpus.tsv`` (see docs/formats.md).

:func:`export` reads the corpus, selects tuples (``keep`` flag, or ``quality >= min_quality``),
takes each file's split (training files: ``train``; ``testset/``: ``test``; ``devset/``: ``dev``;
rows of split ``excluded`` nowhere, :mod:`aligner.split`), and writes each requested format into the same folder, atomically and deterministically. The
corpus is streamed (each writer reads corpus.tsv again), so memory does not grow with it, except
for Parquet, which holds the selected rows as Arrow columns (:mod:`aligner.export.hf`).

========== =====================================================================================
format     files
========== =====================================================================================
tmx        ``NAME.tmx`` (every language); with ``pairs`` also ``NAME.xx-yy.tmx``       (train)
tsv        ``NAME.filtered.tsv`` (corpus.tsv layout, selected tuples only)
moses      ``NAME.xx-yy.xx`` + ``NAME.xx-yy.yy`` per pair (default: every pair), ``NAME.ar-en-fr.*``
jsonl      ``NAME.jsonl`` (Hugging Face translation layout); with ``pairs`` also ``NAME.xx-yy.jsonl``
parquet    ``NAME.parquet``; with ``pairs`` also ``NAME.xx-yy.parquet``
testset    ``testset/test.LANG`` + ``testset/test.meta.tsv`` (test, tuples with every language; ``NAME.testset/``
           when ``name`` is not ``corpus``)
devset     ``devset/dev.LANG`` + ``devset/dev.meta.tsv`` (dev, tuples with every language; ``NAME.devset/``)
hf         ``data/{train,validation,test}.parquet`` + ``README.md``: a Hugging Face dataset folder
           (train, dev, test; the card from ``build.json``, :mod:`aligner.export.card`)
========== =====================================================================================

Everything is checked (corpus readable, formats, pairs, source language, quality column) before
the first file is written, so bad input leaves the folder untouched.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from aligner.errors import InputError
from aligner.export.corpus_tsv import CorpusTsv, write_corpus_tsv
from aligner.export.moses import write_moses
from aligner.export.selection import (
    FileReport,
    all_pairs,
    check_min_quality,
    code,
    parse_pairs,
    select_tuples,
)
from aligner.export.testset import DEFAULT_NAME, write_testset
from aligner.export.tmx import write_tmx
from aligner.progress import CountedFiles, Progress

CORPUS_FILE = "corpus.tsv"
#: Every export format and what it writes (docs/formats.md): the one list the CLI's choices and help come from.
FORMAT_DESCRIPTIONS: dict[str, str] = {
    "tmx": "NAME.tmx, TMX 1.4b with every language (with --pairs also NAME.XX-YY.tmx)",
    "tsv": "NAME.filtered.tsv, the selected rows of corpus.tsv",
    "moses": "NAME.XX-YY.XX / .YY line-aligned text for each pair, and NAME.ar-en-fr.* for all languages",
    "jsonl": "NAME.jsonl, one JSON translation record a line (with --pairs also NAME.XX-YY.jsonl)",
    "parquet": "NAME.parquet, the same records as Parquet (with --pairs also NAME.XX-YY.parquet)",
    "testset": "testset/, the test split: one text file per language and test.meta.tsv",
    "devset": "devset/, the dev split, laid out like testset/",
    "hf": "a Hugging Face dataset folder: data/{train,validation,test}.parquet and a README.md card",
}
FORMATS = tuple(FORMAT_DESCRIPTIONS)
#: The held-out formats and the split each one holds.
HELD_OUT = {"testset": "test", "devset": "dev"}
DEFAULT_FORMATS = FORMATS
"""What ``aligner build`` exports: every format (a few small files each; Moses for every pair)."""

__all__ = ["CORPUS_FILE", "DEFAULT_FORMATS", "FORMATS", "FORMAT_DESCRIPTIONS", "export", "format_report",
           "parse_formats"]


def parse_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    """Format names (a comma list or an iterable of them; ``all`` for every one), in :data:`FORMATS` order."""
    items = [formats] if isinstance(formats, str) else list(formats)
    names = {part.strip().lower() for item in items for part in item.split(",") if part.strip()}
    if "all" in names:
        names = (names - {"all"}) | set(FORMATS)
    unknown = sorted(names - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown export format {', '.join(unknown)} (choose from {', '.join(FORMATS)}, all)")
    if not names:
        raise ValueError(f"no export format given (choose from {', '.join(FORMATS)}, all)")
    return tuple(name for name in FORMATS if name in names)


def _check_name(name: str) -> str:
    if not name or name in (".", "..") or name.startswith(".") or any(c in name for c in "/\\\0"):
        raise ValueError(f"output name {name!r}: give a plain file-name stem such as 'corpus'")
    return name


def export(out_dir: Path | str, formats: str | Iterable[str] = DEFAULT_FORMATS,
           pairs: str | Iterable[str | Sequence[str]] | None = None, min_quality: float | None = None,
           name: str = DEFAULT_NAME, srclang: str | None = None, license: str | None = None) -> dict:
    """Write the requested exports of ``out_dir/corpus.tsv`` into ``out_dir``.

    ``pairs``: language pairs ("ar-en,en-fr" or a list) for the per-pair TMX/JSONL/Parquet files and
    the Moses sets (Moses default: every pair). ``min_quality``: select by the ``quality`` score
    instead of the ``keep`` flag. ``srclang``: the TMX header's source language (default ``*all*``).
    ``license``: the dataset card's (default: build.json's ``license`` option, else ``unknown``).

    Returns a JSON-ready dict: ``corpus``, ``languages``, ``formats``, ``selection`` (of the
    training split: ``rule``, ``tuples``, ``selected``, ``dropped`` by reason), ``held_out`` (the
    same for ``test`` and ``dev``, when their formats are chosen) and ``files``: for each file written, by path
    relative to ``out_dir``, its ``format``, ``rows``, ``skipped`` tuples by reason,
    ``removed_characters``, ``replaced_characters`` and ``dropped_segments``.
    Raises :class:`InputError` for an unusable corpus and ValueError for bad arguments, before
    writing anything.
    """
    out_dir = Path(out_dir)
    corpus = out_dir / CORPUS_FILE
    chosen = parse_formats(formats)
    name = _check_name(name)
    if min_quality is not None:
        min_quality = check_min_quality(min_quality)
    if not out_dir.is_dir():
        raise InputError(out_dir, "no such folder (run `aligner build --out OUT_DIR` first)")
    corpus_tsv = CorpusTsv(corpus)
    languages = corpus_tsv.languages
    if not languages:
        raise InputError(corpus, "has no language columns")
    if any(lang != lang.strip() or not lang or any(c in lang for c in "-/\\.") for lang in languages):
        raise InputError(corpus, f"unusable language column names: {', '.join(map(repr, languages))}")
    if len(set(languages)) != len(languages):
        raise InputError(corpus, "a language column appears twice")
    scores = corpus_tsv.scores
    pair_list = parse_pairs(pairs, languages)
    if srclang is not None and srclang not in languages:
        raise ValueError(f"source language {srclang!r} is not in the corpus (it has {', '.join(languages)})")
    selection = select_tuples(corpus_tsv.in_split("train"), scores, min_quality, corpus)
    if license is not None and not license.strip():
        raise ValueError("license: give a name such as cc-by-4.0, or leave it out (unknown)")
    if "hf" in chosen:
        from aligner.export.card import read_manifest, write_dataset_folder  # polars: imported only when needed

        manifest = read_manifest(out_dir)
    held_out = {split: select_tuples(corpus_tsv.in_split(split), scores, min_quality, corpus)
                for fmt, split in HELD_OUT.items() if fmt in chosen or "hf" in chosen}  # hf: every split
    selected = selection.tuples  # each writer reads corpus.tsv again: the corpus is never all in memory

    # a bar on a terminal (none otherwise), advanced by each file written
    files: dict[str, FileReport] = CountedFiles(Progress("export", _planned_files(chosen, pair_list, languages),
                                                         "files", log_done=False))
    if "tmx" in chosen:
        files[f"{name}.tmx"] = write_tmx(out_dir / f"{name}.tmx", selected, languages, scores,
                                         srclang=srclang, selection_rule=selection.rule)
        for pair in pair_list or ():
            target = f"{name}.{code(pair)}.tmx"
            files[target] = write_tmx(out_dir / target, selected.for_pair(pair), pair, scores, srclang=srclang,
                                      require_all=True, selection_rule=selection.rule)
    if "tsv" in chosen:
        target = f"{name}.filtered.tsv"
        write_corpus_tsv(out_dir / target, selected, languages, scores)
        files[target] = FileReport("tsv", rows=selection.selected)
    if "moses" in chosen:
        files.update(write_moses(out_dir, name, selected, languages, pair_list or all_pairs(languages)))
    for fmt in ("jsonl", "parquet"):
        if fmt in chosen:
            from aligner.export.hf import pair_score_names, write_hf  # polars: imported only when needed

            files[f"{name}.{fmt}"] = write_hf(out_dir / f"{name}.{fmt}", fmt, selected, languages, scores)
            for pair in pair_list or ():
                target = f"{name}.{code(pair)}.{fmt}"
                files[target] = write_hf(out_dir / target, fmt, selected.for_pair(pair), pair, pair_score_names(scores, pair),
                                         require_all=True)
    for fmt, split in HELD_OUT.items():
        if fmt in chosen:
            files.update(write_testset(out_dir, held_out[split].tuples, languages, scores, split, export_name=name))
    if "hf" in chosen:
        files.update(write_dataset_folder(out_dir, {"train": selection, **held_out}, languages, scores, manifest,
                                          license.strip() if license is not None else None))
    return {"corpus": str(corpus), "languages": list(languages), "formats": list(chosen),
            "selection": selection.as_dict(),
            "held_out": {split: held_out[split].as_dict() for fmt, split in HELD_OUT.items() if fmt in chosen},
            "files": {path: report.as_dict() for path, report in files.items()}}


def _planned_files(chosen: Sequence[str], pairs, languages: Sequence[str]) -> int:
    """How many files :func:`export` writes for these formats (the progress bar's total)."""
    per_pair = 1 + len(pairs or ())  # NAME.<fmt> and one per --pairs pair
    moses = 2 * len(pairs or all_pairs(languages)) + (len(languages) if len(languages) > 2 else 0)
    counts = {"tmx": per_pair, "tsv": 1, "moses": moses, "jsonl": per_pair, "parquet": per_pair,
              "testset": len(languages) + 1, "devset": len(languages) + 1, "hf": 4}  # hf: 3 splits + card
    return sum(counts[fmt] for fmt in chosen)


def format_report(result: dict) -> str:
    """A few readable lines about an :func:`export` result (what was selected, written, dropped)."""
    selection = result["selection"]
    dropped = "".join(f"; {reason} {count}" for reason, count in selection["dropped"].items())
    lines = [f"[export] {result['corpus']}: {selection['tuples']} train tuples, {selection['selected']} selected "
             f"({selection['rule']}){dropped}"]
    for split, held in result["held_out"].items():
        lines.append(f"[export] {split}: {held['tuples']} tuples, {held['selected']} selected")
    for path, info in result["files"].items():
        notes = []
        if info["skipped"]:
            notes.append("skipped: " + ", ".join(f"{reason} {count}" for reason, count in info["skipped"].items()))
        for key, label in (("removed_characters", "characters removed"),
                           ("replaced_characters", "line breaks replaced"),
                           ("dropped_segments", "segments emptied")):
            if info[key]:
                notes.append(f"{label}: {info[key]}")
        rows = f"{info['rows']} row" + ("" if info["rows"] == 1 else "s")
        lines.append(f"[export] {path}: {rows}" + (f" ({'; '.join(notes)})" if notes else ""))
    return "\n".join(lines)
