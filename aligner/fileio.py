"""Atomic output files: a reader never sees a half-written file, an interrupted run leaves the old one.

Files and folders are created with the modes the umask allows (``0644``/``0755`` under ``022``), as
any Unix tool does. A temporary file or folder is named after its final name and its owner
(``.<name>.<host>-<pid>.<random>.tmp``), so :func:`remove_stale_temps` can tell one whose writer
died from one being written.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, BinaryIO

from aligner.errors import InputError

TEMP_SUFFIX = ".tmp"
#: A temporary file whose owner cannot be checked (another host, an older aligner) is stale after this long.
STALE_AFTER_SECONDS = 6 * 3600
_OWNED_TEMP = re.compile(r"\.(?P<host>[A-Za-z0-9_]+)-(?P<pid>[0-9]+)\.[0-9a-f]{12}" + re.escape(TEMP_SUFFIX) + "$")


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", socket.gethostname()) or "host"


def temporary_sibling(path: Path) -> Path:
    """A fresh name beside ``path`` to build it under, naming this process as its owner."""
    path = Path(path)
    return path.parent / f".{path.name}.{_host()}-{os.getpid()}.{secrets.token_hex(6)}{TEMP_SUFFIX}"


def make_temp_dir(path: Path) -> Path:
    """A new empty folder beside ``path`` (see :func:`temporary_sibling`), its mode from the umask."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_sibling(path)
    tmp.mkdir()
    return tmp


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def is_stale_temp(path: Path, now: float | None = None) -> bool:
    """Whether ``path`` is a temporary file or folder nobody will finish: its owner on this host is
    gone, or it is older than :data:`STALE_AFTER_SECONDS`."""
    path = Path(path)
    if not (path.name.startswith(".") and path.name.endswith(TEMP_SUFFIX)):
        return False
    owner = _OWNED_TEMP.search(path.name)
    if owner and owner["host"] == _host() and not _process_alive(int(owner["pid"])):
        return True
    try:
        age = (time.time() if now is None else now) - path.lstat().st_mtime
    except FileNotFoundError:
        return False
    return age > STALE_AFTER_SECONDS


def remove_stale_temps(folder: Path) -> None:
    """Delete the stale temporary files and folders (:func:`is_stale_temp`) left in ``folder`` by killed writers."""
    try:
        entries = list(Path(folder).iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return
    now = time.time()
    for entry in entries:
        if is_stale_temp(entry, now):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def current_umask() -> int:
    """The process's umask: read from /proc where Linux shows it (not changed even for an instant), else set and put back."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def follow_umask(path: Path) -> None:
    """Give a file another library created private (``0600``) the mode the umask allows."""
    os.chmod(path, (0o777 if Path(path).is_dir() else 0o666) & ~current_umask())


@contextmanager
def atomic_writer(path: Path, mode: str = "w") -> Iterator[IO]:
    """Write to a temporary file beside ``path`` and rename it into place only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_sibling(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)  # the umask takes its bits
    try:
        encoding = None if "b" in mode else "utf-8"
        newline = None if "b" in mode else "\n"
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, read in blocks."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


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


def read_two_column_tsv(path: Path | str, what: str, header: tuple[str, str]) -> list[tuple[int, str, str]]:
    """``(line number, first, second)`` of a user's two-column TSV file (``--groups``, ``--splits``).

    Blank lines and ``#`` comments are skipped, and a first line equal to ``header`` (any case);
    a line without exactly two non-empty cells is an :class:`InputError` naming the file and line.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(path, f"cannot read the {what} file: {err}") from err
    rows: list[tuple[int, str, str]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        if len(cells) != 2 or not all(cells):
            raise InputError(path, f"line {number}: expected '{header[0]}<TAB>{header[1]}', got {line!r}")
        if not rows and [c.lower() for c in cells] == list(header):
            continue
        rows.append((number, cells[0], cells[1]))
    return rows


def json_digest(body) -> str:
    """sha256 of a JSON value's canonical text: the same for the value saved and the value parsed back."""
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
                          .encode("utf-8", "surrogatepass")).hexdigest()
