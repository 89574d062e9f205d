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


def run(args: argparse.Namespace) -> int:
    from aligner.evaluate.mt import breakdown, format_table, load_testset, read_hypothesis, score_systems

    paths = [Path(p) for group in args.hyp for p in group]
    names = system_names(paths, args.system_names)
    testset = load_testset(args.testset, args.direction)
    hyps, checks = {}, {}
    for name, path in zip(names, paths):
        hyps[name], checks[name] = read_hypothesis(path, testset, check_language=args.language_check)
    result = score_systems(testset.references, hyps, testset.target_lang, tokenize=args.tokenize,
                           bootstrap=args.bootstrap)
    result.direction, result.testset = testset.direction, str(testset.folder)
    for system, path in zip(result.systems, paths):
        system.file, system.language = str(path), checks[system.name]
    parts = [breakdown(testset, hyps, by, bands=args.quality_bands, tokenize=args.tokenize)
             for by in args.breakdown]
    if args.json:
        out = result.as_dict()
        out["breakdowns"] = {part.by: part.as_dict() for part in parts}
        print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        print(format_table(result, parts))
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``evaluate`` on the ``aligner`` command's subparsers; returns its parser."""
    from aligner.evaluate.mt import DEFAULT_BREAKDOWNS, QUALITY_BANDS

    parser = subparsers.add_parser(
        "evaluate", help="score MT outputs against OUT_DIR/testset with sacrebleu (BLEU, chrF, chrF++, TER)",
        description="Score one or more system outputs (one translation of test.SRC per line) against "
                    "test.TGT of a test-set folder with sacrebleu; two or more systems get sacrebleu's paired "
                    "bootstrap test against the first. See docs/evaluation.md.")
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
    parser.add_argument("--bootstrap", type=int, default=1000, metavar="N",
                        help="paired bootstrap resamples when there are two or more systems; 0 turns the test "
                             "off (default: 1000; seed from SACREBLEU_SEED, default 12345)")
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


__all__ = ["add_parser", "run", "system_names"]
