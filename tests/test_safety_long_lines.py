"""Long lines (issue 24): segments never longer than the cap, no character lost, every stage linear, memory bounded."""

import random
import subprocess
import sys
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aligner.docalign.verify import SENTENCE_WINDOW, Corpus, nearest_in_pool
from aligner.embed.base import MAX_MODEL_CHARS, model_text
from aligner.evaluate.alignment import parse_beads
from aligner.ingest import ingest_text
from aligner.segment import segment_document
from aligner.segment.rules import MAX_SEGMENT_CHARS, bound_spans, sentence_spans

# One paragraph per language that no sentence rule can cut short enough: run-on clauses joined by
# commas, stretches with no punctuation at all, a "word" with no space in it.
RUN_ON = {
    "en": ("The council met again on Monday, and the envoy said that talks would resume, "
           "while the delegations waited for the report, ") * 40
          + "and officials in the capital said nothing more about the budget " * 60
          + "x" * 4000 + " Talks resumed in Geneva. All delegations attended.",
    "fr": ("Le conseil s'est réuni lundi, et l'envoyé a déclaré que « les pourparlers reprendraient », "
           "tandis que les délégations attendaient le rapport ; ") * 40
          + "et les responsables de la capitale n'ont rien dit de plus sur le budget " * 60
          + "M. Dupont a signé. Près de 1.000 personnes étaient là.",
    "ar": ("وقال المجلس إن المحادثات ستستأنف يوم الاثنين، وأضاف المبعوث أن الوفود تنتظر التقرير، ") * 50
          + "وقال المسؤولون في العاصمة إن الميزانية الجديدة لم تنشر بعد " * 70
          + "قال د. أحمد إن الوضع خطير. وأضاف أن الحكومة مستعدة للحوار.",
}


def _assert_cover(text: str, spans: list[tuple[int, int]], cap: int) -> None:
    """Spans in order, none empty or longer than ``cap``, only whitespace between and around them."""
    rebuilt, position = [], 0
    for start, end in spans:
        assert 0 < end - start <= cap
        assert start >= position and not text[position:start].strip()
        rebuilt += [text[position:start], text[start:end]]
        position = end
    assert not text[position:].strip()
    assert "".join(rebuilt) + text[position:] == text


@pytest.mark.parametrize("lang", ["ar", "en", "fr"])
def test_an_over_long_paragraph_is_cut_under_the_cap_without_losing_a_character(lang):
    text = RUN_ON[lang]
    assert len(text) > 5 * MAX_SEGMENT_CHARS
    document = ingest_text(text, doc_id="long", source_file="long.txt")
    (paragraph,) = document.paragraphs
    assert paragraph.lang == lang
    segments = segment_document(document)
    assert len(segments) > 5
    assert all(segment.text == paragraph.text[segment.start:segment.end] for segment in segments)
    _assert_cover(paragraph.text, [(s.start, s.end) for s in segments], MAX_SEGMENT_CHARS)
    # the sentences at the end are still cut where a sentence ends, not by the cap
    assert segments[-1].text in ("All delegations attended.", "Près de 1.000 personnes étaient là.",
                                 "وأضاف أن الحكومة مستعدة للحوار.")


def test_a_run_on_paragraph_is_cut_after_clause_marks_first():
    text = RUN_ON["ar"]
    spans = bound_spans(text, sentence_spans(text, "ar"))
    cut_after_comma = [text[start:end] for start, end in spans[:3]]
    assert all(piece.endswith("،") for piece in cut_after_comma)


_PIECES = st.sampled_from(["word", "Mot", "قال", "1.000", "U.S.", "Mr.", "l'art.", ".", ",", "،", "؟", "!", "...",
                           "»", "«", "xxxxxxxxxxxxxxxxxxxxxxxx", " ", " ", " ", "  ", "\u00a0"])


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(_PIECES, max_size=200), lang=st.sampled_from(["ar", "en", "fr"]),
       cap=st.integers(min_value=1, max_value=120))
def test_bounded_sentences_cover_any_text_and_respect_any_cap(pieces, lang, cap):
    text = "".join(pieces)
    _assert_cover(text, bound_spans(text, sentence_spans(text, lang), max_chars=cap), cap)


