"""Ingest: decoding, normalization, boilerplate rules (hand-written pages, three languages), language ID."""

import codecs
import os

import pytest

from aligner.errors import InputError
from aligner.ingest import ingest_directory, ingest_file, ingest_text, split_lines
from aligner.ingest.boilerplate import Line, find_boilerplate
from aligner.ingest.decode import decode_bytes
from aligner.ingest.langid import identify_language
from aligner.ingest.normalize import normalize_line
from aligner.model import Span

ARABIC = "قالت المفوضة السامية إن الوضع في البلاد يثير القلق الشديد."
FRENCH = "La Haute-Commissaire a appelé toutes les parties à la retenue."


# --- decoding -------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding, bom", [
    ("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE),
    ("utf-16-be", codecs.BOM_UTF16_BE), ("utf-32-le", codecs.BOM_UTF32_LE), ("utf-16-le", b""), ("utf-16-be", b""),
])
@pytest.mark.parametrize("text", [ARABIC, FRENCH, "Plain English text.\nSecond line."])
def test_decodes_utf8_and_utf16_with_or_without_bom(encoding, bom, text):
    decoded, detected = decode_bytes(bom + text.encode(encoding), "x.txt")
    assert decoded == text
    assert detected.startswith(encoding)


def test_refuses_binary_file_naming_it(tmp_path):
    path = tmp_path / "photo.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(2000))
    with pytest.raises(InputError) as err:
        ingest_file(path)
    assert "photo.png" in str(err.value) and "binary" in str(err.value)


def test_refuses_random_bytes(tmp_path):
    path = tmp_path / "blob.bin"
    path.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(InputError, match="blob.bin"):
        ingest_file(path)


def test_refuses_invalid_utf8_with_offset(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Le Conseil a déclaré la séance ouverte.".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin1.txt: not valid UTF-8 \(invalid byte 0xe9 at offset 14\)"):
        ingest_file(path)


@pytest.mark.parametrize("content, problem", [(b"", "empty file"), (b" \n\t\n\xc2\xa0\n", "no text left")])
def test_refuses_empty_and_whitespace_files(tmp_path, content, problem):
    path = tmp_path / "blank.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=problem):
        ingest_file(path)


# --- normalization --------------------------------------------------------------------------

def test_normalize_nfc_invisibles_bidi_tatweel_spaces():
    assert normalize_line("Re\u0301sume\u0301") == "Résumé"
    assert normalize_line("\u200fكـــازاخستان\u200e\u200b") == "كازاخستان"
    assert normalize_line("Nur\u00a0-\u202fSultan\t\t  2022") == "Nur - Sultan 2022"
    assert normalize_line("a\u202bb\u202cc\u2066d\u2069\ufeff\u00ad") == "abcd"
    assert normalize_line("bell\x07 and\x00 nul") == "bell and nul"


def test_split_lines_keeps_spans_and_joins_hard_wrapped_text():
    text = "Title line\r\n\r\nThe court said on Monday that\nthe hearing would resume.\r\nNext paragraph."
    lines = split_lines(text)
    assert [line.text for line in lines] == [
        "Title line", "The court said on Monday that the hearing would resume.", "Next paragraph."]
    for line in lines:
        assert normalize_line(" ".join(text[line.source.start:line.source.end].split())) == line.text
    assert [line.line_number for line in lines] == [1, 3, 5]


# --- boilerplate rules ----------------------------------------------------------------------

def _reasons(page: str) -> dict[str, str]:
    lines = split_lines(page)
    return {lines[i].text: reason.split(":")[0] for i, reason in find_boilerplate(lines).items()}


ENGLISH_PAGE = """Protesters gather outside parliament
Election commission delays results | World Desk
By Jane Okafor
3 min read
Election commission delays results
Protesters gather outside parliament
The commission said on Tuesday that counting would take two more days. Observers urged calm.
What happens next
Parties have until Friday to file complaints.
Related articles
Share this"""

FRENCH_PAGE = """Publié le 7 janvier 2022 à 10h45
Par Jean Dupont
La commission électorale reporte les résultats
4 min de lecture
La commission a annoncé mardi que le dépouillement prendrait deux jours de plus.
Et maintenant ?
Les partis ont jusqu'à vendredi pour déposer un recours.
Lire aussi"""

ARABIC_PAGE = """صورة أرشيفية
الجمعة ٧ يناير ٢٠٢٢ الساعة ١٢:٥٧ صباحاً
القاهرة - وكالات
مفوضية الانتخابات تؤجل إعلان النتائج
قالت المفوضية يوم الثلاثاء إن فرز الأصوات سيستغرق يومين إضافيين.
ردود الفعل
دعا المراقبون جميع الأطراف إلى التهدئة.
اقرأ أيضاً"""


def test_english_page_rules():
    reasons = _reasons(ENGLISH_PAGE)
    assert reasons == {
        "Protesters gather outside parliament": "repeated-caption",
        "Election commission delays results | World Desk": "repeated-text",
        "By Jane Okafor": "byline",
        "3 min read": "reading-time",
        "Related articles": "navigation",
        "Share this": "navigation",
    }


def test_french_page_rules():
    assert _reasons(FRENCH_PAGE) == {
        "Publié le 7 janvier 2022 à 10h45": "dateline",
        "Par Jean Dupont": "byline",
        "4 min de lecture": "reading-time",
        "Lire aussi": "navigation",
    }


