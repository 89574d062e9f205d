"""Progress bars (tqdm): a bar with an ETA when stderr is a terminal, none when it is piped or captured."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import struct
import subprocess
import sys
import termios

from test_export_support import make_corpus, tup
from test_safety_output import FAST, english_folder

from aligner.progress import Progress, track

BAR_MARKS = ("\r", "ETA", "%|", "/s")


def cli(*args):
    return subprocess.run([sys.executable, "-m", "aligner", *map(str, args)], capture_output=True, text=True,
                          timeout=600, env=dict(os.environ, ALIGNER_THREADS="1"))


def cli_on_a_terminal(*args, columns=100) -> tuple[int, str]:
    """Run the CLI with stderr on a pseudo-terminal of ``columns`` columns; its exit status and what it drew."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "aligner", *map(str, args)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=slave, env=dict(os.environ, ALIGNER_THREADS="1"))
    os.close(slave)
    drawn = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        drawn += chunk
    os.close(master)
    return proc.wait(timeout=600), drawn.decode("utf-8", "replace")


def test_not_on_a_terminal_there_is_no_bar_only_the_stages_done_line():
    log = io.StringIO()
    progress = Progress("ingest", 3, "files", log)
    progress.advance()
    progress.message("skipped x.bin: binary")
    progress.advance(2)
    progress.advance()  # past the end: nothing more
    assert log.getvalue() == "[ingest] skipped x.bin: binary\n[ingest] 3/3 files\n"
    quiet = io.StringIO()
    assert list(track(range(4), "align-words", "lines", stream=quiet)) == [0, 1, 2, 3]
    Progress("filter", 2, "tuples", quiet, log_done=False).advance(2)
    Progress("encode", 0, "sentences", quiet)  # nothing to count
    assert quiet.getvalue() == ""
    assert list(track([[1, 2], [3]], "x", total=3, stream=None, weight=len)) == [[1, 2], [3]]


def test_piped_commands_draw_no_bar(tmp_path):
    raw = english_folder(tmp_path / "raw")
    out = tmp_path / "out"
    built = cli("build", raw, "--out", out, *FAST)
    assert built.returncode == 0, built.stderr
    assert "[ingest] 2/2 files" in built.stderr  # the build's log still says what each stage did
    results = {"build": built, "filter": cli("filter", out, "--min-quality", "0.3"), "report": cli("report", out)}
    corpus = tmp_path / "corpus"
    make_corpus(corpus, [tup(1, "نص", "A text.", "Un texte.", scores={"quality": 0.9})])
    results["export"] = cli("export", corpus)
    for name, result in results.items():
        assert result.returncode == 0, (name, result.stderr)
        assert not [mark for mark in BAR_MARKS if mark in result.stderr], (name, result.stderr)


def test_on_a_terminal_the_build_filter_and_report_draw_bars_with_an_eta(seeds_dir, tmp_path):
    out = tmp_path / "out"
    status, drawn = cli_on_a_terminal("build", seeds_dir, "--out", out, *FAST)
    assert status == 0, drawn
    bars = bar_lines(drawn)
    for stage, unit, total in (("ingest", "files", 5), ("segment", "documents", 5), ("align", "groups", 1),
                               ("report", "groups", 1)):
        lines = [line for line in bars if line.startswith(f"[{stage}]")]
        assert lines and all("ETA" in line and unit in line for line in lines), (stage, drawn)
        assert any("100%|" in line and f"{total}/{total} {unit}" in line for line in lines)  # the finished line
    assert all(len(line) <= 100 for line in bars)  # fits the terminal
    assert "[docalign] 1 group(s)" in drawn and "[build] signature" in drawn  # the log, below the bars

    for args, stage, unit in ((("filter", out, "--min-quality", "0.3"), "filter", "tuples"),
                              (("report", out), "report", "groups")):
        status, drawn = cli_on_a_terminal(*args)
        assert status == 0, drawn
        assert [line for line in bar_lines(drawn) if line.startswith(f"[{stage}]") and "ETA" in line
                and unit in line], drawn


def bar_lines(drawn: str) -> list[str]:
    return [line for line in drawn.replace("\r\n", "\n").replace("\r", "\n").split("\n") if "%|" in line]
