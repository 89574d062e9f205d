"""The news benchmark as published files: HTML pages, PDF, DOCX and a WARC against the same .txt build.

Usage:
    .venv/bin/python scripts/bench_formats.py [--seed 7] [--groups 10] [--distractors 4]
        [--formats txt,html,pdf,docx,warc] [--keep DIR] [--json]

The documents of ``bench_news_hard.generate`` (NTREX dev groups in ar/en/fr with per-language
chrome and perturbations; Arabic vowel marks dropped first, as the PDF reader drops them) are
written once per format by ``format_pages``: scraped HTML pages with menus, cookie banners,
sidebars and footers (four templates), A5 PDFs with running headers and page numbers, DOCX with
headers and footers, and one WARC of all the HTML pages (``https://news.example.org/LANG/NAME``,
``hreflang`` links between a group's pages). Each folder is built with the CLI and scored with
``bench_news_hard.score_build`` against the plain-text gold, a document's file mapped back to its
gold file by name. Also reported: segments not found in their gold text (page chrome that leaked
or extraction damage) and ingest speed, measured in-process on each folder.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import regex

import bench_news_hard as news  # noqa: E402  (scripts/ is on the path when a script runs)
import format_pages as pages  # noqa: E402
FORMATS = ("txt", "html", "pdf", "docx", "warc")
HARAKAT = regex.compile(r"[\u064b-\u065f\u0670]")


def paragraphs_of(gold) -> list[list]:
    """The file's units, grouped into the paragraphs ``bench_news_hard.layout`` wrote."""
    groups: list[list] = []
    previous_end = None
    for line in gold.lines:
        unit = news.Unit(line["text"], line["kind"], [], label=line["label"])
        if previous_end is None or gold.text[previous_end:line["start"]] != " ":
            groups.append([unit])
        else:
            groups[-1].append(unit)
        previous_end = line["end"]
    return groups


def split_title(groups: list[list]) -> tuple[str, list[list]]:
    """The headline (the first non-chrome line) and the rest, in order."""
    for k, group in enumerate(groups):
        if group[0].kind != "chrome":
            return group[0].text, groups[:k] + [group[1:]] * bool(group[1:]) + groups[k + 1:]
    return groups[0][0].text, groups[1:]


def url_of(gold) -> str:
    return f"https://news.example.org/{gold.lang}/{Path(gold.file).stem}"


def write_format(files: list, fmt: str, folder: Path, seed: int) -> int:
    """Write every file in ``fmt`` under ``folder``; returns the number of pages (PDF pages; else files)."""
    folder.mkdir(parents=True, exist_ok=True)
    titles = defaultdict(list)
    for gold in files:
        titles[gold.lang].append(split_title(paragraphs_of(gold))[0])
    by_group = defaultdict(list)
    for gold in files:
        if gold.group:
            by_group[gold.group].append(gold)
    count, archive = 0, []
    for n, gold in enumerate(files):
        stem = Path(gold.file).stem
        rng = np.random.default_rng([seed, n])
        title, rest = split_title(paragraphs_of(gold))
        if fmt == "txt":
            (folder / gold.file).write_text(gold.text, encoding="utf-8")
            count += 1
        elif fmt in ("html", "warc"):
            others = [t for t in titles[gold.lang] if t != title][:5]
            twins = {g.lang: url_of(g) for g in by_group.get(gold.group, ())}
            html, _ = pages.render_html(title, rest, gold.lang, rng, others, url_of(gold), twins,
                                        template=pages.TEMPLATES[n % len(pages.TEMPLATES)])
            if fmt == "html":
                (folder / f"{stem}.html").write_text(html, encoding="utf-8")
            else:
                archive.append((url_of(gold), html))
            count += 1
        elif fmt == "pdf":
            data, _, page_count = pages.render_pdf(title, rest, gold.lang)
            (folder / f"{stem}.pdf").write_bytes(data)
            count += page_count
        elif fmt == "docx":
            data, _ = pages.render_docx(title, rest, gold.lang)
            (folder / f"{stem}.docx").write_bytes(data)
            count += 1
    if archive:
        pages.write_warc(folder / "crawl.warc.gz", archive)
    return count


