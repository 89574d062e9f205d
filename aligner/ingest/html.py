"""HTML pages -> candidate paragraphs (headings, paragraphs, list items, table cells) and removed chrome.

The page is walked once in document order into blocks; each block is either main content or
chrome with a reason. Two judges decide, so every removal says which one spoke: page structure
(``<nav>``, ``<footer>``, ``<aside>``, ``role=`` landmarks, forms, hidden elements, and generic
class/id words such as ``cookie``, ``share``, ``sidebar``, ``menu``) and the main-content
extractor, trafilatura (chosen by measurement, docs/benchmarks.md "Published formats"): a block
that is not in its output is outside the main content. Spans are found by searching each
block's words, in order, in the decoded page with its tags masked out (lxml keeps no offsets).
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass, field

import lxml.etree
import lxml.html
import regex

from aligner.errors import InputError
from aligner.ingest.decode import decode_bytes
from aligner.model import Removal, Span

#: Bigger pages are skipped: a news page is well under 2 MB; 20 MB is a dump, not a report.
MAX_HTML_BYTES = 20 * 1024 * 1024
#: libxml2 silently drops what is nested deeper than 256 elements, so deeper pages are refused.
MAX_DEPTH = 200
#: A block with this many links whose text is mostly (this share) link text is a menu or link row.
LINK_ROW_LINKS = 3
LINK_SHARE = 0.7

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BLOCKS = HEADINGS | {"p", "li", "td", "th", "dt", "dd", "blockquote", "pre", "caption", "figcaption",
                     "div", "section", "article", "main", "body", "header", "footer", "nav", "aside", "ul",
                     "ol", "dl", "table", "tr", "tbody", "thead", "tfoot", "form", "fieldset", "figure",
                     "address", "center", "legend", "summary", "details", "hr", "br_block"}
SKIPPED = {"script": "html-script: <script> code, not text", "style": "html-script: <style> sheet, not text",
           "noscript": "html-script: <noscript> fallback", "template": "html-script: <template>, not displayed",
           "svg": "html-script: <svg> drawing", "iframe": "html-script: <iframe> embed",
           "select": "html-form: drop-down list", "button": "html-form: button", "textarea": "html-form: input box"}
_SKIPPED_TAG = {reason: tag for tag, reason in SKIPPED.items()}
_LANDMARKS = {"nav": "html-navigation: inside <nav>", "aside": "html-sidebar: inside <aside>",
              "footer": "html-footer: inside <footer>", "form": "html-form: inside a <form>"}
_ROLES = {"navigation": "html-navigation: role=navigation", "banner": "html-header: role=banner",
          "contentinfo": "html-footer: role=contentinfo", "complementary": "html-sidebar: role=complementary",
          "search": "html-form: role=search", "dialog": "html-dialog: role=dialog (pop-up)"}
# Generic web-template words in class/id names (whole tokens), not strings of particular sites.
_CLASS_WORDS = [
    ({"cookie", "cookies", "consent", "gdpr", "cmp"}, "html-cookie: cookie or consent banner"),
    ({"share", "sharing", "social", "sharebar"}, "html-share: share widget"),
    ({"newsletter", "subscribe", "subscription", "signup"}, "html-newsletter: newsletter sign-up"),
    ({"related", "recommended", "popular", "trending", "mostread", "readmore", "outbrain", "taboola"},
     "html-related: related or recommended links"),
    ({"sidebar", "side", "widget", "rail"}, "html-sidebar: sidebar or widget"),
    ({"menu", "nav", "navbar", "navigation", "breadcrumb", "breadcrumbs", "pagination", "skip"},
     "html-navigation: menu or breadcrumb"),
    ({"footer", "copyright", "colophon"}, "html-footer: page footer"),
    ({"ad", "ads", "advert", "advertisement", "sponsor", "sponsored", "promo", "dfp"}, "html-advert: advertisement"),
    ({"comment", "comments", "disqus"}, "html-comments: reader comments"),
    ({"modal", "popup", "overlay"}, "html-dialog: pop-up"),
]
_CLASS_REASON = {word: reason for words, reason in _CLASS_WORDS for word in words}
_TOKEN = re.compile(r"[a-z0-9]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")
_WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+")
_MASK = regex.compile(r"<!--.*?-->|<(script|style)\b.*?</\1\s*>|<[^>]*>|&#?\w+;", flags=regex.S | regex.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_TAG = re.compile(r"<(/?)([a-zA-Z][\w:-]*)[^>]*?(/?)>")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
         "track", "wbr", "keygen", "command"}
_AUTO_CLOSE = {"p", "li", "td", "th", "tr", "dt", "dd", "option"}


@dataclass
class Block:
    """One candidate paragraph: its raw text, tag, whether markup makes it a heading, and a chrome reason."""

    text: str
    tag: str
    heading: bool
    reason: str | None
    source: Span = Span(0, 0)


@dataclass
class Page:
    """What an HTML reader hands to ingest: decoded text, blocks in order, metadata and hints."""

    text: str
    encoding: str
    blocks: list[Block]
    removed: list[Removal] = field(default_factory=list)
    title: str | None = None
    hints: dict = field(default_factory=dict)


def decode_html(data: bytes, name: str, header_charset: str | None = None) -> tuple[str, str]:
    """Decode by BOM, then the HTTP header's charset, then ``<meta charset>``, then UTF-8/UTF-16."""
    if len(data) > MAX_HTML_BYTES:
        raise InputError(name, f"HTML page of {len(data):,} bytes is over the {MAX_HTML_BYTES:,}-byte cap: not read")
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode_bytes(data, name)
    declared = header_charset
    source = "http"
    if not declared:
        match = _META_CHARSET.search(data[:4096])
        declared, source = (match.group(1).decode("ascii", "replace") if match else None), "meta"
    if declared:
        try:
            codec = codecs.lookup(declared).name
        except LookupError:
            codec = None
        if codec and not codec.startswith("utf-16"):
            try:
                return data.decode(codec), f"{codec}-{source}"
            except UnicodeDecodeError as err:
                raise InputError(name, f"declares charset {declared} ({source}) but byte {err.start} is not "
                                       f"valid {codec}") from None
    try:  # markup need not look like prose (a page may have no spaces at all): valid UTF-8 is enough
        text = data.decode("utf-8")
        if "\x00" not in text:
            return text, "utf-8"
    except UnicodeDecodeError:
        pass
    return decode_bytes(data, name)


