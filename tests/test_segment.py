"""Sentence segmentation: the seeds gold, hand-written cases per language, and text accounting."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aligner.evaluate.segmentation import boundary_counts, parse_gold, read_gold
from aligner.ingest import ingest_text
from aligner.ingest.langid import document_language
from aligner.segment import METHODS, get_splitter, segment_document, sentence_spans, srx_spans

GOLD = Path(__file__).parent / "data" / "segmentation"


def _seed_gold_by_language():
    by_lang = {}
    for path in sorted((GOLD / "seeds").glob("*.txt")):
        paragraphs = read_gold(path)
        by_lang.setdefault(document_language([p.text for p in paragraphs])[0], []).extend(paragraphs)
    return by_lang


def test_gold_marker_removal_gives_back_the_seeds(seeds_dir):
    for path in sorted((GOLD / "seeds").glob("*.txt")):
        assert path.read_text(encoding="utf-8").replace("‖", "") == (seeds_dir / path.name).read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["ar", "en", "fr"])
def test_rules_reach_f1_098_on_the_seeds_gold(lang):
    counts = boundary_counts(_seed_gold_by_language()[lang], sentence_spans, lang)
    print(f"{lang}: P={counts.precision:.3f} R={counts.recall:.3f} F1={counts.f1:.3f}")
    assert counts.true_positives > 0
    assert counts.f1 >= 0.98


@pytest.mark.parametrize("lang", ["ar", "en", "fr"])
def test_rules_on_the_tricky_gold(lang):
    counts = boundary_counts(read_gold(GOLD / "tricky" / f"{lang}.txt"), sentence_spans, lang)
    assert counts.precision == 1.0
    assert counts.recall >= 0.95


def _split(text, lang):
    return [text[a:b] for a, b in sentence_spans(text, lang)]


@pytest.mark.parametrize("lang, text, expected", [
    ("en", "Talks resumed in Geneva.All delegations attended.", ["Talks resumed in Geneva.", "All delegations attended."]),
    ("en", "Mr. Annan met Dr. Sen on Jan. 5 in the U.S. embassy.", None),
    ("en", "The vote passed in the U.S. The Senate adjourned.", ["The vote passed in the U.S.", "The Senate adjourned."]),
    ("en", "“Stop the violence,” said the envoy. Calm returned.", ["“Stop the violence,” said the envoy.", "Calm returned."]),
    ("en", "Some 2,000 people, i.e. most residents, fled. Aid arrived.", ["Some 2,000 people, i.e. most residents, fled.", "Aid arrived."]),
    ("fr", "M. Dupont et Mme Martin ont signé. Près de 1.000 personnes étaient là.",
     ["M. Dupont et Mme Martin ont signé.", "Près de 1.000 personnes étaient là."]),
    ("fr", "« Le droit est clair. Il faut respecter la loi », a déclaré Mme Bachelet.",
     ["« Le droit est clair.", "Il faut respecter la loi », a déclaré Mme Bachelet."]),
    ("fr", "Selon l'art. 49 de la Constitution, le texte est adopté.", None),
    ("ar", "قال د. أحمد إن الوضع خطير. وأضاف أن الحكومة مستعدة للحوار، والتفاوض.",
     ["قال د. أحمد إن الوضع خطير.", "وأضاف أن الحكومة مستعدة للحوار، والتفاوض."]),
    ("ar", "هل انتهت الأزمة؟ لا أحد يعرف؛ المفاوضات مستمرة.", ["هل انتهت الأزمة؟", "لا أحد يعرف؛", "المفاوضات مستمرة."]),
    ("ar", "بلغ عدد المعتقلين ١٢٫٥ ألفا في ٧ يناير ٢٠٢٢ الساعة ١٢:٥٧ .", None),
])
def test_hand_written_cases(lang, text, expected):
    assert _split(text, lang) == (expected or [text])


def test_headings_are_never_split():
    document = ingest_text("Why now? A timeline\nThe council met. It voted.", "d", "d.txt")
    segments = segment_document(document)
    assert [(s.paragraph, s.is_heading, s.text) for s in segments] == [
        (0, True, "Why now? A timeline"), (1, False, "The council met."), (1, False, "It voted.")]


def _non_space(text):
    return "".join(text.split())


TEXT = st.text(alphabet=st.sampled_from(list("ab AB.!?؟؛،«»“”\"'1,:-ت ")) | st.characters(), max_size=200)


@settings(max_examples=300, deadline=None)
@given(TEXT, st.sampled_from(["ar", "en", "fr"]))
def test_spans_cover_every_character_once_in_order(text, lang):
    for splitter in (sentence_spans, srx_spans):
        spans = splitter(text, lang)
        assert all(0 <= a < b <= len(text) for a, b in spans)
        assert all(b1 <= a2 for (_, b1), (a2, _) in zip(spans, spans[1:]))
        assert all(text[a:b] == text[a:b].strip() for a, b in spans)
        assert "".join(_non_space(text[a:b]) for a, b in spans) == _non_space(text)


@pytest.mark.parametrize("method", METHODS)
def test_every_method_accounts_for_all_seed_text(method, seeds_dir):
    from aligner.ingest import ingest_directory

    documents, _ = ingest_directory(seeds_dir)
    splitter = get_splitter(method, documents)
    for document in documents:
        segments = segment_document(document, splitter)
        for paragraph in document.paragraphs:
            pieces = [s for s in segments if s.paragraph == paragraph.index]
            assert all(paragraph.text[s.start:s.end] == s.text for s in pieces)
            assert _non_space("".join(s.text for s in pieces)) == _non_space(paragraph.text)


def test_parse_gold_puts_boundary_at_next_sentence_start():
    (paragraph,) = parse_gold("One. ‖Two.‖Three.")
    assert paragraph.text == "One. Two.Three."
    assert paragraph.boundaries == {5, 9}


def test_unknown_method_is_rejected():
    with pytest.raises(ValueError, match="rules, srx, punkt"):
        get_splitter("spacy")


def test_overlong_segments_are_cut_at_clause_marks_or_spaces_without_losing_text():
    from aligner.segment.rules import bound_spans

    text = "word " * 15 + "end, " + "more words here " * 3 + "x" * 120
    spans = bound_spans(text, [(0, len(text))], max_chars=100)
    assert all(0 < e - s <= 100 for s, e in spans)
    assert text[: spans[0][1]].endswith("end,")  # the clause mark wins over later spaces
    covered = 0
    for s, e in spans:  # in order, and only whitespace between pieces: no character lost
        assert s >= covered and not text[covered:s].strip()
        covered = e
    assert covered == len(text)
    assert "".join(text[s:e] for s, e in spans[-2:]) == "x" * 120  # no space at all: a hard cut
    arabic = "قال المجلس، " * 20
    pieces = [arabic[s:e] for s, e in bound_spans(arabic, [(0, len(arabic) - 1)], max_chars=50)]
    assert all(p.endswith("،") for p in pieces[:-1])


# -- text without sentence punctuation ----------------------------------------------------------------

_UNPUNCTUATED = {
    "en": ["The government spokesman said the meeting would be held next Monday in the capital with "
           "representatives of all parties",
           "He added that the delegations would arrive in the morning and that the talks would cover security "
           "and the economy",
           "He noted that the United Nations would send observers to monitor the agreement, and that donors had "
           "pledged aid",
           "The opposition welcomed the step but demanded clear guarantees before taking part in any dialogue"],
    "fr": ["Le porte-parole du gouvernement a déclaré que la réunion se tiendrait lundi prochain dans la capitale "
           "en présence de toutes les parties",
           "Il a ajouté que les délégations arriveraient dans la matinée et que les discussions porteraient sur la "
           "sécurité et l'économie",
           "Selon lui les Nations unies enverront des observateurs pour suivre l'accord, et les donateurs ont promis "
           "une aide",
           "L'opposition a salué cette décision mais exige des garanties claires avant de participer au dialogue"],
    "ar": ["قال المتحدث باسم الحكومة إن الاجتماع سيعقد يوم الاثنين المقبل في العاصمة بحضور ممثلين عن جميع الأطراف",
           "وأضاف أن الوفود ستصل صباحا وأن المحادثات ستتناول الملف الأمني والاقتصادي",
           "وأشار إلى أن الأمم المتحدة سترسل مراقبين لمتابعة تنفيذ الاتفاق، وأن الدول المانحة تعهدت بتقديم مساعدات",
           "من جهتها رحبت المعارضة بالخطوة لكنها طالبت بضمانات واضحة قبل المشاركة في أي حوار",
           "وكان الطرفان قد فشلا في التوصل إلى اتفاق خلال جولة المفاوضات السابقة التي عقدت في جنيف الشهر الماضي"],
}


@pytest.mark.parametrize("lang", ["ar", "en", "fr"])
def test_a_paragraph_without_sentence_punctuation_is_cut_where_its_sentences_began(lang):
    document = ingest_text(" ".join(_UNPUNCTUATED[lang]), "d", "d.txt")
    assert document.lang == lang
    assert [s.text for s in segment_document(document)] == _UNPUNCTUATED[lang]


def test_line_breaks_cut_a_run_on_span_first():
    from aligner.segment.clauses import cut_run_on

    text = "\n".join(_UNPUNCTUATED["en"][:3]) + " " + _UNPUNCTUATED["en"][3]
    pieces = [text[s:e] for s, e in cut_run_on(text, 0, len(text), "en")]
    assert pieces == _UNPUNCTUATED["en"]


def test_without_any_cue_a_run_on_span_is_cut_at_spaces_into_sentence_length_pieces():
    from aligner.segment.clauses import MAX_PIECE, MIN_PIECE, cut_run_on

    text = " ".join(["وزارة الصحة العالمية تعلن نتائج الدراسة الجديدة في المدن الكبرى"] * 12)
    spans = cut_run_on(text, 0, len(text), "ar")
    assert len(spans) > 3
    assert all(MIN_PIECE * 0.93 <= e - s <= MAX_PIECE * 0.93 for s, e in spans)
    assert "".join(text[s:e] for s, e in spans).replace(" ", "") == text.replace(" ", "")


def test_clause_joins_and_commas_cut_very_long_sentences_even_in_punctuated_text():
    from aligner.segment.clauses import LONG_SENTENCE

    clause = "the council met again on Monday to discuss the budget of the coming year with the delegations"
    sentence = (", and ".join([clause] * 9)).capitalize() + "."
    assert len(sentence) > LONG_SENTENCE
    text = "Talks resumed in Geneva. " + sentence + " All delegations attended."
    segments = [s.text for s in segment_document(ingest_text(text, "d", "d.txt"))]
    assert segments[0] == "Talks resumed in Geneva." and segments[-1] == "All delegations attended."
    assert all(len(s) <= 300 for s in segments)
    assert all(s.endswith(",") for s in segments[1:-2])  # cut after the comma of each ", and"


def test_ordinary_punctuated_text_segments_as_before():
    from aligner.segment.clauses import is_unpunctuated

    document = ingest_text("La réunion a eu lieu lundi, et les délégations, venues de loin, ont parlé. "
                           "Elles ont voté; le texte est adopté.", "d", "d.txt")
    assert [s.text for s in segment_document(document)] == [
        "La réunion a eu lieu lundi, et les délégations, venues de loin, ont parlé.",
        "Elles ont voté; le texte est adopté."]
    assert not is_unpunctuated([120, 90, 300, 60], "en") and is_unpunctuated([900, 60], "en")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["word", "Mot", "The", "Le", "وقال", "قال", ",", "،", ";", ", and", "، و", " ", " ",
                                 "\n", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "1"]), max_size=400),
       st.sampled_from(["ar", "en", "fr"]))
def test_run_on_cuts_cover_every_character_once_in_order(pieces, lang):
    from aligner.segment.clauses import MAX_PIECE, cut_run_on

    text = "".join(pieces)
    spans = cut_run_on(text, 0, len(text), lang)
    assert all(0 <= a < b <= len(text) and text[a:b] == text[a:b].strip() for a, b in spans)
    assert all(b1 <= a2 and not text[b1:a2].strip() for (_, b1), (a2, _) in zip(spans, spans[1:]))
    assert "".join(_non_space(text[a:b]) for a, b in spans) == _non_space(text)
    assert all(b - a <= MAX_PIECE * 1.17 + 1 for a, b in spans)
