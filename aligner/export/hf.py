"""JSON Lines and Parquet in the Hugging Face ``translation`` layout, written with polars.

One row per tuple::

    {"id": TUID, "group": GROUP, "translation": {"ar": ..., "en": ..., "fr": ...}, "quality": 0.91, ...}

``translation`` has one string field per language, alphabetical; a language the tuple lacks is
``null`` (so the column casts to ``datasets.Translation(languages=[...])`` as it is, and
``dataset.filter(lambda r: all(r["translation"].values()))`` keeps the fully aligned rows). The
per-pair files (``NAME.xx-yy.jsonl``/``.parquet``) hold only the tuples having both languages, with
just those two fields, never null. The score columns follow as float columns (null when the tuple
has no such score): every score of the corpus in the multilingual file, only the pair's own
(``xx-yy.*``) and the tuple-level ones in a per-pair file (:func:`pair_score_names`), only the
tuple-level ones in the dataset folder's split files (:func:`tuple_score_names`). A score whose
name clashes with ``id``, ``group`` or ``translation`` is called ``score_NAME``. Lone surrogates (unencodable in UTF-8) are removed and
counted. In JSON Lines, U+0085, U+2028 and U+2029 are written as ``\\u`` escapes so that no tool
splitting lines on them can cut a record.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import polars as pl

from aligner.export.selection import FileReport, code, has_text, score_value, strip_surrogates
from aligner.fileio import atomic_writer
from aligner.model import AlignedTuple

RESERVED = ("id", "group", "translation")
_JSON_LINE_BREAKS = {"\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}
#: Rows turned into one DataFrame at a time: the Python row dicts never hold the whole corpus.
BATCH_ROWS = 1024


def tuple_score_names(score_names: Sequence[str]) -> list[str]:
    """The scores of a whole tuple (``consistency``, ``quality``, the flags), not of one pair (``ar-en.cos``)."""
    return [name for name in score_names if "." not in name]


def pair_score_names(score_names: Sequence[str], pair: Sequence[str]) -> list[str]:
    """The scores a file of one pair carries: that pair's (``ar-en.*``) and the tuple-level ones, in order;
    another pair's scores are always null in it."""
    prefix = f"{code(pair)}."
    return [name for name in score_names if "." not in name or name.startswith(prefix)]


def score_column(name: str) -> str:
    return f"score_{name}" if name in RESERVED else name


def schema(languages: Sequence[str], score_names: Sequence[str]) -> pl.Schema:
    return pl.Schema({"id": pl.String, "group": pl.String,
                      "translation": pl.Struct({lang: pl.String for lang in sorted(languages)}),
                      **{score_column(name): pl.Float64 for name in score_names}})


def translation_frames(tuples: Iterable[AlignedTuple], languages: Sequence[str], score_names: Sequence[str],
                       report: FileReport, require_all: bool = False) -> Iterator[pl.DataFrame]:
    """The rows of ``tuples`` as DataFrames of at most :data:`BATCH_ROWS` rows; ``report`` counts what
    was cleaned or left out."""
    languages = sorted(languages)
    frame_schema = schema(languages, score_names)
    rows = _translation_rows(tuples, languages, score_names, report, require_all)
    while batch := list(itertools.islice(rows, BATCH_ROWS)):
        yield pl.DataFrame(batch, schema=frame_schema)


def _translation_rows(tuples: Iterable[AlignedTuple], languages: list[str], score_names: Sequence[str],
                      report: FileReport, require_all: bool) -> Iterator[dict]:
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
        yield {"id": tuid, "group": group, "translation": translation,
               **{score_column(name): score_value(item.scores.get(name)) for name in score_names}}


def write_hf(path: Path, fmt: str, tuples: Iterable[AlignedTuple], languages: Sequence[str],
             score_names: Sequence[str] = (), require_all: bool = False) -> FileReport:
    """Write ``path`` as ``jsonl`` (a batch of rows at a time) or ``parquet``.

    Parquet keeps every batch, as Arrow columns (a fraction of the size of the same rows as Python
    objects), and writes them as one row group: the file is the one a single DataFrame of every
    row gives, byte for byte.
    """
    if fmt not in ("jsonl", "parquet"):
        raise ValueError(f"unknown Hugging Face format {fmt!r} (jsonl or parquet)")
    report = FileReport(fmt)
    frames = translation_frames(tuples, languages, score_names, report, require_all)
    if fmt == "jsonl":
        with atomic_writer(path, "wb") as handle:
            for frame in frames:
                buffer = io.BytesIO()
                frame.write_ndjson(buffer)
                data = buffer.getvalue()
                for char, escape in _JSON_LINE_BREAKS.items():  # in UTF-8 no character's bytes occur inside another's
                    data = data.replace(char.encode(), escape.encode())
                handle.write(data)
    else:
        batches = list(frames)
        whole = (pl.concat(batches, rechunk=False) if batches
                 else pl.DataFrame([], schema=schema(languages, score_names)))
        with atomic_writer(path, "wb") as handle:
            whole.write_parquet(handle, compression="zstd", statistics=False)
    return report
