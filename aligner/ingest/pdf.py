"""PDF reports -> paragraphs from the text layer (pypdfium2), with running headers, footers and page
numbers removed as furniture.

pypdfium2 was chosen by measurement (docs/benchmarks.md, "Published formats"): it gives Arabic in
logical order where pdfminer.six gives it reversed and pypdf moves words. Each page's text is
read with pdfium's line breaks; a line's baseline, extent and font size come from its characters.
Lines join into paragraphs across line and page breaks unless a wider gap, a short line ending a
sentence or a change of font size says a paragraph ended; a word hyphenated at a line end is
re-joined. Lines that recur at the top or bottom of most pages (digits aside) are running headers
or footers; a bare number there is a page number. Smaller type at the foot of a page is a footnote,
kept apart after the body. The decoded text that ``source_span`` points into is the pages' text
joined by form feeds, so a span also tells its page.
"""

from __future__ import annotations

import ctypes
import hashlib
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import regex

from aligner.errors import InputError
from aligner.ingest.boilerplate import Line
from aligner.ingest.formats import Source, read_bytes
from aligner.ingest.normalize import normalize_line
from aligner.model import Removal, Span

MAX_PDF_BYTES = 200 * 1024 * 1024
MAX_PDF_PAGES = 3000
#: Fewer letters than this per page, on average, is a scan without a text layer.
MIN_LETTERS_PER_PAGE = 20
#: A line at the top or bottom of at least this share of pages (and two pages) is running furniture.
RUNNING_SHARE = 0.5
EDGE_LINES = 2
#: ... if it is in smaller type than the body or this short (two pages may end alike by chance).
RUNNING_MAX_WORDS = 8
_PAGE_NUMBER = regex.compile(r"^\W*(?:(?:page|p\.|seite|صفحة|الصفحة)\s*)?(?:\p{Nd}{1,5}|[ivx]{1,5})"
                             r"(?:\s*(?:/|of|sur|de|من)\s*\p{Nd}{1,5})?\W*$", flags=regex.I)
_PRESENTATION = regex.compile(r"[\ufb00-\ufb06\ufb50-\ufdff\ufe70-\ufefe]+")
_SENTENCE_END = regex.compile(r"[.!?…؟:;»”\"')\]]\s*$")
_HYPHENATED = regex.compile(r"\p{L}[-\u2010\u00ad]$")
# Arabic short vowels and tanween: text layers place them by position, often on the wrong letter
# or word (pdfium: "سًيجل" for "سيجل ... أمطارًا"); news text is unvocalized anyway, so they go.
_HARAKAT = regex.compile(r"[\u064b-\u065f\u0670]")
_TANWEEN_ALIF = regex.compile(r"(\p{Arabic})\s*\u064b\s*ا(?!\p{L})")  # "أنهار ًا" -> "أنهارا"
# A text layer stores a right-to-left line's glyphs in any order (pdfium's text may hold "2HER",
# "com.LiverpoolFC", a stop or a percent sign on the wrong side of a number): the line is read in
# the order it is drawn, right to left (:func:`drawn_order`), and each left-to-right run in it
# (Latin words, numbers and what joins them inside: "12/05/2020", "HER2", "Metro News") back
# left to right. Brackets are stored as the glyph drawn, so they are mirrored back.
_MIRRORED = str.maketrans("()[]{}<>«»", ")(][}{><»«")
_LTR_RUN = regex.compile(r"[\p{Latin}\p{Nd}](?:[.,:/&'’+@_%٪-]*[\p{Latin}\p{Nd}]|\s+(?=[\p{Latin}\p{Nd}]))*")


@dataclass
class _PdfLine:
    page: int
    text: str
    start: int  # offset in the decoded text
    baseline: float
    left: float
    right: float
    size: float


def right_to_left(text: str) -> bool:
    """Whether a page is set right to left: more Arabic letters than others (a line alone can hold more
    Latin than Arabic and still be part of an Arabic text)."""
    arabic = len(regex.findall(r"\p{Arabic}", text))
    return arabic > len(regex.findall(r"\p{L}", text)) - arabic


