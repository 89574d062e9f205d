"""Benchmark the embedders on NTREX-style data: speed (sentences/s) and top-1 retrieval accuracy.

Usage (prints Markdown tables; reads ``en.tsv``/``ar.tsv``/``fr.tsv``, text in the 2nd column)::

    .venv/bin/python scripts/bench_embed.py --data benchmarks/ntrex-dev --n 200

Speed is measured without the disk cache, each (embedder, threads) pair in a
fresh subprocess so thread settings and model loading start from scratch; the
figure is the median of ``--repeats`` passes over the n English + n Arabic
sentences. Retrieval: for line i of the source language, is line i of the
target language the most similar of the n target lines?
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from aligner.embed.base import default_threads
from aligner.embed.registry import build_embedder


def read_column(path: Path, n: int) -> list[str]:
    """Second tab-separated column of the first ``n`` lines."""
    out = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if len(out) >= n:
                break
            parts = line.rstrip("\n").split("\t")
            out.append(parts[1] if len(parts) > 1 else parts[0])
    return out


def top1(source: np.ndarray, target: np.ndarray) -> float:
    """Fraction of rows i of ``source`` whose most similar ``target`` row is row i."""
    best = (source @ target.T).argmax(axis=1)
    return float((best == np.arange(len(source))).mean())


def _speed_one(spec: str, threads: int, data: Path, n: int, repeats: int) -> dict:
    texts = read_column(data / "en.tsv", n) + read_column(data / "ar.tsv", n)
    start = time.perf_counter()
    embedder = build_embedder(spec, threads=threads)
    embedder.encode(["warm-up sentence"])
    load = time.perf_counter() - start
    rates, cpu_rates = [], []
    for _ in range(repeats):
        start, cpu_start = time.perf_counter(), time.process_time()
        embedder.encode(texts)
        rates.append(len(texts) / (time.perf_counter() - start))
        cpu_rates.append(len(texts) / max(time.process_time() - cpu_start, 1e-9))
    return {"spec": spec, "threads": threads, "n": len(texts), "load_s": load,
            "median": statistics.median(rates), "best": max(rates),
            "per_cpu_s": statistics.median(cpu_rates), "loadavg": os.getloadavg()[0]}


def speed(spec: str, threads: int, data: Path, n: int, repeats: int) -> dict:
    """Run :func:`_speed_one` in a fresh interpreter and return its result."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--data", str(data), "--n", str(n),
           "--repeats", str(repeats), "--speed-one", spec, "--threads", str(threads)]
    result = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def retrieval(spec: str, data: Path, n: int) -> dict[str, float]:
    embedder = build_embedder(spec)
    vectors = {lang: embedder.encode(read_column(data / f"{lang}.tsv", n)) for lang in ("en", "ar", "fr")}
    return {
        "en>ar": top1(vectors["en"], vectors["ar"]),
        "en>fr": top1(vectors["en"], vectors["fr"]),
        "ar>en": top1(vectors["ar"], vectors["en"]),
        "fr>en": top1(vectors["fr"], vectors["en"]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="folder with en.tsv, ar.tsv, fr.tsv")
    parser.add_argument("--n", type=int, default=200, help="lines per language (default 200)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--specs", default="lexical,e5,use", help="comma-separated specs to test")
    parser.add_argument("--threads-list", default="1,2", help="thread counts for the speed table")
    parser.add_argument("--no-speed", action="store_true", help="skip the speed table")
    parser.add_argument("--no-retrieval", action="store_true", help="skip the retrieval table")
    parser.add_argument("--speed-one", help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.speed_one:
        threads = args.threads or default_threads()
        print(json.dumps(_speed_one(args.speed_one, threads, args.data, args.n, args.repeats)))
        return 0

    specs = [s.strip() for s in args.specs.split(",") if s.strip()]
    thread_counts = [int(t) for t in args.threads_list.split(",") if t.strip()]
    if not args.no_speed:
        print_speed(specs, thread_counts, args)
    if not args.no_retrieval:
        print_retrieval(specs, args)
    return 0


def print_speed(specs: list[str], thread_counts: list[int], args: argparse.Namespace) -> None:
    print(f"## Speed ({args.n} en + {args.n} ar sentences, no cache, median of {args.repeats})\n")
    print(f"cores available: {default_threads()}; load average before: {os.getloadavg()[0]:.2f}\n")
    print("| embedder | threads | load + first call (s) | sentences/s (median) | sentences/s (best) "
          "| sentences per CPU-second | load avg after |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for spec in specs:
        for threads in thread_counts if spec != "lexical" else thread_counts[:1]:
            r = speed(spec, threads, args.data, args.n, args.repeats)
            label = threads if spec != "lexical" else "1 (no threads)"
            print(f"| {spec} | {label} | {r['load_s']:.2f} | {r['median']:.1f} | {r['best']:.1f} "
                  f"| {r['per_cpu_s']:.1f} | {r['loadavg']:.2f} |", flush=True)
    print()


def print_retrieval(specs: list[str], args: argparse.Namespace) -> None:
    print(f"## Top-1 retrieval accuracy (first {args.n} lines, {args.n} candidates)\n")
    print("| embedder | en>ar | en>fr | ar>en | fr>en |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for spec in specs:
        acc = retrieval(spec, args.data, args.n)
        print(f"| {spec} | " + " | ".join(f"{acc[k]:.3f}" for k in ("en>ar", "en>fr", "ar>en", "fr>en")) + " |", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
