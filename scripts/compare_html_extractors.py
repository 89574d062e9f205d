"""Compare main-content extractors on generated chrome-heavy news pages in ar/en/fr.

Usage:
    .venv/bin/python scripts/compare_html_extractors.py [--docs 20] [--seed 3] [--json]

Pages: NTREX dev documents rewritten by ``bench_news_hard.rewrite_version`` (bylines, dates,
share widgets, related links, cookie and newsletter notices, copyright lines among the body)
rendered by ``format_pages.render_html`` in three templates (semantic HTML5, class-named div soup,
a table layout) with menus, a cookie banner, a "most read" sidebar and a footer. Per extractor:

- body recall: share of body lines (NTREX sentences and inserted lines) found in its output;
- chrome kept: share of chrome strings (page chrome and in-article chrome lines) still found in
  the output once every body line is cut out of it (so a menu word inside a sentence does not count);
- pages/s: extraction speed, one process.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import regex

import bench_news_hard as news  # noqa: E402  (scripts/ is on the path when a script runs)
import format_pages as pages  # noqa: E402
STOPLISTS = {"ar": "Arabic", "en": "English", "fr": "French"}


def _norm(text: str) -> str:
    return " ".join(regex.findall(r"[\p{L}\p{M}\p{N}]+", text.casefold()))


def build_pages(n_docs: int, seed: int) -> list[dict]:
    docs = news.read_ntrex()
    ids = sorted(docs["en"])
    rng = np.random.default_rng(seed)
    chosen = [ids[k] for k in rng.permutation(len(ids))[:n_docs]]
    out = []
    for d, doc_id in enumerate(chosen):
        for k, lang in enumerate(news.LANGS):
            vrng = np.random.default_rng([seed, d, k])
            titles = [docs[lang][o][0][1] for o in ids[:40] if o != doc_id][:5]
            paragraphs = news.rewrite_version(docs[lang][doc_id], lang, vrng, [], titles)
            title, rest = paragraphs[0][0].text, paragraphs[1:]
            template = pages.TEMPLATES[(d + k) % len(pages.TEMPLATES)]
            page, chrome = pages.render_html(title, rest, lang, vrng, titles, template=template)
            units = [u for p in rest for u in p]
            body = [u.text for u in units if u.kind in ("sentence", "inserted")]
            chrome += [u.text for u in units if u.kind == "chrome" and u.label != "lede"]
            plain, _ = news.layout(paragraphs)
            out.append({"lang": lang, "html": page, "txt": plain, "title": title, "body": body, "chrome": chrome,
                        "template": template})
    return out


def ex_trafilatura(page: dict, **options) -> str:
    import trafilatura
    return trafilatura.extract(page["html"], include_tables=True, include_comments=False, **options) or ""


def ex_resiliparse(page: dict) -> str:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree
    return extract_plain_text(HTMLTree.parse(page["html"]), main_content=True, alt_texts=False)


def ex_justext(page: dict) -> str:
    import justext
    paragraphs = justext.justext(page["html"].encode("utf-8"), justext.get_stoplist(STOPLISTS[page["lang"]]))
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def ex_readability(page: dict) -> str:
    import lxml.html
    from readability import Document
    summary = Document(page["html"]).summary(html_partial=True)
    return "\n".join(t.strip() for t in lxml.html.fromstring(summary).itertext() if t.strip())


def ex_everything(page: dict) -> str:
    import lxml.html
    tree = lxml.html.fromstring(page["html"])
    for bad in tree.xpath("//script|//style"):
        bad.drop_tree()
    return "\n".join(t.strip() for t in tree.itertext() if t.strip())


def _resiliparse_lines(text: str):
    import aligner.ingest.html as reader
    out = ex_resiliparse({"html": text})
    return ({reader._norm(line) for line in out.splitlines()} - {""}, f" {reader._norm(out)} ") if out else None


def ex_aligner(page: dict, extractor: str = "trafilatura") -> str:
    """The toolkit's HTML reader: page structure + an extractor + the text rules (aligner.ingest)."""
    import aligner.ingest.html as reader
    from aligner.ingest.assemble import assemble
    from aligner.ingest.formats import html_source

    original = reader.main_content
    if extractor != "trafilatura":
        reader.main_content = _resiliparse_lines if extractor == "resiliparse" else (lambda text: None)
    try:
        source = html_source(reader.parse_html(page["html"], "page", "utf-8"), "")
    finally:
        reader.main_content = original
    document = assemble(source.lines, doc_id="page", source_file="page", headings=source.headings,
                        removed=source.removed, lang_hint=source.hints.get("lang"), layout_known=True)
    return "\n".join(p.text for p in document.paragraphs)


def ex_plain_text(page: dict) -> str:
    """Not an extractor: the same document as a .txt file through the text rules, for reference."""
    from aligner.ingest import ingest_text
    return "\n".join(p.text for p in ingest_text(page["txt"], "page", "page").paragraphs)


EXTRACTORS = {
    "reference: the document as .txt, text rules": ex_plain_text,
    "all text (no extraction)": ex_everything,
    "trafilatura 2.3.1": ex_trafilatura,
    "trafilatura 2.3.1 favor_precision": lambda p: ex_trafilatura(p, favor_precision=True),
    "resiliparse 2.0.1 main_content": ex_resiliparse,
    "justext 3.0.2": ex_justext,
    "readability-lxml 0.9": ex_readability,
    "aligner: page structure + text rules, no extractor": lambda p: ex_aligner(p, extractor="none"),
    "aligner: page structure + resiliparse + text rules": lambda p: ex_aligner(p, extractor="resiliparse"),
    "aligner: page structure + trafilatura + text rules": ex_aligner,
}


def score(page: dict, output: str) -> tuple[int, int, int, int]:
    text = _norm(output)
    body = [_norm(b) for b in page["body"]]
    found = sum(1 for b in body if b and b in text)
    rest = f" {text} "
    for b in sorted(body + [_norm(page["title"])], key=len, reverse=True):
        if b:
            rest = rest.replace(f" {b} ", " | ")
    chrome = [c for c in (_norm(c) for c in page["chrome"]) if c]
    kept = sum(1 for c in chrome if f" {c} " in rest)
    return found, len(body), kept, len(chrome)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    data = build_pages(args.docs, args.seed)
    results = {}
    for name, extract in EXTRACTORS.items():
        totals = {lang: [0, 0, 0, 0] for lang in news.LANGS}
        start = time.perf_counter()
        outputs = [extract(p) for p in data]
        seconds = time.perf_counter() - start
        for page, output in zip(data, outputs):
            for k, value in enumerate(score(page, output)):
                totals[page["lang"]][k] += value
        row = {"pages/s": len(data) / seconds}
        for lang, (f, b, k, c) in totals.items():
            row[f"recall {lang}"] = f / b
            row[f"chrome {lang}"] = k / c
        results[name] = row
    if args.json:
        print(json.dumps(results, indent=1))
        return
    langs = news.LANGS
    print(f"{len(data)} pages ({args.docs} documents x ar/en/fr, seed {args.seed})\n")
    print("| extractor | " + " | ".join(f"body recall {l}" for l in langs) + " | "
          + " | ".join(f"chrome kept {l}" for l in langs) + " | pages/s |")
    print("|---|" + "---:|" * (2 * len(langs) + 1))
    for name, row in results.items():
        print(f"| {name} | " + " | ".join(f"{row[f'recall {l}']:.3f}" for l in langs) + " | "
              + " | ".join(f"{row[f'chrome {l}']:.3f}" for l in langs) + f" | {row['pages/s']:.0f} |")


if __name__ == "__main__":
    main()