def drawn_order(line: str, boxes: list[tuple[float, float, float, float]]) -> str:
    """A line of a right-to-left page in the order its glyphs are drawn (``boxes[k]``: character ``k``'s
    ``(left, bottom, right, top)``), left-to-right runs read left to right, brackets mirrored back.

    A character without a box (a space the text layer made up) stands halfway between the drawn
    characters stored before and after it. A line whose glyphs do not share a baseline is left as stored.
    """
    if not regex.search(r"\p{Arabic}", line):
        return line
    drawn = [k for k, box in enumerate(boxes) if box[2] > box[0]]
    if not drawn:
        return line.translate(_MIRRORED)
    bottoms = [boxes[k][1] for k in drawn]
    if max(bottoms) - min(bottoms) > max(boxes[k][3] - boxes[k][1] for k in drawn):
        return line.translate(_MIRRORED)
    centres = [(left + right) / 2 if right > left else None for left, _, right, _ in boxes]
    for k, centre in enumerate(centres):
        if centre is None:  # between its stored neighbours that are drawn
            before = next((centres[j] for j in range(k - 1, -1, -1) if centres[j] is not None), None)
            after = next((centres[j] for j in range(k + 1, len(centres)) if centres[j] is not None), None)
            centres[k] = (before + after) / 2 if before is not None and after is not None else \
                before if before is not None else after
    read = "".join(line[k] for k in sorted(range(len(line)), key=lambda k: (-centres[k], k)))
    return _LTR_RUN.sub(lambda run: run.group()[::-1], read).translate(_MIRRORED)


def normalize_pdf_text(text: str) -> str:
    """Arabic presentation forms and Latin ligatures (what some PDFs store) back to plain letters;
    Arabic vowel marks dropped (see ``_HARAKAT``)."""
    text = _PRESENTATION.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    return _HARAKAT.sub("", _TANWEEN_ALIF.sub(r"\1ا", text))


def _open(data: bytes, name: str):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        message = str(err).lower()
        if "password" in message:
            raise InputError(name, "encrypted PDF (needs a password): not read") from None
        raise InputError(name, f"malformed PDF ({err})") from None


def _page_lines(textpage, page: int, offset: int) -> tuple[str, list[_PdfLine]]:
    import pypdfium2.raw as raw

    text = textpage.get_text_range()
    rtl = right_to_left(text)
    lines: list[_PdfLine] = []
    x, y = ctypes.c_double(), ctypes.c_double()
    position = 0
    for raw_line in regex.split(r"(\r\n|\n|\r)", text)[::2]:
        length = len(raw_line)
        if raw_line.strip():
            first = position + len(raw_line) - len(raw_line.lstrip())
            last = position + len(raw_line.rstrip()) - 1
            raw.FPDFText_GetCharOrigin(textpage, first, x, y)
            left_box, right_box = textpage.get_charbox(first), textpage.get_charbox(last)
            drawn = drawn_order(raw_line, [textpage.get_charbox(position + k) for k in range(length)]) if rtl \
                else raw_line
            # pdfium joins a hyphenated line end itself, marking the hyphen U+FFFE: the word is whole
            lines.append(_PdfLine(page, drawn.strip().replace("\ufffe", ""), offset + first, y.value,
                                  min(left_box[0], right_box[0]), max(left_box[2], right_box[2]),
                                  raw.FPDFText_GetFontSize(textpage, first)))
        position += length
        position += 2 if text.startswith("\r\n", position) else 1 if position < len(text) else 0
    return text, lines


def _shape(text: str) -> str:
    return regex.sub(r"\p{Nd}+", "#", " ".join(text.split()).casefold())


def find_furniture(pages: list[list[_PdfLine]]) -> dict[int, str]:
    """``id(line) -> reason`` for running headers/footers and page numbers at the top or bottom of pages."""
    edges = [(k, line) for lines in pages for k, line in enumerate(lines)
             if k < EDGE_LINES or k >= len(lines) - EDGE_LINES]
    counts = Counter()
    for lines in pages:
        counts.update({_shape(line.text) for k, line in enumerate(lines)
                       if k < EDGE_LINES or k >= len(lines) - EDGE_LINES})
    needed = max(2, RUNNING_SHARE * len(pages))
    sizes = [line.size for lines in pages for line in lines]
    body_size = statistics.median(sizes) if sizes else 0.0
    furniture = {}
    for k, line in edges:
        where = "header" if k < EDGE_LINES else "footer"
        if _PAGE_NUMBER.match(line.text):
            furniture[id(line)] = "pdf-page-number: page number"
        elif counts[_shape(line.text)] >= needed and (line.size < 0.95 * body_size or
                                                       len(line.text.split()) <= RUNNING_MAX_WORDS):
            furniture[id(line)] = f"pdf-running-{where}: on {counts[_shape(line.text)]} of {len(pages)} pages"
    return furniture


def _join(previous: str, line: str) -> str:
    if _HYPHENATED.search(previous) and regex.match(r"\p{Ll}", line):
        return previous[:-1] + line
    return f"{previous} {line}"


def read_pdf(path: Path, name: str) -> Source:
    """The text layer's paragraphs; furniture removed with reasons; refuses scans and encrypted files."""
    return pdf_source(read_bytes(path, MAX_PDF_BYTES, "PDF file"), name)


