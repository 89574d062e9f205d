"""``aligner config``: print the complete effective configuration of a build as TOML.

Fed back (``aligner build --config FILE``) it gives the same build: the same signature, the same
outputs. Flags and ``--set`` work as in ``aligner build``, so a changed knob can be seen before it
is used.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .codec import dump_config
from .flags import add_config_flags, config_from_args

HEADER = ("# aligner build configuration (aligner config): every knob with its value.\n"
          "# Use it with: aligner build --config FILE (flags given there override it).\n")


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("config", help="print the complete build configuration as TOML "
                                                  "(defaults, a --config file, flags and --set applied)")
    parser.add_argument("raw_dir", nargs="?", type=Path, default=None, metavar="RAW_DIR",
                        help="folder of raw report files (as in aligner build)")
    add_config_flags(parser)
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    sys.stdout.write(HEADER + dump_config(config_from_args(args, args.raw_dir)))
    return 0