def nesting_depth(text: str) -> int:
    """Approximate element depth from the tags (void elements and auto-closed p/li/td ... discounted)."""
    stack: list[str] = []
    deepest = 0
    for match in _TAG.finditer(text):
        closing, tag, self_closing = match.group(1), match.group(2).lower(), match.group(3)
        if tag in _VOID or self_closing:
            continue
        if closing:
            if tag in stack:
                del stack[len(stack) - 1 - stack[::-1].index(tag):]
            continue
        if tag in _AUTO_CLOSE and stack and stack[-1] == tag:
            stack.pop()
        stack.append(tag)
        deepest = max(deepest, len(stack))
        if tag in ("script", "style"):
            end = text.find(f"</{tag}", match.end())
            stack.pop()
            if end < 0:
                break
    return deepest


def _own_reason(element) -> str | None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if element.get("hidden") is not None or element.get("aria-hidden") == "true" or \
            _HIDDEN_STYLE.search(element.get("style", "").lower()):
        return "html-hidden: not displayed"
    role = element.get("role", "").lower()
    if role in _ROLES:
        return _ROLES[role]
    if tag in _LANDMARKS:
        return _LANDMARKS[tag]
    for token in _TOKEN.findall(f"{element.get('class', '')} {element.get('id', '')}".lower()):
        if token in _CLASS_REASON:
            return _CLASS_REASON[token]
    return None


class _Buffer:
    """The text of the block being read, and how much of it is link text."""

    def __init__(self, tag: str, reason: str | None) -> None:
        self.tag, self.reason = tag, reason
        self.pieces: list[str] = []
        self.link_chars = self.links = 0

    def add(self, text: str | None, in_link: bool) -> None:
        if text:
            self.pieces.append(text)
            if in_link:
                self.link_chars += len(text.strip())


