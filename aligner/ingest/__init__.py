"""Ingest: raw scraped files -> cleaned :class:`~aligner.model.Document` records.

Decoding, Unicode normalization, boilerplate removal (each removal with its reason), language ID
per document and per paragraph, and detection of files that duplicate another file's text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

import regex

from aligner.errors import InputError
from aligner.ingest.assemble import assemble
from aligner.ingest.boilerplate import Line
from aligner.ingest.discover import (Discovery, Skipped, discover_inputs, document_ids, escape_name,
                                     source_name)
from aligner.ingest.formats import Source, read_sources
from aligner.ingest.normalize import LINE_BREAK, normalize_line
from aligner.ingest.repeated import remove_cross_document_chrome
from aligner.model import Document, Span

__all__ = ["Discovery", "Skipped", "discover_inputs", "ingest_directory", "ingest_file", "ingest_text", "split_lines"]

# Hard-wrapped paragraphs: a line not ending a sentence followed by one starting in lower case.
_CONTINUATION = regex.compile(r"^\p{Ll}")


def split_lines(text: str) -> list[Line]:
    """Normalized non-empty lines with their spans in ``text``; hard-wrapped lines are re-joined."""
    lines: list[Line] = []
    start = 0
    for line_number, match in enumerate([*LINE_BREAK.finditer(text), None], start=1):
        end = match.start() if match else len(text)
        normalized = normalize_line(text[start:end])
        if normalized:
            previous = lines[-1] if lines else None
            joins = (previous is not None and previous.source.end == _previous_break_start(text, start)
                     and _CONTINUATION.match(normalized) and not previous.text.endswith((".", "!", "?", ":")))
            if joins:
                lines[-1] = Line(previous.line_number, f"{previous.text} {normalized}",
                                 Span(previous.source.start, end))
            else:
                lines.append(Line(line_number, normalized, Span(start, end)))
        start = match.end() if match else len(text)
    return lines


def _previous_break_start(text: str, line_start: int) -> int:
    """End of the line just before ``line_start`` (so only directly adjacent lines are joined)."""
    position = line_start - 1
    if position > 0 and text[position] == "\n" and text[position - 1] == "\r":
        position -= 1
    return position


def ingest_text(text: str, doc_id: str, source_file: str, sha256: str = "", encoding: str = "utf-8") -> Document:
    """Clean already-decoded text into a :class:`Document`."""
    return assemble(split_lines(text), doc_id=doc_id, source_file=source_file, sha256=sha256, encoding=encoding)


def _document(source: Source, doc_id: str, source_file: str) -> Document:
    return assemble(source.lines, doc_id=doc_id, source_file=source_file, sha256=source.sha256,
                    encoding=source.encoding, headings=source.headings, removed=source.removed,
                    lang_hint=source.hints.get("lang"), layout_known=source.layout_known, **source.metadata())


def _member_name(name: str, source: Source) -> str:
    return f"{name}#{escape_name(source.member)}" if source.member else name


def _member_id_name(name: str, source: Source) -> str:
    """What an archive member's id is made from: ``archive/host/path`` (no scheme, no colon)."""
    if not source.member:
        return name
    address = regex.sub(r"^[a-z][a-z0-9+.-]*://", "", escape_name(source.member), flags=regex.I)
    return f"{name}/{address.replace(':', '%3A').rstrip('/') or 'index'}"


def ingest_file(path: Path, doc_id: str | None = None, source_file: str | None = None) -> Document:
    """Read, decode and clean one file; raises :class:`InputError` for unusable input."""
    path = Path(path)
    source_file = source_file or escape_name(path.name)
    sources, _ = read_sources(path, source_file)
    if len(sources) != 1:
        raise InputError(path, f"holds {len(sources)} documents (a web archive): read it with ingest_directory")
    document = _document(sources[0], doc_id or document_ids([source_file])[0], source_file)
    if not document.paragraphs:
        raise InputError(path, "no text left after cleaning (only whitespace or page furniture)")
    return document


def ingest_directory(raw_dir: Path, files: Sequence[Path] | None = None,
                     on_file: Callable[[], None] | None = None) -> tuple[list[Document], list[Skipped]]:
    """Ingest ``files`` (default: every file of ``raw_dir``); unusable ones come back as :class:`Skipped`.

    A file whose cleaned text equals an earlier file's is kept with ``duplicate_of`` set. Ids are
    made from every file's name (an archive's: its members'), read or not, as they always were.
    """
    raw_dir = Path(raw_dir)
    skipped: list[Skipped] = []
    if files is None:
        found = discover_inputs(raw_dir)
        files, skipped = found.files, found.skipped
    read: list[tuple[str, Source | None]] = []  # (name, source); None: the file is skipped
    id_names: list[str] = []
    for path in files:
        name = source_name(path, raw_dir)
        try:
            sources, member_skips = read_sources(path, name)
        except InputError as err:
            skipped.append(Skipped(name, err.problem))
            sources, member_skips = [], []
            read.append((name, None))
            id_names.append(name)
        finally:
            if on_file is not None:
                on_file()
        skipped += [Skipped(f"{name}#{escape_name(member)}", reason) for member, reason in member_skips]
        for source in sources:
            read.append((_member_name(name, source), source))
            id_names.append(_member_id_name(name, source))
    documents: list[Document] = []
    first_with_text: dict[str, str] = {}
    for (source_file, source), doc_id in zip(read, document_ids(id_names)):
        if source is None:
            continue
        document = _document(source, doc_id, source_file)
        if not document.paragraphs:
            skipped.append(Skipped(source_file, "no text left after cleaning (only whitespace or page furniture)"))
            continue
        text_key = hashlib.sha256(document.text.encode("utf-8")).hexdigest()
        original = first_with_text.setdefault(text_key, doc_id)
        if original != doc_id:
            document.duplicate_of = original
        documents.append(document)
    documents, emptied = _without_cross_document_chrome(documents)
    return documents, sorted(skipped + emptied, key=lambda s: s.source_file)


def _without_cross_document_chrome(documents: list[Document]) -> tuple[list[Document], list[Skipped]]:
    """Documents cleaned of lines other documents repeat (:mod:`aligner.ingest.repeated`); one left empty is skipped."""
    kept, emptied = [], []
    for document in remove_cross_document_chrome(documents):
        if document.paragraphs:
            kept.append(document)
        else:
            emptied.append(Skipped(document.source_file, "no text left after cleaning (only page furniture "
                                                         "that other documents of the input repeat)"))
    return kept, emptied
