"""Exports stream corpus.tsv: files written a batch of rows at a time are those of the whole list, and a
bad row anywhere is found before the first file is written."""

from __future__ import annotations

import pytest
from test_export_support import make_corpus, snapshot, tup

from aligner.errors import InputError
from aligner.export import FORMATS, export, hf


def corpus_tuples():
    return [tup(k, ar=f"نص {k}" if k % 3 else "", en=f"text {k}\u2028", fr=f"texte {k}" if k % 4 else "",
                group=f"g{k // 5}", keep=k % 7 != 0, scores={"ar-en.cos": 0.5, "quality": k / 40})
            for k in range(1, 30)]


def test_exports_written_in_small_batches_are_byte_identical(tmp_path, monkeypatch):
    for name, batch in (("whole", 10_000), ("batched", 3)):
        monkeypatch.setattr(hf, "BATCH_ROWS", batch)
        make_corpus(tmp_path / name, corpus_tuples())
        export(tmp_path / name, FORMATS.names(), pairs="ar-en,en-fr")
    assert snapshot(tmp_path / "batched") == snapshot(tmp_path / "whole")


def test_a_bad_last_row_is_found_before_anything_is_written(tmp_path):
    path = make_corpus(tmp_path, corpus_tuples())
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("g\tt\tx\n")
    with pytest.raises(InputError, match="line 31: 3 cells"):
        export(tmp_path, FORMATS.names())
    assert set(snapshot(tmp_path)) == {"corpus.tsv"}
