"""Word documents (.docx) -> paragraphs, headings, table cells and footnotes; headers and footers removed.

python-docx reads the body in order (paragraphs and tables as they come); footnotes and endnotes,
which python-docx does not expose, are read from their own parts and kept apart after the body.
A DOCX has no decoded text of its own, so the paragraphs joined by newlines, in that order, are
the text that ``source_span`` points into. A DOCX is a zip: it is checked member by member with a
cap on the bytes it inflates to before anything parses it, so a zip bomb is refused, not unpacked.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import lxml.etree

from aligner.errors import InputError
from aligner.ingest.boilerplate import Line
from aligner.ingest.formats import Source, read_bytes
from aligner.ingest.normalize import normalize_line
from aligner.model import Removal, Span

MAX_DOCX_BYTES = 100 * 1024 * 1024
#: What all members may inflate to together; a 500-page report is a few MB of XML.
MAX_DOCX_INFLATED = 256 * 1024 * 1024
MAX_DOCX_MEMBERS = 5000
#: What the XML parts (parsed into trees, several times their size in memory) may inflate to.
MAX_DOCX_XML = 64 * 1024 * 1024
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_NOTES = {"word/footnotes.xml": ("footnote", "docx-footnote"), "word/endnotes.xml": ("endnote", "docx-endnote")}


def check_zip(data: bytes, name: str) -> zipfile.ZipFile:
    """The archive, once every member has been inflated (and discarded) within the caps."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
        if len(members) > MAX_DOCX_MEMBERS:
            raise InputError(name, f"DOCX with {len(members):,} zip members (over {MAX_DOCX_MEMBERS:,}): not read")
        total = xml = 0
        for member in members:
            is_xml = member.filename.endswith((".xml", ".rels"))
            with archive.open(member) as handle:
                while chunk := handle.read(1 << 20):
                    total += len(chunk)
                    xml += len(chunk) if is_xml else 0
                    if total > MAX_DOCX_INFLATED:
                        raise InputError(name, f"DOCX inflates to over {MAX_DOCX_INFLATED:,} bytes (a zip bomb?): "
                                               "not read")
                    if xml > MAX_DOCX_XML:
                        raise InputError(name, f"DOCX whose XML inflates to over {MAX_DOCX_XML:,} bytes (a zip "
                                               "bomb?): not read")
        if "word/document.xml" not in archive.namelist():
            raise InputError(name, "a zip file without word/document.xml: not a Word document")
        return archive
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError) as err:
        raise InputError(name, f"malformed DOCX (broken zip: {err})") from None
    except RuntimeError as err:  # an encrypted member
        raise InputError(name, f"DOCX cannot be read ({err})") from None


class _Text:
    """The document's text as it is built: paragraphs joined by newlines, each one's span in it."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0

    def add(self, text: str) -> Span:
        if self.parts:
            self.parts.append("\n")
            self.length += 1
        self.parts.append(text)
        span = Span(self.length, self.length + len(text))
        self.length += len(text)
        return span


def _is_heading(paragraph) -> bool:
    try:
        style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
    except (KeyError, ValueError):
        return False
    return style.startswith(("heading", "title", "subtitle"))


def _body(document):
    """Paragraphs and table cells in reading order: ``(text, is_heading)``."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            yield item.text, _is_heading(item)
        elif isinstance(item, Table):
            yield from _cells(item)


def _cells(table):
    seen = set()
    for row in table.rows:
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is returned once per grid column it spans
                continue
            seen.add(id(cell._tc))
            for paragraph in cell.paragraphs:
                yield paragraph.text, _is_heading(paragraph)
            for inner in cell.tables:
                yield from _cells(inner)


def _notes(archive: zipfile.ZipFile):
    """Footnote and endnote paragraphs (separators and continuation marks left out)."""
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    for part, (tag, reason) in _NOTES.items():
        if part not in archive.namelist():
            continue
        root = lxml.etree.fromstring(archive.read(part), parser)
        for note in root.iter(f"{_W}{tag}"):
            if note.get(f"{_W}type") in ("separator", "continuationSeparator", "continuationNotice"):
                continue
            for paragraph in note.iter(f"{_W}p"):
                yield "".join(t.text or "" for t in paragraph.iter(f"{_W}t")), reason


def read_docx(path: Path, name: str) -> Source:
    """Body paragraphs, table cells and notes as lines; headers and footers as removed furniture."""
    import docx

    data = read_bytes(path, MAX_DOCX_BYTES, "DOCX file")
    archive = check_zip(data, name)
    try:
        document = docx.Document(io.BytesIO(data))
        text = _Text()
        lines: list[Line] = []
        headings: set[int] = set()
        removed: list[Removal] = []
        for raw, heading in _body(document):
            line = normalize_line(raw)
            if line:
                if heading:
                    headings.add(len(lines))
                lines.append(Line(len(lines) + 1, line, text.add(raw)))
        for raw, reason in _notes(archive):
            line = normalize_line(raw)
            if line:
                lines.append(Line(len(lines) + 1, line, text.add(raw)))
        seen = set()
        for section in document.sections:
            for kind, part in (("header", section.header), ("footer", section.footer),
                               ("header", section.first_page_header), ("footer", section.first_page_footer)):
                if part.is_linked_to_previous and kind in seen:
                    continue
                seen.add(kind)
                for paragraph in part.paragraphs:
                    line = normalize_line(paragraph.text)
                    if line:
                        removed.append(Removal(line, f"docx-{kind}: running {kind} of the page",
                                               text.add(paragraph.text)))
        props = document.core_properties
        title = normalize_line(props.title or "") or None
        language = (props.language or "").split("-")[0].lower() or None
    except InputError:
        raise
    except Exception as err:  # python-docx raises KeyError, ValueError, lxml errors ... on broken parts
        raise InputError(name, f"malformed DOCX ({type(err).__name__}: {err})") from None
    if title is None and headings:
        title = lines[min(headings)].text
    return Source(lines, "docx", "docx", hashlib.sha256(data).hexdigest(), headings, removed, title=title,
                  hints={"lang": language} if language else {}, layout_known=True)
