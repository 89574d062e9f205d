"""HTML pages written by hand, in ar/en/fr: main content kept, chrome removed with reasons, spans, hints."""

from __future__ import annotations

import json

import pytest

from aligner.ingest import ingest_directory, ingest_file
from aligner.ingest.formats import detect_format
from aligner.ingest.html import MAX_DEPTH, decode_html

BODY = {
    "en": ["The committee met in Geneva on Monday to review the annual report on water access.",
           "Delegates agreed that rural districts still lack safe drinking water in most regions.",
           "The next session will examine funding for new treatment plants and wells."],
    "fr": ["Le comité s'est réuni lundi à Genève pour examiner le rapport annuel sur l'accès à l'eau.",
           "Les délégués ont convenu que les districts ruraux manquent encore d'eau potable dans la plupart des régions.",
           "La prochaine session examinera le financement de nouvelles stations de traitement et de puits."],
    "ar": ["اجتمعت اللجنة في جنيف يوم الاثنين لاستعراض التقرير السنوي عن الحصول على المياه.",
           "واتفق المندوبون على أن المناطق الريفية لا تزال تفتقر إلى مياه الشرب المأمونة في معظم الأقاليم.",
           "وستتناول الدورة المقبلة تمويل محطات معالجة وآبار جديدة."],
}
TITLE = {"en": "Water access report reviewed", "fr": "Examen du rapport sur l'accès à l'eau",
         "ar": "استعراض تقرير الحصول على المياه"}
MENU = {"en": ["Home", "World", "Politics", "Sport"], "fr": ["Accueil", "Monde", "Politique", "Sport"],
        "ar": ["الرئيسية", "العالم", "سياسة", "رياضة"]}
COOKIE = {"en": "We use cookies to improve your experience. Accept all cookies?",
          "fr": "Nous utilisons des cookies pour améliorer votre expérience. Tout accepter ?",
          "ar": "نستخدم ملفات تعريف الارتباط لتحسين تجربتك. هل تقبلها كلها؟"}
FOOTER = {"en": "© 2024 Daily Courier. All rights reserved.", "fr": "© 2024 Le Courrier. Tous droits réservés.",
          "ar": "© 2024 صحيفة البريد. جميع الحقوق محفوظة."}


def page(lang: str, charset: str = "utf-8") -> str:
    rtl = ' dir="rtl"' if lang == "ar" else ""
    menu = "".join(f'<li><a href="/{k}">{m}</a></li>' for k, m in enumerate(MENU[lang]))
    body = "\n".join(f"<p>{text}</p>" for text in BODY[lang])
    return (f'<!DOCTYPE html>\n<html lang="{lang}"{rtl}><head><meta charset="{charset}">'
            f"<title>{TITLE[lang]} | Site</title>"
            '<link rel="alternate" hreflang="en" href="https://example.org/en/report">'
            '<link rel="alternate" hreflang="fr" href="https://example.org/fr/report">'
            "<script>var tracking = {id: 42};</script><style>p{margin:0}</style></head>\n<body>\n"
            f'<div class="cookie-banner"><p>{COOKIE[lang]}</p><button>OK</button></div>\n'
            f"<header><nav><ul>{menu}</ul></nav></header>\n"
            f"<main><article><h1>{TITLE[lang]}</h1>\n{body}\n"
            f"<table><tr><th>Region</th><td>42 districts</td></tr></table>\n"
            f'<div class="share-buttons"><a href="#">Facebook</a> <a href="#">Twitter</a></div></article>\n'
            f'<aside><h2>Most read</h2><ul><li><a href="/x">Another story entirely</a></li></ul></aside></main>\n'
            f"<footer><p>{FOOTER[lang]}</p></footer>\n</body></html>\n")


