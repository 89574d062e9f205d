"""Web archives (.warc, .warc.gz) -> one document per archived HTML page or PDF, named by its URL.

The archive is streamed record by record (warcio), so its size is no limit; each response's
payload is read up to the HTML or PDF cap, de-chunked and decompressed as the HTTP headers say,
and decoded with the charset of its Content-Type header before the page's own ``<meta>``. A URL
archived twice is read once. Responses that are not pages (images, scripts, redirects, errors)
are counted in one line of ``skipped.tsv`` per archive rather than listed one by one.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

from aligner.errors import InputError
from aligner.ingest.formats import Source, html_source
from aligner.ingest.html import MAX_HTML_BYTES, decode_html, parse_html

#: Records read from one archive at most (a crawl of a whole site is split into archives anyway).
MAX_WARC_RECORDS = 200_000
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def _payload(record, cap: int, url: str) -> bytes | None:
    """The HTTP body (None when over ``cap``); a record cut short by a damaged archive is refused."""
    data = record.content_stream().read(cap + 1)
    if len(data) > cap:
        return None
    if getattr(record.raw_stream, "limit", 0):  # bytes the record declares but the file does not hold
        raise InputError(url, "record cut short (the archive is truncated or damaged): not read")
    return data


def read_warc(path: Path, name: str) -> tuple[list[Source], list[tuple[str, str]]]:
    """The archive's pages as sources (``member`` = URL) and its skipped records with reasons."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    from aligner.ingest.pdf import MAX_PDF_BYTES, pdf_source

    sources: list[Source] = []
    skipped: list[tuple[str, str]] = []
    seen: set[str] = set()
    others: Counter = Counter()
    records = 0
    try:
        with open(path, "rb") as handle:
            for record in ArchiveIterator(handle, arc2warc=True):
                records += 1
                if records > MAX_WARC_RECORDS:
                    skipped.append(("(rest of the archive)", f"over {MAX_WARC_RECORDS:,} records: not read"))
                    break
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI") or f"record-{records}"
                status = record.http_headers.get_statuscode()
                kind = (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
                is_pdf = kind == "application/pdf"
                if status != "200" or not (kind in _HTML_TYPES or is_pdf):
                    others[f"HTTP {status}" if status != "200" else (kind or "no content type")] += 1
                    continue
                if url in seen:
                    skipped.append((url, "archived again later in the same archive: the first copy is read"))
                    continue
                seen.add(url)
                try:
                    sources.append(_source(record, url, is_pdf, MAX_PDF_BYTES if is_pdf else MAX_HTML_BYTES,
                                           pdf_source))
                except InputError as err:
                    skipped.append((url, err.problem))
    except (ArchiveLoadFailed, OSError, EOFError, ValueError) as err:
        if not sources and not skipped:
            raise InputError(path, f"malformed web archive ({type(err).__name__}: {err})") from None
        skipped.append((f"(after record {records})", f"archive damaged, the rest not read ({err})"))
    if not sources and not skipped and not others:
        raise InputError(path, "web archive without any response record: nothing to read")
    if others:
        summary = ", ".join(f"{count} {what}" for what, count in sorted(others.items()))
        skipped.append(("(other responses)", f"not pages, not read: {summary}"))
    return sources, skipped


def _source(record, url: str, is_pdf: bool, cap: int, pdf_source) -> Source:
    data = _payload(record, cap, url)
    if data is None:
        raise InputError(url, f"payload over the {cap:,}-byte cap: not read")
    if is_pdf:
        source = pdf_source(data, url)
    else:
        match = _CHARSET.search(record.http_headers.get_header("Content-Type") or "")
        text, encoding = decode_html(data, url, header_charset=match.group(1) if match else None)
        source = html_source(parse_html(text, url, encoding), hashlib.sha256(data).hexdigest())
    source.url = source.member = url
    return source
