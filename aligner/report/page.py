"""``build_report``: write ``OUT_DIR/report/index.html``, one static, self-contained page.

The page has no external resource (a Content-Security-Policy forbids any): its CSS, JavaScript,
figures (inline SVG with PNG data URIs) and data (one JSON blob) are all inside the file. The
tuples are rendered by the page itself, one page of rows at a time, from the JSON blob, so a
corpus of thousands of tuples opens quickly; heatmaps are inserted when their group is opened.
The file is written in pieces (the blob one tuple at a time, the heatmaps one group at a time):
neither the page nor the corpus is ever whole in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from html import escape
from pathlib import Path

from aligner import __version__
from aligner.fileio import atomic_writer
from aligner.progress import track

from .assets import CSS, JS
from .data import RTL_LANGUAGES, ReportData, load_report_data
from .heatmap import group_heatmaps, heatmap_pairs, histogram_svg
from .records import groups_summary, quality_values, rejected_pairs, tuple_records, ungrouped_documents
from .sources import DocumentSource

REPORT_DIR = "report"
REPORT_FILE = "index.html"
PAGE_SIZES = (25, 50, 100, 200, 500)
DEFAULT_PAGE_SIZE = 50

_CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
        "base-uri 'none'; form-action 'none'")


def script_json(value: object) -> str:
    """JSON safe inside ``<script type="application/json">`` (no ``<`` at all, so no ``</script>``)."""
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
            .replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _num(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _doc(doc_id: str, lang: str = "") -> str:
    lang_html = f'<span class="lang">{escape(lang)}</span> ' if lang else ""
    return f'{lang_html}<span class="doc">{escape(doc_id)}</span>'


def _evidence(details: dict) -> str:
    parts = []
    for key in ("share", "similarity", "embedding", "numbers", "names", "length_ratio", "links", "rivals"):
        if key in details:
            value = details[key]
            parts.append(f"{key} {value:.3f}" if isinstance(value, float) else f"{key} {value}")
    return escape(", ".join(parts))


def _source_html(source: DocumentSource | None) -> str:
    """The format a document was read from (and its URL or title), beside its file name."""
    if source is None:
        return ""
    where = source.url or source.title
    return (f' <span class="format">{escape(source.format)}</span>'
            + (f' <span class="file">{escape(where)}</span>' if where else ""))


def _removed_html(source: DocumentSource | None) -> str:
    """The page chrome ingest removed from a document, with the rule that removed each line, to open."""
    if source is None or not source.removed_count:
        return ""
    rows = "".join(f'<li><span class="reason">{escape(reason)}</span> {escape(text)}</li>'
                   for reason, text in source.removed)
    more = source.removed_count - len(source.removed)
    return (f'<details class="removed"><summary>{source.removed_count} line'
            f'{"s" if source.removed_count != 1 else ""} removed as page chrome</summary><ul>{rows}</ul>'
            + (f'<p class="help">… and {more} more (documents.jsonl has them all)</p>' if more > 0 else "")
            + "</details>")


def _groups_html(data: ReportData, groups: list[dict]) -> str:
    """The group cards (their heatmaps are sent at the end of the page: :func:`_heatmap_sources`)."""
    sentences = {doc: len(segs) for doc, segs in data.segments.items()}
    if not groups:
        return '<p class="help">No document group: nothing was aligned.</p>'
    accepted: dict[str, list[tuple[str, str, float | None]]] = {}
    member = {row.doc_id: row for row in data.documents}
    seen = set()
    for row in data.documents:
        for pair in row.pairs:
            other = str(pair.get("with", ""))
            key = tuple(sorted((row.doc_id, other)))
            if pair.get("accepted") and key not in seen and row.group:
                seen.add(key)
                accepted.setdefault(row.group, []).append((*key, pair.get("score")))
    out = ['<div class="groups">']
    for group in groups:
        gid = group["id"]
        docs = "".join(
            f'<li>{_doc(d["doc_id"], d["lang"])} <span class="file">{escape(d["file"])}</span>'
            + _source_html(data.sources.get(d["doc_id"]))
            + (f' · {sentences[d["doc_id"]]} segments' if d["doc_id"] in sentences else "")
            + _removed_html(data.sources.get(d["doc_id"])) + "</li>"
            for d in group["docs"])
        pairs = "".join(
            f'<li>{_doc(a, member[a].lang if a in member else "")} ↔ {_doc(b, member[b].lang if b in member else "")}'
            f' score {_num(s if isinstance(s, (int, float)) else None)}</li>'
            for a, b, s in accepted.get(gid, []))
        map_count = len(heatmap_pairs(group, data.segments))
        out.append(
            f'<article class="group" id="group-{escape(gid)}" data-group="{escape(gid)}">'
            f'<h3>{escape(gid)}<span class="score">group score {_num(group["score"])} · {group["tuples"]} tuples, '
            f'{group["kept"]} kept</span> <button class="show-group" data-group="{escape(gid)}">show its tuples</button></h3>'
            f'<ul class="docs">{docs}</ul>'
            + (f'<div class="help">accepted pairs:</div><ul class="pairs">{pairs}</ul>' if pairs else "")
            + (f'<details class="maps" data-group="{escape(gid)}"><summary>sentence-similarity heatmaps '
               f'({map_count} document pair{"s" if map_count != 1 else ""}) with the chosen alignment</summary>'
               f'<div class="map-grid"></div></details>'
               if map_count else '<p class="help">No heatmap: no segments.tsv rows for these documents.</p>')
            + "</article>")
    out.append("</div>")
    return "".join(out)


def _heatmap_sources(data: ReportData, embedder) -> Iterator[str]:
    """One JSON script per group with heatmaps, drawn one group at a time (placed after the page's
    script, so that the tuples render before the browser has even parsed the figures)."""
    # the sentences are encoded here: a bar with an ETA per group on a terminal
    for gid, maps in track(group_heatmaps(data, embedder), "report", "groups", total=len(groups_summary(data))):
        if not maps:
            continue
        texts = {doc: [seg.text for seg in data.segments.get(doc, [])]
                 for doc in dict.fromkeys(d for m in maps for d in (m["a"], m["b"]))}
        figures = "".join(
            f'<figure class="hm" data-pair="{escape(m["pair"])}"><figcaption>{escape(m["pair"])}: '
            f'{escape(m["a"])} × {escape(m["b"])} ({m["rows"]} × {m["cols"]} segments, {m["beads"]} tuples drawn; '
            f'hover for the sentences, click a box to show its tuple)</figcaption>{m["svg"]}</figure>'
            for m in maps)
        yield (f'<script type="application/json" class="heatmap-src" data-group="{escape(gid)}">'
               f'{script_json({"texts": texts, "html": figures})}</script>')


def _rejected_html(data: ReportData) -> str:
    rows = rejected_pairs(data)
    if not rows:
        return '<p class="help">No rejected candidate pair.</p>'
    body = "".join(
        f'<tr><td class="pair">{_doc(p["a"], p["lang_a"])} ↔ {_doc(p["b"], p["lang_b"])}</td>'
        f'<td class="num">{_num(p["score"])}</td>'
        f'<td class="reason">{escape(p["reason"])}</td><td class="evidence">{_evidence(p["details"])}</td></tr>'
        for p in rows)
    return ('<table class="plain" id="rejected"><thead><tr><th>candidate pair</th><th>score</th><th>reason</th>'
            f'<th>evidence</th></tr></thead><tbody>{body}</tbody></table>')


def _ungrouped_html(data: ReportData) -> str:
    rows = ungrouped_documents(data)
    if not rows:
        return '<p class="help">Every document is in a group.</p>'
    body = "".join(
        f'<tr><td>{_doc(r.doc_id, r.lang)}</td><td class="file">{escape(r.file)}'
        f'{_source_html(data.sources.get(r.doc_id))}{_removed_html(data.sources.get(r.doc_id))}</td>'
        f'<td class="num">{_num(r.score)}</td><td class="reason">{escape(r.reason)}</td></tr>' for r in rows)
    return ('<table class="plain" id="ungrouped"><thead><tr><th>document</th><th>file</th><th>best score</th>'
            f'<th>why not grouped</th></tr></thead><tbody>{body}</tbody></table>')


def _filters_html(data: ReportData, groups: list[str]) -> str:
    label = data.quality_label
    n = len(data.languages)
    coverage = [("all", f"all {n} languages" if n != 3 else "all three languages"), ("2", "at least two"),
                ("1", "any (include one-language rows)")]
    group_options = '<option value="">all</option>' + "".join(
        f'<option value="{escape(g)}">{escape(g)}</option>' for g in groups)
    sizes = "".join(f'<option value="{s}"{" selected" if s == DEFAULT_PAGE_SIZE else ""}>{s}</option>'
                    for s in PAGE_SIZES)
    return (
        '<div class="filters" id="filters">'
        f'<label>min {escape(label)} <input type="range" id="min-quality" min="0" max="1" step="0.01" value="0"> '
        '<input type="number" id="min-quality-num" min="0" max="1" step="0.01" value="0"></label>'
        '<label>languages <select id="coverage">'
        + "".join(f'<option value="{v}"{" selected" if v == "2" else ""}>{escape(t)}</option>' for v, t in coverage)
        + '</select></label>'
        '<label>state <select id="state"><option value="any">kept and dropped</option><option value="kept">kept</option>'
        '<option value="dropped">dropped</option></select></label>'
        f'<label>group <select id="group">{group_options}</select></label>'
        f'<label>order <select id="sort"><option value="corpus">corpus order</option>'
        f'<option value="q-asc">{escape(label)} ascending</option><option value="q-desc">{escape(label)} descending</option>'
        '</select></label>'
        '<label>search <input type="search" id="search" placeholder="words or tuid" autocomplete="off"></label>'
        f'<span><span id="count">0</span> of {data.summary.tuples} tuples match</span>'
        f'<label>per page <select id="page-size">{sizes}</select></label>'
        '</div>')


def _pager() -> str:
    return ('<div class="pager"><button class="prev" type="button">◀ previous</button>'
            '<span class="page-info"></span><button class="next" type="button">next ▶</button></div>')


def render_page(data: ReportData, embedder) -> Iterator[str]:
    """The page in pieces, to be written one after the other: the tuples' data one tuple at a time and
    the heatmaps one group at a time, so that the page is never whole in memory."""
    total, kept = data.summary.tuples, data.summary.kept
    group_records = groups_summary(data)
    groups = [g["id"] for g in group_records]
    label = data.quality_label
    short = {"quality": "q", "mean cos": "cos"}.get(label, label)
    blob_head = {"languages": data.languages, "rtl": sorted(set(data.languages) & RTL_LANGUAGES),
                 "scoreNames": data.score_names, "qualityLabel": label, "qualityShort": short}
    # no folder name or date: two builds of the same input write the same bytes
    title = f"aligner report · {total} tuples · {', '.join(data.languages)}"
    wordalign = ", ".join(data.word_alignments) or "none (no wordalign.*.txt files)"
    explain = ("the tuple's quality score" if label == "quality" else
               "the mean of its cos_* scores (the corpus has no quality column)" if label == "mean cos" else
               "none (the corpus has neither quality nor cos_* scores)")
    warnings = ("<ul class=\"warnings\">" + "".join(f"<li>{escape(w)}</li>" for w in data.warnings) + "</ul>"
                if data.warnings else "")
    head_cells = "".join(
        f'<th lang="{escape(l)}" dir="{"rtl" if l in RTL_LANGUAGES else "ltr"}">{escape(l)}</th>' for l in data.languages)
    cols = '<col class="meta">' + "".join(f'<col class="txt {escape(l)}">' for l in data.languages)
    histogram = histogram_svg(quality_values(data), label=label)
    unscored = data.summary.unscored
    missing = f" {unscored} tuple(s) without a {label} score (such as one-language rows) are not counted." if unscored else ""
    yield f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="aligner {escape(__version__)}">
<title>{escape(title)}</title>
<style>{CSS}</style>
</head>
<body>
<header class="top">
<h1>{escape(title)}</h1>
<p class="summary" id="summary">{total} tuples ({kept} kept, {total - kept} dropped) in {len(groups)} group(s) ·
languages {escape(", ".join(data.languages))} · scores: {escape(", ".join(data.score_names) or "none")} ·
colour and filter by {escape(explain)} · word links: {escape(wordalign)}</p>
<nav><a href="#documents">documents</a><a href="#quality">quality</a><a href="#tuples">tuples</a></nav>
</header>
<main>
{warnings}
<section id="documents">
<h2>Document groups</h2>
{_groups_html(data, group_records)}
<h3>Rejected candidate pairs</h3>
{_rejected_html(data)}
<h3>Ungrouped documents</h3>
{_ungrouped_html(data)}
</section>
<section id="quality">
<h2>Quality</h2>
<p class="help">Kept tuples in colour, dropped ones in grey; the dashed line is the minimum set in the filters below.{missing}</p>
{histogram}
</section>
<section id="tuples">
<h2>Tuples</h2>
<p class="help">Hover a dotted word to see the words linked to it in the other languages; click it to keep the
highlight (click again or elsewhere to clear).</p>
{_filters_html(data, groups)}
{_pager()}
<table class="tuples" id="tuple-table"><colgroup>{cols}</colgroup>
<thead><tr><th>tuple</th>{head_cells}</tr></thead><tbody id="tuple-rows"></tbody></table>
<p id="empty" hidden>No tuple matches the filters.</p>
{_pager()}
</section>
</main>
<script type="application/json" id="report-data">"""
    # the blob, script_json({**blob_head, "tuples": [...]}) byte for byte, one tuple at a time
    yield script_json(blob_head)[:-1] + ',"tuples":['
    for k, record in enumerate(tuple_records(data)):
        yield ("," if k else "") + script_json(record)
    yield f"""]}}</script>
<script>{JS}</script>
"""
    for k, source in enumerate(_heatmap_sources(data, embedder)):
        yield ("\n" if k else "") + source
    yield """
</body>
</html>
"""


def report_path(out_dir: Path | str) -> Path:
    return Path(out_dir) / REPORT_DIR / REPORT_FILE


def build_report(out_dir: Path | str, embedder=None, *, cache_dir: Path | None = None) -> Path:
    """Write ``OUT_DIR/report/index.html`` from a build folder and return its path.

    ``embedder`` encodes the segments for the heatmaps: an :class:`~aligner.embed.Embedder`, a spec
    string, or None for the build's default (``e5``; its disk cache makes this a cache hit after a
    build). ``cache_dir`` is passed to :func:`~aligner.embed.get_embedder` when a spec is given.
    Raises :class:`~aligner.errors.InputError` when the folder has no corpus.tsv.
    """
    data = load_report_data(out_dir)
    if embedder is None or isinstance(embedder, str):
        from aligner.embed import DEFAULT_SPEC, get_embedder

        embedder = get_embedder(embedder or DEFAULT_SPEC, cache_dir=cache_dir)
    path = report_path(out_dir)
    with atomic_writer(path) as handle:
        handle.writelines(render_page(data, embedder))
    return path
