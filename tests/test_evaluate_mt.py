"""`aligner evaluate`: scores checked against sacrebleu's own CLI on the same files, the paired
bootstrap, the breakdowns, the refusals, and the gloss baseline.

Test sets are built from the first 40 NTREX-128 lines kept in benchmarks/ntrex-dev (three
documents, line-parallel ar/en/fr) in the layout of the test-set export, with a hand-set
``quality`` column.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from aligner.errors import InputError
from aligner.evaluate import command, gloss
from aligner.evaluate.mt import (
    breakdown,
    format_table,
    load_testset,
    quality_band,
    read_hypothesis,
    score_systems,
)

REPO = Path(__file__).resolve().parent.parent
NTREX = REPO / "benchmarks" / "ntrex-dev"
SACREBLEU = Path(sys.executable).parent / "sacrebleu"
LANGS = ("ar", "en", "fr")
N = 40
# quality of line i is QUALITIES[i % 4]: bands q<0.5, 0.5<=q<0.8, q>=0.8 and "no quality", 10 lines each
QUALITIES = ("0.3000", "0.6500", "0.9000", "")


def ntrex_lines(lang: str, n: int = N) -> tuple[list[str], list[str]]:
    rows = [line.split("\t", 1) for line in (NTREX / f"{lang}.tsv").read_text(encoding="utf-8").splitlines()[:n]]
    return [row[0] for row in rows], [" ".join(row[1].split()) for row in rows]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def make_testset(folder: Path, *, quality: bool = True, meta: bool = True) -> Path:
    folder.mkdir(parents=True)
    ids = None
    for lang in LANGS:
        ids, lines = ntrex_lines(lang)
        write(folder / f"test.{lang}", lines)
    if meta:
        header = ["line", "tuid", "group", *(f"{lang}_documents" for lang in LANGS),
                  *(f"{lang}_segments" for lang in LANGS), "cos_ar_en", *(["quality"] if quality else [])]
        rows = ["\t".join(header)]
        for i, line_id in enumerate(ids):
            doc = line_id.rsplit(".", 1)[0]
            cells = [str(i + 1), f"t{i + 1:03d}", f"g-{doc}", doc, doc, doc, line_id, line_id, line_id, "0.9000"]
            if quality:
                cells.append(QUALITIES[i % 4])
            rows.append("\t".join(cells))
        write(folder / "test.meta.tsv", rows)
    return folder


def drop_words(lines: list[str], every: int) -> list[str]:
    return [" ".join(w for j, w in enumerate(line.split()) if j % every != every - 1) for line in lines]


def swap_words(lines: list[str]) -> list[str]:
    out = []
    for i, line in enumerate(lines):
        words = line.split()
        if i % 2:
            for j in range(0, len(words) - 1, 2):
                words[j], words[j + 1] = words[j + 1], words[j]
        out.append(" ".join(words))
    return out


@pytest.fixture
def testset_dir(tmp_path: Path) -> Path:
    return make_testset(tmp_path / "testset")


def systems_for(testset_dir: Path, direction: str, tmp_path: Path) -> dict[str, Path]:
    refs = load_testset(testset_dir, direction).references
    return {"drop4": write(tmp_path / f"drop4.{direction}", drop_words(refs, 4)),
            "drop2": write(tmp_path / f"drop2.{direction}", drop_words(refs, 2)),
            "swap": write(tmp_path / f"swap.{direction}", swap_words(refs))}


def sacrebleu_cli(*args: str | Path) -> str:
    done = subprocess.run([str(SACREBLEU), *map(str, args), "--no-color"], capture_output=True, text=True,
                          check=True, env={"PATH": "/usr/bin:/bin", "SACREBLEU_SEED": "12345"})
    return done.stdout


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="aligner")
    command.add_parser(root.add_subparsers(dest="command", required=True))
    return root


def run_evaluate(argv: list[str]) -> None:
    args = parser().parse_args(["evaluate", *argv])
    args.run(args)


# --- scores against the sacrebleu CLI ---------------------------------------------------------------

@pytest.mark.parametrize("direction, tok", [("ar-en", "13a"), ("en-ar", "intl"), ("fr-ar", "intl"), ("en-fr", "13a")])
def test_scores_and_signatures_match_the_sacrebleu_cli(testset_dir, tmp_path, direction, tok):
    testset = load_testset(testset_dir, direction)
    hyp = systems_for(testset_dir, direction, tmp_path)["drop4"]
    lines, check = read_hypothesis(hyp, testset)
    result = score_systems(testset.references, {"drop4": lines}, testset.target_lang)
    assert result.bleu_tokenize == tok

    ref = testset.reference_file
    cli = {item["name"]: item for item in json.loads(
        sacrebleu_cli(ref, "-i", hyp, "-m", "bleu", "chrf", "ter", "-tok", tok, "-w", "4", "-f", "json"))}
    cli_pp = json.loads(sacrebleu_cli(ref, "-i", hyp, "-m", "chrf", "--chrf-word-order", "2", "-w", "4", "-f", "json"))
    cli[cli_pp["name"]] = cli_pp
    assert set(cli) == {"BLEU", "chrF2", "chrF2++", "TER"}
    scores = result.systems[0].scores
    for name, item in cli.items():
        assert round(scores[name], 4) == pytest.approx(item["score"], abs=1e-9), name
        assert result.signatures[name] == item["signature"], name
    assert f"tok:{tok}" in result.signatures["BLEU"]
    assert result.systems[0].bleu_detail == cli["BLEU"]["verbose_score"]
    assert 0 < scores["BLEU"] < 100 and check.target_share > 0.9


def test_intl_differs_from_13a_on_arabic_punctuation(tmp_path):
    # 13a keeps the Arabic comma on the word; a hypothesis with a space before it loses matches
    refs = ["قال الوزير، إن الاجتماع كان مفيدا؛ هل سيعود؟"]
    hyps = {"spaced": ["قال الوزير ، إن الاجتماع كان مفيدا ؛ هل سيعود ؟"]}
    intl = score_systems(refs, hyps, "ar").systems[0].scores["BLEU"]
    m13a = score_systems(refs, hyps, "ar", tokenize="13a").systems[0].scores["BLEU"]
    assert intl == pytest.approx(100.0) and m13a < 60.0


def test_several_systems_paired_bootstrap_matches_the_sacrebleu_cli(testset_dir, tmp_path, capsys):
    direction = "en-ar"
    files = systems_for(testset_dir, direction, tmp_path)
    testset = load_testset(testset_dir, direction)
    hyps = {name: read_hypothesis(path, testset)[0] for name, path in files.items()}
    result = score_systems(testset.references, hyps, "ar")
    assert result.bootstrap_samples == 1000 and result.baseline == "drop4" and result.seed == "12345"
    assert result.systems[0].significance["BLEU"].p_value is None
    assert all(system.significance[m].p_value is not None
               for system in result.systems[1:] for m in ("BLEU", "chrF2", "chrF2++", "TER"))
    # drop2 removes half the words: clearly worse than drop4 on every metric
    drop2 = result.systems[1]
    assert drop2.scores["BLEU"] < result.systems[0].scores["BLEU"] and drop2.significance["BLEU"].significant

    text = sacrebleu_cli(testset.reference_file, "-i", *files.values(), "-m", "bleu", "chrf", "ter", "-tok", "intl",
                         "--paired-bs", "-w", "3", "-f", "text")
    cli_p = [float(p) for p in re.findall(r"p = ([0-9.]+)", text)]
    ours_p = [round(system.significance[m].p_value, 4)
              for system in result.systems[1:] for m in ("BLEU", "chrF2", "TER")]
    assert cli_p == pytest.approx(ours_p, abs=1e-9)
    cli_ci = [float(x) for m in re.findall(r"([0-9.]+) \(([0-9.]+) ± ([0-9.]+)\)", text) for x in m]
    ours_ci = [round(x, 3) for s in result.systems for m in ("BLEU", "chrF2", "TER")
               for x in (s.scores[m], s.significance[m].mean, s.significance[m].ci)]
    assert cli_ci == pytest.approx(ours_ci, abs=1e-9)
    cli_sigs = dict(re.findall(r"^ - (\S+)\s+(nrefs:\S+)$", text, re.M))
    # the signatures sacrebleu prints are ours, verbatim (chrF++ was not asked of the CLI)
    assert cli_sigs == {name: sig for name, sig in result.signatures.items() if name != "chrF2++"}

    run_evaluate(["--testset", str(testset_dir), "--direction", direction, "--hyp", *map(str, files.values()),
                  "--system-names", *files, "--breakdown", "none"])
    out = capsys.readouterr().out
    assert "Paired bootstrap resampling" in out and "baseline 'drop4'" in out
    assert re.search(r"^drop2 .* p=0\.\d{4}\*", out, re.M)
    assert result.signatures["BLEU"] in out and "tok:intl" in out


def test_paired_approximate_randomization_matches_the_sacrebleu_cli(testset_dir, tmp_path, capsys):
    direction = "en-fr"
    files = systems_for(testset_dir, direction, tmp_path)
    testset = load_testset(testset_dir, direction)
    hyps = {name: read_hypothesis(path, testset)[0] for name, path in files.items()}
    result = score_systems(testset.references, hyps, "fr", bootstrap=0, randomization=3000)
    assert (result.ar_trials, result.bootstrap_samples, result.baseline, result.seed) == (3000, 0, "drop4", "12345")
    assert all(p is None for p in result.systems[0].randomization.values())
    assert set(result.systems[1].randomization) == {"BLEU", "chrF2", "chrF2++", "TER"}
    ours_p = [round(system.randomization[m], 4) for system in result.systems[1:] for m in ("BLEU", "chrF2", "TER")]
    # drop2 is far from drop4 (the smallest p 3000 trials can give); swap is close to it on chrF,
    # which ignores word order: a p-value that is not at the floor, so the comparison below means something
    assert ours_p[0] == round(1 / 3001, 4) and max(ours_p) > 0.01

    text = sacrebleu_cli(testset.reference_file, "-i", *files.values(), "-m", "bleu", "chrf", "ter",
                         "--paired-ar", "--paired-ar-n", "3000", "-w", "4", "-f", "text")
    assert "Paired approximate randomization test with 3000 trials" in text
    cli_p = [float(p) for p in re.findall(r"p = ([0-9.]+)", text)]
    assert cli_p == pytest.approx(ours_p, abs=1e-9)
    cli_sigs = dict(re.findall(r"^ - (\S+)\s+(nrefs:\S+)$", text, re.M))
    assert cli_sigs == {name: sig for name, sig in result.ar_signatures.items() if name != "chrF2++"}
    assert "ar:3000|seed:12345" in result.ar_signatures["BLEU"]

    # both tests by default on the command line: each system row gets the bootstrap cell and the AR p-values
    run_evaluate(["--testset", str(testset_dir), "-d", direction, "--hyp", *map(str, files.values()),
                  "--system-names", *files, "--breakdown", "none", "--bootstrap", "300", "--randomization", "3000"])
    out = capsys.readouterr().out
    assert "Paired bootstrap resampling (sacrebleu PairedTest, 300 resamples" in out
    assert "Paired approximate randomization (sacrebleu PairedTest, 3000 trials, seed 12345)" in out
    assert re.search(r"^  drop4 +\(baseline\) +\(baseline\)", out, re.M)
    assert re.search(rf"^  swap +{ours_p[3]:.4f}[ *] +{ours_p[4]:.4f}[ *]", out, re.M)
    assert result.ar_signatures["TER"] in out and "bs:300|seed:12345" in out
    run_evaluate(["--testset", str(testset_dir), "-d", direction, "--hyp", *map(str, files.values()),
                  "--breakdown", "none", "--bootstrap", "0", "--randomization", "0"])
    out = capsys.readouterr().out
    assert "Paired" not in out and "p=" not in out


def test_json_output(testset_dir, tmp_path, capsys):
    files = systems_for(testset_dir, "ar-en", tmp_path)
    run_evaluate(["--testset", str(testset_dir), "-d", "ar-en", "--hyp", str(files["drop4"]),
                  "--hyp", str(files["swap"]), "--json", "--bootstrap", "200"])
    data = json.loads(capsys.readouterr().out)
    assert data["direction"] == "ar-en" and data["lines"] == N and data["bleu_tokenize"] == "13a"
    assert [s["name"] for s in data["systems"]] == ["drop4.ar-en", "swap.ar-en"]
    assert data["paired_bootstrap"]["samples"] == 200 and data["paired_bootstrap"]["baseline"] == "drop4.ar-en"
    assert data["systems"][1]["significance"]["TER"]["p_value"] is not None
    assert data["paired_randomization"]["trials"] == 10000 and data["paired_randomization"]["baseline"] == "drop4.ar-en"
    assert "ar:10000" in data["paired_randomization"]["signatures"]["chrF2++"]
    assert data["systems"][0]["randomization"]["BLEU"]["p_value"] is None
    assert 0 < data["systems"][1]["randomization"]["chrF2++"]["p_value"] <= 1
    assert data["metrics"] == ["BLEU", "chrF2", "chrF2++", "TER"]
    assert data["systems"][0]["language"]["target_share"] > 0.9
    assert set(data["breakdowns"]) == {"group", "quality"}
    assert [row["lines"] for row in data["breakdowns"]["group"]["rows"]] == [16, 6, 18]


# --- breakdowns --------------------------------------------------------------------------------------

def test_breakdown_by_group_and_quality_band(testset_dir, tmp_path):
    direction = "fr-en"
    testset = load_testset(testset_dir, direction)
    files = systems_for(testset_dir, direction, tmp_path)
    hyps = {name: read_hypothesis(path, testset)[0] for name, path in files.items()}

    groups = breakdown(testset, hyps, "group")
    assert [(row.key, row.lines) for row in groups.rows] == [
        ("g-bbc.381790", 16), ("g-rt.com.91337", 6), ("g-nytimes.184853", 18)]
    # one group's score is sacrebleu's on that group's lines alone
    rt = groups.rows[1]
    index = [i for i, row in enumerate(testset.meta) if row["group"] == "g-rt.com.91337"]
    ref = write(tmp_path / "rt.ref", [testset.references[i] for i in index])
    hyp = write(tmp_path / "rt.hyp", [hyps["swap"][i] for i in index])
    cli = {item["name"]: item["score"] for item in json.loads(
        sacrebleu_cli(ref, "-i", hyp, "-m", "bleu", "chrf", "ter", "-w", "4", "-f", "json"))}
    for name, score in cli.items():
        assert round(rt.scores["swap"][name], 4) == pytest.approx(score, abs=1e-9)

    bands = breakdown(testset, hyps, "quality")
    assert bands.note is None
    assert [(row.key, row.lines) for row in bands.rows] == [
        ("q < 0.50", 10), ("0.50 <= q < 0.80", 10), ("q >= 0.80", 10), ("no quality", 10)]
    index = [i for i in range(N) if i % 4 == 2]
    ref = write(tmp_path / "high.ref", [testset.references[i] for i in index])
    hyp = write(tmp_path / "high.hyp", [hyps["drop2"][i] for i in index])
    bleu = float(sacrebleu_cli(ref, "-i", hyp, "-m", "bleu", "-w", "4", "-b"))
    assert round(bands.rows[2].scores["drop2"]["BLEU"], 4) == pytest.approx(bleu, abs=1e-9)

    docs = breakdown(testset, hyps, "document")
    assert [row.key for row in docs.rows] == ["bbc.381790", "rt.com.91337", "nytimes.184853"]
    # summed segment statistics give each subset's own corpus score, on every metric and system
    for row in docs.rows:
        index = [i for i, meta in enumerate(testset.meta) if meta["en_documents"] == row.key]
        subset = {name: [lines[i] for i in index] for name, lines in hyps.items()}
        alone = score_systems([testset.references[i] for i in index], subset, "en", bootstrap=0, randomization=0)
        assert row.scores == {system.name: pytest.approx(system.scores, abs=1e-9) for system in alone.systems}

    text = format_table(score_systems(testset.references, hyps, "en", bootstrap=0, randomization=0), [groups, bands])
    assert "Breakdown by group:" in text and "g-rt.com.91337" in text and "0.50 <= q < 0.80" in text


def test_quality_breakdown_is_skipped_with_a_note_when_the_column_is_absent(tmp_path, capsys):
    folder = make_testset(tmp_path / "noq", quality=False)
    testset = load_testset(folder, "ar-en")
    part = breakdown(testset, {"ref": testset.references}, "quality")
    assert part.rows == [] and "no 'quality' column" in part.note
    hyp = write(tmp_path / "hyp.en", drop_words(testset.references, 3))
    run_evaluate(["--testset", str(folder), "-d", "ar-en", "--hyp", str(hyp)])
    out = capsys.readouterr().out
    assert "Breakdown by group:" in out and "note: test.meta.tsv has no 'quality' column" in out

    bare = make_testset(tmp_path / "nometa", meta=False)
    part = breakdown(load_testset(bare, "ar-en"), {"ref": testset.references}, "group")
    assert part.rows == [] and "no test.meta.tsv" in part.note


def test_quality_band_edges():
    assert quality_band(0.0) == "q < 0.50"
    assert quality_band(0.5) == "0.50 <= q < 0.80"
    assert quality_band(0.7999) == "0.50 <= q < 0.80"
    assert quality_band(0.8) == "q >= 0.80"
    assert quality_band(None) == "no quality"
    assert quality_band(0.95, (0.9,)) == "q >= 0.90"


# --- refusals ----------------------------------------------------------------------------------------

def refusal(argv: list[str]) -> InputError:
    with pytest.raises(InputError) as caught:
        run_evaluate(argv)
    return caught.value


def test_refuses_a_mismatched_line_count(testset_dir, tmp_path):
    refs = load_testset(testset_dir, "ar-en").references
    short = write(tmp_path / "short.en", refs[:-1])
    err = refusal(["--testset", str(testset_dir), "-d", "ar-en", "--hyp", str(short)])
    assert err.path == str(short)
    assert err.problem.startswith(f"has {N - 1} lines but the test set has {N} (")
    long = write(tmp_path / "long.en", [*refs, "One more line."])
    assert f"has {N + 1} lines but the test set has {N}" in str(
        refusal(["--testset", str(testset_dir), "-d", "ar-en", "--hyp", str(long)]))


def test_refuses_an_empty_hypothesis(testset_dir, tmp_path):
    empty = tmp_path / "empty.en"
    empty.write_text("", encoding="utf-8")
    err = refusal(["--testset", str(testset_dir), "-d", "ar-en", "--hyp", str(empty)])
    assert err.path == str(empty)
    assert err.problem == f"the hypothesis file is empty (0 lines); the test set has {N} lines"
    blank = write(tmp_path / "blank.en", [""] * N)
    err = refusal(["--testset", str(testset_dir), "-d", "ar-en", "--hyp", str(blank)])
    assert err.problem == f"the hypothesis file is empty: all {N} lines are blank"


def test_refuses_a_hypothesis_in_the_wrong_language(testset_dir, tmp_path):
    # the French test file offered as English output
    french = testset_dir / "test.fr"
    err = refusal(["--testset", str(testset_dir), "-d", "ar-en", "--hyp", str(french)])
    assert err.path == str(french)
    match = re.match(r"does not look like en output: (\d+)% of its (\d+) non-blank lines are identified as 'fr' "
                     r"and (\d+)% as 'en' \(direction ar-en\)", err.problem)
    assert match, err.problem
    assert int(match[1]) >= 90 and int(match[2]) == N and int(match[3]) <= 10
    # English offered as Arabic output (identity copy of the source), refused ...
    english = testset_dir / "test.en"
    err = refusal(["--testset", str(testset_dir), "-d", "en-ar", "--hyp", str(english)])
    assert "does not look like ar output" in err.problem and "identified as 'en'" in err.problem
    assert "--no-language-check" in err.problem
    # ... unless the check is switched off on purpose
    run_evaluate(["--testset", str(testset_dir), "-d", "en-ar", "--hyp", str(english), "--no-language-check",
                  "--breakdown", "none"])


def test_refuses_bad_test_sets_and_arguments(testset_dir, tmp_path):
    hyp = testset_dir / "test.en"
    missing_hyp = refusal(["--testset", str(testset_dir), "-d", "en-ar", "--hyp", str(tmp_path / "nope")])
    assert missing_hyp.problem == "hypothesis file not found"
    err = refusal(["--testset", str(tmp_path / "missing"), "-d", "ar-en", "--hyp", str(hyp)])
    assert "no such test-set folder" in err.problem
    (testset_dir / "test.fr").unlink()
    err = refusal(["--testset", str(testset_dir), "-d", "en-fr", "--hyp", str(hyp)])
    assert err.path == str(testset_dir / "test.fr") and "the test set has: ar, en" in err.problem
    write(testset_dir / "test.ar", ntrex_lines("ar", N - 2)[1])
    err = refusal(["--testset", str(testset_dir), "-d", "ar-en", "--hyp", str(hyp)])
    assert err.problem == f"has {N - 2} lines but test.en has {N}: not a line-aligned test set"
    with pytest.raises(SystemExit):
        parser().parse_args(["evaluate", "--testset", "x", "-d", "en-en", "--hyp", "h"])
    with pytest.raises(ValueError, match="2 names for 1 --hyp files"):
        run_evaluate(["--testset", str(testset_dir), "-d", "en-ar", "--hyp", str(hyp), "--system-names", "a", "b"])
    with pytest.raises(ValueError, match="unknown BLEU tokenizer 'nope'"):
        score_systems(["a b"], {"s": ["a b"]}, "en", tokenize="nope")


def test_cli_prints_the_refusal_without_a_traceback(testset_dir, tmp_path):
    """Through the real ``aligner`` command: exit 2, ``aligner: error: PATH: problem`` on stderr."""
    short = write(tmp_path / "short.en", ["Only one line."])
    done = subprocess.run([sys.executable, "-m", "aligner", "evaluate", "--testset", str(testset_dir),
                           "--direction", "ar-en", "--hyp", str(short)], capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == (f"aligner: error: {short}: has 1 line but the test set has {N} "
                                   f"({testset_dir / 'test.en'}): one translation per line of test.ar")
    assert "Traceback" not in done.stderr


# --- the gloss baseline ------------------------------------------------------------------------------

TOY = [("la maison est grande", "the house is big"), ("la maison est petite", "the house is small"),
       ("le chat est petit", "the cat is small"), ("le chat dort", "the cat sleeps"),
       ("la voiture est grande", "the car is big"), ("le chat mange", "the cat eats"),
       ("le chien mange", "the dog eats"), ("le livre est petit", "the book is small")]


def test_ibm1_dictionary_learns_word_translations():
    dictionary = gloss.learn_dictionary([f for f, _ in TOY], [e for _, e in TOY], "fr", "en")
    assert dictionary.entries["maison"][0] == "house"
    assert dictionary.entries["chat"][0] == "cat"
    assert dictionary.entries["est"][0] == "is"
    assert "dort" not in dictionary.entries  # seen in one pair only (MIN_COUNT)
    assert gloss.gloss_line("Le chat est grande", dictionary) == "The cat is big"


def test_held_out_gloss_never_learns_from_the_line_it_glosses():
    sources = [f for f, _ in TOY] + ["le zorglub est grande", "la zorglub mange"]
    refs = [e for _, e in TOY] + ["the zorglub is big", "the zorglub eats"]
    groups = ["a", "a", "b", "b", "c", "c", "a", "b", "d", "d"]
    held_out, dictionaries = gloss.gloss_held_out(sources, refs, "fr", "en", groups=groups, folds=4)
    assert len(dictionaries) == 4 and len(held_out) == len(sources)
    # "zorglub" appears only in group d: its fold's dictionary never saw it, so it is copied, not learnt
    assert "zorglub" not in dictionaries[3].entries
    assert all("zorglub" in d.entries for d in dictionaries[:3])  # the other folds learn it from group d
    assert held_out[-1].split()[1] == held_out[-2].split()[1] == "zorglub"  # unknown, same script: copied
    _, [leaky] = gloss.gloss_held_out(sources, refs, "fr", "en", groups=groups, folds=0)
    assert "zorglub" in leaky.entries  # folds=0 learns from the references themselves
    assert gloss.fold_of(groups, 4) == [0, 0, 1, 1, 2, 2, 0, 1, 3, 3]
    assert gloss.fold_of(["g"] * 5, 2) == [0, 1, 0, 1, 0]


def test_baseline_script_writes_both_systems(tmp_path):
    folder = make_testset(tmp_path / "testset")
    out = tmp_path / "hyps"
    script = REPO / "scripts" / "baseline_systems.py"
    done = subprocess.run([sys.executable, str(script), str(folder), "--out", str(out),
                           "--directions", "en-fr,ar-en", "--folds", "3"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "gloss.ar-en.en", "gloss.en-fr.fr", "identity.ar-en.en", "identity.en-fr.fr"]
    assert (out / "identity.en-fr.fr").read_text(encoding="utf-8") == (folder / "test.en").read_text(encoding="utf-8")
    glossed = (out / "gloss.en-fr.fr").read_text(encoding="utf-8").split("\n")
    assert len(glossed) == N + 1 and glossed[-1] == ""
    # the gloss is scored like any system (French-looking enough to pass the language check)
    testset = load_testset(folder, "en-fr")
    # learnt from ~27 lines, many words are unknown and copied: about half the lines look English
    lines, _ = read_hypothesis(out / "gloss.en-fr.fr", testset, check_language=False)
    identity = testset.sources
    result = score_systems(testset.references, {"identity": identity, "gloss": lines}, "fr", bootstrap=0,
                           randomization=0)
    assert result.systems[1].scores["chrF2"] > result.systems[0].scores["chrF2"]


def test_a_dev_set_folder_is_read_like_a_test_set(testset_dir, tmp_path):
    devset = tmp_path / "devset"
    devset.mkdir()
    for path in testset_dir.iterdir():
        (devset / path.name.replace("test.", "dev.", 1)).write_bytes(path.read_bytes())
    test, dev = load_testset(testset_dir, "ar-en"), load_testset(devset, "ar-en")
    assert (dev.stem, dev.reference_file.name, dev.meta_file) == ("dev", "dev.en", "dev.meta.tsv")
    assert (dev.sources, dev.references, dev.meta) == (test.sources, test.references, test.meta)
    (devset / "dev.ar").unlink()
    with pytest.raises(InputError, match="dev.ar"):
        load_testset(devset, "ar-en")
