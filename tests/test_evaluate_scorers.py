"""Sentence-alignment (strict/lax P/R/F1) and word-alignment (P/R/AER) scorers."""

from __future__ import annotations

from pathlib import Path

import pytest

from aligner.errors import InputError
from aligner.evaluate.alignment import (
    AlignmentScores,
    Bead,
    diagonal_beads,
    format_bead,
    format_scores,
    parse_beads,
    read_beads,
    score_alignment,
    score_alignment_files,
)
from aligner.evaluate.words import (
    GoldLinks,
    format_word_scores,
    infer_one_based,
    parse_gold_links,
    parse_links,
    read_bitext,
    read_gold_links,
    read_links,
    score_word_alignment,
    score_word_alignment_files,
)

BENCHMARKS = Path(__file__).parent.parent / "benchmarks"
TEXTBERG = BENCHMARKS / "textberg"
HANSARDS = BENCHMARKS / "hansards"


def beads(*lines: str) -> list[Bead]:
    return parse_beads(lines)


# --------------------------------------------------------------------------- bead files


def test_parse_bead_forms():
    got = beads("[6, 7]:[9, 10]", "[]:[51]", "[4]:[]", "  [0]:[0, 1]:0.123456  ", "", "[2,3]:[4]:-1e-3")
    assert [(b.src, b.tgt) for b in got] == [
        ((6, 7), (9, 10)),
        ((), (51,)),
        ((4,), ()),
        ((0,), (0, 1)),
        ((2, 3), (4,)),
    ]
    assert got[3].score == pytest.approx(0.123456)
    assert got[0].score is None
    assert got[1].is_null and got[2].is_null and not got[0].is_null
    # the score never takes part in equality
    assert beads("[0]:[0]:0.9")[0] == beads("[0]:[0]")[0]


def test_format_bead_round_trips():
    for bead in beads("[6, 7]:[9, 10]", "[]:[51]", "[4]:[]", "[0]:[1]:0.500000"):
        assert parse_beads([format_bead(bead)])[0] == bead
    assert format_bead(Bead((6, 7), (9,))) == "[6, 7]:[9]"
    assert format_bead(Bead((1,), (2,), 0.25)) == "[1]:[2]:0.250000"


