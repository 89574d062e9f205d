"""Every TSV the toolkit writes loads row for row with pandas, polars and ``csv`` and their defaults
(issue: tables every default reader parses)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aligner.export.corpus_tsv import CorpusTsvWriter, read_corpus_tsv
from aligner.export.tables import read_tsv_table, tsv_cell, write_tsv
from aligner.model import AlignedTuple

HOSTILE = [
    '"Quoted from the start," the spokesman said.',
    'He said "no" and left\tthe room.',
    'A back\\slash, a trailing quote"',
    "Two lines\nin one cell\r\nand a tab\there.",
    '«Guillemets» and "ASCII" quotes: ""doubled""',
    '"',
    "قال المتحدث \"لا\" ثم غادر.",
    "' single quotes ' and \\\" escaped-looking quotes",
]


def three_readers(path: Path) -> list[list[dict[str, str]]]:
    """The rows as pandas, polars and csv read them with their defaults, every cell as text."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows_csv = list(csv.DictReader(handle, delimiter="\t"))
    frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    rows_pandas = frame.to_dict("records")
    rows_polars = pl.read_csv(path, separator="\t", infer_schema=False).fill_null("").to_dicts()
    return [rows_csv, rows_pandas, rows_polars]


def test_hostile_text_reads_back_the_same_with_every_reader(tmp_path):
    path = tmp_path / "table.tsv"
    write_tsv(path, ("id", "text", "note"), ((k, text, "x") for k, text in enumerate(HOSTILE)))
    expected = [{"id": str(k), "text": tsv_cell(text), "note": "x"} for k, text in enumerate(HOSTILE)]
    for rows in three_readers(path):
        assert rows == expected
    assert len(path.read_text(encoding="utf-8").splitlines()) == len(HOSTILE) + 1  # one row, one line
    _, own = read_tsv_table(path, ("id", "text"), "table")
    assert [cells[1] for _, cells in own] == [tsv_cell(text) for text in HOSTILE]


def test_pandas_reads_a_text_starting_with_a_quote_with_no_options_at_all(tmp_path):
    path = tmp_path / "table.tsv"
    write_tsv(path, ("text", "n"), [(HOSTILE[0], 1), ("plain", 2), (HOSTILE[1], 3)])
    frame = pd.read_csv(path, sep="\t")
    assert frame["text"].tolist() == [HOSTILE[0], "plain", tsv_cell(HOSTILE[1])]
    assert frame["n"].tolist() == [1, 2, 3]
    assert pl.read_csv(path, separator="\t")["text"].to_list() == frame["text"].tolist()


def test_corpus_tsv_round_trips_hostile_text_through_its_own_reader_and_the_others(tmp_path):
    tuples = [AlignedTuple("g1", f"g1-{k:05d}", {"en": (f"d:{k}:0",), "fr": (f"e:{k}:0",)},
                           {"en": text, "fr": text[::-1]}, {"en-fr.cos": 0.5 + k / 100, "quality": 0.9}, True)
              for k, text in enumerate(HOSTILE)]
    path = tmp_path / "corpus.tsv"
    with CorpusTsvWriter(path, ["en", "fr"]) as writer:
        writer.write(tuples)
    _, back = read_corpus_tsv(path)
    assert [t.texts for t in back] == [{lang: tsv_cell(text) for lang, text in t.texts.items()} for t in tuples]
    for rows in three_readers(path):
        assert [row["en"] for row in rows] == [tsv_cell(text) for text in HOSTILE]
        assert [row["fr_ids"] for row in rows] == [f"e:{k}:0" for k in range(len(HOSTILE))]


CELL = st.text(alphabet=st.sampled_from(list('ab "\'\\\t\n\r,;é') + ["ع", "«", "\u2028"]), min_size=0, max_size=30)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(CELL, min_size=1, max_size=6))
def test_any_cells_read_back_as_written_by_every_reader(tmp_path, cells):
    path = tmp_path / "table.tsv"
    # a letter in front keeps pandas and polars from reading a cell as a number or as missing
    write_tsv(path, ("k", "text"), ((k, f"t{cell}") for k, cell in enumerate(cells)))
    for rows in three_readers(path):
        assert [row["text"] for row in rows] == [tsv_cell(f"t{cell}") for cell in cells]


def test_a_built_corpus_reads_the_same_with_every_reader_as_its_jsonl_export(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "en.txt").write_text(
        '"We will not accept this," the minister said on Monday.\n\n'
        'The council adopted the report by a vote of 12 to 3.\n\n'
        'Protesters gathered outside the "parliament" building in the capital.\n', encoding="utf-8")
    (raw / "fr.txt").write_text(
        "« Nous n'accepterons pas cela », a déclaré le ministre lundi.\n\n"
        "Le conseil a adopté le rapport par 12 voix contre 3.\n\n"
        'Des manifestants se sont rassemblés devant le "parlement" dans la capitale.\n', encoding="utf-8")
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "aligner", "build", str(raw), "--out", str(out),
                             "--embedder", "lexical", "--workers", "1", "--min-quality", "0"],
                            capture_output=True, text=True, timeout=600, env=dict(os.environ, ALIGNER_THREADS="1"))
    assert result.returncode == 0, result.stderr
    exported = {row["id"]: row["translation"] for row in map(json.loads, (out / "corpus.jsonl").open(encoding="utf-8"))}
    assert any('"' in text for row in exported.values() for text in row.values() if text)
    for rows in three_readers(out / "corpus.tsv"):
        by_id = {row["tuid"]: row for row in rows}
        for tuid, translation in exported.items():
            assert {lang: by_id[tuid][lang] for lang in ("en", "fr")} == {
                lang: translation[lang] for lang in ("en", "fr")}
    for name in ("segments.tsv", "documents.tsv", "skipped.tsv"):
        lengths = {len(rows) for rows in three_readers(out / name)}
        assert len(lengths) == 1  # row for row
    segments = three_readers(out / "segments.tsv")
    assert segments[0] == segments[1] == segments[2]
