"""``aligner evaluate``: score MT system outputs against the corpus's test set (docs/evaluation.md).

Wired into the ``aligner`` command by :func:`add_parser`; the work is done by
:mod:`aligner.evaluate.mt`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def _direction(value: str) -> str:
    from aligner.evaluate.mt import parse_direction

    try:
        return "-".join(parse_direction(value))
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _breakdowns(value: str) -> tuple[str, ...]:
    from aligner.evaluate.mt import BREAKDOWNS

    names = tuple(dict.fromkeys(part.strip().lower() for part in value.split(",") if part.strip()))
    if names == ("none",):
        return ()
    unknown = [name for name in names if name not in BREAKDOWNS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown breakdown {', '.join(unknown) or value!r} "
                                         f"(choose from {', '.join(BREAKDOWNS)}, or none)")
    return names


def _bands(value: str) -> tuple[float, ...]:
    try:
        edges = tuple(float(part) for part in value.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma list of numbers: {value!r}") from None
    if not edges or list(edges) != sorted(set(edges)) or not all(0.0 < e < 1.0 for e in edges):
        raise argparse.ArgumentTypeError(f"give increasing band edges between 0 and 1, e.g. 0.5,0.8; got {value!r}")
    return edges


def _metric(value: str) -> tuple[str, Path]:
    """``comet:PATH`` -> ``("comet", PATH)``; sacrebleu's metrics are always computed and need no option."""
    kind, sep, rest = value.partition(":")
    if kind.strip().lower() != "comet" or not sep or not rest.strip():
        raise argparse.ArgumentTypeError(
            f"unknown metric {value!r}: give comet:PATH (a local COMET-style model folder, docs/evaluation.md "
            f"'COMET'); BLEU, chrF2, chrF2++ and TER are always computed")
    return "comet", Path(rest.strip()).expanduser()


def _samples(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"give 0 (off) or a positive number, got {number}")
    return number


def system_names(paths: list[Path], names: list[str] | None) -> list[str]:
    """``names`` when given (one per file, distinct), else the file names (the paths where those collide)."""
    if names:
        if len(names) != len(paths):
            raise ValueError(f"--system-names gives {len(names)} names for {len(paths)} --hyp files")
        if len(set(names)) != len(names):
            raise ValueError(f"--system-names must be distinct, got {' '.join(names)}")
        return list(names)
    stems = [path.name for path in paths]
    if len(set(stems)) == len(stems):
        return stems
    full = [str(path) for path in paths]
    if len(set(full)) != len(full):
        raise ValueError("the same --hyp file is given twice")
    return full


def scores_computed(systems: int, bootstrap: int, randomization: int) -> int:
    """How many corpus-level scores one metric computes in :func:`~aligner.evaluate.mt.score_systems`
    (sacrebleu 2.x): each system's; with two or more systems, per paired test the baseline's and each
    other system's, two per resample or trial and each system, and the bootstrap's ``bootstrap``
    resamples of the baseline alone (its confidence interval)."""
    total, others = systems, systems - 1
    if others and bootstrap > 0:
        total += 1 + bootstrap + others * (1 + 2 * bootstrap)
    if others and randomization > 0:
        total += 1 + others * (1 + 2 * randomization)
    return total


def _counted(compute, progress):
    def counted(stats):
        progress.advance()
        return compute(stats)

    return counted


