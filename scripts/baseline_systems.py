"""Two offline baseline "MT systems" for a test set: identity copy and a word-by-word gloss.

Usage:
    .venv/bin/python scripts/baseline_systems.py TESTSET_DIR --out HYP_DIR [--directions all|ar-en,...]
        [--corpus OUT_DIR/corpus.tsv | --no-corpus] [--folds 5]
    .venv/bin/python scripts/baseline_systems.py --make-ntrex-testset benchmarks/ntrex-dev TESTSET_DIR

For each direction SRC-TGT it writes ``HYP_DIR/identity.SRC-TGT.TGT`` (test.SRC copied unchanged)
and ``HYP_DIR/gloss.SRC-TGT.TGT`` (aligner.evaluate.gloss: every source word replaced by its most
probable translation under IBM Model 1 learnt from the corpus). The gloss dictionary never sees the
reference of the line it glosses: the test lines are split into ``--folds`` folds (whole document
groups per fold when there are enough groups) and each fold is glossed with a dictionary learnt
from the other folds plus the corpus's kept tuples that are not in the test set (``--corpus``,
default TESTSET_DIR/../corpus.tsv when it exists). ``--folds 0`` learns from everything, references
included: an optimistic bound, not a baseline.

``--make-ntrex-testset`` writes a test-set folder in the export's layout from the NTREX-128 lines
kept in benchmarks/ntrex-dev (group = NTREX document; no score columns), a larger test set than the
seeds' for trying the evaluation.

Score the outputs with ``aligner evaluate`` (docs/evaluation.md).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

from aligner.evaluate.gloss import gloss_held_out
from aligner.evaluate.mt import load_testset, parse_direction

LANGUAGES = ("ar", "en", "fr")


def directions(value: str) -> list[tuple[str, str]]:
    if value == "all":
        return list(itertools.permutations(LANGUAGES, 2))
    return [parse_direction(part) for part in value.split(",") if part.strip()]


def corpus_pairs(corpus: Path, src: str, tgt: str, exclude: set[str]) -> list[tuple[str, str]]:
    """(source, target) texts of the corpus's kept tuples that have both languages and are not in the test set."""
    from aligner.export.corpus_tsv import read_corpus_tsv

    _, tuples = read_corpus_tsv(corpus)
    return [(item.texts[src], item.texts[tgt]) for item in tuples
            if item.keep and item.tuid not in exclude and item.texts.get(src, "").strip()
            and item.texts.get(tgt, "").strip()]


def write_lines(path: Path, lines: list[str]) -> None:
    from aligner.fileio import write_text_atomic

    write_text_atomic(path, "".join(line + "\n" for line in lines))


def make_baselines(testset_dir: Path, out: Path, pairs: list[tuple[str, str]], corpus: Path | None,
                   folds: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for src, tgt in pairs:
        started = time.perf_counter()
        testset = load_testset(testset_dir, f"{src}-{tgt}")
        tuids = {row.get("tuid", "") for row in testset.meta}
        groups = [row.get("group", "") for row in testset.meta] if testset.meta else None
        extra = corpus_pairs(corpus, src, tgt, tuids) if corpus is not None else []
        write_lines(out / f"identity.{src}-{tgt}.{tgt}", testset.sources)
        glossed, dictionaries = gloss_held_out(testset.sources, testset.references, src, tgt, groups=groups,
                                               folds=folds, extra=extra)
        write_lines(out / f"gloss.{src}-{tgt}.{tgt}", glossed)
        sizes = [len(d) for d in dictionaries]
        print(f"[baselines] {src}-{tgt}: {len(testset)} lines, {len(extra)} extra corpus pairs, "
              f"{len(dictionaries)} dictionar{'y' if len(dictionaries) == 1 else 'ies'} of "
              f"{min(sizes)}-{max(sizes)} entries, {time.perf_counter() - started:.1f} s", file=sys.stderr)


def make_ntrex_testset(ntrex: Path, out: Path) -> int:
    """test.{ar,en,fr} + test.meta.tsv from benchmarks/ntrex-dev ({lang}.tsv: ``docid.k<TAB>text``)."""
    from aligner.export.tables import write_tsv
    from aligner.export.testset import meta_columns

    ids, texts = {}, {}
    for lang in LANGUAGES:
        rows = [line.split("\t", 1) for line in (ntrex / f"{lang}.tsv").read_text(encoding="utf-8").splitlines()]
        ids[lang] = [row[0] for row in rows]
        texts[lang] = [" ".join(row[1].split()) for row in rows]
    if not ids["ar"] == ids["en"] == ids["fr"]:
        raise SystemExit(f"{ntrex}: the three files do not have the same line ids")
    out.mkdir(parents=True, exist_ok=True)
    for lang in LANGUAGES:
        write_lines(out / f"test.{lang}", texts[lang])
    rows = []
    for number, line_id in enumerate(ids["en"], start=1):
        doc = line_id.rsplit(".", 1)[0]
        rows.append([number, f"ntrex-{number:04d}", doc, *(doc for _ in LANGUAGES), *(line_id for _ in LANGUAGES)])
    write_tsv(out / "test.meta.tsv", meta_columns(LANGUAGES, ()), rows)
    print(f"[ntrex] {len(rows)} lines, {len({row[2] for row in rows})} documents -> {out}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("testset", type=Path, nargs="?", help="test-set folder (OUT_DIR/testset)")
    parser.add_argument("--out", type=Path, help="folder for the hypothesis files")
    parser.add_argument("--directions", type=directions, default=directions("all"),
                        help="comma list such as ar-en,en-fr, or all (default: all six)")
    parser.add_argument("--corpus", type=Path, default=None,
                        help="corpus.tsv whose other kept tuples also train the gloss "
                             "(default: TESTSET/../corpus.tsv if present)")
    parser.add_argument("--no-corpus", action="store_true", help="learn the gloss from the test set's folds only")
    parser.add_argument("--folds", type=int, default=5,
                        help="held-out folds for the gloss dictionary (default 5; 0 = references leak)")
    parser.add_argument("--make-ntrex-testset", nargs=2, type=Path, metavar=("NTREX_DIR", "OUT"),
                        help="write a test-set folder from benchmarks/ntrex-dev and stop")
    args = parser.parse_args(argv)
    if args.make_ntrex_testset:
        return make_ntrex_testset(*args.make_ntrex_testset)
    if args.testset is None or args.out is None:
        parser.error("give TESTSET_DIR and --out HYP_DIR")
    corpus = args.corpus
    if corpus is None and not args.no_corpus and (args.testset.parent / "corpus.tsv").exists():
        corpus = args.testset.parent / "corpus.tsv"
    if args.no_corpus:
        corpus = None
    make_baselines(args.testset, args.out, args.directions, corpus, args.folds)
    return 0


if __name__ == "__main__":
    from aligner.errors import InputError

    try:
        sys.exit(main())
    except InputError as err:
        print(f"baseline_systems: error: {err}", file=sys.stderr)
        sys.exit(2)