def pdf_source(data: bytes, name: str) -> Source:
    """:func:`read_pdf` on bytes already read (a PDF inside a web archive)."""
    pdf = _open(data, name)
    try:
        count = len(pdf)
        if count > MAX_PDF_PAGES:
            raise InputError(name, f"PDF of {count:,} pages (over {MAX_PDF_PAGES:,}): not read")
        texts, pages, offset = [], [], 0
        for number in range(count):
            page = pdf[number]
            textpage = page.get_textpage()
            try:
                text, lines = _page_lines(textpage, number + 1, offset)
            finally:
                textpage.close()
                page.close()
            texts.append(text)
            pages.append(lines)
            offset += len(text) + 1  # the form feed between pages
        title = (pdf.get_metadata_dict().get("Title") or "").strip() or None
    except InputError:
        raise
    except Exception as err:  # pdfium raises on damaged page trees and content streams
        raise InputError(name, f"malformed PDF ({type(err).__name__}: {err})") from None
    finally:
        pdf.close()
    decoded = "\f".join(texts)
    letters = sum(1 for _ in regex.finditer(r"\p{L}", decoded))
    if letters < MIN_LETTERS_PER_PAGE * max(1, count):
        raise InputError(name, f"PDF without a text layer ({letters} letters on {count} pages: a scan?); "
                               "OCR is not part of the build: not read")
    return _paragraphs(pages, decoded, title, hashlib.sha256(data).hexdigest())


def _paragraphs(pages: list[list[_PdfLine]], decoded: str, title: str | None, sha256: str) -> Source:
    furniture = find_furniture(pages)
    removed = [Removal(normalize_line(line.text), furniture[id(line)], Span(line.start, line.start + len(line.text)))
               for lines in pages for line in lines if id(line) in furniture]
    body = [line for lines in pages for line in lines if id(line) not in furniture]
    if not body:
        return Source([], "pdf", "pdf-text-layer", sha256, removed=removed, title=title)
    size = statistics.median(line.size for line in body)
    gaps = [a.baseline - b.baseline for a, b in zip(body, body[1:])
            if a.page == b.page and a.baseline > b.baseline and abs(a.size - b.size) < 0.5]
    pitch = statistics.median(gaps) if gaps else 1.2 * size
    spaced = any(gap > 1.4 * pitch for gap in gaps)  # paragraphs set apart by space: short lines say nothing
    widths = {}
    for line in body:
        low, high = widths.get(line.page, (line.left, line.right))
        widths[line.page] = (min(low, line.left), max(high, line.right))
    notes = [line for line in body if line.size < 0.85 * size and _at_page_foot(line, pages)]
    note_ids = {id(line) for line in notes}
    blocks: list[tuple[list[_PdfLine], bool]] = []  # lines, is heading
    for line in [line for line in body if id(line) not in note_ids]:
        heading = line.size >= 1.2 * size
        if blocks and _continues(blocks[-1], line, heading, pitch, size, widths, spaced):
            blocks[-1][0].append(line)
        else:
            blocks.append(([line], heading))
    blocks += [([line], False) for line in notes]
    lines, headings = [], set()
    for members, heading in blocks:
        text = members[0].text
        for member in members[1:]:
            text = _join(text, member.text)
        text = normalize_line(normalize_pdf_text(text))
        if not text:
            continue
        if heading:
            headings.add(len(lines))
        end = members[-1].start + len(members[-1].text)
        lines.append(Line(len(lines) + 1, text, Span(members[0].start, end)))
    if title is None and headings:
        title = lines[min(headings)].text
    return Source(lines, "pdf", "pdf-text-layer", sha256, headings, removed, title=title)


def _at_page_foot(line: _PdfLine, pages: list[list[_PdfLine]]) -> bool:
    """Below every line of normal size on its page (footnotes sit under the text)."""
    page = pages[line.page - 1]
    return all(other.baseline >= line.baseline or other.size <= line.size for other in page)


def _continues(block: tuple[list[_PdfLine], bool], line: _PdfLine, heading: bool, pitch: float, size: float,
               widths: dict[int, tuple[float, float]], spaced: bool) -> bool:
    """Whether ``line`` goes on the paragraph ``block``: same type size and no wider gap; where paragraphs
    are not set apart by space (``spaced``), and across a page break, also not after a short line
    that ends a sentence."""
    members, block_heading = block
    last = members[-1]
    if heading != block_heading or abs(line.size - last.size) > 0.5:
        return False
    if line.page == last.page and last.baseline - line.baseline > 1.4 * pitch * max(1.0, last.size / size):
        return False
    if spaced and line.page == last.page:
        return True
    low, high = widths[last.page]
    # ragged lines fill 80-100% of the column: across a page only a line filled to the edge runs on
    full = (last.right - last.left) >= (0.85 if line.page == last.page else 0.97) * (high - low)
    return full or not _SENTENCE_END.search(last.text)
