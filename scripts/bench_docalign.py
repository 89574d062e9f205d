"""Benchmark document alignment: recover NTREX's parallel documents among shuffled files and distractors.

Usage (from the repository root):

    .venv/bin/python scripts/bench_docalign.py [--embedder use|e5|lexical] [--scaling] [--keep DIR]

Builds a temporary folder of raw files with meaningless names: the 60 NTREX-128 documents in
Arabic, English and French (``benchmarks/ntrex-dev``), pseudo-documents glued from UN
(``benchmarks/unpc-dev``) and Tatoeba (``benchmarks/tatoeba``) sentences of similar length in the
three languages (disjoint line ranges per language, so none is a translation of another), and the
two seeds that only share a topic (001 and 003). Then runs ingest -> segment -> document alignment
and prints precision and recall of the recovered groups, time and peak memory. ``--scaling``
repeats the run on growing corpora made by cutting every NTREX document into pieces of three
lines (each piece, in its three languages, is a group). See docs/docalign.md for the results.
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "benchmarks"
LANGS = ("ar", "en", "fr")
#: Seeds that share the topic (and names, numbers) of others but are versions of nothing in this set.
SEED_DISTRACTORS = ("001_8d767fe62975532e.txt", "003_53dbbc8e80e26a82.txt")


def ntrex_documents() -> dict[str, dict[str, list[str]]]:
    """NTREX document id -> language -> its lines, in order (lines ``docid.k<TAB>text``)."""
    documents: dict[str, dict[str, list[str]]] = defaultdict(lambda: {lang: [] for lang in LANGS})
    for lang in LANGS:
        for line in (BENCH / "ntrex-dev" / f"{lang}.tsv").read_text(encoding="utf-8").splitlines():
            key, text = line.split("\t", 1)
            documents[key.rsplit(".", 1)[0]][lang].append(text)
    return dict(documents)


def split_documents(documents: dict[str, dict[str, list[str]]], lines: int) -> dict[str, dict[str, list[str]]]:
    """Cut each document into consecutive pieces of ``lines`` lines (a short tail joins the previous piece)."""
    pieces: dict[str, dict[str, list[str]]] = {}
    for doc_id, by_lang in documents.items():
        total = len(by_lang["en"])
        starts = list(range(0, total, lines))
        if len(starts) > 1 and total - starts[-1] < lines:
            starts.pop()
        for number, start in enumerate(starts):
            end = starts[number + 1] if number + 1 < len(starts) else total
            pieces[f"{doc_id}#{number}"] = {lang: by_lang[lang][start:end] for lang in LANGS}
    return pieces


def distractor_sentences() -> dict[str, list[str]]:
    """Per language, UN and Tatoeba sentences from line ranges no other language uses (so nothing is parallel)."""
    def lines(path: str) -> list[str]:
        return (BENCH / path).read_text(encoding="utf-8").splitlines()

    un = {lang: lines(f"unpc-dev/UNv1.0.devset.{lang}") for lang in LANGS}
    third = len(un["en"]) // 3
    tatoeba = {
        "ar": lines("tatoeba/tatoeba.ara-eng.ara")[:500],
        "en": lines("tatoeba/tatoeba.ara-eng.eng")[500:],
        "fr": lines("tatoeba/tatoeba.fra-eng.fra")[:500],
    }
    return {lang: un[lang][i * third:(i + 1) * third] + tatoeba[lang] for i, lang in enumerate(LANGS)}


def pseudo_documents(sentences: list[str], lengths: list[int], count: int, rng: random.Random) -> list[list[str]]:
    """``count`` documents of sentences drawn without replacement, each about as long (characters) as a real one."""
    pool = sentences[:]
    rng.shuffle(pool)
    documents = []
    for _ in range(count):
        target, lines = rng.choice(lengths), []
        while pool and sum(map(len, lines)) < target:
            lines.append(pool.pop())
        documents.append(lines)
    return documents


@dataclass(frozen=True)
class Corpus:
    """A benchmark folder: file name -> gold group (``None`` for a distractor)."""

    raw_dir: Path
    gold: dict[str, str | None]

    @property
    def groups(self) -> set[frozenset[str]]:
        by_group: dict[str, set[str]] = defaultdict(set)
        for name, group in self.gold.items():
            if group is not None:
                by_group[group].add(name)
        return {frozenset(files) for files in by_group.values()}


def write_corpus(raw_dir: Path, groups: dict[str, dict[str, list[str]]], distractors_per_lang: int,
                 seed: int = 13) -> Corpus:
    """Write every group's documents and the distractors under shuffled meaningless file names."""
    rng = random.Random(seed)
    items: list[tuple[list[str], str | None]] = [
        (lines, group) for group, by_lang in sorted(groups.items()) for lines in by_lang.values()]
    sentences = distractor_sentences()
    for lang in LANGS:
        lengths = [sum(map(len, by_lang[lang])) for by_lang in groups.values()]
        items += [(lines, None) for lines in pseudo_documents(sentences[lang], lengths, distractors_per_lang, rng)]
    seeds = [(REPO / "corpus" / "raw" / name).read_text(encoding="utf-8").splitlines() for name in SEED_DISTRACTORS]
    items += [(lines, None) for lines in seeds]
    rng.shuffle(items)
    raw_dir.mkdir(parents=True, exist_ok=True)
    gold: dict[str, str | None] = {}
    for lines, group in items:
        name = f"{rng.getrandbits(48):012x}.txt"
        (raw_dir / name).write_text("\n\n".join(lines) + "\n", encoding="utf-8")
        gold[name] = group
    return Corpus(raw_dir, gold)


