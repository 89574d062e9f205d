"""Progress bars (tqdm): a bar with an ETA when stderr is a terminal, none when it is piped or captured;
the bars change nothing in what the commands print or write."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import struct
import subprocess
import sys
import termios

import numpy as np
from test_evaluate_mt import drop_words, make_testset, ntrex_lines, swap_words, write
from test_export_support import make_corpus, snapshot, tup
from test_safety_output import FAST, english_folder

from aligner.embed import BaseEmbedder, get_embedder
from aligner.evaluate.command import scores_computed
from aligner.progress import CountedFiles, EncodedAhead, Progress, encode_in_chunks, track

BAR_MARKS = ("\r", "ETA", "%|", "/s")


def cli(*args):
    return subprocess.run([sys.executable, "-m", "aligner", *map(str, args)], capture_output=True, text=True,
                          timeout=600, env=dict(os.environ, ALIGNER_THREADS="1"))


def cli_on_a_terminal(*args, columns=100, stdout=None) -> tuple[int, str]:
    """Run the CLI with stderr on a pseudo-terminal of ``columns`` columns; its exit status and what it drew.
    ``stdout``: a file for what it prints (default: thrown away)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "aligner", *map(str, args)], stdin=subprocess.DEVNULL,
                            stdout=stdout or subprocess.DEVNULL, stderr=slave,
                            env=dict(os.environ, ALIGNER_THREADS="1"))
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


# --- align, score-pairs, evaluate, export ------------------------------------------------------------

LINES = 300  # more than one chunk of encode_in_chunks (256 distinct texts)


def sentence_files(folder):
    """``src.txt`` and ``tgt.txt`` (LINES sentences each, line-parallel, all distinct) and ``pairs.tsv``."""
    folder.mkdir(parents=True, exist_ok=True)
    en = "council report water budget meeting March Geneva children health school road".split()
    fr = "conseil rapport eau budget réunion mars Genève enfants santé école route".split()
    picks = [[(7 * i + 3 * k) % len(en) for k in range(5)] for i in range(LINES)]
    src = [f"The {' '.join(en[j] for j in pick)} number {i}." for i, pick in enumerate(picks)]
    tgt = [f"Le {' '.join(fr[j] for j in pick)} numéro {i}." for i, pick in enumerate(picks)]
    write(folder / "src.txt", src)
    write(folder / "tgt.txt", tgt)
    write(folder / "pairs.tsv", [f"{a}\t{b}" for a, b in zip(src, tgt)])
    return folder


def eval_inputs(folder):
    """A test set (40 NTREX lines, fr-en) and two systems' outputs."""
    testset = make_testset(folder / "testset")
    _, refs = ntrex_lines("en")
    return testset, write(folder / "a.en", swap_words(refs)), write(folder / "b.en", drop_words(refs, 3))


def finished(drawn: str, stage: str, unit: str) -> list[str]:
    """The bar lines of ``stage`` at 100% (done/total ``unit``, with an ETA)."""
    return [line for line in bar_lines(drawn) if line.startswith(f"[{stage}]") and "100%|" in line
            and "ETA" in line and f" {unit} " in line]


def test_on_a_terminal_align_score_pairs_evaluate_and_export_draw_bars_and_print_the_same(tmp_path):
    files = sentence_files(tmp_path / "text")
    testset, first, second = eval_inputs(tmp_path)
    corpus = tmp_path / "corpus"
    make_corpus(corpus, [tup(i, f"نص {i}", f"A text {i}.", f"Un texte {i}.", scores={"quality": 0.9},
                             group=f"g{i % 3}") for i in range(1, 7)],
                splits=["train", "train", "train", "dev", "test", "test"])
    commands = {
        "align": (("align", files / "src.txt", files / "tgt.txt", "--embedder", "lexical"),
                  [("align", "sentences", 2 * LINES)]),
        "score-pairs": (("score-pairs", "--langs", "en,fr", "--embedder", "lexical", files / "pairs.tsv"),
                        [("encode", "sentences", 2 * LINES), ("score-pairs", "lines", LINES)]),
        "evaluate": (("evaluate", "--testset", testset, "-d", "fr-en", "--hyp", first, second,
                      "--bootstrap", "40", "--randomization", "30"),
                     [("evaluate", "scores", 4 * scores_computed(2, 40, 30))]),  # BLEU, chrF2, chrF2++, TER
    }
    for name, (args, bars) in commands.items():
        with open(tmp_path / f"{name}.tty.out", "w") as out:
            status, drawn = cli_on_a_terminal(*args, stdout=out)
        assert status == 0, drawn
        for stage, unit, total in bars:
            assert [line for line in finished(drawn, stage, unit) if f"{total}/{total} {unit}" in line], drawn
        assert all(len(line) <= 100 for line in bar_lines(drawn))
        piped = cli(*args)
        assert piped.returncode == 0, piped.stderr
        assert (tmp_path / f"{name}.tty.out").read_text(encoding="utf-8") == piped.stdout, name  # same output

    for formats, pairs in (("all", None), ("all", "ar-en,en-fr"), ("moses,testset", "ar-fr")):
        folder = tmp_path / f"export-{formats}-{pairs}"
        make_corpus(folder, [tup(i, f"نص {i}", f"A text {i}.", f"Un texte {i}.", scores={"quality": 0.9},
                                 group=f"g{i % 3}") for i in range(1, 7)],
                    splits=["train", "train", "train", "dev", "test", "test"])
        status, drawn = cli_on_a_terminal("export", folder, "--format", formats, *(["--pairs", pairs] if pairs else []))
        assert status == 0, drawn
        written = [name for name in snapshot(folder) if name != "corpus.tsv" and not name.startswith(".")]
        total = len(written)
        assert [line for line in finished(drawn, "export", "files") if f"{total}/{total} files" in line], (formats, drawn)