def test_arabic_page_rules():
    assert _reasons(ARABIC_PAGE) == {
        "صورة أرشيفية": "header-furniture",
        "الجمعة ٧ يناير ٢٠٢٢ الساعة ١٢:٥٧ صباحاً": "dateline",
        "القاهرة - وكالات": "byline",
        "اقرأ أيضاً": "navigation",
    }


@pytest.mark.parametrize("line", [
    "Read more: Hundreds killed by Indonesian quake, tsunami, with toll seen rising",
    "You may also like: Menga strike gives Livingston 1-0 win over Rangers",
    "À lire aussi : Scherzer veut jouer les trouble-fêtes contre les Rockies",
    "Sur le même sujet » Le gouvernement annonce un plan pour les hôpitaux",
    "اقرأ المزيد: مراجعة فيلم جديد عن الجاسوس الساخر",
    "مواضيع ذات صلة: لن يتم دق أجراس الكنائس هذا العام"])
def test_a_labelled_related_link_of_any_length_is_navigation(line):
    page = f"The minister spoke on Monday.\n{line}\nShe will return on Friday."
    assert _reasons(page) == {line: "navigation"}


@pytest.mark.parametrize("line", ["The UN said: talks will resume on Monday.",
                                  "Note : la réunion a eu lieu à Genève.", "وقال الوزير: ستستأنف المحادثات."])
def test_a_sentence_with_a_colon_is_not_a_link(line):
    assert _reasons(f"The minister spoke on Monday.\n{line}\nShe will return on Friday.") == {}


def test_trailing_unpunctuated_lines_are_furniture_but_inner_headings_stay():
    page = "Budget approved\nThe parliament approved the budget.\nReactions\nThe opposition criticised it.\nCopyright notice\nContact"
    assert _reasons(page) == {"Copyright notice": "trailing-furniture", "Contact": "trailing-furniture"}


def test_repeated_lede_keeps_last_copy_and_reason_names_it():
    page = "Health ministry reports new cases. |\nOutbreak update\nHealth ministry reports new cases.\nMore detail follows here."
    lines = split_lines(page)
    verdicts = find_boilerplate(lines)
    assert verdicts == {0: "repeated-text: repeats line 3 (repeated headline or lede)"}


def test_symbol_only_lines_removed():
    lines = [Line(1, "* * *", Span(0, 5)), Line(2, "A real sentence here.", Span(6, 27))]
    assert find_boilerplate(lines) == {0: "no-letters: separator or symbol line"}


def test_removals_are_recorded_with_reasons_and_headings_flagged():
    document = ingest_text(ENGLISH_PAGE, "page", "page.txt")
    assert [p.text for p in document.paragraphs if p.is_heading] == [
        "Election commission delays results", "What happens next"]
    assert len(document.removed) == 7
    assert all(r.reason and r.text for r in document.removed)


# --- language ID ----------------------------------------------------------------------------

@pytest.mark.parametrize("heading, doc_lang", [
    ("Internet", "en"), ("Internet", "fr"), ("State of emergency", "en"), ("Détentions", "fr"),
    ("Similar Posts", "en"), ("الإنترنت", "ar"), ("Appel", "fr"), ("COVID-19", "ar"),
])
def test_short_headings_take_the_document_language(heading, doc_lang):
    assert identify_language(heading, prior_lang=doc_lang)[0] == doc_lang


def test_confident_foreign_paragraph_keeps_its_own_language():
    english = "The High Commissioner urged the authorities to restore internet services immediately."
    assert identify_language(english, prior_lang="fr")[0] == "en"
    assert identify_language(ARABIC, prior_lang="en")[0] == "ar"


def test_document_language_of_each_seed(seeds_dir):
    documents, skipped = ingest_directory(seeds_dir)
    assert not skipped
    assert [(d.doc_id[:3], d.lang) for d in documents] == [
        ("000", "ar"), ("001", "ar"), ("002", "en"), ("003", "ar"), ("004", "fr")]
    assert all(p.lang == d.lang for d in documents for p in d.paragraphs)


# --- directories ----------------------------------------------------------------------------

def test_directory_skips_bad_files_and_marks_duplicates(tmp_path):
    (tmp_path / "a.txt").write_text(FRENCH + "\n", encoding="utf-8")
    (tmp_path / "copy of a.txt").write_text(FRENCH + "\n", encoding="utf-16")
    (tmp_path / "b.bin").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / ".hidden").write_text("ignored", encoding="utf-8")
    documents, skipped = ingest_directory(tmp_path)
    # ids are space-free (segment id lists are space-separated): a space in a file name is percent-encoded
    assert [(d.doc_id, d.duplicate_of) for d in documents] == [("a", None), ("copy%20of%20a", "a")]
    assert [d.source_file for d in documents] == ["a.txt", "copy of a.txt"]
    assert [(s.source_file, "binary" in s.reason or "hidden" in s.reason) for s in skipped] == [
        (".hidden", True), ("b.bin", True)]


def test_seed_paragraphs_point_back_to_the_source(seeds_dir):
    documents, _ = ingest_directory(seeds_dir)
    for document in documents:
        source = (seeds_dir / document.source_file).read_text(encoding="utf-8")
        for paragraph in document.paragraphs:
            assert normalize_line(source[paragraph.source.start:paragraph.source.end]) == paragraph.text