@pytest.mark.parametrize(
    "bad, fragment",
    [
        ("[0]-[1]", "expected '[src ids]:[tgt ids]'"),
        ("[0]:1", "expected '[src ids]:[tgt ids]'"),
        ("[a]:[1]", "source ids must be comma-separated integers"),
        ("[0]:[1,]", "target ids must be comma-separated integers"),
        ("[0]:[1]:high", "score must be a number"),
        ("[-1]:[0]", "negative source id"),
        ("[1, 1]:[2]", "repeated source id"),
    ],
)
def test_malformed_bead_line_names_file_and_line(tmp_path, bad, fragment):
    path = tmp_path / "pred.defr"
    path.write_text("[0]:[0]\n\n" + bad + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_beads(path)
    message = str(info.value)
    assert str(path) in message
    assert "line 3" in message
    assert fragment in message


def test_missing_bead_file_is_input_error(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_beads(tmp_path / "nope.defr")


# --------------------------------------------------------------------------- sentence scores


def test_strict_versus_lax_hand_computed():
    gold = beads("[0]:[0]", "[1, 2]:[1]", "[3]:[2, 3]")
    pred = beads("[0]:[0]", "[1]:[1]", "[2]:[]", "[3]:[2]", "[]:[3]")
    s = score_alignment([gold], [pred])
    # precision runs over all 5 predicted beads: only [0]:[0] is exact;
    # [1]:[1] and [3]:[2] overlap a gold bead on both sides; the null beads are wrong.
    assert (s.n_pred, s.strict_correct_pred, s.lax_correct_pred) == (5, 1, 3)
    assert s.strict_precision == pytest.approx(1 / 5)
    assert s.lax_precision == pytest.approx(3 / 5)
    # recall runs over the 3 gold beads against the 3 non-null predictions
    assert (s.n_gold, s.strict_found_gold, s.lax_found_gold) == (3, 1, 3)
    assert s.strict_recall == pytest.approx(1 / 3)
    assert s.lax_recall == pytest.approx(1.0)
    assert s.strict_f1 == pytest.approx(2 * (1 / 5) * (1 / 3) / (1 / 5 + 1 / 3))
    assert s.lax_f1 == pytest.approx(0.75)


def test_lax_needs_overlap_with_one_and_the_same_bead():
    gold = beads("[0]:[1]", "[1]:[0]")
    # source 0 is in gold [0]:[1] and target 0 in gold [1]:[0]: no single bead overlaps both sides
    s = score_alignment([gold], [beads("[0]:[0]")])
    assert s.lax_correct_pred == 0 and s.lax_precision == 0.0
    # a merged bead does overlap a gold bead on both sides
    s = score_alignment([gold], [beads("[0, 1]:[0, 1]")])
    assert (s.strict_precision, s.lax_precision, s.lax_recall) == (0.0, 1.0, 1.0)


def test_insertions_and_deletions():
    gold = beads("[0]:[0]", "[1]:[]", "[]:[1]", "[2]:[2]")

    same = score_alignment([gold], [gold])
    assert (same.n_pred, same.n_gold) == (4, 2)  # nulls count for precision, not recall
    assert same.strict_precision == same.strict_recall == same.lax_f1 == 1.0

    # leaving out the gold nulls costs nothing: they are not in the recall denominator
    no_nulls = score_alignment([gold], [beads("[0]:[0]", "[2]:[2]")])
    assert (no_nulls.strict_precision, no_nulls.strict_recall) == (1.0, 1.0)

    # a predicted deletion that is not in the gold is a precision error (strict and lax)
    extra = score_alignment([gold], [gold + beads("[3]:[]")])
    assert extra.strict_precision == pytest.approx(4 / 5)
    assert extra.lax_precision == pytest.approx(4 / 5)
    assert extra.strict_recall == 1.0

    # aligning the deleted and inserted sentence to each other is a precision error only
    joined = score_alignment([gold], [beads("[0]:[0]", "[1]:[1]", "[2]:[2]")])
    assert joined.strict_precision == pytest.approx(2 / 3)
    assert joined.lax_precision == pytest.approx(2 / 3)
    assert joined.strict_recall == 1.0


def test_duplicates_empty_beads_and_id_order_are_ignored():
    gold = beads("[0, 1]:[0]", "[2]:[1]")
    pred = beads("[1, 0]:[0]", "[1, 0]:[0]", "[]:[]", "[2]:[1]")
    s = score_alignment([gold], [pred])
    assert (s.n_pred, s.strict_precision, s.strict_recall) == (2, 1.0, 1.0)


def test_multi_document_micro_average():
    gold1 = beads("[0]:[0]", "[1]:[1]", "[2]:[2]", "[3]:[3]")
    gold2 = beads("[0]:[0]", "[1]:[1]")
    pred2 = beads("[0]:[1]", "[1]:[0]")
    s = score_alignment([gold1, gold2], [gold1, pred2])
    assert s.n_documents == 2
    assert s.strict_precision == pytest.approx(4 / 6)  # a macro-average would give 0.5
    assert s.strict_recall == pytest.approx(4 / 6)
    assert s.lax_precision == pytest.approx(4 / 6)


def test_undefined_ratios_are_zero():
    s = score_alignment([beads("[0]:[0]")], [[]])
    assert (s.strict_precision, s.strict_recall, s.strict_f1) == (0.0, 0.0, 0.0)
    s = score_alignment([[]], [[]])
    assert (s.lax_precision, s.lax_recall, s.lax_f1) == (0.0, 0.0, 0.0)


def test_score_alignment_argument_errors(tmp_path):
    gold = beads("[0]:[0]")
    with pytest.raises(ValueError, match="1 gold documents but 2 predicted"):
        score_alignment([gold], [gold, gold])
    with pytest.raises(TypeError, match="one list of beads per document"):
        score_alignment(gold, gold)
    with pytest.raises(ValueError, match="paired in order"):
        score_alignment_files([tmp_path / "a"], [])


def test_format_scores_table():
    s = score_alignment([beads("[0]:[0]", "[1]:[1]")], [beads("[0]:[0]", "[1]:[2]")])
    text = format_scores(s, title="toy")
    assert text.splitlines()[0] == "toy"
    assert "| precision |  0.500 |  0.500 |" in text
    assert "| recall    |  0.500 |  0.500 |" in text
    assert "2 predicted beads" in text


# --------------------------------------------------------------------------- Text+Berg data


def test_textberg_test0_gold_against_itself():
    gold = read_beads(TEXTBERG / "test0.defr")
    assert len(gold) == 128
    s = score_alignment_files([TEXTBERG / "test0.defr"], [TEXTBERG / "test0.defr"])
    assert isinstance(s, AlignmentScores)
    for value in (s.strict_precision, s.strict_recall, s.strict_f1, s.lax_precision, s.lax_recall, s.lax_f1):
        assert value == 1.0


def _line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_textberg_test_set_counts_and_diagonal_baseline():
    names = [f"test{i}" for i in range(7)]
    gold = [read_beads(TEXTBERG / f"{n}.defr") for n in names]
    assert sum(len(g) for g in gold) == 916
    assert sum(_line_count(TEXTBERG / f"{n}.de") for n in names) == 991
    assert sum(_line_count(TEXTBERG / f"{n}.fr") for n in names) == 1011
    assert score_alignment(gold, gold).strict_f1 == 1.0

    diagonal = [
        diagonal_beads(_line_count(TEXTBERG / f"{n}.de"), _line_count(TEXTBERG / f"{n}.fr")) for n in names
    ]
    s = score_alignment(gold, diagonal)
    assert 0.0 < s.strict_f1 < s.lax_f1 < 0.5
    assert s.n_gold == 858  # 916 beads minus 47 insertions and 11 deletions


# --------------------------------------------------------------------------- word links


def test_gold_links_one_based_and_zero_based_agree():
    one = parse_gold_links(["1-1 2p2 3-3"], one_based=True)
    zero = parse_gold_links(["0-0 1p1 2-2"], one_based=False)
    assert one == zero
    assert one[0].sure == {(0, 0), (2, 2)}
    assert one[0].possible == {(0, 0), (1, 1), (2, 2)}  # sure links are possible too


def test_link_given_as_sure_and_possible_is_sure():
    [g] = parse_gold_links(["0-0 0p0 1p1"], one_based=False)
    assert g.sure == {(0, 0)} and g.possible == {(0, 0), (1, 1)}
    # constructing GoldLinks by hand also enforces S ⊆ P
    assert GoldLinks(frozenset({(3, 3)}), frozenset()).possible == {(3, 3)}


def test_infer_one_based():
    assert infer_one_based(["1-1 2p2", "3-1"]) is True
    assert infer_one_based(["1-1 2p2", "0-1"]) is False
    assert infer_one_based(["1-1", "2p0"]) is False
    assert infer_one_based(["", ""]) is False


def test_word_scores_hand_computed():
    gold = parse_gold_links(["1-1 2p2 3-3"], one_based=True)
    pred = parse_links(["0-0 1-1 1-2"])
    s = score_word_alignment(gold, pred)
    # A = 3, S = 2, P = 3, A∩S = {0-0}, A∩P = {0-0, 1-1}
    assert (s.n_pred, s.n_sure, s.n_possible, s.pred_in_sure, s.pred_in_possible) == (3, 2, 3, 1, 2)
    assert s.precision == pytest.approx(2 / 3)
    assert s.recall == pytest.approx(1 / 2)
    assert s.aer == pytest.approx(1 - (1 + 2) / (3 + 2))


def test_word_scores_micro_average_over_sentences():
    gold = parse_gold_links(["0-0", "0-0 1-1 2-2 3-3"], one_based=False)
    pred = parse_links(["0-0", ""])
    s = score_word_alignment(gold, pred)
    assert s.n_sentences == 2
    assert s.precision == 1.0
    assert s.recall == pytest.approx(1 / 5)
    assert s.aer == pytest.approx(1 - 2 / 6)


def test_empty_prediction_reports_zero_precision():
    gold = parse_gold_links(["0-0 1p1"], one_based=False)
    s = score_word_alignment(gold, [frozenset()])
    assert (s.precision, s.recall, s.aer) == (0.0, 0.0, 1.0)
    nothing = score_word_alignment(parse_gold_links([""], one_based=False), [frozenset()])
    assert (nothing.precision, nothing.recall, nothing.aer) == (0.0, 0.0, 1.0)


def test_sure_links_as_prediction_give_zero_aer():
    gold = parse_gold_links(["1-1 2p2 3-3 3p4"], one_based=True)
    s = score_word_alignment(gold, [g.sure for g in gold])
    assert (s.precision, s.recall, s.aer) == (1.0, 1.0, 0.0)


def test_word_link_errors_name_file_and_line(tmp_path):
    gold = tmp_path / "gold.txt"
    gold.write_text("1-1\n2-2 1x2\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_gold_links(gold, one_based=True)
    assert str(gold) in str(info.value) and "line 2" in str(info.value) and "'1x2'" in str(info.value)

    zero_in_one_based = tmp_path / "zero.txt"
    zero_in_one_based.write_text("1-1\n0-2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 2: .*index 0.*1-based"):
        read_gold_links(zero_in_one_based, one_based=True)

    pred = tmp_path / "pred.txt"
    pred.write_text("0-0 1p1\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_links(pred)
    assert str(pred) in str(info.value) and "line 1" in str(info.value) and "Pharaoh" in str(info.value)


def test_mismatched_line_counts_name_both_files(tmp_path):
    gold = tmp_path / "gold.txt"
    pred = tmp_path / "pred.txt"
    gold.write_text("1-1\n2-2\n", encoding="utf-8")
    pred.write_text("0-0\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        score_word_alignment_files(gold, pred, one_based=True)
    assert str(gold) in str(info.value) and str(pred) in str(info.value)
    with pytest.raises(ValueError, match="2 gold sentences but 1 predicted"):
        score_word_alignment(read_gold_links(gold, one_based=True), read_links(pred))


def test_links_outside_sentence_are_caught_with_lengths():
    gold = parse_gold_links(["1-1 2-2"], one_based=True)
    with pytest.raises(ValueError, match="predicted link 2-2"):
        score_word_alignment(gold, parse_links(["1-1 2-2"]), lengths=[(2, 2)])


def test_format_word_scores():
    s = score_word_alignment(parse_gold_links(["0-0 1-1"], one_based=False), parse_links(["0-0"]))
    text = format_word_scores(s)
    assert "precision 100.00" in text and "recall     50.00" in text and "AER        33.33" in text


# --------------------------------------------------------------------------- Hansards data


def test_hansards_sure_links_as_prediction_give_zero_aer(tmp_path):
    gold_path = HANSARDS / "enfr.gold"
    assert infer_one_based(gold_path) is True
    gold = read_gold_links(gold_path, one_based=True)
    assert len(gold) == 447
    assert sum(len(g.sure) for g in gold) == 4038
    assert sum(len(g.possible - g.sure) for g in gold) == 13400

    bitext = read_bitext(HANSARDS / "enfr.src-tgt")
    lengths = [(len(src), len(tgt)) for src, tgt in bitext]
    s = score_word_alignment(gold, [g.sure for g in gold], lengths=lengths)
    assert (s.precision, s.recall, s.aer) == (1.0, 1.0, 0.0)

    # the same through files: 0-based Pharaoh predictions, 1-basedness of the gold inferred
    pred_path = tmp_path / "sure.enfr"
    pred_path.write_text(
        "".join(" ".join(f"{i}-{j}" for i, j in sorted(g.sure)) + "\n" for g in gold), encoding="utf-8"
    )
    s = score_word_alignment_files(gold_path, pred_path, bitext_path=HANSARDS / "enfr.src-tgt")
    assert (s.precision, s.recall, s.aer) == (1.0, 1.0, 0.0)

    empty_path = tmp_path / "empty.enfr"
    empty_path.write_text("\n" * 447, encoding="utf-8")
    s = score_word_alignment_files(gold_path, empty_path, one_based=True)
    assert (s.precision, s.recall, s.aer) == (0.0, 0.0, 1.0)
