"""Measure how fast the HTML report opens for a large synthetic corpus, in headless Chromium.

Usage (from the repository root; needs Debian's chromium and chromium-driver, and selenium):

    .venv/bin/python scripts/bench_report.py [--tuples 5000] [--runs 5] [--keep DIR]

Writes a synthetic build folder (corpus.tsv with ``--tuples`` rows in groups of 50, 14 score
columns including ``quality``, documents.tsv with rejected pairs, segments.tsv, and word
alignments for the three pairs), texts taken in turn from the NTREX-128 sentences in
``benchmarks/ntrex-dev`` (real news sentences in ar/en/fr, so lengths and scripts are realistic),
runs :func:`aligner.report.build_report` on it with the ``lexical`` embedder (the page does not
depend on which embedder drew the heatmaps), then opens ``report/index.html`` from a ``file://``
URL ``--runs`` times in one headless Chromium and prints the median of:

* ``ready``: from navigation start until the page has parsed its data and rendered the first page
  of rows (``window.reportReadyMs``, set by the page itself);
* ``painted``: until the first frame after that (``window.reportPaintedMs``);
* ``load``: the navigation's ``loadEventEnd``;
* ``search``, ``min-quality``, ``next page``, ``open heatmaps``: one interaction each, timed inside
  the page from the event to the end of the re-render (layout included: the script reads
  ``offsetHeight`` to force it).

See docs/report.md for the numbers on the project's machine.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

LANGS = ("ar", "en", "fr")
GROUP_SIZE = 50
EXTRA_SEGMENTS = 5  # unaligned sentences per document, so heatmaps are not square diagonals
COMPONENTS = ("cos", "len_ratio", "numbers")
CHROME_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-quic", "--window-size=1400,1000")


def ntrex_lines() -> dict[str, list[str]]:
    lines = {}
    for lang in LANGS:
        rows = (REPO / "benchmarks" / "ntrex-dev" / f"{lang}.tsv").read_text(encoding="utf-8").splitlines()
        lines[lang] = [row.split("\t", 1)[1].replace("\t", " ") for row in rows]
    return lines


def write_synthetic_build(out: Path, n_tuples: int, seed: int = 7) -> None:
    """A build folder with ``n_tuples`` corpus rows (see the module docstring)."""
    from aligner.export.corpus_tsv import write_corpus_tsv
    from aligner.export.tables import write_tsv
    from aligner.model import AlignedTuple

    rng = random.Random(seed)
    source = ntrex_lines()
    count = len(source["en"])
    out.mkdir(parents=True, exist_ok=True)
    tuples, segments, documents = [], [], []
    cursor = 0
    groups = (n_tuples + GROUP_SIZE - 1) // GROUP_SIZE
    for g in range(groups):
        gid = f"g{g + 1:04d}"
        docs = {lang: f"{g:04d}_{lang}_{rng.getrandbits(40):010x}" for lang in LANGS}
        size = min(GROUP_SIZE, n_tuples - g * GROUP_SIZE)
        seg_ids: dict[str, list[str]] = {lang: [] for lang in LANGS}
        text_of: dict[str, str] = {}
        for k in range(size + EXTRA_SEGMENTS):
            line = cursor % count
            cursor += 1
            for lang in LANGS:
                sid = f"{docs[lang]}:{k}:0"
                seg_ids[lang].append(sid)
                text_of[sid] = source[lang][line]
                segments.append((sid, docs[lang], k, 0, lang, 0, source[lang][line]))
        for k in range(size):
            missing = {rng.choice(LANGS)} if rng.random() < 0.05 else set()
            if rng.random() < 0.03:
                missing = set(rng.sample(LANGS, 2))
            texts, ids = {}, {}
            for lang in LANGS:
                if lang in missing:
                    texts[lang], ids[lang] = "", ()
                else:
                    sid = seg_ids[lang][k]
                    texts[lang], ids[lang] = text_of[sid], (sid,)
            present = [lang for lang in LANGS if texts[lang]]
            scores = {}
            for a, b in itertools.combinations(LANGS, 2):
                if a in present and b in present:
                    scores[f"cos_{a}_{b}"] = round(rng.uniform(0.72, 0.95), 4)
            if len(present) > 1:
                scores["consistency"] = round(rng.choice((0.3333, 0.6667, 1.0)), 4)
                for a, b in itertools.combinations(LANGS, 2):
                    if a in present and b in present:
                        for comp in COMPONENTS[1:]:
                            scores[f"{a}-{b}.{comp}"] = round(rng.random(), 4)
                scores["quality"] = round(rng.betavariate(5, 2), 4)
            keep = scores.get("quality", 0.0) >= 0.5
            tuples.append(AlignedTuple(gid, f"{gid}-{k + 1:05d}", ids, texts, scores, keep))
        group_score = round(rng.uniform(0.55, 0.95), 3)
        for lang in LANGS:
            others = [{"accepted": True, "score": group_score, "share": 0.9, "similarity": 0.91,
                       "with": docs[o], "sentences": [size + EXTRA_SEGMENTS] * 2} for o in LANGS if o != lang]
            documents.append((docs[lang], f"{docs[lang]}.txt", lang, gid, f"{group_score:.3f}",
                              json.dumps({"pairs": others}, sort_keys=True)))
    # a few ungrouped documents with rejected candidates
    for d in range(max(1, groups // 5)):
        doc = f"x{d:04d}_ar_{rng.getrandbits(40):010x}"
        other = documents[rng.randrange(len(documents))][0]
        score = round(rng.uniform(0.05, 0.45), 3)
        reason = f"score {score:.3f} below threshold 0.500"
        documents.append((doc, f"{doc}.txt", "ar", "", f"{score:.3f}", json.dumps(
            {"pairs": [{"accepted": False, "score": score, "with": other, "reason": reason, "share": 0.2}],
             "reason": f"best candidate {other}: {reason}"}, sort_keys=True)))
    write_corpus_tsv(out / "corpus.tsv", tuples, list(LANGS))
    write_tsv(out / "segments.tsv", ("segment_id", "doc_id", "paragraph", "sentence", "lang", "heading", "text"),
              segments)
    write_tsv(out / "documents.tsv", ("doc_id", "file", "lang", "group", "score", "evidence"), documents)
    for a, b in itertools.combinations(LANGS, 2):
        links, tokens = [], []
        for item in tuples:
            ta, tb = item.texts[a].split(), item.texts[b].split()
            tokens.append(f"{' '.join(ta)} ||| {' '.join(tb)}")
            if ta and tb:
                links.append(" ".join(f"{i}-{round(i * (len(tb) - 1) / max(1, len(ta) - 1))}" for i in range(len(ta))))
            else:
                links.append("")
        (out / f"wordalign.{a}-{b}.txt").write_text("\n".join(links) + "\n", encoding="utf-8")
        (out / f"wordalign.{a}-{b}.src-tgt").write_text("\n".join(tokens) + "\n", encoding="utf-8")


def open_browser(chromium: str, chromedriver: str, profile: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    return webdriver.Chrome(service=Service(chromedriver), options=options)


INTERACT = """
const done = arguments[arguments.length - 1];
const t0 = performance.now();
%s
void document.body.offsetHeight;
done(performance.now() - t0);
"""


def measure(url: str, runs: int, chromium: str, chromedriver: str) -> dict[str, list[float]]:
    from selenium.webdriver.support.ui import WebDriverWait

    profile = Path(tempfile.mkdtemp(prefix="aligner-bench-chrome-"))
    driver = open_browser(chromium, chromedriver, profile)
    results: dict[str, list[float]] = {}
    try:
        for _ in range(runs):
            driver.get("about:blank")
            driver.get(url)
            WebDriverWait(driver, 60).until(lambda d: d.execute_script("return window.reportPaintedMs !== undefined"))
            timing = driver.execute_script(
                "const n = performance.getEntriesByType('navigation')[0];"
                "const t = window.reportTimings;"
                "return {'html parsed': t.scriptStart, 'data parsed': t.dataParsed, ready: window.reportReadyMs,"
                " painted: window.reportPaintedMs, load: n.loadEventEnd,"
                " rows: document.querySelectorAll('#tuple-rows tr').length,"
                " count: +document.getElementById('count').dataset.count};")
            steps = {
                "search": "const s = document.getElementById('search'); s.value = 'minister';"
                          "s.dispatchEvent(new Event('input'));",
                "min-quality": "const s = document.getElementById('search'); s.value = '';"
                               "s.dispatchEvent(new Event('input'));"
                               "const q = document.getElementById('min-quality-num'); q.value = '0.7';"
                               "q.dispatchEvent(new Event('input'));",
                "next page": "document.querySelector('.next').click();",
                "open heatmaps": "const d = document.querySelector('details.maps'); d.open = true;"
                                 "d.dispatchEvent(new Event('toggle'));",
            }
            for name, code in steps.items():
                timing[name] = driver.execute_async_script(INTERACT % code)
            for key, value in timing.items():
                results.setdefault(key, []).append(float(value))
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tuples", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, default=None, help="write the build folder here and keep it")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--chromedriver", default=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    args = parser.parse_args(argv)

    from aligner.embed import get_embedder
    from aligner.report import build_report

    out = args.keep or Path(tempfile.mkdtemp(prefix="aligner-bench-report-"))
    try:
        start = time.perf_counter()
        write_synthetic_build(out, args.tuples)
        made = time.perf_counter() - start
        start = time.perf_counter()
        page = build_report(out, get_embedder("lexical"))
        built = time.perf_counter() - start
        size = page.stat().st_size
        print(f"synthetic build: {args.tuples} tuples in {made:.1f} s; build_report (lexical): {built:.1f} s; "
              f"index.html {size / 1e6:.1f} MB")
        results = measure(page.resolve().as_uri(), args.runs, args.chromium, args.chromedriver)
        print(f"headless Chromium, {args.runs} loads, median (min-max) in ms:")
        for key, values in results.items():
            if key in ("rows", "count"):
                continue
            print(f"  {key:14s} {statistics.median(values):8.0f}  ({min(values):.0f}-{max(values):.0f})")
        print(f"  rows rendered {results['rows'][0]:.0f} of {results['count'][0]:.0f} matching the default filter")
    finally:
        if args.keep is None:
            shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
