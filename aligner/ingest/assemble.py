"""One way from candidate paragraphs to a :class:`Document`, shared by plain text and every format.

A format reader hands over its candidate paragraphs (normalized lines with their source spans),
the lines its markup marks as headings, and what it already removed as furniture with a reason;
the text rules of :mod:`aligner.ingest.boilerplate` then judge the rest exactly as they judge a
plain-text file, so a report reads the same whether it came as ``.txt``, HTML, PDF or DOCX.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from aligner.ingest.boilerplate import RULES, Line, Verdicts, is_heading, rule_header, rule_trailing
from aligner.ingest.langid import document_language, identify_language
from aligner.model import Document, Paragraph, Removal

#: Rules that guess a page's layout from the order of its lines (the header above the title, the
#: footer after the last sentence); a format whose markup gives the layout does without them.
LAYOUT_RULES = (rule_header, rule_trailing)

#: Below this language-ID confidence a declared language (``<html lang>``, document metadata) wins.
HINT_CONFIDENCE = 0.5


def assemble(lines: Sequence[Line], *, doc_id: str, source_file: str, sha256: str = "", encoding: str = "utf-8",
             headings: Collection[int] = (), removed: Sequence[Removal] = (), lang_hint: str | None = None,
             layout_known: bool = False, **metadata) -> Document:
    """Apply the boilerplate rules to ``lines`` and identify languages; ``metadata`` goes to the Document.

    ``layout_known``: the reader already removed the page's header and footer by its markup, so
    the rules that guess them from line order are not applied (they would take the last real
    paragraph for a footer once the footer is gone).
    """
    removed_at = _judge(lines, [rule for rule in RULES if not (layout_known and rule in LAYOUT_RULES)])
    kept = [(position, line) for position, line in enumerate(lines) if position not in removed_at]
    doc_lang, doc_confidence = document_language([line.text for _, line in kept])
    if lang_hint and (doc_lang == "und" or doc_confidence < HINT_CONFIDENCE):
        doc_lang = lang_hint
    paragraphs = []
    for position, line in kept:
        lang, confidence = identify_language(line.text, prior_lang=doc_lang)
        paragraphs.append(Paragraph(index=len(paragraphs), text=line.text,
                                    is_heading=position in headings or is_heading(line.text),
                                    lang=lang, lang_confidence=round(confidence, 4), source=line.source))
    removals = [Removal(text=lines[p].text, reason=reason, source=lines[p].source)
                for p, reason in sorted(removed_at.items())]
    if removed:
        removals = sorted([*removed, *removals], key=lambda r: (r.source.start, r.source.end))
    return Document(doc_id=doc_id, source_file=source_file, sha256=sha256, encoding=encoding, lang=doc_lang,
                    lang_confidence=round(doc_confidence, 4), paragraphs=paragraphs, removed=removals, **metadata)


def _judge(lines: Sequence[Line], rules) -> Verdicts:
    """:func:`aligner.ingest.boilerplate.find_boilerplate` with a choice of rules."""
    removed: Verdicts = {}
    for rule in rules:
        for position, reason in rule(lines, removed).items():
            removed.setdefault(position, reason)
    return removed
