"""DOCX files made with python-docx in ar/en/fr: paragraphs, headings, tables, footnotes; headers and
footers removed as furniture; zip bombs and broken files skipped with a reason."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from aligner.ingest import ingest_directory, ingest_file
from aligner.ingest.docx import MAX_DOCX_INFLATED

TEXT = {
    "en": ("Annual report on water access",
           ["The committee met in Geneva on Monday to review the annual report on water access.",
            "Delegates agreed that rural districts still lack safe drinking water in most regions."],
           "Figures from the national statistics office, 2023."),
    "fr": ("Rapport annuel sur l'accès à l'eau",
           ["Le comité s'est réuni lundi à Genève pour examiner le rapport annuel sur l'accès à l'eau.",
            "Les délégués ont convenu que les districts ruraux manquent encore d'eau potable."],
           "Chiffres de l'office national de la statistique, 2023."),
    "ar": ("التقرير السنوي عن الحصول على المياه",
           ["اجتمعت اللجنة في جنيف يوم الاثنين لاستعراض التقرير السنوي عن الحصول على المياه.",
            "واتفق المندوبون على أن المناطق الريفية لا تزال تفتقر إلى مياه الشرب المأمونة."],
           "أرقام المكتب الوطني للإحصاء، 2023."),
}
HEADER = {"en": "United Nations — Water report", "fr": "Nations Unies — Rapport sur l'eau", "ar": "الأمم المتحدة — تقرير المياه"}
FOOTNOTES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:id="1"><w:p><w:r><w:t>{note}</w:t></w:r></w:p></w:footnote></w:footnotes>')


def make_docx(lang: str, footnote: bool = True) -> bytes:
    title, body, note = TEXT[lang]
    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.language = {"en": "en-GB", "fr": "fr-FR", "ar": "ar-SA"}[lang]
    section = document.sections[0]
    section.header.paragraphs[0].text = HEADER[lang]
    section.footer.paragraphs[0].text = "- 3 -"
    document.add_heading(title, level=1)
    for text in body:
        document.add_paragraph(text)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Region", "Districts"
    table.cell(1, 0).text, table.cell(1, 1).text = "North", "Twelve districts"
    out = io.BytesIO()
    document.save(out)
    if not footnote:
        return out.getvalue()
    # python-docx writes no footnotes; add the part (and its relationship) the way Word stores it
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    result = io.BytesIO()
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/word/footnotes.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>')
            if item.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdFn" Type="http://schemas.openxmlformats.'
                                    b'org/officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/>'
                                    b"</Relationships>")
            target.writestr(item, data)
        target.writestr("word/footnotes.xml", FOOTNOTES_XML.format(note=note))
    return result.getvalue()


@pytest.mark.parametrize("lang", ["ar", "en", "fr"])
def test_paragraphs_headings_tables_footnotes_and_furniture(tmp_path, lang):
    (tmp_path / "report.docx").write_bytes(make_docx(lang))
    document = ingest_file(tmp_path / "report.docx")
    title, body, note = TEXT[lang]
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == title and document.paragraphs[0].is_heading
    assert texts[1:3] == body
    assert "Twelve districts" in texts and "Region" in texts
    assert texts[-1] == note  # footnotes come after the body
    reasons = {r.text: r.reason for r in document.removed}
    assert reasons[HEADER[lang]].startswith("docx-header")
    assert reasons["- 3 -"].startswith("docx-footer")
    assert document.format == "docx" and document.title == title and document.lang == lang
    assert document.hints == {"lang": lang}
    spans = [p.source for p in document.paragraphs]
    assert all(a.end < b.start for a, b in zip(spans, spans[1:]))


def test_zip_bomb_and_broken_docx_are_skipped(tmp_path):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w/>")
        with archive.open("word/padding.bin", "w", force_zip64=True) as big:
            block = b"\0" * (1 << 20)
            for _ in range(MAX_DOCX_INFLATED // len(block) + 2):
                big.write(block)
    (tmp_path / "bomb.docx").write_bytes(bomb.getvalue())
    (tmp_path / "cut.docx").write_bytes(make_docx("en")[:2000])
    (tmp_path / "notword.docx").write_bytes(b"PK\x03\x04 this is not a zip at all")
    (tmp_path / "good.docx").write_bytes(make_docx("fr", footnote=False))
    documents, skipped = ingest_directory(tmp_path)
    reasons = {s.source_file: s.reason for s in skipped}
    assert [d.source_file for d in documents] == ["good.docx"]
    assert "zip bomb" in reasons["bomb.docx"]
    assert "malformed DOCX" in reasons["cut.docx"] and "malformed DOCX" in reasons["notword.docx"]


def test_xml_bomb_and_oversized_docx_are_skipped(tmp_path, monkeypatch):
    import aligner.ingest.docx as reader
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w>" + b" " * (reader.MAX_DOCX_XML + 10) + b"</w>")
    (tmp_path / "xml.docx").write_bytes(bomb.getvalue())
    _, skipped = ingest_directory(tmp_path)
    assert "XML inflates" in skipped[0].reason
    (tmp_path / "xml.docx").write_bytes(make_docx("ar"))
    monkeypatch.setattr(reader, "MAX_DOCX_BYTES", 5000)
    _, skipped = ingest_directory(tmp_path)
    assert "over the 5,000-byte cap" in skipped[0].reason