@dataclass(frozen=True)
class Result:
    documents: int
    sentences: int
    gold_groups: int
    found_groups: int
    precision: float
    recall: float
    pair_precision: float
    pair_recall: float
    candidate_recall: float
    distractors_grouped: int
    seconds_prepare: float
    seconds_embed: float
    seconds_align: float
    peak_mib: float


def _pairs(groups: set[frozenset[str]]) -> set[frozenset[str]]:
    return {frozenset((a, b)) for group in groups for a in group for b in group if a < b}


def run(corpus: Corpus, embedder, options, repeat: int = 3) -> Result:
    """Ingest, segment, embed (timed apart, so the alignment time excludes the encoder) and align.

    Alignment is timed ``repeat`` times and the fastest run kept (the machine is shared: the
    fastest run is the one least disturbed), then run once more under tracemalloc (which slows
    Python down) for its peak memory.
    """
    from aligner.docalign import align_documents
    from aligner.docalign.fingerprint import _word_items
    from aligner.ingest import ingest_directory
    from aligner.segment import segment_documents

    started = time.perf_counter()
    documents, _ = ingest_directory(corpus.raw_dir)
    segments = segment_documents([d for d in documents if d.duplicate_of is None])
    prepared = time.perf_counter()
    embedder.encode([s.text for s in segments])  # fills the cache: align_documents only reads it back
    embedded = time.perf_counter()
    seconds_align = math.inf
    for _ in range(repeat):
        _word_items.cache_clear()  # words seen by an earlier run must not make this one look faster
        started_align = time.perf_counter()
        result = align_documents(documents, segments, embedder, options)
        seconds_align = min(seconds_align, time.perf_counter() - started_align)
    tracemalloc.start()
    align_documents(documents, segments, embedder, options)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    file_of = {d.doc_id: d.source_file for d in documents}
    found = {frozenset(file_of[d] for d in g.doc_ids) for g in result.groups}
    gold = corpus.groups
    found_pairs, gold_pairs = _pairs(found), _pairs(gold)
    verified = {frozenset((file_of[p.doc_a], file_of[p.doc_b])) for p in result.pairs}
    distractors = {name for name, group in corpus.gold.items() if group is None}
    return Result(
        documents=len(documents), sentences=len(segments), gold_groups=len(gold), found_groups=len(found),
        precision=len(found & gold) / len(found) if found else 1.0,
        recall=len(found & gold) / len(gold) if gold else 1.0,
        pair_precision=len(found_pairs & gold_pairs) / len(found_pairs) if found_pairs else 1.0,
        pair_recall=len(found_pairs & gold_pairs) / len(gold_pairs) if gold_pairs else 1.0,
        candidate_recall=len(verified & gold_pairs) / len(gold_pairs) if gold_pairs else 1.0,
        distractors_grouped=sum(1 for g in found for name in g if name in distractors),
        seconds_prepare=prepared - started, seconds_embed=embedded - prepared, seconds_align=seconds_align,
        peak_mib=peak / 2**20,
    )


def _row(label: str, r: Result) -> str:
    return (f"| {label} | {r.documents} | {r.sentences} | {r.gold_groups} | {r.found_groups} | {r.precision:.3f} "
            f"| {r.recall:.3f} | {r.pair_precision:.3f} | {r.pair_recall:.3f} | {r.candidate_recall:.3f} "
            f"| {r.distractors_grouped} "
            f"| {r.seconds_prepare:.1f} | {r.seconds_embed:.1f} | {r.seconds_align:.2f} "
            f"| {1000 * r.seconds_align / r.documents:.1f} | {r.peak_mib:.1f} |")


HEADER = ("| set | documents | sentences | gold groups | found | group P | group R | pair P | pair R "
          "| candidate R | distractors grouped | ingest+segment s | embed s | align s | align ms/doc "
          "| align peak MiB |\n"
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")


def main(argv: list[str] | None = None) -> int:
    from aligner.docalign import DocAlignOptions
    from aligner.embed import get_embedder

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", default="use", help="embedder spec (default: use; see aligner.embed)")
    parser.add_argument("--threshold", type=float, default=DocAlignOptions().threshold)
    parser.add_argument("--scaling", action="store_true", help="also time growing corpora of 3-line pieces")
    parser.add_argument("--sizes", default="20,50,100,200,300", help="groups per scaling run (default: %(default)s)")
    parser.add_argument("--keep", type=Path, help="write the corpora here instead of a temporary folder")
    args = parser.parse_args(argv)

    embedder = get_embedder(args.embedder)
    options = DocAlignOptions(threshold=args.threshold)
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench_docalign_"))
    try:
        print(f"embedder {args.embedder}, threshold {options.threshold}, candidates {options.candidates}\n")
        print(HEADER)
        documents = ntrex_documents()
        corpus = write_corpus(root / "ntrex60", documents, distractors_per_lang=20)
        print(_row("NTREX 60 docs x 3 + 62 distractors", run(corpus, embedder, options)), flush=True)
        if args.scaling:
            pieces = split_documents(documents, lines=3)
            names = sorted(pieces, key=lambda name: random.Random(name).random())  # a fixed, mixed order
            for size in (int(s) for s in args.sizes.split(",")):
                chosen = {name: pieces[name] for name in names[:size]}
                corpus = write_corpus(root / f"pieces{size}", chosen, distractors_per_lang=max(1, size // 3))
                print(_row(f"{size} pieces x 3 + {3 * max(1, size // 3) + 2} distractors",
                           run(corpus, embedder, options)), flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
