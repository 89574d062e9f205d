"""The output folder is replaced only when it provably is an aligner output; builds never corrupt or delete
user data (issue: data safety). Every case is made by the test in a temp folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import portalocker
import pytest

from aligner.publish import OutputFolder, replace_refusal

ENV = dict(os.environ, ALIGNER_THREADS="1")
FAST = ("--embedder", "lexical", "--workers", "1")


def run_cli(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "aligner", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=ENV)


def english_folder(path: Path) -> Path:
    """A small input folder in one language: builds in about a second (no group to align)."""
    path.mkdir(parents=True)
    (path / "a.txt").write_text("The council met on Monday in Geneva. It discussed the report.\n", encoding="utf-8")
    (path / "b.txt").write_text("The committee will meet again in March to adopt its findings.\n", encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_one_clear_line(result, *fragments):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("aligner: error:")]
    assert len(errors) == 1, result.stderr
    for fragment in fragments:
        assert fragment in errors[0], errors[0]


def test_a_folder_with_a_build_json_and_user_files_is_not_replaced(tmp_path):
    raw = english_folder(tmp_path / "raw")
    out = tmp_path / "results"
    out.mkdir()
    (out / "build.json").write_text("{}", encoding="utf-8")  # looks like an output, is not one
    (out / "thesis.tex").write_text("precious", encoding="utf-8")
    before = snapshot(out)
    result = run_cli("build", raw, "--out", out, *FAST)
    assert_one_clear_line(result, str(out), "not an aligner output folder")
    assert result.returncode == 2 and snapshot(out) == before


def _add_notes(out: Path) -> None:
    (out / "notes.md").write_text("my notes", encoding="utf-8")


def _correct_a_row(out: Path) -> None:
    with open(out / "segments.tsv", "a", encoding="utf-8") as handle:
        handle.write("a hand-corrected row\n")


def _remove_a_file(out: Path) -> None:
    (out / "skipped.tsv").unlink()


@pytest.mark.parametrize("change, message, name", [
    (_add_notes, "did not write", "notes.md"),
    (_correct_a_row, "changed since they were written", "segments.tsv"),
    (_remove_a_file, "is missing files", "skipped.tsv"),
])
def test_a_real_output_changed_by_hand_is_not_replaced(tmp_path, change, message, name):
    raw = english_folder(tmp_path / "raw")
    out = tmp_path / "out"
    assert run_cli("build", raw, "--out", out, *FAST).returncode == 0
    change(out)
    before = snapshot(out)
    result = run_cli("build", raw, "--out", out, *FAST)
    assert_one_clear_line(result, message, name)
    assert snapshot(out) == before


def test_a_real_output_is_replaced_also_after_export_and_report_wrote_into_it(tmp_path):
    raw = english_folder(tmp_path / "raw")
    out = tmp_path / "out"
    assert run_cli("build", raw, "--out", out, *FAST).returncode == 0
    assert run_cli("export", out, "--format", "tsv", "--name", "extra").returncode == 0
    assert run_cli("report", out, "--embedder", "lexical").returncode == 0
    assert replace_refusal(out) is None
    (raw / "c.txt").write_text("A third report arrived today.\n", encoding="utf-8")
    result = run_cli("build", raw, "--out", out, *FAST)
    assert result.returncode == 0, result.stderr
    assert "c.txt" in (out / "documents.tsv").read_text(encoding="utf-8")
    assert not (out / "extra.filtered.tsv").exists()  # the tool's own file, replaced with the rest


def test_out_equal_to_the_input_folder_or_above_it_is_refused(tmp_path):
    raw = english_folder(tmp_path / "project" / "raw")
    (raw / "build.json").write_text("{}", encoding="utf-8")
    before = snapshot(tmp_path)
    for out in (raw, raw.parent, tmp_path):
        result = run_cli("build", raw, "--out", out, *FAST)
        assert_one_clear_line(result, "is the input folder or holds it")
    assert snapshot(tmp_path) == before


def test_out_inside_the_input_folder_is_never_read_and_the_second_build_equals_the_first(tmp_path, seeds_dir):
    raw = tmp_path / "raw"
    shutil.copytree(seeds_dir, raw)
    out = raw / "out"
    first = run_cli("build", raw, "--out", out, "--embedder", "lexical")
    assert first.returncode == 0, first.stderr
    built = snapshot(out)
    second = run_cli("build", raw, "--out", out, "--embedder", "lexical")
    assert second.returncode == 0, second.stderr
    assert snapshot(out) == built
    assert "out/" not in (out / "documents.tsv").read_text(encoding="utf-8")
    assert (out / "skipped.tsv").read_text(encoding="utf-8") == "file\treason\n"


def test_another_build_output_inside_the_input_folder_is_listed_not_read(tmp_path):
    raw = english_folder(tmp_path / "raw")
    assert run_cli("build", raw, "--out", tmp_path / "out", *FAST).returncode == 0
    shutil.copytree(tmp_path / "out", raw / "old build")
    result = run_cli("build", raw, "--out", tmp_path / "out2", *FAST)
    assert result.returncode == 0, result.stderr
    skipped = (tmp_path / "out2" / "skipped.tsv").read_text(encoding="utf-8")
    assert "old build\tan aligner output folder: not read" in skipped
    assert "old build" not in (tmp_path / "out2" / "documents.tsv").read_text(encoding="utf-8")


def test_a_second_build_into_the_same_folder_is_refused_while_the_first_holds_the_lock(tmp_path):
    raw = english_folder(tmp_path / "raw")
    out = tmp_path / "out"
    assert run_cli("build", raw, "--out", out, *FAST).returncode == 0
    before = snapshot(out)
    with open(OutputFolder(out).lock_path, "a") as handle:  # what a running build holds
        portalocker.lock(handle, portalocker.LOCK_EX | portalocker.LOCK_NB)
        result = run_cli("build", raw, "--out", out, *FAST)
        filtered = run_cli("filter", out, "--min-quality", "0.2")
    for refused in (result, filtered):
        assert_one_clear_line(refused, "another aligner build is writing this folder")
    assert snapshot(out) == before
    assert run_cli("build", raw, "--out", out, *FAST).returncode == 0  # released: builds again


def test_two_builds_started_together_leave_one_complete_output(tmp_path):
    raw = english_folder(tmp_path / "raw")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "aligner", "build", raw, "--out", out, *FAST]
    processes = [subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=ENV) for _ in range(3)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in processes]
    assert any(code == 0 for code, _ in results)
    for code, stderr in results:
        assert "Traceback" not in stderr
        assert code == 0 or "another aligner build is writing this folder" in stderr
    assert replace_refusal(out) is None and (out / "build.json").is_file()
    assert not [p for p in tmp_path.iterdir() if ".staging-" in p.name or ".old-" in p.name]


def test_os_errors_end_in_one_line_naming_the_path(tmp_path):
    raw = english_folder(tmp_path / "raw")
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = run_cli("build", raw, "--out", blocker / "out", *FAST)
    assert_one_clear_line(result, str(blocker), "is not a folder")
    assert blocker.read_text(encoding="utf-8") == "not a folder"
    if Path("/sys").is_dir():  # a read-only file system, even for root
        result = run_cli("build", raw, "--out", "/sys/aligner-out", *FAST)
        assert_one_clear_line(result, "/sys")


def test_build_of_a_file_instead_of_a_folder_says_so(tmp_path):
    raw = english_folder(tmp_path / "raw")
    result = run_cli("build", raw / "a.txt", "--out", tmp_path / "out", *FAST)
    assert_one_clear_line(result, "a.txt", "is a file, not a folder")
    assert not (tmp_path / "out").exists()


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MiB file system (tmpfs), where a second build runs out of space; skipped where mounting is not allowed."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {made.stderr.decode(errors='replace').strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_disk_full_keeps_the_previous_output_and_says_so(tmp_path, small_disk):
    raw = english_folder(tmp_path / "raw")
    out = small_disk / "out"
    assert run_cli("build", raw, "--out", out, *FAST).returncode == 0
    before = snapshot(out)
    filler = small_disk / "filler"
    free = shutil.disk_usage(small_disk).free
    filler.write_bytes(b"\0" * max(0, free - 64 * 1024))  # room for a few files, not a whole output
    result = run_cli("build", raw, "--out", out, *FAST)
    assert_one_clear_line(result, "No space left on device")
    assert snapshot(out) == before
    assert sorted(p.name for p in small_disk.iterdir()) == [".out.lock", "filler", "out"]


def test_output_piped_into_a_reader_that_has_gone_ends_quietly(tmp_path):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("The council met.\tLe conseil s'est réuni.\n" * 20, encoding="utf-8")
    errors = tmp_path / "stderr.txt"
    # ``true`` exits at once, so the write meets a closed pipe (as after ``| head`` has read its lines)
    status = subprocess.run(f"{sys.executable} -m aligner score-pairs --langs en,fr --embedder lexical {pairs} "
                            f"2>{errors} | true; exit ${{PIPESTATUS[0]}}", shell=True, executable="/bin/bash",
                            env=ENV, timeout=300).returncode
    stderr = errors.read_text(encoding="utf-8")
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr
    assert status == 141  # 128 + SIGPIPE, what a Unix tool killed by the closed pipe returns


def test_cache_deleted_in_the_middle_of_a_build_gives_the_same_corpus(tmp_path, seeds_dir):
    reference = tmp_path / "reference"
    env = dict(ENV, ALIGNER_CACHE=str(tmp_path / "cache-reference"))
    command = [sys.executable, "-m", "aligner", "build", str(seeds_dir), "--embedder", "lexical"]
    assert subprocess.run([*command, "--out", str(reference)], capture_output=True, env=env).returncode == 0

    cache = tmp_path / "cache"
    out = tmp_path / "out"
    process = subprocess.Popen([*command, "--out", str(out)], stderr=subprocess.PIPE, text=True,
                               env=dict(ENV, ALIGNER_CACHE=str(cache)))
    seen = []
    for line in process.stderr:  # the groups are being aligned: the word model and shards are being written
        seen.append(line)
        if line.startswith("[docalign] 1 group"):
            break
    shutil.rmtree(cache, ignore_errors=True)
    seen.append(process.stderr.read())
    assert process.wait(timeout=600) == 0, "".join(seen)
    assert "Traceback" not in "".join(seen)
    assert (out / "corpus.tsv").read_bytes() == (reference / "corpus.tsv").read_bytes()