@pytest.mark.parametrize("lang", ["ar", "en", "fr"])
def test_main_content_kept_and_chrome_removed_with_reasons(tmp_path, lang):
    path = tmp_path / f"report.{lang}.html"
    path.write_text(page(lang), encoding="utf-8")
    document = ingest_file(path)
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == TITLE[lang] and document.paragraphs[0].is_heading
    for sentence in BODY[lang]:
        assert sentence in texts
    assert "Region" in texts and "42 districts" in texts  # table cells are paragraphs
    removed = {r.text: r.reason for r in document.removed}
    assert removed[COOKIE[lang]].startswith("html-cookie")
    assert all(removed[m].startswith(("html-navigation", "html-header")) for m in MENU[lang])
    assert removed[FOOTER[lang]].startswith("html-footer")
    assert removed["Another story entirely"].startswith("html-sidebar")
    assert any(r.reason.startswith("html-script") and "tracking" in r.text for r in document.removed)
    assert not any(m in texts for m in MENU[lang]) and COOKIE[lang] not in texts
    assert document.format == "html" and document.lang == lang
    assert document.title == f"{TITLE[lang]} | Site"
    assert document.hints["lang"] == lang
    assert document.hints["hreflang"] == {"en": "https://example.org/en/report", "fr": "https://example.org/fr/report"}
    assert document.hints.get("dir") == ("rtl" if lang == "ar" else None)


@pytest.mark.parametrize("lang", ["ar", "en", "fr"])
def test_source_spans_point_into_the_decoded_page(tmp_path, lang):
    path = tmp_path / "page.html"
    html = page(lang)
    path.write_text(html, encoding="utf-8")
    document = ingest_file(path)
    for paragraph in document.paragraphs:
        assert html[paragraph.source.start:paragraph.source.end] == paragraph.text
    cookie = next(r for r in document.removed if r.reason.startswith("html-cookie"))
    assert html[cookie.source.start:cookie.source.end] == COOKIE[lang]


def test_charset_from_meta_and_bom(tmp_path):
    fr = page("fr", charset="windows-1252")
    (tmp_path / "legacy.html").write_bytes(fr.encode("cp1252"))
    document = ingest_file(tmp_path / "legacy.html")
    assert document.encoding == "cp1252-meta" and BODY["fr"][0] in document.text
    (tmp_path / "bom.htm").write_bytes("\ufeff".encode("utf-16-le") + page("ar").encode("utf-16-le"))
    assert BODY["ar"][1] in ingest_file(tmp_path / "bom.htm").text
    text, encoding = decode_html("<p>é</p>".encode("latin-1"), "x", header_charset="iso-8859-1")
    assert text == "<p>é</p>" and encoding == "iso8859-1-http"


def test_a_text_file_that_is_html_is_read_as_html(tmp_path):
    (tmp_path / "saved.txt").write_text(page("en"), encoding="utf-8")
    assert detect_format(tmp_path / "saved.txt") == "html"
    document = ingest_file(tmp_path / "saved.txt")
    assert document.format == "html" and "<p>" not in document.text and BODY["en"][2] in document.text


def test_too_deep_or_too_big_or_undecodable_is_skipped_with_a_reason(tmp_path):
    depth = MAX_DEPTH + 50
    (tmp_path / "deep.html").write_text("<html><body>" + "<div>" * depth + "text" + "</div>" * depth + "</body></html>")
    (tmp_path / "bad.html").write_bytes(b"<html><head><meta charset='utf-8'></head><body><p>caf\xe9</p></body></html>")
    (tmp_path / "ok.html").write_text(page("fr"), encoding="utf-8")
    documents, skipped = ingest_directory(tmp_path)
    reasons = {s.source_file: s.reason for s in skipped}
    assert [d.source_file for d in documents] == ["ok.html"]
    assert "nested deeper" in reasons["deep.html"]
    assert "utf-8" in reasons["bad.html"].lower()


def test_documents_jsonl_records_format_and_title(tmp_path):
    from aligner.export.tables import document_record
    (tmp_path / "a.html").write_text(page("en"), encoding="utf-8")
    (tmp_path / "b.txt").write_text("\n".join(BODY["fr"]) + "\n", encoding="utf-8")
    documents, _ = ingest_directory(tmp_path)
    records = {d.source_file: json.loads(json.dumps(document_record(d))) for d in documents}
    assert records["a.html"]["format"] == "html" and records["a.html"]["title"].startswith(TITLE["en"])
    assert records["a.html"]["url"] is None
    assert "format" not in records["b.txt"]  # plain-text records are unchanged


def test_an_oversized_page_is_skipped_before_it_is_read(tmp_path, monkeypatch):
    import aligner.ingest.html as reader
    (tmp_path / "big.html").write_text(page("en"), encoding="utf-8")
    monkeypatch.setattr(reader, "MAX_HTML_BYTES", 1000)
    _, skipped = ingest_directory(tmp_path)
    assert "over the 1,000-byte cap" in skipped[0].reason
