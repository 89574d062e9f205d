"""``aligner align --presegmented``: beads for two sentence files, scorable by ``aligner eval-align``."""

import subprocess
import sys


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "aligner", *map(str, args)], capture_output=True, text=True,
                          timeout=300)


EN = ["The Security Council met on Monday in New York.",
      "It adopted two resolutions on the situation in the region.",
      "The first one extends the mission by twelve months.",
      "A press conference followed.",
      "The next meeting is planned for March."]
FR = ["Le Conseil de sécurité s'est réuni lundi à New York. Il a adopté deux résolutions sur la situation dans la région.",
      "La première prolonge la mission de douze mois.",
      "La prochaine réunion est prévue en mars."]


def test_align_prints_vecalign_beads_that_eval_align_scores(tmp_path):
    src, tgt = tmp_path / "en.txt", tmp_path / "fr.txt"
    src.write_text("\n".join(EN) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(FR) + "\n", encoding="utf-8")
    result = run_cli("align", "--presegmented", src, tgt)  # default embedder (e5)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.rsplit(":", 1)[0] for line in lines] == ["[0, 1]:[0]", "[2]:[1]", "[3]:[]", "[4]:[2]"]
    assert all(float(line.rsplit(":", 1)[1]) >= 0 for line in lines)
    pred = tmp_path / "pred.txt"
    pred.write_text(result.stdout, encoding="utf-8")
    gold = tmp_path / "gold.txt"
    gold.write_text("[0, 1]:[0]\n[2]:[1]\n[3]:[]\n[4]:[2]\n", encoding="utf-8")
    scored = run_cli("eval-align", gold, pred, "--json")
    assert scored.returncode == 0, scored.stderr
    assert '"strict_f1": 1.0' in scored.stdout


def test_align_refuses_missing_and_empty_files_by_name(tmp_path):
    src = tmp_path / "en.txt"
    src.write_text("\n".join(EN), encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("\n \n", encoding="utf-8")
    missing = run_cli("align", "--presegmented", src, tmp_path / "nope.txt", "--embedder", "lexical")
    assert missing.returncode == 2 and "nope.txt: sentence file not found" in missing.stderr
    blank = run_cli("align", "--presegmented", empty, src, "--embedder", "lexical")
    assert blank.returncode == 2 and "empty.txt: no sentences" in blank.stderr
    assert "Traceback" not in missing.stderr + blank.stderr
