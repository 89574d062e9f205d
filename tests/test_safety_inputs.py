"""Every entry of an input folder is read or listed with its reason, under a distinct, escaped name
(issue: data safety). Hostile folders are made by the tests in temp folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aligner.ingest import discover_inputs, ingest_directory
from aligner.ingest.decode import decode_bytes
from aligner.ingest.discover import document_ids, escape_name

ENV = dict(os.environ, ALIGNER_THREADS="1")
FAST = ("--embedder", "lexical", "--workers", "1")
ENGLISH = "The council met on Monday in Geneva. It discussed the report on the situation.\n"


def build(raw: Path, out: Path, *extra, timeout=300):
    return subprocess.run([sys.executable, "-m", "aligner", "build", str(raw), "--out", str(out), *FAST, *extra],
                          capture_output=True, text=True, timeout=timeout, env=ENV)


def read_tsv(path: Path) -> list[dict[str, str]]:
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    return [dict(zip(header.split("\t"), row.split("\t"))) for row in rows]


def skipped_reasons(out: Path) -> dict[str, str]:
    return {row["file"]: row["reason"] for row in read_tsv(out / "skipped.tsv")}


def test_files_whose_stems_clash_get_distinct_ids_that_every_output_agrees_on(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("x", "x.txt", "x.txt.md", "tab\there.txt", "new\nline.txt"):
        (raw / name).write_text(ENGLISH.replace("Monday", f"Monday ({name!r})"), encoding="utf-8")
    result = build(raw, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    documents = [json.loads(line) for line in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    ids = [d["doc_id"] for d in documents]
    assert len(ids) == len(set(ids)) == 5
    assert sorted(d["source_file"] for d in documents) == sorted(["x", "x.txt", "x.txt.md", "tab\\there.txt",
                                                                  "new\\nline.txt"])
    segments = read_tsv(out / "segments.tsv")
    assert len({s["segment_id"] for s in segments}) == len(segments)
    assert {s["doc_id"] for s in segments} == set(ids)
    assert {row["doc_id"] for row in read_tsv(out / "documents.tsv")} == set(ids)
    assert all(len(row) == 7 for row in read_tsv(out / "segments.tsv"))  # no tab or newline leaked into a cell


def test_a_file_name_that_is_not_utf8_is_read_and_shown_escaped(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(ENGLISH, encoding="utf-8")
    with open(os.path.join(os.fsencode(raw), b"caf\xe9 report.txt"), "w", encoding="utf-8") as handle:
        handle.write("The committee will meet again in March to adopt its findings.\n")
    result = build(raw, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    files = {row["file"]: row["doc_id"] for row in read_tsv(tmp_path / "out" / "documents.tsv")}
    assert files["caf\\xe9 report.txt"] == "caf\\xe9%20report"
    manifest = json.loads((tmp_path / "out" / "build.json").read_text(encoding="utf-8"))
    assert {row["file"] for row in manifest["inputs"]} == {"a.txt", "caf\\xe9 report.txt"}


def test_pipes_links_and_hidden_entries_are_listed_with_their_reason_and_never_hang(tmp_path):
    raw = tmp_path / "raw"
    (raw / "sub").mkdir(parents=True)
    (raw / "a.txt").write_text(ENGLISH, encoding="utf-8")
    (raw / "sub" / "b.txt").write_text("The committee will meet again in March.\n", encoding="utf-8")
    os.mkfifo(raw / "pipe.txt")
    (raw / "loop one").symlink_to(raw / "loop two")
    (raw / "loop two").symlink_to(raw / "loop one")
    (raw / "dangling.txt").symlink_to(raw / "gone.txt")
    (raw / "up").symlink_to(raw)  # a folder link back to the input folder
    (raw / "inside.txt").symlink_to(raw / "sub" / "b.txt")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "private.txt").write_text("My private notes about the council meeting.\n", encoding="utf-8")
    (raw / "private.txt").symlink_to(outside / "private.txt")
    (raw / "private folder").symlink_to(outside)
    (raw / ".git").mkdir()
    (raw / ".git" / "config").write_text("[core]\n", encoding="utf-8")
    (raw / ".notes.txt").write_text("hidden notes\n", encoding="utf-8")

    result = build(raw, tmp_path / "out", timeout=120)
    assert result.returncode == 0, result.stderr
    reasons = skipped_reasons(tmp_path / "out")
    assert "named pipe" in reasons["pipe.txt"]
    assert "loop" in reasons["loop one"] and "loop" in reasons["loop two"]
    assert "broken symbolic link" in reasons["dangling.txt"]
    assert "inside the input folder" in reasons["up"]
    assert "outside the input folder" in reasons["private.txt"] and "--follow-links" in reasons["private.txt"]
    assert "outside the input folder" in reasons["private folder"]
    assert "hidden folder" in reasons[".git"] and "hidden file" in reasons[".notes.txt"]
    assert "config" not in " ".join(reasons)  # a hidden folder is listed once, not walked
    read = {row["file"] for row in read_tsv(tmp_path / "out" / "documents.tsv")}
    assert read == {"a.txt", "sub/b.txt", "inside.txt"}
    manifest = json.loads((tmp_path / "out" / "build.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["files"] == len(read) + len(reasons)  # every entry accounted for

    followed = build(raw, tmp_path / "out2", "--follow-links", timeout=120)
    assert followed.returncode == 0, followed.stderr
    read = {row["file"] for row in read_tsv(tmp_path / "out2" / "documents.tsv")}
    assert {"private.txt", "private folder/private.txt"} <= read


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads folders whatever their permissions")
def test_an_unreadable_folder_is_listed(tmp_path):
    raw = tmp_path / "raw"
    (raw / "locked").mkdir(parents=True)
    (raw / "a.txt").write_text(ENGLISH, encoding="utf-8")
    (raw / "locked").chmod(0)
    try:
        found = discover_inputs(raw)
    finally:
        (raw / "locked").chmod(0o755)
    assert [(s.source_file, "not readable" in s.reason) for s in found.skipped] == [("locked", True)]


def test_utf8_text_with_a_few_control_characters_is_text(tmp_path):
    text = "The council met on Monday.\x1b[0m It adopted\x07 the report.\x08\n"
    decoded, encoding = decode_bytes(text.encode("utf-8"), "x.txt")
    assert (decoded, encoding) == (text, "utf-8")
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    documents, skipped = ingest_directory(tmp_path)
    assert not skipped and documents[0].paragraphs[0].text.startswith("The council met on Monday.")


NAMES = st.lists(st.text(alphabet=st.sampled_from(list("ab. x\t%\\é") + ["\udce9", "\n", "ع"]), min_size=1,
                         max_size=8).filter(lambda n: "/" not in n), min_size=1, max_size=8, unique=True)


@given(NAMES)
def test_ids_are_distinct_and_free_of_separators_for_any_names(names):
    escaped = [escape_name(name) for name in names]
    assert len(set(escaped)) == len(names)  # escaping keeps names apart
    ids = document_ids(escaped)
    assert len(set(ids)) == len(ids)
    for doc_id in ids:
        assert not any(char.isspace() for char in doc_id)
        doc_id.encode("utf-8")  # no lone surrogate left