def gold_name(file: str) -> str:
    """``x.html``, ``x.pdf``, ``crawl.warc.gz#https://news.example.org/en/x`` -> ``x.txt``."""
    return f"{file.split('#')[-1].rsplit('/', 1)[-1].split('.')[0]}.txt"


def paragraph_starts(out: Path, files: dict) -> dict[tuple[str, int], int]:
    """Each paragraph's start in its gold text, found in order (format spans point into other texts)."""
    starts = {}
    with open(out / "documents.jsonl", encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)
            gold = files.get(gold_name(doc["source_file"]))
            cursor = 0
            for paragraph in doc["paragraphs"] if gold else ():
                at = gold.text.find(paragraph["text"], cursor)
                if at >= 0:
                    starts[(doc["doc_id"], paragraph["index"])] = at
                    cursor = at + len(paragraph["text"])
    return starts


def ingest_speed(raw: Path) -> float:
    from aligner.ingest import ingest_directory
    started = time.perf_counter()
    ingest_directory(raw)
    return time.perf_counter() - started


def run(fmt: str, files: list, root: Path, seed: int, embedder: str | None) -> dict:
    raw = root / fmt / "raw"
    units = write_format(files, fmt, raw, seed)
    seconds = ingest_speed(raw)
    out = root / fmt / "out"
    command = [sys.executable, "-m", "aligner", "build", str(raw), "--out", str(out)]
    if embedder:
        command += ["--embedder", embedder]
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=sys.stderr)
    build = time.perf_counter() - started
    by_file = {f.file: f for f in files}
    documents = news.read_tsv(out / "documents.tsv")
    for document in documents:
        document["file"] = gold_name(document["file"])
    segments = news.read_tsv(out / "segments.tsv")
    result = news.score_build(files, news.read_tsv(out / "corpus.tsv"), segments, documents,
                              paragraph_starts(out, by_file))
    result.update({"format": fmt, "units": units, "ingest_seconds": round(seconds, 2),
                   "units_per_second": round(units / seconds, 1), "build_seconds": round(build, 1),
                   "segments": len(segments), "documents": len(documents),
                   "skipped": len(news.read_tsv(out / "skipped.tsv")) if (out / "skipped.tsv").stat().st_size else 0})
    return result


def print_table(results: list[dict]) -> None:
    pairs = list(results[0]["pairs"])
    print("| format | documents | doc-group P | doc-group R | " + " | ".join(f"link F1 {p}" for p in pairs)
          + " | chrome lines kept | unlocated segments | ingest | build s |")
    print("|---|---:|---:|---:|" + "---:|" * len(pairs) + "---:|---:|---:|---:|")
    for r in results:
        unit = "PDF pages/s" if r["format"] == "pdf" else "files/s"
        g = r["document_groups"]
        print(f"| {r['format']} | {r['documents']} | {g['precision']:.3f} | {g['recall']:.3f} | "
              + " | ".join(f"{r['pairs'][p]['f1']:.3f}" for p in pairs)
              + f" | {r['chrome_kept']['share']:.4f} of {r['chrome_kept']['lines']} | "
              f"{r['unlocated_segments']} of {r['segments']} | {r['units_per_second']:.0f} {unit} | {r['build_seconds']:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--distractors", type=int, default=4)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--embedder", default=None)
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    docs = news.read_ntrex()
    docs["ar"] = {d: [(i, HARAKAT.sub("", t)) for i, t in lines] for d, lines in docs["ar"].items()}
    files = news.generate(args.seed, args.groups, args.distractors, docs=docs)
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench_formats_"))
    results = [run(fmt, files, root, args.seed, args.embedder) for fmt in args.formats.split(",")]
    if args.json:
        print(json.dumps(results, indent=1, ensure_ascii=False))
    else:
        print(f"seed {args.seed}; {args.groups} groups, {args.distractors} distractors; files in {root}")
        print_table(results)


if __name__ == "__main__":
    main()
