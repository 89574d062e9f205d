"""The ``aligner`` command: parses arguments and wires stages together, nothing more."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aligner import __version__
from aligner.errors import InputError
from aligner.segment import METHODS as SEGMENTERS


def _build(args: argparse.Namespace) -> int:
    from aligner.build import BuildOptions, run_build

    run_build(BuildOptions(raw_dir=args.raw_dir, out_dir=args.out, segmenter=args.segmenter))
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
    build.set_defaults(run=_build)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return args.run(args)
    except InputError as err:
        print(f"aligner: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("aligner: interrupted; outputs already written are complete, others untouched", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
