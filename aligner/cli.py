"""The ``aligner`` command: parses arguments and wires stages together, nothing more."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from aligner import __version__
from aligner.config import command as config_command
from aligner.config.flags import add_config_flags, config_from_args
from aligner.embed.local_model import WordModelError
from aligner.errors import InputError
from aligner.evaluate import command as evaluate_command
from aligner.export import command as export_command
from aligner.report import command as report_command
from aligner.sentalign import command as align_command
from aligner.score import DEFAULT_MIN_QUALITY
from aligner.score import command as score_command
from aligner.wordalign import command as align_words_command


def _build(args: argparse.Namespace) -> int:
    from aligner.build import run_build

    run_build(config_from_args(args, args.raw_dir))
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

    build = commands.add_parser("build", help="clean, segment, align, score and export a folder of raw reports")
    build.add_argument("raw_dir", nargs="?", type=Path, default=None, metavar="RAW_DIR",
                       help="folder of raw report files (default: corpus/raw, or the --config file's ingest.raw_dir)")
    add_config_flags(build)
    build.set_defaults(run=_build)

    filter_command = commands.add_parser(
        "filter", help="re-threshold an existing build by quality without re-aligning (keep flags, exports, report)")
    filter_command.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="a folder written by aligner build")
    filter_command.add_argument("--min-quality", type=export_command.quality_threshold, required=True,
                                help=f"keep tuples with quality >= this (the build's default: {DEFAULT_MIN_QUALITY})")
    filter_command.set_defaults(run=_filter)

    config_command.add_parser(commands)
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
