"""Build time and peak memory on a 5 MB file that is one line, and on 5 MB and 50 MB ordinary files.

Usage:
    .venv/bin/python scripts/bench_safety.py [--embedder lexical] [--repeat 1] [--keep DIR]

Writes three inputs into a temporary folder, each a folder holding one English file made of random
words from a small vocabulary (the same generator for all, seeded):

* ``one-line-5mb``: 5 MB on a single line: sentences with commas and full stops, and every tenth
  "sentence" a 5,000-character run with no punctuation at all (cut by the segment length cap);
* ``ordinary-5mb`` and ``ordinary-50mb``: paragraphs of 3 to 8 sentences, one per line, blank
  lines between them.

Each is built by the real CLI (``python -m aligner build``) with a cold cache, through a small wrapper
process whose ``getrusage(RUSAGE_CHILDREN)`` is the peak resident memory of the largest process of
the build (the build or one of its workers; a wrapper, because a child started with vfork+exec
would record this script's own peak). Printed per input: the median wall time over ``--repeat``
runs, the build's seconds per stage (of the median run), segments and peak memory; then the
targets are checked: the one-line file built in at most 30 s with at most 1.5 GB, and the 50 MB
file in at most 12 times the 5 MB ordinary file's time (measured side by side in this run).
Exit status 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MB = 1_000_000
#: The targets of issue 24: one-line build seconds and peak MB, and the 50 MB / 5 MB time ratio.
ONE_LINE_SECONDS, ONE_LINE_PEAK_MB, MAX_RATIO = 30.0, 1500.0, 12.0

_WORDS = ("the council said on monday that government officials met with police and health workers in the "
          "city after the report on water schools rights and the new budget for next year was published by "
          "ministers who expect talks to resume this week while people waited outside").split()
_NAMES = ("Geneva", "Kazakhstan", "Bachelet", "Almaty", "United Nations", "Tokayev", "Paris", "Cairo")

# Run the command in argv, then print the peak RSS of its process tree (kB, the largest process).
_PEAK_WRAPPER = ("import resource, subprocess, sys; code = subprocess.call(sys.argv[1:]); "
                 "print('PEAK_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
                 "sys.exit(code)")


def sentence(rng: random.Random) -> str:
    """One plain news-like sentence: 8-30 words, a capital, maybe a name, a number and a comma, a full stop."""
    words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 30))]
    if rng.random() < 0.5:
        words[rng.randrange(len(words))] = rng.choice(_NAMES)
    if rng.random() < 0.3:
        words[rng.randrange(len(words))] = f"{rng.randint(2, 9999):,}"
    if len(words) > 12 and rng.random() < 0.5:
        words[len(words) // 2] += ","
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def one_line_text(size: int, seed: int = 0) -> str:
    """``size`` characters on one line; every tenth sentence a 5,000-character run without punctuation."""
    rng = random.Random(seed)
    parts, length = [], 0
    while length < size:
        if len(parts) % 10 == 9:
            run = " ".join(rng.choice(_WORDS) for _ in range(1000))[:5000]
            parts.append(run.capitalize())
        else:
            parts.append(sentence(rng))
        length += len(parts[-1]) + 1
    return " ".join(parts)[:size].rstrip() + "\n"


def ordinary_text(size: int, seed: int = 0) -> str:
    """About ``size`` characters of paragraphs (3-8 sentences each, one per line, blank lines between)."""
    rng = random.Random(seed)
    paragraphs, length = [], 0
    while length < size:
        paragraphs.append(" ".join(sentence(rng) for _ in range(rng.randint(3, 8))))
        length += len(paragraphs[-1]) + 2
    return "\n\n".join(paragraphs) + "\n"


def write_inputs(root: Path) -> dict[str, Path]:
    inputs = {"one-line-5mb": one_line_text(5 * MB), "ordinary-5mb": ordinary_text(5 * MB),
              "ordinary-50mb": ordinary_text(50 * MB, seed=1)}
    folders = {}
    for name, text in inputs.items():
        folder = root / name
        folder.mkdir(parents=True)
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
        folders[name] = folder
    return folders


def build(raw: Path, out: Path, cache: Path, embedder: str) -> dict:
    """One cold build through the peak wrapper: wall seconds, stage seconds, segments, peak MB."""
    command = [sys.executable, "-c", _PEAK_WRAPPER, sys.executable, "-m", "aligner", "build", str(raw),
               "--out", str(out), "--embedder", embedder, "--cache-dir", str(cache)]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"build of {raw} failed:\n{result.stderr[-3000:]}")
    counts = json.loads((out / "build.json").read_text(encoding="utf-8"))["counts"]
    return {"seconds": seconds, "stages": re.search(r"\[build\] seconds: (.*)", result.stderr).group(1),
            "segments": counts["segments"], "peak_mb": int(re.search(r"PEAK_KB (\d+)", result.stderr).group(1)) / 1024}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embedder", default="lexical",
                        help="embedder of every build (default lexical: see docs/benchmarks.md for why)")
    parser.add_argument("--repeat", type=int, default=1, help="builds per input; the median is reported")
    parser.add_argument("--keep", type=Path, default=None, help="write the inputs and outputs here and keep them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-safety-") as tmp:
        root = args.keep or Path(tmp)
        folders = write_inputs(root / "inputs")
        results = {}
        for name, folder in folders.items():
            runs = [build(folder, root / f"out-{name}-{k}", root / f"cache-{name}-{k}", args.embedder)
                    for k in range(args.repeat)]
            runs.sort(key=lambda run: run["seconds"])
            median = runs[len(runs) // 2]
            results[name] = dict(median, seconds=statistics.median(run["seconds"] for run in runs),
                                 size_mb=sum(f.stat().st_size for f in folder.iterdir()) / MB)
            print(f"{name}: {results[name]['seconds']:.1f} s, peak {results[name]['peak_mb']:.0f} MB", flush=True)

    print(f"\nembedder {args.embedder}, median of {args.repeat} build(s)\n")
    print("| input | MB | segments | seconds | peak MB | build's seconds per stage |")
    print("|---|---:|---:|---:|---:|---|")
    for name, r in results.items():
        print(f"| {name} | {r['size_mb']:.1f} | {r['segments']:,} | {r['seconds']:.1f} | {r['peak_mb']:.0f} | {r['stages']} |")
    one_line = results["one-line-5mb"]
    ratio = results["ordinary-50mb"]["seconds"] / results["ordinary-5mb"]["seconds"]
    checks = [
        (f"one-line 5 MB built in {one_line['seconds']:.1f} s <= {ONE_LINE_SECONDS:.0f} s",
         one_line["seconds"] <= ONE_LINE_SECONDS),
        (f"one-line 5 MB peak {one_line['peak_mb']:.0f} MB <= {ONE_LINE_PEAK_MB:.0f} MB", one_line["peak_mb"] <= ONE_LINE_PEAK_MB),
        (f"50 MB / 5 MB ordinary time {ratio:.2f}x <= {MAX_RATIO:.0f}x", ratio <= MAX_RATIO),
    ]
    print()
    for label, ok in checks:
        print(f"{'ok  ' if ok else 'MISS'} {label}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