def _flush(buffer: _Buffer, blocks: list[Block]) -> None:
    text = " ".join("".join(buffer.pieces).split())
    if text:
        reason = buffer.reason
        if reason is None and buffer.links >= LINK_ROW_LINKS and buffer.link_chars >= LINK_SHARE * len(text):
            reason = f"html-links: {buffer.links} links and little else (menu, footer or link list)"
        blocks.append(Block(text, buffer.tag, buffer.tag in HEADINGS, reason))
    buffer.pieces.clear()
    buffer.link_chars = buffer.links = 0


def _blocks(root, removed: list[Removal]) -> list[Block]:
    """Walk the tree once; text of inline elements joins the enclosing block, blocks nest as siblings.

    An inline element with a chrome reason of its own (``<span class="share">``) is a block too.
    """
    blocks: list[Block] = []
    stack: list[tuple[_Buffer, bool, bool]] = []  # (buffer, element opened a block, in article)
    in_link = 0
    walker = lxml.etree.iterwalk(root, events=("start", "end"))
    for event, element in walker:
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if event == "start":
            if not tag or tag in SKIPPED:  # comments, processing instructions, scripts: not text
                if tag:
                    code = " ".join(element.text_content().split()) if tag != "svg" else ""
                    removed.append(Removal(code[:200], SKIPPED[tag], Span(0, 0)))  # located by locate()
                walker.skip_subtree()
                if stack:
                    stack[-1][0].add(element.tail, in_link > 0)
                continue
            parent = stack[-1][0] if stack else None
            in_article = stack[-1][2] if stack else False
            own = _own_reason(element)
            if tag == "header" and not in_article:
                own = own or "html-header: page header (logo, menu)"
            reason = (parent.reason if parent else None) or own
            article = in_article or tag in ("article", "main") or element.get("role") == "main"
            opens = tag in BLOCKS or parent is None or (own is not None and parent.reason is None)
            if opens:
                if parent is not None:
                    _flush(parent, blocks)
                buffer = _Buffer(tag, reason)
            else:
                buffer = parent
                if tag == "br":
                    buffer.add(" ", False)
            if tag == "a" and element.get("href") is not None:
                in_link += 1
                buffer.links += 1
            buffer.add(element.text, in_link > 0)
            stack.append((buffer, opens, article))
        else:
            if not tag or tag in SKIPPED:
                continue
            buffer, opened, _ = stack.pop()
            if tag == "a" and element.get("href") is not None:
                in_link -= 1
            if opened:
                _flush(buffer, blocks)
            if stack:
                stack[-1][0].add(element.tail, in_link > 0)
    return blocks


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold()))


def main_content(text: str) -> tuple[set[str], str] | None:
    """trafilatura's main-content lines (normalized; table rows cut into cells) and all of it, or None."""
    import trafilatura

    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # it logs an error for every empty page
    out = trafilatura.extract(text, include_tables=True, include_comments=False, include_images=False,
                              deduplicate=False)
    if not out:
        return None
    lines = {_norm(piece) for line in out.splitlines() for piece in [line, *line.split("|")]}
    lines.discard("")
    return lines, f" {_norm(out)} "


def _in_main(block: Block, lines: set[str], whole: str) -> bool:
    key = _norm(block.text)
    if not key or key in lines:
        return bool(key)
    return len(key.split()) >= 4 and f" {key} " in whole


