"""``aligner export --pairs``: a pair given in either order is read in the order its files are named
(alphabetical, ``ar-en``), with a note on stderr; the canonical order gives no note."""

import json
import subprocess
import sys

import pytest
from test_export_support import make_corpus, snapshot, tup

from aligner import cli
from aligner.export.command import canonical_pairs

CORPUS = [tup(1, "قالت الأمم المتحدة.", "The UN said.", "L'ONU a déclaré.", scores={"quality": 0.9}),
          tup(2, "مثال", "An example.", "Un exemple.", scores={"quality": 0.8})]


@pytest.fixture
def out(tmp_path):
    make_corpus(tmp_path / "out", CORPUS)
    return tmp_path / "out"


def test_canonical_pairs_sorts_each_pair_and_notes_what_it_changed():
    assert canonical_pairs(None) == (None, [])
    assert canonical_pairs("ar-en,en-fr") == ("ar-en,en-fr", [])
    pairs, notes = canonical_pairs("en-ar, fr-en")
    assert pairs == "ar-en,en-fr"
    assert notes == ["--pairs en-ar read as ar-en (pairs are named in alphabetical order, e.g. NAME.ar-en.tmx)",
                     "--pairs fr-en read as en-fr (pairs are named in alphabetical order, e.g. NAME.en-fr.tmx)"]
    pairs, notes = canonical_pairs("ar-en,en-ar")
    assert pairs == "ar-en" and notes == ["--pairs en-ar: the same pair as ar-en, written once"]
    assert canonical_pairs("ar-ar,xx")[0] == "ar-ar,xx"  # left for the exporter to reject with its message


def test_export_pairs_en_ar_writes_the_ar_en_files_with_a_note(out, capsys):
    assert cli.main(["export", str(out), "-f", "tmx,moses,jsonl", "--pairs", "en-ar", "--json"]) == 0
    captured = capsys.readouterr()
    assert "aligner export: note: --pairs en-ar read as ar-en" in captured.err
    files = json.loads(captured.out)["files"]
    assert {"corpus.ar-en.tmx", "corpus.ar-en.ar", "corpus.ar-en.en", "corpus.ar-en.jsonl"} <= set(files)
    assert not [name for name in snapshot(out) if "en-ar" in name]
    assert "corpus.ar-fr.ar" not in files  # the Moses sets are limited to the pair given


def test_the_same_export_in_either_order_is_byte_identical(out, tmp_path, capsys):
    assert cli.main(["export", str(out), "-f", "tmx,moses,jsonl,parquet", "--pairs", "fr-en,ar-fr"]) == 0
    reversed_order = snapshot(out)
    other = tmp_path / "other"
    make_corpus(other, CORPUS)
    assert cli.main(["export", str(other), "-f", "tmx,moses,jsonl,parquet", "--pairs", "ar-fr,en-fr"]) == 0
    assert snapshot(other) == reversed_order
    err = capsys.readouterr().err
    assert err.count("note:") == 1 and "fr-en read as en-fr" in err


def test_canonical_order_prints_no_note_and_a_bad_pair_is_still_an_error(out):
    run = subprocess.run([sys.executable, "-m", "aligner", "export", str(out), "-f", "tmx", "--pairs", "ar-en"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "note" not in run.stderr
    bad = subprocess.run([sys.executable, "-m", "aligner", "export", str(out), "-f", "tmx", "--pairs", "de-ar"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "de not in the corpus" in bad.stderr
