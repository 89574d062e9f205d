"""TMX 1.4 export: ``NAME.tmx`` (every language) and ``NAME.xx-yy.tmx`` (one language pair).

One ``<tu tuid=…>`` per tuple, its ``<prop>``s first (``x-group``, ``x-score-NAME`` for every score
the tuple has, in the corpus's column order, then ``x-documents-LANG`` and ``x-segments-LANG`` for
each language written: space-separated source document ids and segment ids), then one
``<tuv xml:lang=…><seg>…</seg></tuv>`` per language present, in alphabetical order. The header
carries every attribute the DTD requires and no date, so two exports of one corpus are
byte-identical.

Characters XML 1.0 cannot hold (C0 controls other than tab/LF/CR, lone surrogates, U+FFFE, U+FFFF)
are removed and counted in the returned :class:`FileReport`; CR is written as ``&#13;`` so that it
survives parsing. A multilingual file writes every selected tuple with at least one language; a pair
file only tuples with both. With a source language (``srclang``) named, the header says so and
tuples without that language are skipped (the specification wants a source ``<tuv>`` in every unit).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from aligner import __version__
from aligner.export.corpus_tsv import format_score
from aligner.export.selection import FileReport, documents_of, has_text, strip_xml_illegal
from aligner.fileio import atomic_writer
from aligner.model import AlignedTuple

DTD_PATH = Path(__file__).resolve().parent / "data" / "tmx14.dtd"
CREATION_TOOL = "aligner"
O_TMF = "aligner-corpus"

_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTR_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                               "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"})


def escape_text(text: str) -> str:
    """Character data for element content (``]]>`` cannot appear: ``>`` is always escaped)."""
    return text.translate(_TEXT_ESCAPES)


def escape_attribute(text: str) -> str:
    """A double-quoted attribute value; tab/LF/CR as references so attribute normalisation keeps them."""
    return text.translate(_ATTR_ESCAPES)


def header(srclang: str, props: Sequence[tuple[str, str]] = ()) -> str:
    attributes = (f'creationtool="{CREATION_TOOL}" creationtoolversion="{escape_attribute(__version__)}" '
                  f'segtype="sentence" o-tmf="{O_TMF}" adminlang="en" srclang="{escape_attribute(srclang)}" '
                  f'datatype="plaintext"')
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<!DOCTYPE tmx SYSTEM "tmx14.dtd">', '<tmx version="1.4">']
    if props:
        lines.append(f"  <header {attributes}>")
        lines += [f'    <prop type="{escape_attribute(kind)}">{escape_text(value)}</prop>' for kind, value in props]
        lines.append("  </header>")
    else:
        lines.append(f"  <header {attributes}/>")
    lines.append("  <body>")
    return "\n".join(lines) + "\n"


FOOTER = "  </body>\n</tmx>\n"


def write_tmx(path: Path, tuples: Iterable[AlignedTuple], languages: Sequence[str],
              score_names: Sequence[str] = (), *, srclang: str | None = None, require_all: bool = False,
              selection_rule: str | None = None) -> FileReport:
    """Write ``tuples`` as TMX 1.4 with a ``<tuv>`` for each of ``languages`` the tuple has.

    ``require_all``: only tuples having every language (pair files); otherwise at least one.
    ``srclang`` goes into the header when it is one of ``languages``, else ``*all*``; as the TMX
    specification requires a ``<tuv>`` in the source language, tuples lacking it are then skipped.
    """
    languages = sorted(languages)
    report = FileReport("tmx")
    props = [("x-languages", " ".join(languages))]
    if selection_rule:
        props.append(("x-selection", selection_rule))
    source = srclang if srclang in languages else "*all*"
    with atomic_writer(path) as handle:
        handle.write(header(source, props))
        for item in tuples:
            unit = _unit(item, languages, score_names, require_all, source, report)
            if unit is not None:
                handle.write(unit)
        handle.write(FOOTER)
    return report


def _unit(item: AlignedTuple, languages: Sequence[str], score_names: Sequence[str], require_all: bool,
          source: str, report: FileReport) -> str | None:
    removed = dropped = 0
    segments: dict[str, str] = {}
    for lang in languages:
        raw = item.texts.get(lang, "")
        if not has_text(raw):
            continue
        text, count = strip_xml_illegal(raw)
        removed += count
        if has_text(text):
            segments[lang] = text
        else:
            dropped += 1
    missing = [lang for lang in languages if lang not in segments]
    if not segments:
        report.skip("no text")
        return None
    if require_all and missing:
        report.skip(f"missing {missing[0]}")
        return None
    if source in missing:
        report.skip(f"missing {source} (source language)")
        return None

    def clean(value: str) -> str:
        nonlocal removed
        value, count = strip_xml_illegal(value)
        removed += count
        return value

    lines = [f'    <tu tuid="{escape_attribute(clean(item.tuid))}">',
             f'      <prop type="x-group">{escape_text(clean(item.group_id))}</prop>']
    for name in score_names:
        value = format_score(item.scores.get(name))
        if value:
            lines.append(f'      <prop type="x-score-{escape_attribute(clean(name))}">{value}</prop>')
    for lang in segments:
        ids = [clean(segment_id) for segment_id in item.segment_ids.get(lang, ())]
        if ids:
            kind = escape_attribute(lang)
            lines.append(f'      <prop type="x-documents-{kind}">{escape_text(" ".join(documents_of(ids)))}</prop>')
            lines.append(f'      <prop type="x-segments-{kind}">{escape_text(" ".join(ids))}</prop>')
    for lang, text in segments.items():
        lines.append(f'      <tuv xml:lang="{escape_attribute(lang)}"><seg>{escape_text(text)}</seg></tuv>')
    lines.append("    </tu>")
    report.rows += 1
    report.removed_characters += removed
    report.dropped_segments += dropped
    return "\n".join(lines) + "\n"