def locate(text: str, blocks: list[Block], removed: list[Removal]) -> list[Removal]:
    """Give each block the span from its first to its last word in ``text``, searching in order;
    skipped elements (scripts, forms) get the span of their tag onwards, to their closing tag."""
    lowered = text.lower()
    located, cursor = [], 0
    for removal in removed:
        tag = _SKIPPED_TAG.get(removal.reason, "")
        at = lowered.find(f"<{tag}", cursor) if tag else -1
        if at < 0:
            located.append(Removal(removal.text, removal.reason, Span(0, 0)))
            continue
        close = lowered.find(f"</{tag}", at)
        end = lowered.find(">", close) + 1 if close >= 0 else at + len(tag) + 1
        located.append(Removal(removal.text, removal.reason, Span(at, max(end, at + 1))))
        cursor = at + 1
    masked = _MASK.sub(lambda m: " " * len(m.group()), text)
    cursor = 0
    for block in blocks:
        start = end = None
        position = cursor
        for word in _WORD.findall(block.text):
            at = masked.find(word, position)
            if at < 0:
                continue
            start = at if start is None else start
            position = end = at + len(word)
        if start is not None:
            words = list(_WORD.finditer(block.text))
            lead, trail = block.text[:words[0].start()], block.text[words[-1].end():]
            if lead and text[start - len(lead):start] == lead:  # quotes or brackets before the first word
                start -= len(lead)
            if trail and text[end:end + len(trail)] == trail:  # the final stop after the last word
                end += len(trail)
            block.source = Span(start, end)
            cursor = end
    return located


def parse_html(text: str, name: str, encoding: str) -> Page:
    """Blocks of a decoded page with chrome reasons, its title and its language hints."""
    if nesting_depth(text) > MAX_DEPTH:
        raise InputError(name, f"HTML nested deeper than {MAX_DEPTH} elements: not read (a parser would lose text)")
    source = regex.sub(r"^\s*<\?xml[^>]*>", "", text)
    try:
        root = lxml.html.document_fromstring(source)
    except (lxml.etree.ParserError, ValueError) as err:
        raise InputError(name, f"malformed HTML ({err})") from None
    removed: list[Removal] = []
    head = root.find("head")
    for element in head.iter(*SKIPPED) if head is not None else ():
        removed.append(Removal(" ".join(element.text_content().split())[:200], SKIPPED[element.tag], Span(0, 0)))
    hints = _hints(root)
    title = _title(root)
    body = root.find("body")
    blocks = _blocks(body if body is not None else root, removed)
    removed = locate(text, blocks, removed)
    extracted = main_content(source)
    headline = f" {_norm(title)} " if title else ""
    for block in blocks:
        if block.heading and block.tag == "h1" and f" {_norm(block.text)} " in headline:
            continue  # the headline: extractors move it to their metadata, it is the article's title
        if block.reason is None and extracted is not None and not _in_main(block, *extracted):
            block.reason = "html-boilerplate: outside the main content (trafilatura)"
    return Page(text, encoding, blocks, removed, title, hints)


def _title(root) -> str | None:
    for xpath in ("//meta[@property='og:title']/@content", "//title//text()", "//h1//text()"):
        found = " ".join(" ".join(root.xpath(xpath)).split())
        if found:
            return found
    return None


def _primary(code: str | None) -> str | None:
    code = (code or "").strip().lower().replace("_", "-")
    return code.split("-")[0] or None if code else None


def _hints(root) -> dict:
    """``lang`` (html/body lang or Content-Language), ``dir``, the page's ``canonical`` address (its
    canonical link, else ``og:url``) and its ``hreflang`` alternates."""
    hints: dict = {}
    body = root.find("body")
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or \
        (body.get("lang") if body is not None else None)
    if not lang:
        meta = root.xpath("//meta[translate(@http-equiv,'CONTENT-LANGUAGE','content-language')"
                          "='content-language']/@content")
        lang = meta[0] if meta else None
    if _primary(lang):
        hints["lang"] = _primary(lang)
    direction = root.get("dir") or (body.get("dir") if body is not None else None)
    if direction and direction.lower() in ("rtl", "ltr"):
        hints["dir"] = direction.lower()
    canonical = root.xpath("//link[translate(@rel,'CANONICAL','canonical')='canonical']/@href"
                           " | //meta[@property='og:url']/@content")
    if canonical and canonical[0].strip():
        hints["canonical"] = canonical[0].strip()
    alternates = {}
    for link in root.xpath("//link[@hreflang][@href]"):
        alternates.setdefault(link.get("hreflang").strip().lower(), link.get("href").strip())
    if alternates:
        hints["hreflang"] = dict(sorted(alternates.items()))
    return hints