def test_piped_align_score_pairs_and_evaluate_draw_no_bar(tmp_path):
    files = sentence_files(tmp_path / "text")
    testset, first, second = eval_inputs(tmp_path)
    results = {
        "align": cli("align", files / "src.txt", files / "tgt.txt", "--embedder", "lexical"),
        "score-pairs": cli("score-pairs", "--langs", "en,fr", "--embedder", "lexical", files / "pairs.tsv"),
        "evaluate": cli("evaluate", "--testset", testset, "-d", "fr-en", "--hyp", first, second,
                        "--bootstrap", "20", "--randomization", "20"),
    }
    for name, result in results.items():
        assert result.returncode == 0, (name, result.stderr)
        assert not [mark for mark in BAR_MARKS if mark in result.stderr], (name, result.stderr)
        assert result.stdout.strip(), name
    assert results["score-pairs"].stderr.count("\n") == 1  # only the warning about the lexical embedder


class Batches(BaseEmbedder):
    """A fake model that records the batches it is given (batch size 16)."""

    name, dim, batch_size = "batches", 3, 16

    def __init__(self):
        super().__init__()
        self.batches = []

    def _encode_batch(self, texts):
        self.batches.append(list(texts))
        return np.array([[len(t), t.count("a") + 1, 1.0] for t in texts], dtype=np.float32)


def test_encoding_in_chunks_gives_the_model_the_batches_of_one_call_and_the_same_vectors():
    distinct = [f"text {'a' * (i % 37)} {i}" for i in range(300)]
    texts = [distinct[(i * 7) % 300] for i in range(700)]  # 300 distinct, repeated, not in length order
    whole, chunked = Batches(), Batches()
    log = io.StringIO()
    with Progress("encode", len(set(texts)), "sentences", log) as progress:
        vectors = encode_in_chunks(chunked, texts, progress, chunk=64)
    assert np.array_equal(vectors, whole.encode(texts))
    assert chunked.batches == whole.batches  # longest first, chunks a multiple of the batch size
    assert log.getvalue() == "[encode] 300/300 sentences\n"

    model = Batches()
    ahead = EncodedAhead(model, texts[:100])
    seen = len(model.batches)
    assert np.array_equal(ahead.encode(texts[:50]), whole.encode(texts[:50])) and len(model.batches) == seen
    assert np.array_equal(ahead.encode(["new", texts[0]]), whole.encode(["new", texts[0]]))  # others: the model
    assert ahead.encode([]).shape == (0, 3) and ahead.dim == 3 and ahead.embedded is model
    assert getattr(ahead, "encode_groups", None) is None  # as the model: no group encoding
    lexical = get_embedder("lexical")
    assert np.array_equal(EncodedAhead(lexical, texts).encode(texts), lexical.encode(texts))


def test_counted_files_advance_a_bar_once_per_new_file():
    log = io.StringIO()
    files = CountedFiles(Progress("export", 3, "files", log))
    files["a"] = 1
    files.update({"b": 2, "a": 3})
    files.update(c=4)
    assert files == {"a": 3, "b": 2, "c": 4} and files.progress.done == 3
    assert log.getvalue() == "[export] 3/3 files\n"
