"""Which reader a file goes to (by name, then by its first bytes), and what every reader returns.

Plain text keeps its old path (decode, split into lines); HTML, PDF, DOCX and web archives have
readers of their own that hand back the same thing: candidate paragraphs with spans into the
file's decoded text, the lines their markup calls headings, and the furniture they removed with
a reason. Each reader has a size cap checked before the file is read, so a huge or hostile file
is skipped with a reason instead of exhausting memory.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import regex

from aligner.errors import InputError
from aligner.ingest.boilerplate import Line
from aligner.ingest.html import Page, decode_html, parse_html
from aligner.ingest.normalize import normalize_line
from aligner.model import Removal
from aligner.registry import Registry

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
_HTML_START = regex.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b",
                            flags=regex.I | regex.S)


@dataclass
class Source:
    """One document's worth of input, ready for :func:`aligner.ingest.assemble.assemble`."""

    lines: list[Line]
    format: str
    encoding: str
    sha256: str
    headings: set[int] = field(default_factory=set)
    removed: list[Removal] = field(default_factory=list)
    url: str | None = None
    title: str | None = None
    hints: dict = field(default_factory=dict)
    member: str | None = None  # an archive member's name (its URL); None for a file of its own
    layout_known: bool = False  # the markup told header and footer apart (see assemble)

    def metadata(self) -> dict:
        """The Document fields this source sets (none for plain text, so its records stay as they were)."""
        if self.format == "text":
            return {}
        return {"format": self.format, "url": self.url, "title": self.title, "hints": self.hints}


def read_bytes(path: Path, cap: int, what: str) -> bytes:
    """The file's bytes, refusing non-regular files (no hang on a pipe) and files over ``cap`` bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror or err}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(path, "not a regular file: not read")
        if info.st_size > cap:
            raise InputError(path, f"{what} of {info.st_size:,} bytes is over the {cap:,}-byte cap: not read")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(cap + 1)
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror or err}") from None
    finally:
        os.close(fd)


def head_bytes(path: Path, size: int = 2048) -> bytes:
    """The first ``size`` bytes (empty for anything that is not a readable regular file)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return b""
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return b""
        return os.read(fd, size)
    except OSError:
        return b""
    finally:
        os.close(fd)


def detect_format(path: Path) -> str:
    """The first of :data:`INPUT_FORMATS` that claims the file by its name's suffix or its first bytes, else ``text``."""
    name = path.name.lower()
    head = head_bytes(path)
    for choice in INPUT_FORMATS:
        if choice.name != "text" and (name.endswith(choice.extra["suffixes"]) or choice.extra["claims"](head)):
            return choice.name
    return "text"


def _utf16_html(head: bytes) -> bool:
    if not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    text = head[2:len(head) - len(head) % 2].decode("utf-16-le" if head[:2] == b"\xff\xfe" else "utf-16-be", "replace")
    return bool(_HTML_START.match(text.encode("utf-8")))


def line_number_at(text: str):
    """A function from an offset in ``text`` to its 1-based line number (offsets must not decrease)."""
    state = {"offset": 0, "line": 1}

    def at(offset: int) -> int:
        if offset >= state["offset"]:
            state["line"] += text.count("\n", state["offset"], offset)
            state["offset"] = offset
        return state["line"]

    return at


def html_source(page: Page, sha256: str, url: str | None = None, member: str | None = None) -> Source:
    """Kept blocks as candidate lines, chrome blocks as removals (normalized text, the block's reason)."""
    lines: list[Line] = []
    headings: set[int] = set()
    removed = list(page.removed)
    line_of = line_number_at(page.text)
    for block in page.blocks:
        text = normalize_line(block.text)
        if not text:
            continue
        if block.reason:
            removed.append(Removal(text, block.reason, block.source))
            continue
        if block.heading:
            headings.add(len(lines))
        lines.append(Line(line_of(block.source.start), text, block.source))
    return Source(lines, "html", page.encoding, sha256, headings, removed, url=url,
                  title=normalize_line(page.title) if page.title else None, hints=page.hints, member=member,
                  layout_known=True)


def read_html(path: Path, name: str) -> Source:
    from aligner.ingest.html import MAX_HTML_BYTES

    data = read_bytes(path, MAX_HTML_BYTES, "HTML page")
    text, encoding = decode_html(data, name)
    return html_source(parse_html(text, name, encoding), hashlib.sha256(data).hexdigest())


def read_text(path: Path, name: str) -> Source:
    """The plain-text path, unchanged: decode, normalize, split into (re-joined) lines."""
    from aligner.ingest import split_lines
    from aligner.ingest.decode import read_text_file

    text, encoding, data = read_text_file(path)
    return Source(split_lines(text), "text", encoding, hashlib.sha256(data).hexdigest())


def read_docx(path: Path, name: str) -> Source:
    from aligner.ingest.docx import read_docx as reader  # python-docx is imported only for a DOCX

    return reader(path, name)


def read_pdf(path: Path, name: str) -> Source:
    from aligner.ingest.pdf import read_pdf as reader  # pdfium is loaded only for a PDF

    return reader(path, name)


def read_warc(path: Path, name: str) -> tuple[list[Source], list[tuple[str, str]]]:
    from aligner.ingest.warc import read_warc as reader

    return reader(path, name)


Reader = Callable[[Path, str], "Source | tuple[list[Source], list[tuple[str, str]]]"]

#: The input formats in detection order: name, help, reader, the suffixes and the first bytes that claim a file.
INPUT_FORMATS: Registry[Reader] = Registry("input format")
INPUT_FORMATS.add("warc", "a web archive: every HTML and PDF response becomes a document, its source the URL",
                  read_warc, suffixes=(".warc", ".warc.gz"), claims=lambda head: head.startswith(b"WARC/"))
INPUT_FORMATS.add("pdf", "the text layer of a PDF (running headers, footers and page numbers removed)", read_pdf,
                  suffixes=(".pdf",), claims=lambda head: head.startswith(b"%PDF-"))
INPUT_FORMATS.add("docx", "a Word document: paragraphs, headings, tables, footnotes (headers and footers removed)",
                  read_docx, suffixes=(".docx",),
                  claims=lambda head: head.startswith(b"PK\x03\x04") and b"word/" in head[:2048])
INPUT_FORMATS.add("html", "a web page: its main content, the page chrome removed with a reason each", read_html,
                  suffixes=HTML_SUFFIXES, claims=lambda head: bool(_HTML_START.match(head)) or _utf16_html(head))
INPUT_FORMATS.add("text", "plain text in any common encoding (every other file)", read_text, suffixes=(),
                  claims=lambda head: False)


def read_sources(path: Path, name: str) -> tuple[list[Source], list[tuple[str, str]]]:
    """Every document ``path`` holds (one, or an archive's pages) and the members skipped, with reasons.

    Raises :class:`InputError` when the file as a whole cannot be used.
    """
    result = INPUT_FORMATS[detect_format(Path(path))].make(Path(path), name)
    if isinstance(result, tuple):
        return result
    return [result], []

