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
from aligner.ingest.boilerplate import Line, find_boilerplate, is_heading
from aligner.ingest.decode import read_text_file
from aligner.ingest.discover import (Discovery, Skipped, discover_inputs, document_ids, escape_name,
                                     source_name)
from aligner.ingest.langid import document_language, identify_language
from aligner.ingest.normalize import LINE_BREAK, normalize_line
from aligner.ingest.repeated import remove_cross_document_chrome
from aligner.model import Document, Paragraph, Removal, Span

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
    lines = split_lines(text)
    removed_at = find_boilerplate(lines)
    kept = [line for position, line in enumerate(lines) if position not in removed_at]
    doc_lang, doc_confidence = document_language([line.text for line in kept])
    paragraphs = []
    for line in kept:
        lang, confidence = identify_language(line.text, prior_lang=doc_lang)
        paragraphs.append(Paragraph(index=len(paragraphs), text=line.text, is_heading=is_heading(line.text),
                                    lang=lang, lang_confidence=round(confidence, 4), source=line.source))
    removals = [Removal(text=lines[p].text, reason=reason, source=lines[p].source)
                for p, reason in sorted(removed_at.items())]
    return Document(doc_id=doc_id, source_file=source_file, sha256=sha256, encoding=encoding, lang=doc_lang,
                    lang_confidence=round(doc_confidence, 4), paragraphs=paragraphs, removed=removals)


def ingest_file(path: Path, doc_id: str | None = None, source_file: str | None = None) -> Document:
    """Read, decode and clean one file; raises :class:`InputError` for unusable input."""
    path = Path(path)
    text, encoding, data = read_text_file(path)
    source_file = source_file or escape_name(path.name)
    document = ingest_text(text, doc_id=doc_id or document_ids([source_file])[0], source_file=source_file,
                           sha256=hashlib.sha256(data).hexdigest(), encoding=encoding)
    if not document.paragraphs:
        raise InputError(path, "no text left after cleaning (only whitespace or page furniture)")
    return document


def ingest_directory(raw_dir: Path, files: Sequence[Path] | None = None,
                     on_file: Callable[[], None] | None = None) -> tuple[list[Document], list[Skipped]]:
    """Ingest ``files`` (default: every file of ``raw_dir``); unusable ones come back as :class:`Skipped`.

    A file whose cleaned text equals an earlier file's is kept with ``duplicate_of`` set.
    """
    raw_dir = Path(raw_dir)
    skipped: list[Skipped] = []
    if files is None:
        found = discover_inputs(raw_dir)
        files, skipped = found.files, found.skipped
    paths = list(files)
    names = [source_name(path, raw_dir) for path in paths]
    documents: list[Document] = []
    first_with_text: dict[str, str] = {}
    for path, source_file, doc_id in zip(paths, names, document_ids(names)):
        try:
            document = ingest_file(path, doc_id=doc_id, source_file=source_file)
        except InputError as err:
            skipped.append(Skipped(source_file, err.problem))
            continue
        finally:
            if on_file is not None:
                on_file()
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
