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

import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from aligner.errors import InputError
from aligner.export.corpus_tsv import CorpusTsv
from aligner.export.formats import FORMATS, ExportJob
from aligner.export.selection import FileReport, check_min_quality, parse_pairs, select_tuples
from aligner.export.testset import DEFAULT_NAME
from aligner.progress import CountedFiles, Progress
from aligner.score.selection import SelectOptions

CORPUS_FILE = "corpus.tsv"
#: What ``aligner build`` exports: every format (a few small files each; Moses for every pair).
DEFAULT_FORMATS = FORMATS.names()

__all__ = ["CORPUS_FILE", "DEFAULT_FORMATS", "FORMATS", "export", "format_report", "parse_formats"]


def parse_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    """Format names (a comma list or an iterable of them; ``all`` for every one), in :data:`FORMATS` order."""
    items = [formats] if isinstance(formats, str) else list(formats)
    names = {part.strip().lower() for item in items for part in item.split(",") if part.strip()}
    known = FORMATS.names()
    if "all" in names:
        names = (names - {"all"}) | set(known)
    unknown = sorted(names - set(known))
    if unknown:
        raise ValueError(f"unknown export format {', '.join(unknown)} (choose from {', '.join(known)}, all)")
    if not names:
        raise ValueError(f"no export format given (choose from {', '.join(known)}, all)")
    return tuple(name for name in known if name in names)


def _check_name(name: str) -> str:
    if not name or name in (".", "..") or name.startswith(".") or any(c in name for c in "/\\\0"):
        raise ValueError(f"output name {name!r}: give a plain file-name stem such as 'corpus'")
    return name


def build_select_options(out_dir: Path) -> SelectOptions:
    """The keep rule's knobs of the build that wrote ``out_dir`` (its build.json), else the defaults."""
    from aligner.manifest import manifest_config

    path = out_dir / "build.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return SelectOptions()
    except (OSError, ValueError) as exc:
        raise InputError(path, f"cannot be read: {exc}") from None
    return manifest_config(manifest, path).select if "config" in manifest else SelectOptions()


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
    rule = None if min_quality is None else replace(build_select_options(out_dir), min_quality=min_quality)
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
    if license is not None and not license.strip():
        raise ValueError("license: give a name such as cc-by-4.0, or leave it out (unknown)")
    splits = ["train", *dict.fromkeys(split for fmt in chosen for split in FORMATS[fmt].make.splits)]
    # each selection is counted here, before any file is written; each writer reads corpus.tsv again
    selections = {split: select_tuples(corpus_tsv.in_split(split), scores, rule, corpus) for split in splits}
    manifest = None
    if "hf" in chosen:
        from aligner.export.card import read_manifest  # polars: imported only when needed

        manifest = read_manifest(out_dir)
    job = ExportJob(out_dir, name, tuple(languages), tuple(scores), pair_list, srclang, selections, manifest,
                    license)
    # a bar on a terminal (none otherwise), advanced by each file written
    planned = sum(FORMATS[fmt].make.files(pair_list, languages) for fmt in chosen)
    files: dict[str, FileReport] = CountedFiles(Progress("export", planned, "files", log_done=False))
    for fmt in chosen:
        files.update(FORMATS[fmt].make.write(job))
    return {"corpus": str(corpus), "languages": list(languages), "formats": list(chosen),
            "selection": selections["train"].as_dict(),
            "held_out": {split: selections[split].as_dict() for split in splits[1:]},
            "files": {path: report.as_dict() for path, report in files.items()}}


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
