"""Which files of an input folder are read, which are not and why, and the names they go by.

Every entry of the folder is accounted for: a regular file is read, anything else (a hidden
entry, a named pipe, a broken or looping symbolic link, a link out of the folder, an unreadable
folder, another aligner build's output) is listed with its reason, so nothing is left out
silently and nothing can hang the build (a pipe is never opened). Names are written into TSV,
JSON and XML outputs, so they are escaped first: bytes that are not UTF-8 read ``\\xe9``, control
characters ``\\t`` or ``\\x1b``, and document ids are distinct whatever the file names are.
"""

from __future__ import annotations

import errno
import os
import stat
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from aligner.errors import InputError

#: The file that marks a folder as an aligner output (``aligner/publish.py``); such folders are never read.
OUTPUT_MARKER = ".aligner-output"

_NAMED_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


@dataclass(frozen=True)
class Skipped:
    """An input file (or folder) the build could not use, and why."""

    source_file: str
    reason: str


@dataclass
class Discovery:
    """The files to read, in a stable order, and the entries left out with their reasons."""

    files: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def escape_name(name: str) -> str:
    """``name`` safe to write anywhere: undecodable bytes as ``\\xNN``, control and line-separator
    characters as escapes, a backslash doubled (so the escaping is reversible and names stay distinct)."""
    out = []
    for char in name:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, as os.fsdecode's surrogateescape keeps it
            out.append(f"\\x{code - 0xDC00:02x}")
        elif char in _NAMED_ESCAPES:
            out.append(_NAMED_ESCAPES[char])
        elif unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp"):
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def source_name(path: Path, raw_dir: Path) -> str:
    """The name an input goes by in every output: its path below the input folder, escaped."""
    return escape_name(Path(path).relative_to(raw_dir).as_posix())


def _id_text(name: str) -> str:
    """An escaped name with white space and ``%`` percent-encoded: segment id lists are space-separated."""
    return "".join("".join(f"%{b:02X}" for b in c.encode()) if c.isspace() or c == "%" else c for c in name)


def document_ids(names: list[str]) -> list[str]:
    """One distinct id per input name: the file's stem, or its whole path where stems would clash."""
    paths = [_id_text(name) for name in names]
    ids = [PurePosixPath(path).stem or path for path in paths]
    while True:
        counts = Counter(ids)
        clashing = [k for k, doc_id in enumerate(ids) if counts[doc_id] > 1 and doc_id != paths[k]]
        if not clashing:
            return ids
        for k in clashing:  # paths are distinct, so each round leaves fewer stems and this ends
            ids[k] = paths[k]


def discover_inputs(raw_dir: Path, *, follow_links: bool = False,
                    ignore: Callable[[Path], bool] = lambda path: False) -> Discovery:
    """Every entry under ``raw_dir``, recursively: the regular files to read, the rest with a reason.

    ``ignore`` drops entries silently (the build's own output folder and its siblings). Symbolic
    links to files or folders outside ``raw_dir`` are followed only with ``follow_links``; a link to
    a folder inside it is not walked again (its files are read where they are).
    """
    raw_dir = Path(raw_dir)
    if raw_dir.is_file():
        raise InputError(raw_dir, "is a file, not a folder: aligner build reads a folder of reports "
                                  "(put the file in a folder of its own)")
    if not raw_dir.is_dir():
        raise InputError(raw_dir, "input directory does not exist")
    root = raw_dir.resolve()
    found = Discovery()
    walked = {_identity(root)}

    def skip(path: Path, reason: str) -> None:
        found.skipped.append(Skipped(source_name(path, raw_dir), reason))

    def walk(folder: Path) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError as err:
            skip(folder, f"folder not readable ({err.strerror or err}): not read")
            return
        for entry in entries:
            path = Path(entry.path)
            if ignore(path):
                continue
            if entry.name.startswith("."):
                skip(path, f"hidden {'folder' if entry.is_dir() else 'file'} (name starts with a dot): not read")
                continue
            kind, reason = _classify(path, root, follow_links)
            if kind == "file":
                found.files.append(path)
            elif kind == "folder":
                if (path / OUTPUT_MARKER).is_file():
                    skip(path, "an aligner output folder: not read")
                elif _identity(path) in walked:
                    skip(path, "symbolic link loop (this folder is read already)")
                else:
                    walked.add(_identity(path))
                    walk(path)
            else:
                skip(path, reason)

    walk(raw_dir)
    found.files.sort(key=lambda p: p.relative_to(raw_dir).as_posix())
    found.skipped.sort(key=lambda s: s.source_file)
    return found


def _identity(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_dev, info.st_ino


def _classify(path: Path, root: Path, follow_links: bool) -> tuple[str, str]:
    """``("file" | "folder" | "skip", reason)`` for one entry, by what it is (links by what they point to)."""
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except RuntimeError:  # Python < 3.13 reports a loop this way
            return "skip", "symbolic link loop: not read"
        except OSError as err:
            if err.errno == errno.ELOOP:
                return "skip", "symbolic link loop: not read"
            return "skip", f"broken symbolic link (to {escape_name(os.readlink(path))}): not read"
        if path.is_dir():
            if not follow_links and not target.is_relative_to(root):
                return "skip", "symbolic link to a folder outside the input folder: not followed (--follow-links)"
            if target.is_relative_to(root):
                return "skip", "symbolic link to a folder inside the input folder: read where it is"
        elif not follow_links and not target.is_relative_to(root):
            return "skip", "symbolic link to a file outside the input folder: not followed (--follow-links)"
    try:
        mode = path.stat().st_mode
    except OSError as err:
        return "skip", f"cannot read ({err.strerror or err})"
    if stat.S_ISDIR(mode):
        return "folder", ""
    if stat.S_ISREG(mode):
        return "file", ""
    what = ("named pipe (FIFO)" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode)
            else "device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "special file")
    return "skip", f"not a regular file ({what}): not read"
