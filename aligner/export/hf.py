"""JSON Lines and Parquet in the Hugging Face ``translation`` layout, written with polars.

One row per tuple::

    {"id": TUID, "group": GROUP, "translation": {"ar": ..., "en": ..., "fr": ...}, "quality": 0.91, ...}

``translation`` has one string field per language, alphabetical; a language the tuple lacks is
``null`` (so the column casts to ``datasets.Translation(languages=[...])`` as it is, and
``dataset.filter(lambda r: all(r["translation"].values()))`` keeps the fully aligned rows). The
per-pair files (``NAME.xx-yy.jsonl``/``.parquet``) hold only the tuples having both languages, with
just those two fields, never null. Every score column of the corpus follows as a float column
(null when the tuple has no such score); a score whose name clashes with ``id``, ``group`` or
``translation`` is called ``score_NAME``. Lone surrogates (unencodable in UTF-8) are removed and
counted. In JSON Lines, U+0085, U+2028 and U+2029 are written as ``\\u`` escapes so that no tool
splitting lines on them can cut a record.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from aligner.export.selection import FileReport, has_text, score_value, strip_surrogates
from aligner.fileio import atomic_writer
from aligner.model import AlignedTuple

RESERVED = ("id", "group", "translation")
_JSON_LINE_BREAKS = {"\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def score_column(name: str) -> str:
    return f"score_{name}" if name in RESERVED else name


def schema(languages: Sequence[str], score_names: Sequence[str]) -> pl.Schema:
    return pl.Schema({"id": pl.String, "group": pl.String,
                      "translation": pl.Struct({lang: pl.String for lang in sorted(languages)}),
                      **{score_column(name): pl.Float64 for name in score_names}})


def translation_frame(tuples: Sequence[AlignedTuple], languages: Sequence[str], score_names: Sequence[str],
                      fmt: str, require_all: bool = False) -> tuple[pl.DataFrame, FileReport]:
    """The rows of ``tuples`` as a DataFrame, and what was cleaned or left out."""
    languages = sorted(languages)
    report = FileReport(fmt)
    rows = []
    for item in tuples:
        removed = dropped = 0
        translation: dict[str, str | None] = {}
        for lang in languages:
            raw = item.texts.get(lang, "")
            text, count = strip_surrogates(raw)
            translation[lang] = text if has_text(text) else None
            if has_text(raw):
                removed += count
                dropped += translation[lang] is None
        present = [lang for lang in languages if translation[lang] is not None]
        if not present:
            report.skip("no text")
            continue
        if require_all and len(present) < len(languages):
            report.skip(f"missing {next(lang for lang in languages if translation[lang] is None)}")
            continue
        tuid, count_id = strip_surrogates(item.tuid)
        group, count_group = strip_surrogates(item.group_id)
        report.rows += 1
        report.removed_characters += removed + count_id + count_group
        report.dropped_segments += dropped
        rows.append({"id": tuid, "group": group, "translation": translation,
                     **{score_column(name): score_value(item.scores.get(name)) for name in score_names}})
    return pl.DataFrame(rows, schema=schema(languages, score_names)), report


def write_hf(path: Path, fmt: str, tuples: Sequence[AlignedTuple], languages: Sequence[str],
             score_names: Sequence[str] = (), require_all: bool = False) -> FileReport:
    """Write ``path`` as ``jsonl`` or ``parquet``."""
    frame, report = translation_frame(tuples, languages, score_names, fmt, require_all)
    if fmt == "jsonl":
        buffer = io.BytesIO()
        frame.write_ndjson(buffer)
        text = buffer.getvalue().decode("utf-8")
        for char, escape in _JSON_LINE_BREAKS.items():
            text = text.replace(char, escape)
        with atomic_writer(path) as handle:
            handle.write(text)
    elif fmt == "parquet":
        with atomic_writer(path, "wb") as handle:
            frame.write_parquet(handle, compression="zstd", statistics=False)
    else:
        raise ValueError(f"unknown Hugging Face format {fmt!r} (jsonl or parquet)")
    return report
