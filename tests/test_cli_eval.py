"""``aligner eval-align`` and ``aligner eval-words`` through the real command line."""

import json
import subprocess
import sys


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "aligner", *map(str, args)], capture_output=True, text=True,
                          timeout=120)


def test_eval_align_strict_and_lax(tmp_path):
    gold = tmp_path / "gold.beads"
    pred = tmp_path / "pred.beads"
    gold.write_text("[0]:[0]\n[1, 2]:[1]\n[3]:[]\n[4]:[2]\n", encoding="utf-8")
    pred.write_text("[0]:[0]:0.9\n[1]:[1]:0.8\n[2]:[]:0.1\n[3, 4]:[2]:0.5\n", encoding="utf-8")
    result = run_cli("eval-align", gold, pred, "--json")
    assert result.returncode == 0, result.stderr
    scores = json.loads(result.stdout)
    # strict: only [0]:[0] is right; 4 predicted beads, 3 gold beads without insertions/deletions
    assert scores["strict_precision"] == 0.25 and round(scores["strict_recall"], 4) == 0.3333
    # lax: [1]:[1] overlaps [1,2]:[1] and [3,4]:[2] overlaps [4]:[2]; [2]:[] cannot overlap anything
    assert scores["lax_precision"] == 0.75 and scores["lax_recall"] == 1.0


def test_eval_align_reports_bad_line(tmp_path):
    gold = tmp_path / "gold.beads"
    gold.write_text("[0]:[0]\n[1]-[1]\n", encoding="utf-8")
    result = run_cli("eval-align", gold, gold)
    assert result.returncode == 2
    assert "gold.beads: line 2" in result.stderr and "Traceback" not in result.stderr


def test_eval_words_aer_with_sure_and_possible(tmp_path):
    gold = tmp_path / "gold.txt"
    pred = tmp_path / "pred.txt"
    gold.write_text("1-1 2p2 3-3\n", encoding="utf-8")  # 1-based: sure {(0,0),(2,2)}, possible adds (1,1)
    pred.write_text("0-0 1-1 2-1\n", encoding="utf-8")
    scores = json.loads(run_cli("eval-words", gold, pred, "--json", "--index-base", "1").stdout)
    assert json.loads(run_cli("eval-words", gold, pred, "--json", "--one-based").stdout) == scores
    # 0-based unless told: the same file read 0-based is another gold (3-3 is then out of the sentence)
    assert json.loads(run_cli("eval-words", gold, pred, "--json").stdout) != scores
    # |A|=3, |A∩S|=1, |A∩P|=2, |S|=2: precision 2/3, recall 1/2, AER 1 - 3/5
    assert round(scores["precision"], 4) == 0.6667 and scores["recall"] == 0.5
    assert round(scores["aer"], 4) == 0.4


def test_eval_words_line_count_mismatch(tmp_path):
    gold = tmp_path / "gold.txt"
    pred = tmp_path / "pred.txt"
    gold.write_text("1-1\n2-2\n", encoding="utf-8")
    pred.write_text("0-0\n", encoding="utf-8")
    result = run_cli("eval-words", gold, pred)
    assert result.returncode == 2 and "line-parallel" in result.stderr
