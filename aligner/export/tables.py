"""Writers for the build's intermediate tables: documents.jsonl, segments.tsv, skipped.tsv.

All are written atomically and deterministically (stable order, no timestamps), so two builds of
the same input are byte-identical.

Every TSV the toolkit writes follows one convention, the one ``pandas.read_csv(path, sep="\\t")``,
``polars.read_csv(path, separator="\\t")`` and Python's ``csv`` module read by default: tab-separated,
RFC 4180 quoting (a cell holding a double quote is enclosed in double quotes, its quotes doubled),
written by the ``csv`` module. Cells never hold a tab or a line break (they become a space; the
pipeline's texts have none), so each row is one line and line-based tools still work.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import regex

from aligner.errors import InputError
from aligner.fileio import atomic_writer, open_input
from aligner.model import Document, Segment

_TSV_BREAKERS = regex.compile(r"[\t\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")


class TsvDialect(csv.Dialect):
    """Tab-separated, RFC 4180 quoting: what pandas, polars and ``csv`` read with their defaults."""

    delimiter = "\t"
    quotechar = '"'
    doublequote = True
    escapechar = None
    skipinitialspace = False
    lineterminator = "\n"
    quoting = csv.QUOTE_MINIMAL
    strict = True


def tsv_cell(value: object) -> str:
    """One TSV cell's text: tabs and line breaks become a space, so a row stays one line."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return _TSV_BREAKERS.sub(" ", str(value))


def tsv_line(row: Sequence[object]) -> str:
    """One line of a TSV file, quoted where a cell needs it, its line break included."""
    buffer = io.StringIO()
    csv.writer(buffer, TsvDialect).writerow([tsv_cell(value) for value in row])
    return buffer.getvalue()


def split_tsv_line(line: str) -> list[str]:
    """The cells of one line written by :func:`tsv_line` (without its line break), quotes undone."""
    return next(csv.reader([line], TsvDialect), [""])


def write_tsv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    with atomic_writer(path) as handle:
        handle.write(tsv_line(header))
        for row in rows:
            handle.write(tsv_line(row))


def read_tsv_table(path: Path, required: Sequence[str], what: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """A TSV written by :func:`write_tsv`: its header and ``(line number, cells)`` rows (blank lines skipped).

    A header missing one of ``required`` or a row whose cell count differs from the header's is an
    :class:`InputError` naming the file (and line). A missing file gives no rows (header = ``required``).
    """
    path = Path(path)
    if not path.exists():
        return list(required), []
    header = read_tsv_header(path, required, what)
    return header, [(number, cells) for number, _, cells in iter_tsv_rows(path, len(header), what)]


def read_tsv_header(path: Path, required: Sequence[str], what: str) -> list[str]:
    """The header of a TSV file; InputError when one of ``required`` is missing."""
    header = split_tsv_line(next(_utf8_lines(path, what), (0, ""))[1])
    if any(name not in header for name in required):
        raise InputError(path, f"not a {what}: header must have {', '.join(required)}")
    return header


def iter_tsv_rows(path: Path, cells: int, what: str,
                  start: tuple[int, int] | None = None) -> Iterator[tuple[int, int, list[str]]]:
    """The rows under a TSV file's header as ``(line number, byte offset of the line, cells)``, read one
    line at a time; ``start``: the (byte offset, line number) of a row to begin at instead.

    Blank lines are skipped; a row without ``cells`` cells is an :class:`InputError`.
    """
    offset, first = start if start is not None else (0, 1)
    lines = _utf8_lines(path, what, offset)
    if start is None:
        next(lines, None)  # the header
        first = 2
    for number, (offset, line) in enumerate(lines, start=first):
        if not line:
            continue
        try:
            row = split_tsv_line(line)
        except csv.Error as err:
            raise InputError(path, f"line {number}: {err}") from None
        if len(row) != cells:
            raise InputError(path, f"line {number}: {len(row)} cells, header has {cells}")
        yield number, offset, row


def _utf8_lines(path: Path, what: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """``(byte offset, line)`` of each line of a UTF-8 file from byte ``start``, split on LF only (which
    is left out), streamed; errors as in :func:`aligner.fileio.read_utf8`."""
    path = Path(path)
    with open_input(path, what) as handle:
        handle.seek(start)
        offset = start
        for raw in handle:
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(path, f"{what} file is not valid UTF-8 ({exc.reason} at byte {offset + exc.start})"
                                 ) from None
            yield offset, line[:-1] if line.endswith("\n") else line
            offset += len(raw)


def document_record(document: Document) -> dict:
    return {
        "doc_id": document.doc_id,
        "source_file": document.source_file,
        "sha256": document.sha256,
        "encoding": document.encoding,
        "lang": document.lang,
        "lang_confidence": document.lang_confidence,
        "duplicate_of": document.duplicate_of,
        # HTML, PDF, DOCX and archived pages only, so plain-text records stay as they were
        **({"format": document.format, "url": document.url, "title": document.title, "hints": document.hints}
           if document.format != "text" else {}),
        "paragraphs": [
            {"index": p.index, "text": p.text, "heading": p.is_heading, "lang": p.lang,
             "lang_confidence": p.lang_confidence, "source_span": [p.source.start, p.source.end]}
            for p in document.paragraphs
        ],
        "removed": [
            {"text": r.text, "reason": r.reason, "source_span": [r.source.start, r.source.end]}
            for r in document.removed
        ],
    }


def write_documents_jsonl(path: Path, documents: Iterable[Document]) -> None:
    with atomic_writer(path) as handle:
        for document in documents:
            handle.write(json.dumps(document_record(document), ensure_ascii=False) + "\n")


SEGMENT_COLUMNS = ("segment_id", "doc_id", "paragraph", "sentence", "lang", "heading", "text")


def write_segments_tsv(path: Path, segments: Iterable[Segment]) -> None:
    write_tsv(path, SEGMENT_COLUMNS, (
        (s.segment_id, s.doc_id, s.paragraph, s.index, s.lang, s.is_heading, s.text) for s in segments))