def run(args: argparse.Namespace) -> int:
    from aligner.evaluate.mt import (
        breakdown,
        format_table,
        load_testset,
        make_metrics,
        read_hypothesis,
        score_systems,
    )
    from aligner.progress import Progress

    paths = [Path(p) for group in args.hyp for p in group]
    names = system_names(paths, args.system_names)
    testset = load_testset(args.testset, args.direction)
    hyps, checks = {}, {}
    for name, path in zip(names, paths):
        hyps[name], checks[name] = read_hypothesis(path, testset, check_language=args.language_check)
    extra = []
    comet_paths = [path for kind, path in args.metric or () if kind == "comet"]
    if comet_paths:  # loaded only when asked for: torch and transformers stay unimported otherwise
        from aligner.evaluate.comet import comet_specs

        extra = comet_specs(comet_paths)
    # one set of metrics: each system's segment statistics are extracted once for the scores, the
    # paired tests and the breakdowns
    metrics = make_metrics(testset.references, testset.target_lang, args.tokenize, sources=testset.sources,
                           extra=extra)
    total = len(metrics) * scores_computed(len(hyps), args.bootstrap, args.randomization)
    with Progress("evaluate", total, "scores", log_done=False) as progress:  # a bar on a terminal only
        for metric in metrics.values():  # each corpus-level score, every resample's included, advances it
            metric._compute_score_from_stats = _counted(metric._compute_score_from_stats, progress)
        result = score_systems(testset.references, hyps, testset.target_lang, bootstrap=args.bootstrap,
                               randomization=args.randomization, metrics=metrics)
    for metric in metrics.values():
        del metric._compute_score_from_stats  # the class's own again
    result.direction, result.testset = testset.direction, str(testset.folder)
    for system, path in zip(result.systems, paths):
        system.file, system.language = str(path), checks[system.name]
    parts = [breakdown(testset, hyps, by, bands=args.quality_bands, metrics=metrics) for by in args.breakdown]
    if args.json:
        out = result.as_dict()
        out["breakdowns"] = {part.by: part.as_dict() for part in parts}
        print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        print(format_table(result, parts))
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``evaluate`` on the ``aligner`` command's subparsers; returns its parser."""
    from aligner.evaluate.mt import DEFAULT_AR_TRIALS, DEFAULT_BOOTSTRAP, DEFAULT_BREAKDOWNS, QUALITY_BANDS

    parser = subparsers.add_parser(
        "evaluate", help="score MT outputs against OUT_DIR/testset with sacrebleu (BLEU, chrF, chrF++, TER; "
                         "COMET with a local model)",
        description="Score one or more system outputs (one translation of test.SRC per line) against "
                    "test.TGT of a test-set folder with sacrebleu; two or more systems get sacrebleu's paired "
                    "bootstrap and paired approximate randomization tests against the first. "
                    "See docs/evaluation.md.")
    parser.add_argument("--testset", required=True, type=Path, metavar="DIR",
                        help="test-set folder: test.LANG files and test.meta.tsv (OUT_DIR/testset)")
    parser.add_argument("--direction", "-d", required=True, type=_direction, metavar="SRC-TGT",
                        help="translation direction, e.g. ar-en (any of the six ar/en/fr directions)")
    parser.add_argument("--hyp", required=True, action="append", nargs="+", metavar="FILE",
                        help="system output(s), one line per test line; repeat or list several "
                             "(the first is the baseline of the paired test)")
    parser.add_argument("--system-names", nargs="+", metavar="NAME",
                        help="names of the systems, one per --hyp file in order (default: file names)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--bootstrap", type=_samples, default=DEFAULT_BOOTSTRAP, metavar="N",
                        help="paired bootstrap resamples when there are two or more systems (sacrebleu "
                             f"--paired-bs); 0 turns the test off (default: {DEFAULT_BOOTSTRAP}; seed from "
                             "SACREBLEU_SEED, default 12345)")
    parser.add_argument("--randomization", type=_samples, default=DEFAULT_AR_TRIALS, metavar="N",
                        help="paired approximate randomization trials when there are two or more systems "
                             f"(sacrebleu --paired-ar); 0 turns the test off (default: {DEFAULT_AR_TRIALS})")
    parser.add_argument("--metric", type=_metric, action="append", metavar="comet:PATH",
                        help="also score with a local COMET-style model folder (comet.json, encoder/, "
                             "head.safetensors; docs/evaluation.md 'COMET'); repeat for several models")
    parser.add_argument("--tokenize", default=None, metavar="TOK",
                        help="BLEU tokenizer instead of the per-target choice (intl for ar, sacrebleu's 13a "
                             "otherwise), e.g. 13a, intl, char")
    parser.add_argument("--breakdown", type=_breakdowns, default=DEFAULT_BREAKDOWNS, metavar="KIND,...",
                        help="scores per group, document (source document) and/or quality band, or none "
                             f"(default: {','.join(DEFAULT_BREAKDOWNS)})")
    parser.add_argument("--quality-bands", type=_bands, default=QUALITY_BANDS, metavar="EDGES",
                        help="edges of the quality bands (default: "
                             f"{','.join(str(b) for b in QUALITY_BANDS)}: q<0.5, 0.5<=q<0.8, q>=0.8)")
    parser.add_argument("--no-language-check", dest="language_check", action="store_false",
                        help="score files whose lines are mostly not in the target language (e.g. a copy of "
                             "the source as a baseline)")
    parser.set_defaults(run=run)
    return parser


__all__ = ["add_parser", "run", "scores_computed", "system_names"]
