"""``aligner score-pairs``: reading the file, errors that name the line, TSV output."""

from __future__ import annotations

import argparse

import pytest

from aligner.errors import InputError
from aligner.score.command import (
    COLUMNS,
    add_parser,
    context_blocks,
    format_rows,
    parse_langs,
    read_pairs,
    run,
    score_file,
)

PAIRS = [
    ("Près de 1.000 personnes ont été blessées le 2 janvier.", "Nearly 1,000 people were injured on 2 January."),
    ("Selon le ministère, 12 policiers sont morts.", "The ministry said 12 police officers died."),
    ("Elle a appelé au calme.", "She called for calm."),
    ("Le chat dort sur le canapé.", "The stock market fell sharply in Tokyo on Monday."),
    ("Michelle Bachelet s'est exprimée à Genève.", "Michelle Bachelet spoke in Geneva."),
]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aligner")
    add_parser(parser.add_subparsers(dest="command", required=True))
    return parser


@pytest.fixture
def pairs_file(tmp_path):
    path = tmp_path / "pairs.tsv"
    path.write_text("".join(f"{a}\t{b}\n" for a, b in PAIRS), encoding="utf-8")
    return path


def test_parser_registration(pairs_file):
    args = _parser().parse_args(["score-pairs", "--langs", "fr,en", str(pairs_file)])
    assert args.run is run and args.langs == "fr,en" and args.embedder == "e5" and args.block == 32
    with pytest.raises(SystemExit):
        _parser().parse_args(["score-pairs", str(pairs_file)])  # --langs is required


def test_parse_langs():
    assert parse_langs("ar,en") == ("ar", "en")
    assert parse_langs(" en , fr ") == ("en", "fr")
    for bad in ("ar", "ar,ar", "ar,de", "ar,en,fr", ""):
        with pytest.raises(ValueError, match="--langs"):
            parse_langs(bad)


def test_context_blocks():
    assert context_blocks(0) == []
    assert context_blocks(5) == [(0, 5)]
    assert context_blocks(33, 32) == [(0, 16), (16, 33)]
    blocks = context_blocks(100, 32)
    assert blocks[0][0] == 0 and blocks[-1][1] == 100 and all(b - a <= 32 for a, b in blocks)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"a\tb\nno tab here\n", "line 2: expected 'source<TAB>target', found no tab"),
        (b"a\tb\nc\td\te\n", "line 2: expected 'source<TAB>target', found 3 tab-separated fields"),
        (b"a\tb\n\tb\n", "line 2: empty source side"),
        (b"a\tb\nc\td\ne\t \n", "line 3: empty target side"),
        (b"a\tb\n\n", "line 2: expected"),  # a blank line has no pair to score
        (b"a\tb\nc\t\xff\xfe\n", "line 2: not UTF-8"),
        (b"", "no lines"),
    ],
)
def test_bad_input_names_the_line(tmp_path, content, message):
    path = tmp_path / "bad.tsv"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        read_pairs(path)
    assert message in str(err.value) and str(path) in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        read_pairs(tmp_path / "nope.tsv")


def test_read_pairs_tolerates_bom_and_crlf(tmp_path):
    path = tmp_path / "crlf.tsv"
    path.write_bytes("\ufeffa b\tc d\r\ne\tf\r\n".encode("utf-8"))
    assert read_pairs(path) == (["a b", "e"], ["c d", "f"])


def test_score_file_one_row_per_line(pairs_file):
    rows = score_file(pairs_file, "fr", "en", embedder="lexical")
    assert len(rows) == len(PAIRS)
    assert all("margin" in row for row in rows)  # 5 lines: one block with k=4 neighbours per side
    assert rows[0]["numbers"] == 1.0 and rows[3]["numbers"] == 1.0
    assert rows[4]["names"] == 1.0
    text = format_rows(rows)
    lines = text.splitlines()
    assert lines[0].split("\t") == list(COLUMNS)
    assert len(lines) == 1 + len(PAIRS)
    assert all(len(line.split("\t")) == len(COLUMNS) for line in lines)


def test_run_prints_tsv(pairs_file, capsys):
    args = _parser().parse_args(["score-pairs", "--langs", "fr,en", "--embedder", "lexical", str(pairs_file)])
    assert args.run(args) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].startswith("cos\tmargin\trival_gap\tlen_ratio") and lines[0].endswith("\tquality")
    assert len(lines) == 1 + len(PAIRS)
    assert "not calibrated" in captured.err  # lexical vectors: warned


def test_format_rows_leaves_missing_cells_empty():
    text = format_rows([{"cos": 0.5, "quality": 0.25}], ("cos", "margin", "quality"))
    assert text == "cos\tmargin\tquality\n0.5000\t\t0.2500\n"


@pytest.mark.slow
def test_score_pairs_command_with_e5(pairs_file, capsys):
    args = _parser().parse_args(["score-pairs", "--langs", "fr,en", str(pairs_file)])
    assert args.run(args) == 0
    out = capsys.readouterr().out.splitlines()
    header = out[0].split("\t")
    quality = [float(line.split("\t")[header.index("quality")]) for line in out[1:]]
    assert quality[3] < 0.5 < min(quality[:3] + quality[4:])
