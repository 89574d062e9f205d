"""PDFs written with fpdf2 and Noto fonts in ar/en/fr: paragraphs re-joined across lines and pages,
de-hyphenation, running headers and page numbers removed, Arabic in logical order; scans,
encrypted and broken files skipped with their reason."""

from __future__ import annotations

from pathlib import Path

import pytest
import regex

from aligner.ingest import ingest_directory, ingest_file
from aligner.ingest.pdf import drawn_order, pdf_source

fpdf = pytest.importorskip("fpdf")
FONTS = Path("/usr/share/fonts/truetype/noto")
if not (FONTS / "NotoNaskhArabic-Regular.ttf").is_file():
    pytest.skip("Debian fonts-noto-core is not installed", allow_module_level=True)

HEADER = {"en": "Human Rights Council — Annual report", "fr": "Conseil des droits de l'homme — Rapport annuel",
          "ar": "مجلس حقوق الإنسان — التقرير السنوي"}
TITLE = {"en": "Access to safe drinking water", "fr": "L'accès à l'eau potable", "ar": "الحصول على مياه الشرب المأمونة"}
SENTENCE = {
    "en": "The committee reviewed the situation in district {k} and found that many families still walk "
          "several hours every day to reach a well that is often dry in the summer months.",
    "fr": "Le comité a examiné la situation dans le district {k} et constaté que de nombreuses familles marchent "
          "encore plusieurs heures chaque jour pour atteindre un puits souvent à sec en été.",
    "ar": "واستعرضت اللجنة الحالة في المقاطعة {k} ووجدت أن أسرا كثيرة ما زالت تسير عدة ساعات كل يوم "
          "للوصول إلى بئر كثيرا ما تجف في أشهر الصيف.",
}


