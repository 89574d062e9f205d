"""Web archives written with warcio: every HTML (and PDF) response is a document named by its URL,
in ar/en/fr; other records, repeats and damaged archives are accounted for with a reason."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from aligner.ingest import ingest_directory

sys.path.insert(0, str(Path(__file__).parent))
from test_ingest_html import BODY, TITLE, page  # noqa: E402


def write_warc(path: Path, responses: list[tuple[str, str, bytes]], gzip: bool = True) -> None:
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=gzip)
        for url, content_type, payload in responses:
            status = "404 Not Found" if url.endswith("/missing") else "200 OK"
            headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(payload),
                                                          http_headers=headers))


def pages():
    return [(f"https://news.example.org/{lang}/water-report", "text/html; charset=utf-8", page(lang).encode())
            for lang in ("ar", "en", "fr")]


@pytest.mark.parametrize("gzip", [True, False])
def test_every_html_response_is_a_document_named_by_its_url(tmp_path, gzip):
    name = "crawl.warc.gz" if gzip else "crawl.warc"
    write_warc(tmp_path / name, pages() + [
        ("https://news.example.org/logo.png", "image/png", b"\x89PNG...."),
        ("https://news.example.org/missing", "text/html", b"<html>gone</html>"),
        ("https://news.example.org/en/water-report", "text/html", page("en").encode()),  # archived twice
    ], gzip=gzip)
    documents, skipped = ingest_directory(tmp_path)
    by_url = {d.url: d for d in documents}
    assert sorted(by_url) == [f"https://news.example.org/{lang}/water-report" for lang in ("ar", "en", "fr")]
    for lang in ("ar", "en", "fr"):
        document = by_url[f"https://news.example.org/{lang}/water-report"]
        assert document.source_file == f"{name}#https://news.example.org/{lang}/water-report"
        assert document.format == "html" and document.lang == lang
        assert BODY[lang][0] in document.text and document.title.startswith(TITLE[lang])
        assert document.hints["hreflang"]["fr"] == "https://example.org/fr/report"
        assert ":" not in document.doc_id  # segment ids are doc:paragraph:sentence
    assert len({d.doc_id for d in documents}) == 3
    reasons = {s.source_file: s.reason for s in skipped}
    assert "archived again" in reasons[f"{name}#https://news.example.org/en/water-report"]
    other = reasons[f"{name}#(other responses)"]
    assert "1 HTTP 404" in other and "1 image/png" in other


def test_charset_from_the_http_header(tmp_path):
    legacy = page("fr").replace('<meta charset="utf-8">', "").encode("cp1252")
    write_warc(tmp_path / "a.warc.gz", [("https://example.org/fr/", "text/html; charset=windows-1252", legacy)])
    documents, _ = ingest_directory(tmp_path)
    assert documents[0].encoding == "cp1252-http" and BODY["fr"][1] in documents[0].text


def test_a_pdf_response_is_read_as_pdf(tmp_path):
    from test_ingest_pdf import make_pdf
    write_warc(tmp_path / "a.warc.gz", [("https://example.org/en/report.pdf", "application/pdf", make_pdf("en", 2))])
    documents, _ = ingest_directory(tmp_path)
    assert documents[0].format == "pdf" and documents[0].url == "https://example.org/en/report.pdf"


def test_damaged_or_empty_archives_are_skipped_with_a_reason(tmp_path):
    write_warc(tmp_path / "whole.warc.gz", pages())
    data = (tmp_path / "whole.warc.gz").read_bytes()
    (tmp_path / "whole.warc.gz").unlink()
    (tmp_path / "garbage.warc").write_bytes(b"WARC/1.0\r\nthis is not a record\r\n\r\n")
    (tmp_path / "cut.warc.gz").write_bytes(data[: len(data) * 2 // 3])
    documents, skipped = ingest_directory(tmp_path)
    reasons = {s.source_file: s.reason for s in skipped}
    assert "malformed web archive" in reasons["garbage.warc"] or "without any response" in reasons["garbage.warc"]
    assert documents and all(d.source_file.startswith("cut.warc.gz#") for d in documents)
    assert any(name.startswith("cut.warc.gz#") and "cut short" in reason for name, reason in reasons.items())
