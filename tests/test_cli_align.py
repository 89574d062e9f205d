"""``aligner align``: beads for two sentence files, scorable by ``aligner eval-align``."""

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
    # e5 alone leaves the press conference unaligned; the default e5+use glues it to the last
    # bead ([3, 4]:[2]), which its refinement with word links takes apart again
    result = run_cli("align", src, tgt, "--embedder", "e5")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.rsplit(":", 1)[0] for line in lines] == ["[0, 1]:[0]", "[2]:[1]", "[3]:[]", "[4]:[2]"]
    assert all(float(line.rsplit(":", 1)[1]) >= 0 for line in lines)
    refined = run_cli("align", src, tgt, "--refine", "en,fr")
    assert refined.returncode == 0, refined.stderr
    assert [line.rsplit(":", 1)[0] if line.count(":") > 1 else line for line in refined.stdout.splitlines()] == [
        "[0, 1]:[0]", "[2]:[1]", "[3]:[]", "[4]:[2]"]
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
    missing = run_cli("align", src, tmp_path / "nope.txt", "--embedder", "lexical")
    assert missing.returncode == 2 and "nope.txt: sentence file not found" in missing.stderr
    blank = run_cli("align", empty, src, "--embedder", "lexical")
    assert blank.returncode == 2 and "empty.txt: no sentences" in blank.stderr
    assert "Traceback" not in missing.stderr + blank.stderr
    # the files always hold one sentence per line: the old no-op --presegmented flag is gone
    old_flag = run_cli("align", "--presegmented", src, src, "--embedder", "lexical")
    assert old_flag.returncode == 2 and "unrecognized arguments: --presegmented" in old_flag.stderr


# An NTREX document (the build's benchmark, scripts/bench_ntrex_pairs.py seed 13): the French
# version lost its headline, and the sentence aligner glues the English headline to the next bead.
HEADLINE_EN = [
    "Macedonians go to polls in referendum on changing country's name",
    "Voters will vote Sunday on whether to change their country's name to the \"Republic of North Macedonia.\"",
    "The popular vote was set up in a bid to resolve a decades-long dispute with neighboring Greece, which has its "
    "own province called Macedonia.",
    "Athens has long insisted that its northern neighbor's name represents a claim on its territory and has "
    "repeatedly objected to its membership bids for the EU and NATO.",
    "Macedonian President Gjorge Ivanov, an opponent of the plebiscite on the name change, has said he will "
    "disregard the vote.",
    "However, supporters of the referendum, including Prime Minister Zoran Zaev, argue that the name change is "
    "simply the price to pay to join the EU and NATO.",
]
HEADLINE_FR = [
    "Les Macédoniens décideront dimanche si leur pays doit désormais porter le nom de « République de Macédoine "
    "du Nord ».",
    "Le vote populaire a été organisé dans une tentative de résoudre un contentieux vieux de plusieurs décennies "
    "entre le pays et son voisin grec, pour qui Macédoine est le nom d’une de ses provinces.",
    "Depuis fort longtemps, Athènes insiste sur le fait que le nom de Macédoine constitue une revendication sur son "
    "territoire et a à maintes reprises imposé son veto à l’adhésion de son pays voisin à l’Union européenne et à "
    "l’OTAN.",
    "Le Président macédonien, Gjorge Ivanov, opposé au référendum, a indiqué qu’il ne tiendrait pas compte des "
    "résultats.",
    "Cependant, les partisans tels que le premier ministre Zoran Zaev, maintiennent que le changement de nom n’est "
    "qu’un petit prix à payer pour rejoindre l’UE et l’OTAN.",
]


def test_refine_detaches_a_glued_sentence_like_the_build(tmp_path):
    src, tgt = tmp_path / "en.txt", tmp_path / "fr.txt"
    src.write_text("\n".join(HEADLINE_EN) + "\n", encoding="utf-8")
    tgt.write_text("\n".join(HEADLINE_FR) + "\n", encoding="utf-8")
    plain = run_cli("align", src, tgt)
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.splitlines()[0].startswith("[0, 1]:[0]:")  # the headline glued on
    refined = run_cli("align", src, tgt, "--refine", "en,fr")
    assert refined.returncode == 0, refined.stderr
    lines = refined.stdout.splitlines()
    # the two beads the refinement made have no score; the others keep the sentence aligner's
    assert lines[:2] == ["[0]:[]", "[1]:[0]"]
    assert [line.rsplit(":", 1)[0] for line in lines[2:]] == ["[2]:[1]", "[3]:[2]", "[4]:[3]", "[5]:[4]"]
    assert all(float(line.rsplit(":", 1)[1]) >= 0 for line in lines[2:])


def test_refine_needs_two_languages_the_word_tokenizer_knows(tmp_path):
    src, tgt = tmp_path / "en.txt", tmp_path / "fr.txt"
    src.write_text("One.\n", encoding="utf-8")
    tgt.write_text("Un.\n", encoding="utf-8")
    for spec in ("en,de", "en", "fr,fr"):
        result = run_cli("align", src, tgt, "--embedder", "lexical", "--refine", spec)
        assert result.returncode != 0 and "--refine takes the two files' languages" in result.stderr, spec
