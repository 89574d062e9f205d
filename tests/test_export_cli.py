"""``aligner export``: argument parsing, the report it prints, and bad input (clear error, no partial output)."""

import argparse
import json

import pytest
from test_export_support import make_corpus, snapshot, tup

from aligner.errors import InputError
from aligner.export.command import add_parser

CORPUS = [tup(1, "قالت الأمم المتحدة.", "The UN said.", "L'ONU a déclaré.", scores={"quality": 0.9}),
          tup(2, "", "English only.", "Français seulement.", scores={"quality": 0.4}, keep=False),
          tup(3, "مثال", "An example.", "Un exemple.", scores={"quality": 0.8})]
SPLITS = ["train", "train", "test"]


def parse(*argv):
    parser = argparse.ArgumentParser(prog="aligner")
    add_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["export", *map(str, argv)])


def run(*argv):
    args = parse(*argv)
    return args.run(args)


@pytest.fixture
def out(tmp_path):
    make_corpus(tmp_path / "out", CORPUS, splits=SPLITS)
    return tmp_path / "out"


def test_export_command_writes_the_default_formats_and_prints_a_report(out, capsys):
    assert run(out) == 0
    printed = capsys.readouterr().out
    assert "2 train tuples, 1 selected (keep); not kept 1" in printed and "test: 1 tuples, 1 selected" in printed
    assert "[export] corpus.tmx: 1 row" in printed and "[export] testset/test.meta.tsv: 1 row" in printed
    assert {"corpus.tmx", "corpus.ar-en.ar", "corpus.parquet", "testset/test.fr"} <= set(snapshot(out))


def test_formats_repeat_or_comma_list_and_json_report(out, capsys):
    assert run(out, "--format", "tmx", "-f", "moses,jsonl", "--pairs", "en-fr", "--min-quality", "0.3",
               "--srclang", "fr", "--name", "kz", "--json") == 0
    result = json.loads(capsys.readouterr().out)
    assert result["formats"] == ["tmx", "moses", "jsonl"]
    assert result["selection"]["rule"] == "quality >= 0.3" and result["selection"]["selected"] == 2
    assert list(result["files"]) == ["kz.tmx", "kz.en-fr.tmx", "kz.en-fr.en", "kz.en-fr.fr", "kz.ar-en-fr.ar",
                                     "kz.ar-en-fr.en", "kz.ar-en-fr.fr", "kz.jsonl", "kz.en-fr.jsonl"]
    assert set(snapshot(out)) == {"corpus.tsv", *result["files"]}
    assert 'srclang="fr"' in (out / "kz.tmx").read_text(encoding="utf-8")


@pytest.mark.parametrize("argv", [("--format", "xml"), ("--format", ","), ("--min-quality", "1.5"),
                                  ("--min-quality", "nan"), ("--min-quality", "high")])
def test_bad_arguments_are_usage_errors(out, argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        parse(out, *argv)
    assert exit_info.value.code == 2
    assert "export" in capsys.readouterr().err


def test_missing_corpus_is_a_clear_error_and_writes_nothing(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"corpus\.tsv: no such file \(run `aligner build` first\)"):
        run(tmp_path / "empty")
    assert list((tmp_path / "empty").iterdir()) == []
    with pytest.raises(InputError, match="no such folder"):
        run(tmp_path / "missing")
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize(("argv", "error", "message"), [
    (("--pairs", "ar-de"), ValueError, "de not in the corpus"),
    (("--srclang", "es"), ValueError, "source language 'es'"),
    (("--name", "../up"), ValueError, "output name"),
])
def test_bad_choices_for_this_corpus_fail_before_any_file_is_touched(out, argv, error, message):
    assert run(out, "--format", "tmx") == 0
    before = snapshot(out)
    with pytest.raises(error, match=message):
        run(out, *argv)
    assert snapshot(out) == before


def test_min_quality_needs_a_quality_column(tmp_path):
    make_corpus(tmp_path, [tup(1, "أ", "a", "b", scores={"align": 0.5})])
    with pytest.raises(InputError, match="no quality column"):
        run(tmp_path, "--min-quality", "0.5")
    assert set(snapshot(tmp_path)) == {"corpus.tsv"}


@pytest.mark.parametrize(("content", "message"), [
    ("doc\ttext\n", "not a corpus.tsv"),
    ("group\ttuid\tar\ten\tar_ids\ten_ids\tkeep\ng\tt\tx\ty\ta:1:0\tb:1:0\tyes\n", "keep must be 0 or 1"),
    ("group\ttuid\tar\ten\tar_ids\ten_ids\tkeep\ng\tt\tx\n", "line 2: 3 cells"),
])
def test_a_broken_corpus_is_an_input_error_and_writes_nothing(tmp_path, content, message):
    (tmp_path / "corpus.tsv").write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        run(tmp_path)
    assert set(snapshot(tmp_path)) == {"corpus.tsv"}


def test_not_utf8_corpus_is_an_input_error(tmp_path):
    (tmp_path / "corpus.tsv").write_bytes(b"group\ttuid\tar\tar_ids\tkeep\ng\tt\t\xff\ta:1:0\t1\n")
    with pytest.raises(InputError, match="not valid UTF-8"):
        run(tmp_path)
    assert set(snapshot(tmp_path)) == {"corpus.tsv"}


def test_aligner_main_reports_a_missing_corpus_with_exit_status_2(tmp_path, capsys):
    from aligner import cli

    commands = next(a for a in cli.make_parser()._actions if isinstance(a, argparse._SubParsersAction))
    if "export" not in commands.choices:
        pytest.skip("aligner.cli does not register the export command yet (add_parser(commands) in make_parser)")
    assert cli.main(["export", str(tmp_path)]) == 2
    assert "corpus.tsv: no such file" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_name_also_names_the_test_and_dev_sets(tmp_path, capsys):
    from aligner.evaluate.mt import load_testset

    out = tmp_path / "out"
    make_corpus(out, CORPUS + [tup(4, "نص", "A text.", "Un texte.", scores={"quality": 0.9})],
                splits=[*SPLITS, "dev"])
    assert run(out, "-f", "tmx,testset,devset", "--name", "kz", "--json") == 0
    files = json.loads(capsys.readouterr().out)["files"]
    assert set(files) == {"kz.tmx", *(f"kz.{split}set/{split}.{suffix}" for split in ("test", "dev")
                                      for suffix in ("ar", "en", "fr", "meta.tsv"))}
    assert set(snapshot(out)) == {"corpus.tsv", *files}  # no testset/ or devset/ under the default name
    assert (out / "kz.testset" / "test.en").read_text(encoding="utf-8") == "An example.\n"
    assert (out / "kz.devset" / "dev.fr").read_text(encoding="utf-8") == "Un texte.\n"
    assert load_testset(out / "kz.testset", "ar-en").references == ["An example."]  # aligner evaluate reads it
    assert run(out, "-f", "testset,devset") == 0  # the default name keeps the plain folder names
    assert {"testset/test.en", "devset/dev.en"} <= set(snapshot(out))
