"""Atomic output files: a reader never sees a half-written file, an interrupted run leaves the old one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, BinaryIO

from aligner.errors import InputError


@contextmanager
def atomic_writer(path: Path, mode: str = "w") -> Iterator[IO]:
    """Write to a temporary file beside ``path`` and rename it into place only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        encoding = None if "b" in mode else "utf-8"
        newline = None if "b" in mode else "\n"
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    with atomic_writer(path) as handle:
        handle.write(text)


def open_input(path: Path | str, what: str) -> BinaryIO:
    """``path`` opened for binary reading; a missing or unreadable file is an :class:`InputError` naming it."""
    path = Path(path)
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise InputError(path, f"{what} file not found") from None
    except IsADirectoryError:
        raise InputError(path, f"{what} file expected, found a directory") from None
    except PermissionError:
        raise InputError(path, f"{what} file not readable (permission denied)") from None


def read_utf8(path: Path | str, what: str) -> str:
    """The text of a UTF-8 file; a missing, unreadable or undecodable file is an :class:`InputError` naming it."""
    path = Path(path)
    with open_input(path, what) as handle:
        data = handle.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"{what} file is not valid UTF-8 ({exc.reason} at byte {exc.start})") from None


def read_text_lines(path: Path | str, what: str) -> list[str]:
    """The lines of a UTF-8 text file (any line break); errors as in :func:`read_utf8`."""
    return read_utf8(path, what).splitlines()
