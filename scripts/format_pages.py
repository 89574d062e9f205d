"""Render generated news documents as published files: scraped HTML pages, PDF, DOCX, a WARC.

Used by ``scripts/compare_html_extractors.py`` and ``scripts/bench_formats.py``. A document is a
title and paragraphs of :class:`bench_news_hard.Unit` (kind ``sentence``, ``inserted`` or
``chrome``); each renderer adds the page furniture of its format (menus, cookie banners, sidebars
and footers for HTML; running headers, footers and page numbers for PDF and DOCX) and returns
the chrome strings it added, so a scorer can count how much of it survives.
"""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import numpy as np

MENU = {
    "en": ["Home", "World", "Politics", "Business", "Sport", "Culture", "Opinion", "Video", "Contact"],
    "fr": ["Accueil", "Monde", "Politique", "Économie", "Sport", "Culture", "Opinions", "Vidéo", "Contact"],
    "ar": ["الرئيسية", "العالم", "سياسة", "اقتصاد", "رياضة", "ثقافة", "رأي", "فيديو", "اتصل بنا"],
}
MOST_READ = {"en": "Most read", "fr": "Les plus lus", "ar": "الأكثر قراءة"}
FOOTER_LINKS = {
    "en": ["About us", "Privacy policy", "Terms of use", "Advertise with us", "Careers"],
    "fr": ["Qui sommes-nous", "Politique de confidentialité", "Conditions d'utilisation", "Publicité", "Emplois"],
    "ar": ["من نحن", "سياسة الخصوصية", "شروط الاستخدام", "أعلن معنا", "وظائف"],
}
ACCEPT = {"en": "Accept all", "fr": "Tout accepter", "ar": "قبول الكل"}
COOKIE = {
    "en": "We use cookies to improve your experience. By continuing to browse you accept our cookie policy.",
    "fr": "Nous utilisons des cookies pour améliorer votre expérience. En poursuivant la navigation, vous acceptez notre politique de cookies.",
    "ar": "نستخدم ملفات تعريف الارتباط لتحسين تجربتك. بمواصلة التصفح فإنك تقبل سياسة ملفات تعريف الارتباط.",
}
SITE = {"en": "Daily Courier", "fr": "Le Courrier", "ar": "صحيفة البريد"}
RUNNING = {"en": "Daily Courier — News report", "fr": "Le Courrier — Dépêche", "ar": "صحيفة البريد — تقرير إخباري"}
PAGE_WORD = {"en": "Page", "fr": "Page", "ar": "صفحة"}
TEMPLATES = ("semantic", "divsoup", "table", "bare")


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _unit_html(unit, template: str) -> str:
    if unit.kind == "chrome" and unit.label in ("share", "related", "newsletter", "cookie", "copyright"):
        cls = {"share": "share-buttons", "related": "related-links", "newsletter": "newsletter-signup",
               "cookie": "cookie-notice", "copyright": "copyright"}[unit.label]
        return f'<div class="{cls}"><a href="#">{_e(unit.text)}</a></div>'
    if unit.kind == "chrome" and unit.label in ("byline", "date"):
        return f'<p class="{unit.label}">{_e(unit.text)}</p>'
    return ""


def render_html(title: str, paragraphs: list[list], lang: str, rng: np.random.Generator, titles: list[str],
                url: str = "", twins: dict[str, str] | None = None, template: str | None = None) -> tuple[str, list[str]]:
    """A scraped news page around ``paragraphs``; returns ``(html, chrome strings added by the page)``."""
    template = template or TEMPLATES[int(rng.integers(len(TEMPLATES)))]
    rtl = ' dir="rtl"' if lang == "ar" else ""
    chrome: list[str] = []
    menu = MENU[lang]
    chrome += menu + [MOST_READ[lang], *titles, *FOOTER_LINKS[lang], COOKIE[lang], ACCEPT[lang]]
    links = "".join(f'<link rel="alternate" hreflang="{k}" href="{_e(v)}">' for k, v in (twins or {}).items())
    if url:
        links = f'<link rel="canonical" href="{_e(url)}">' + links
    head = (f'<!DOCTYPE html>\n<html lang="{lang}"{rtl}>\n<head>\n<meta charset="utf-8">\n'
            f"<title>{_e(title)} | {_e(SITE[lang])}</title>\n{links}\n"
            '<script>window.dataLayer=[];function gtag(){dataLayer.push(arguments)}</script>\n'
            "<style>nav li{display:inline}</style>\n</head>\n")
    cookie = (f'<div id="cookie-banner" class="cookie-consent"><p>{_e(COOKIE[lang])}</p>'
              f'<button>{_e(ACCEPT[lang])}</button></div>\n')
    nav_items = "".join(f'<li><a href="/{lang}/{k}">{_e(m)}</a></li>' for k, m in enumerate(menu))
    side_items = "".join(f'<li><a href="/{lang}/a{k}">{_e(t)}</a></li>' for k, t in enumerate(titles))
    foot_items = " | ".join(f'<a href="/{lang}/p{k}">{_e(f)}</a>' for k, f in enumerate(FOOTER_LINKS[lang]))
    body_parts = [f"<h1>{_e(title)}</h1>"]
    for paragraph in paragraphs:
        special = [_unit_html(u, template) for u in paragraph]
        if any(special):
            body_parts += [s for s in special if s]
            continue
        body_parts.append("<p>" + " ".join(_e(u.text) for u in paragraph) + "</p>")
    article = "\n".join(body_parts)
    if template == "semantic":
        page = (f"<body>\n{cookie}<header><div class=\"logo\">{_e(SITE[lang])}</div><nav><ul>{nav_items}</ul></nav></header>\n"
                f"<main><article>\n{article}\n</article>\n"
                f"<aside class=\"sidebar\"><h2>{_e(MOST_READ[lang])}</h2><ul>{side_items}</ul></aside></main>\n"
                f"<footer><p>{foot_items}</p></footer>\n</body></html>\n")
    elif template == "divsoup":
        page = (f"<body>\n<div class=\"wrap\">{cookie}<div class=\"top-menu\"><ul>{nav_items}</ul></div>\n"
                f"<div class=\"col-main\"><div class=\"story-body\">\n{article}\n</div></div>\n"
                f"<div class=\"col-side widget\"><h3>{_e(MOST_READ[lang])}</h3><ul>{side_items}</ul></div>\n"
                f"<div class=\"site-footer\">{foot_items}</div></div>\n</body></html>\n")
    elif template == "bare":  # no landmark tags, no class or id names: only the extractor can tell
        page = (f"<body>\n<div><div>{_e(COOKIE[lang])} <a href=\"#\">{_e(ACCEPT[lang])}</a></div><div><ul>{nav_items}</ul></div>\n"
                f"<div><div>\n{_strip_classes(article)}\n</div></div>\n"
                f"<div><h3>{_e(MOST_READ[lang])}</h3><ul>{side_items}</ul></div>\n"
                f"<div>{foot_items}</div></div>\n</body></html>\n")
    else:
        page = (f"<body>\n<table width=\"100%\"><tr><td colspan=\"2\" class=\"menu\">{nav_items.replace('li>', 'span>')}</td></tr>\n"
                f"<tr><td class=\"content\">\n{article}\n</td>\n"
                f"<td class=\"side\"><b>{_e(MOST_READ[lang])}</b><ul>{side_items}</ul></td></tr>\n"
                f"<tr><td colspan=\"2\">{foot_items}</td></tr></table>\n{cookie}</body></html>\n")
    chrome.append(SITE[lang])
    return head + page, chrome