def make_pdf(lang: str, paragraphs: int = 9, **encryption) -> bytes:
    class Report(fpdf.FPDF):
        def header(self):
            self.set_font("body", size=8)
            self.cell(0, 6, HEADER[lang], align="C", new_x="LMARGIN", new_y="NEXT")
            self.ln(4)

        def footer(self):
            self.set_y(-15)
            self.set_font("body", size=8)
            self.cell(0, 8, f"- {self.page_no()} -", align="C")

    pdf = Report(format=(148, 210))
    pdf.add_font("body", fname=str(FONTS / ("NotoNaskhArabic-Regular.ttf" if lang == "ar" else "NotoSans-Regular.ttf")))
    if lang == "ar":
        pdf.set_text_shaping(True)
    if encryption:
        pdf.set_encryption(**encryption)
    pdf.add_page()
    align = "R" if lang == "ar" else "L"
    pdf.set_font("body", size=14)
    pdf.multi_cell(0, 8, TITLE[lang], align=align, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("body", size=10)
    for k in range(1, paragraphs + 1):
        pdf.multi_cell(0, 5.5, " ".join(SENTENCE[lang].format(k=k) for _ in range(2)), align=align,
                       new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    return bytes(pdf.output())


@pytest.mark.parametrize("lang", ["ar", "en", "fr"])
def test_paragraphs_rejoined_and_furniture_removed(tmp_path, lang):
    (tmp_path / "report.pdf").write_bytes(make_pdf(lang))
    document = ingest_file(tmp_path / "report.pdf")
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == TITLE[lang] and document.paragraphs[0].is_heading
    expected = [" ".join(SENTENCE[lang].format(k=k) for _ in range(2)) for k in range(1, 10)]
    if lang == "ar":  # the text layer misplaces the odd mark or stop: the words, in order, must be there
        def words(text):
            return regex.findall(r"[\p{L}\p{N}]+", text)
        assert [words(t) for t in texts[1:]] == [words(e) for e in expected]
    else:
        assert texts[1:] == expected  # every paragraph whole, including the ones across a page break
    reasons = [r.reason for r in document.removed]
    pages = sum(1 for r in reasons if r.startswith("pdf-page-number"))
    assert pages >= 2 and sum(1 for r in reasons if r.startswith("pdf-running-header")) == pages
    assert document.format == "pdf" and document.lang == lang


def test_arabic_is_in_logical_order_without_presentation_forms(tmp_path):
    (tmp_path / "ar.pdf").write_bytes(make_pdf("ar", paragraphs=2))
    text = ingest_file(tmp_path / "ar.pdf").text
    assert "اللجنة الحالة في المقاطعة 1 ووجدت" in text
    assert not regex.search(r"[\ufb50-\ufdff\ufe70-\ufeff]", text)


def test_source_spans_give_page_and_position(tmp_path):
    (tmp_path / "en.pdf").write_bytes(make_pdf("en"))
    document = ingest_file(tmp_path / "en.pdf")
    import pypdfium2 as pdfium
    decoded = "\f".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(tmp_path / "en.pdf"))
    for paragraph in document.paragraphs:
        piece = decoded[paragraph.source.start:paragraph.source.end]
        assert piece.split()[:3] == paragraph.text.split()[:3]
    pages = {decoded.count("\f", 0, p.source.start) + 1 for p in document.paragraphs}
    assert pages == {1, 2, 3} or len(pages) >= 2


def test_hyphenated_words_are_rejoined(tmp_path):
    pdf = fpdf.FPDF()
    pdf.add_font("body", fname=str(FONTS / "NotoSans-Regular.ttf"))
    pdf.set_font("body", size=11)
    pdf.add_page()
    for line in ("The delegates discussed the environ-", "mental consequences of the drought in the",
                 "northern provinces at great length."):
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    (tmp_path / "hyphen.pdf").write_bytes(bytes(pdf.output()))
    text = ingest_file(tmp_path / "hyphen.pdf").text
    assert "discussed the environmental consequences of the drought in the northern provinces" in text


def test_scan_encrypted_broken_and_too_long_pdfs_are_skipped(tmp_path, monkeypatch):
    scan = fpdf.FPDF()
    scan.add_page()
    scan.rect(20, 20, 100, 60, style="F")  # a page with no text at all
    (tmp_path / "scan.pdf").write_bytes(bytes(scan.output()))
    (tmp_path / "locked.pdf").write_bytes(make_pdf("fr", paragraphs=1, owner_password="o", user_password="secret"))
    (tmp_path / "cut.pdf").write_bytes(make_pdf("en")[:700])
    (tmp_path / "long.pdf").write_bytes(make_pdf("en", paragraphs=14))
    (tmp_path / "good.pdf").write_bytes(make_pdf("en", paragraphs=2))
    import aligner.ingest.pdf as reader
    monkeypatch.setattr(reader, "MAX_PDF_PAGES", 2)
    documents, skipped = ingest_directory(tmp_path)
    reasons = {s.source_file: s.reason for s in skipped}
    assert [d.source_file for d in documents] == ["good.pdf"]
    assert "without a text layer" in reasons["scan.pdf"]
    assert "encrypted" in reasons["locked.pdf"]
    assert "malformed PDF" in reasons["cut.pdf"]
    assert "pages (over 2)" in reasons["long.pdf"]


def test_an_oversized_pdf_is_skipped_before_it_is_read(tmp_path, monkeypatch):
    import aligner.ingest.pdf as reader
    (tmp_path / "huge.pdf").write_bytes(make_pdf("fr", paragraphs=2))
    monkeypatch.setattr(reader, "MAX_PDF_BYTES", 1000)
    _, skipped = ingest_directory(tmp_path)
    assert "PDF file of" in skipped[0].reason and "over the 1,000-byte cap" in skipped[0].reason


def test_latin_words_numbers_and_dates_in_arabic_lines_read_as_drawn(tmp_path):
    lines = ["قال الباحثون إن بروتين HER2 يؤدي إلى نمو الخلايا.",
             "وأخبر اللاعب موقع LiverpoolFC.com أنه سعيد.",
             "وفقا لشبكة Metro News من فيرجينيا الغربية.",
             "بلغ عدد السكان 3.5 مليون نسمة في 12/05/2020.",
             "قال المتحدث (وهو مسؤول كبير) إن الوضع خطير."]
    pdf = fpdf.FPDF(format=(148, 210))
    pdf.add_font("body", fname=str(FONTS / "NotoNaskhArabic-Regular.ttf"))
    pdf.add_font("latin", fname=str(FONTS / "NotoSans-Regular.ttf"))
    pdf.set_fallback_fonts(["latin"])
    pdf.set_text_shaping(True)
    pdf.add_page()
    pdf.set_font("body", size=10)
    for line in lines:
        pdf.multi_cell(0, 6, line, align="R", new_x="LMARGIN", new_y="NEXT")
    source = pdf_source(bytes(pdf.output()), "mixed.pdf")
    assert " ".join(line.text for line in source.lines) == " ".join(lines)


def test_drawn_order_reads_a_right_to_left_line_by_its_glyph_boxes():
    # stored "2HER بروتين" with boxes drawing, right to left: بروتين, then HER2 left to right
    text = "2HER بروتين"
    lefts = {0: 30, 1: 10, 2: 16, 3: 22, 4: 38, 5: 90, 6: 80, 7: 70, 8: 60, 9: 50, 10: 45}
    boxes = [(lefts[k], 0, lefts[k] + 5, 8) for k in range(len(text))]
    assert drawn_order(text, boxes) == "بروتين HER2"
    assert drawn_order("Plain English", [(k, 0, k + 1, 8) for k in range(13)]) == "Plain English"