def _one_line(size: int, seed: int = 0) -> str:
    """Sentences of random words (full stops, abbreviations, commas, run-ons) on one line of ``size`` characters."""
    rng = random.Random(seed)
    words = "the council Mr. said U.S. officials met in Geneva on Jan. 5, and no. 3 police report".split()
    parts, length = [], 0
    while length < size:
        parts.append(" ".join(rng.choice(words) for _ in range(rng.randint(3, 40))).capitalize()
                     + rng.choice([".", ".", "!", "?", ",", ""]))
        length += len(parts[-1]) + 1
    return " ".join(parts)[:size]


def _fastest(function, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def test_ingest_and_segmentation_of_one_line_take_time_linear_in_its_length():
    """8 times the text may take at most 24 times as long (linear: about 8; the old segmenter took ~60)."""
    small, large = _one_line(50_000), _one_line(400_000)

    def run(text):
        return lambda: segment_document(ingest_text(text, doc_id="one", source_file="one.txt"))

    run(small)()  # warm-up: language model and regex caches
    small_time, large_time = _fastest(run(small)), _fastest(run(large), repeats=2)
    assert large_time < 24 * small_time, (small_time, large_time)


def _corpus(sizes, dim=8):
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((sum(sizes), dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    bounds = tuple(zip(np.cumsum([0, *sizes[:-1]]).tolist(), np.cumsum(sizes).tolist()))
    return Corpus(tuple(map(str, range(len(sizes)))), ("en", "fr") * (len(sizes) // 2), bounds, vectors, (),
                  np.zeros((len(sizes), dim), np.float32))


def test_verifying_two_long_documents_takes_time_linear_in_their_length():
    """Two documents 4 times longer may take at most 10 times as long (the old product of all pairs took 16)."""
    small, large = _corpus([2 * SENTENCE_WINDOW] * 2), _corpus([8 * SENTENCE_WINDOW] * 2)
    nearest_in_pool(small, 0, [1])
    small_time = _fastest(lambda: nearest_in_pool(small, 0, [1]))
    large_time = _fastest(lambda: nearest_in_pool(large, 0, [1]), repeats=2)
    assert large_time < 10 * small_time, (small_time, large_time)


def test_verification_finds_a_counterpart_near_its_own_position_in_a_long_document():
    corpus = _corpus([4 * SENTENCE_WINDOW, 4 * SENTENCE_WINDOW])
    same = Corpus(corpus.doc_ids, corpus.langs, corpus.bounds, np.vstack([corpus.rows(0), corpus.rows(0)]), (),
                  corpus.embeddings)  # the second document is a copy of the first
    neighbours = nearest_in_pool(same, 0, [1])
    assert (neighbours.best[:, 0] == np.arange(4 * SENTENCE_WINDOW)).all()
    assert np.allclose(neighbours.top, 1.0)


def test_a_model_is_given_the_start_of_a_long_text_cut_after_a_space():
    text = "word " * (MAX_MODEL_CHARS // 2)
    clipped = model_text(text)
    assert len(clipped) <= MAX_MODEL_CHARS and text.startswith(clipped) and not clipped.endswith(" ")
    assert model_text("x" * (3 * MAX_MODEL_CHARS)) == "x" * MAX_MODEL_CHARS
    assert model_text("A short sentence.") == "A short sentence."


def test_align_with_a_line_of_megabytes_stays_in_bounded_memory(tmp_path):
    """USE read every token of a line: 3 KB of memory per character (a 2 MB line went past 6 GB)."""
    lines = {lang: [f"{lang} sentence number {k} about the council." for k in range(12)] for lang in ("en", "fr")}
    lines["en"][5] = _one_line(2_000_000, seed=1)
    lines["fr"][6] = _one_line(2_000_000, seed=2)
    paths = {}
    for lang, text in lines.items():
        paths[lang] = tmp_path / f"{lang}.txt"
        paths[lang].write_text("\n".join(text) + "\n", encoding="utf-8")
    wrapper = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
               "sys.stdout.write(r.stdout); sys.stderr.write(r.stderr); "
               "print('PEAK_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
               "sys.exit(r.returncode)")
    result = subprocess.run([sys.executable, "-c", wrapper, sys.executable, "-m", "aligner", "align",
                             str(paths["en"]), str(paths["fr"]), "--embedder", "use",
                             "--cache-dir", str(tmp_path / "cache")], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    peak_mb = int(result.stderr.rsplit("PEAK_KB", 1)[1]) / 1024
    assert peak_mb < 1500, peak_mb
    beads = parse_beads(result.stdout.splitlines())
    # the beads name the user's lines, each exactly once, in order
    assert [i for bead in beads for i in bead.src] == list(range(12))
    assert [j for bead in beads for j in bead.tgt] == list(range(12))