def _strip_classes(markup: str) -> str:
    return re.sub(r'\s(?:class|id)="[^"]*"', "", markup)


def render_docx(title: str, paragraphs: list[list], lang: str) -> tuple[bytes, list[str]]:
    """A DOCX with the title as a heading, the paragraphs, a running header and a page-number footer."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = RUNNING[lang]
    section.footer.paragraphs[0].text = f"{SITE[lang]} © 2023"
    heading = document.add_heading(title, level=1)
    if lang == "ar":
        heading.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for paragraph in paragraphs:
        document.add_paragraph(" ".join(u.text for u in paragraph))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue(), [RUNNING[lang], f"{SITE[lang]} © 2023"]


FONT_DIR = Path("/usr/share/fonts/truetype/noto")
#: A number range ("1-0", "70-90"). fpdf2 (2.8.9) draws one in Arabic text reversed, against the
#: bidi algorithm (rule W4: a hyphen between two numbers joins them into one left-to-right run);
#: isolated (LRI ... PDI) it is drawn as a word processor draws it. The isolates are not drawn.
_NUMBER_RANGE = re.compile(r"\d+(?:[-–]\d+)+")


def _isolated_ranges(text: str) -> str:
    return _NUMBER_RANGE.sub(lambda m: f"\u2066{m.group()}\u2069", text)


def render_pdf(title: str, paragraphs: list[list], lang: str, lines_per_page: int = 28) -> tuple[bytes, list[str], int]:
    """A multi-page PDF (fpdf2, Noto fonts): running header, page numbers, paragraphs wrapped across pages.

    Returns ``(pdf bytes, chrome strings, pages)``. Arabic is shaped with fpdf2's text shaping.
    """
    from fpdf import FPDF

    class Page(FPDF):
        def header(self):
            self.set_font("body", size=8)
            self.cell(0, 6, RUNNING[lang], align="C", new_x="LMARGIN", new_y="NEXT")
            self.ln(4)

        def footer(self):
            self.set_y(-15)
            self.set_font("body", size=8)
            self.cell(0, 8, f"{PAGE_WORD[lang]} {self.page_no()}", align="C")

    pdf = Page(format=(148, 210))  # A5 in mm
    font = "NotoNaskhArabic-Regular.ttf" if lang == "ar" else "NotoSans-Regular.ttf"
    pdf.add_font("body", fname=str(FONT_DIR / font))
    if lang == "ar":
        pdf.add_font("latin", fname=str(FONT_DIR / "NotoSans-Regular.ttf"))
        pdf.set_fallback_fonts(["latin"])
        pdf.set_text_shaping(True)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    align = "R" if lang == "ar" else "L"
    pdf.set_font("body", size=14)
    pdf.multi_cell(0, 8, title, align=align, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("body", size=10)
    for paragraph in paragraphs:
        text = " ".join(u.text for u in paragraph)
        pdf.multi_cell(0, 5.5, _isolated_ranges(text) if lang == "ar" else text, align=align,
                       new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    data = bytes(pdf.output())
    pages = pdf.page_no()
    return data, [RUNNING[lang]] + [f"{PAGE_WORD[lang]} {k}" for k in range(1, pages + 1)], pages


def write_warc(path: Path, pages: list[tuple[str, str]]) -> None:
    """A gzipped WARC with one HTTP response record per ``(url, html)`` page (warcio)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url, page in pages:
            payload = page.encode("utf-8")
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                                  ("Content-Length", str(len(payload)))], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(payload),
                                                          http_headers=headers))
