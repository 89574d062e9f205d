"""Compare PDF text-layer libraries on generated multi-page ar/en/fr PDFs (fpdf2, Noto fonts, shaped Arabic).

Usage:
    .venv/bin/python scripts/compare_pdf_libraries.py [--docs 12] [--seed 5]

Each NTREX dev document is written as an A5 PDF by ``format_pages.render_pdf`` (running header,
page numbers, paragraphs wrapped over lines and pages). Per library, on the text of all pages
after NFKC (Arabic presentation forms back to letters) and re-joining hyphen-free wrapped lines:

- word recall: share of the document's words (as a multiset) found in the extracted text;
- word order: longest common subsequence of the word sequences over the number of words, so
  text in visual (reversed) order or with words moved across lines scores low;
- pages/s: extraction speed, one process.
"""

from __future__ import annotations

import argparse
import io
import time
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np
import regex

import bench_news_hard as news  # noqa: E402  (scripts/ is on the path when a script runs)
import format_pages as pages  # noqa: E402


def words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text)
    text = regex.sub(r"[\u064b-\u065f\u0670\u0640]", "", text)  # harakat and tatweel: placement varies
    return regex.findall(r"[\p{L}\p{N}]+", text.casefold())


def lcs(a: list[str], b: list[str]) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def ex_pypdfium2(data: bytes) -> tuple[str, int]:
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(data)
    return "\n".join(page.get_textpage().get_text_range() for page in pdf), len(pdf)


def ex_pdfminer(data: bytes) -> tuple[str, int]:
    from pdfminer.high_level import extract_text
    text = extract_text(io.BytesIO(data))
    return text, text.count("\f") or 1


def ex_pypdf(data: bytes) -> tuple[str, int]:
    import pypdf
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


LIBRARIES = {"pypdfium2 5.15.2": ex_pypdfium2, "pdfminer.six 20260107": ex_pdfminer, "pypdf 7.1.1": ex_pypdf}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=12)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)
    docs = news.read_ntrex()
    ids = sorted(docs["en"])
    chosen = [ids[k] for k in np.random.default_rng(args.seed).permutation(len(ids))[:args.docs]]
    files = []
    for doc_id in chosen:
        for lang in news.LANGS:
            lines = docs[lang][doc_id]
            paragraphs = [[news.Unit(text, "sentence", [])] for _, text in lines[1:]]
            data, chrome, n = pages.render_pdf(lines[0][1], paragraphs, lang)
            truth = words(" ".join(text for _, text in lines))
            files.append((lang, data, truth, {w for c in chrome for w in words(c)}))
    print(f"{len(files)} PDFs ({args.docs} documents x ar/en/fr), {sum(1 for _ in files)} files\n")
    print("| library | word recall ar | word recall en | word recall fr | word order ar | word order en | word order fr | pages/s |")
    print("|---|" + "---:|" * 7)
    for name, extract in LIBRARIES.items():
        recall, order, page_count = {l: [] for l in news.LANGS}, {l: [] for l in news.LANGS}, 0
        start = time.perf_counter()
        outputs = [extract(data) for _, data, _, _ in files]
        seconds = time.perf_counter() - start
        for (lang, _, truth, chrome), (text, n) in zip(files, outputs):
            got = [w for w in words(text) if w not in chrome or w in truth]
            found = Counter(got) & Counter(truth)
            recall[lang].append(sum(found.values()) / len(truth))
            order[lang].append(lcs(truth, got) / len(truth))
            page_count += n
        cells = [f"{np.mean(recall[l]):.3f}" for l in news.LANGS] + [f"{np.mean(order[l]):.3f}" for l in news.LANGS]
        print(f"| {name} | " + " | ".join(cells) + f" | {page_count / seconds:.0f} |")


if __name__ == "__main__":
    main()
