"""The output folder's life: locked while a build writes it, replaced only when it provably is ours.

A build (or ``aligner filter``) writes everything into a staging folder beside ``OUT`` and swaps
it in at the end, so ``OUT`` is always one complete output or absent. Before anything is
replaced or removed, the folder must prove it is an aligner output: its ``.aligner-output``
marker lists every file the toolkit wrote there with its size and sha256, and the folder must
hold exactly those files, unchanged. A folder with anything else in it (a user's file, an
edited corpus, no marker) is refused with the first few differences named, and nothing is
deleted. ``OUT`` may not be the input folder or hold it. A lock file beside ``OUT`` keeps two
builds from writing it at once: the second is refused with a message naming the lock.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import portalocker

from aligner import __version__
from aligner.errors import InputError
from aligner.fileio import file_sha256, write_text_atomic
from aligner.ingest.discover import OUTPUT_MARKER

_MARKER_FORMAT = 1
#: How many unexpected or changed files a refusal names.
_NAMED_DIFFERENCES = 3


class OutputFolder:
    """``OUT`` and the files the toolkit keeps beside it (staging and old folders, the lock)."""

    def __init__(self, out: Path) -> None:
        self.path = Path(out)
        self._siblings = re.compile(rf"\.{re.escape(self.path.name)}\.(?:staging|old)-\d+")

    @property
    def lock_path(self) -> Path:
        return self.path.parent / f".{self.path.name}.lock"

    def owns(self, path: Path) -> bool:
        """Whether ``path`` is ``OUT``, its lock or one of its staging folders: never read as input."""
        path = Path(path)
        if path.parent.resolve() != self.path.parent.resolve():
            return False
        return (path.name in (self.path.name, self.lock_path.name)) or bool(self._siblings.fullmatch(path.name))

    def check_usable(self, raw_dir: Path) -> None:
        """Refuse an ``OUT`` that would replace or hold the input folder, or that is not ours to replace."""
        out, raw = self.path.resolve(), Path(raw_dir).resolve()
        if raw == out or raw.is_relative_to(out):
            raise InputError(self.path, f"is the input folder or holds it ({raw_dir}): replacing it would "
                                        "delete the inputs; choose another --out")
        self.check_replaceable()

    def check_replaceable(self) -> None:
        problem = replace_refusal(self.path)
        if problem is not None:
            raise InputError(self.path, f"{problem}; refusing to replace it: choose another --out "
                                        "(or remove the folder yourself)")

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold ``OUT``'s lock for the block; refused at once if another build holds it."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except FileExistsError as err:  # a file where a folder of the path should be
            raise InputError(err.filename, "exists and is not a folder: cannot write the output below it") from None
        with open(self.lock_path, "a", encoding="utf-8") as handle:
            try:
                portalocker.lock(handle, portalocker.LOCK_EX | portalocker.LOCK_NB)
            except portalocker.exceptions.LockException:
                raise InputError(self.path, f"another aligner build is writing this folder (lock {self.lock_path} "
                                            "is held); wait for it to finish or choose another --out") from None
            try:
                yield
            finally:
                portalocker.unlock(handle)

    @contextmanager
    def staged(self) -> Iterator[Path]:
        """A fresh staging folder beside ``OUT``, swapped in for ``OUT`` if the block succeeds, else removed.

        Call with the lock held. Staging and old folders of killed builds (they carry the marker)
        are removed first. The swap is two renames, the old folder deleted after, so ``OUT`` is
        always a complete output or absent.
        """
        for stale in self.path.parent.iterdir():
            if self._siblings.fullmatch(stale.name) and (stale / OUTPUT_MARKER).is_file():
                shutil.rmtree(stale, ignore_errors=True)
        staging = self.path.parent / f".{self.path.name}.staging-{os.getpid()}"
        staging.mkdir()
        try:
            _write_marker(staging, complete=False)
            yield staging
            _write_marker(staging, complete=True)
            self.check_replaceable()
            if self.path.exists():
                old = self.path.parent / f".{self.path.name}.old-{os.getpid()}"
                self.path.rename(old)
                staging.rename(self.path)
                shutil.rmtree(old, ignore_errors=True)
            else:
                staging.rename(self.path)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def replace_refusal(folder: Path) -> str | None:
    """Why ``folder`` may not be replaced, or None: it is absent, empty, or exactly the output its marker lists."""
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        return "exists and is not a folder"
    if not folder.exists() or not any(folder.iterdir()):
        return None
    try:
        marker = json.loads((folder / OUTPUT_MARKER).read_text(encoding="utf-8"))
        listed = {entry["path"]: (entry["size"], entry["sha256"]) for entry in marker["files"]}
        complete = marker["complete"] is True
    except (OSError, ValueError, KeyError, TypeError):
        return f"is not an aligner output folder (no valid {OUTPUT_MARKER} marker)"
    if not complete:
        return f"is an unfinished aligner output ({OUTPUT_MARKER} says incomplete)"
    present = _files_below(folder)
    differences = sorted(set(present) - set(listed))[:_NAMED_DIFFERENCES]
    if differences:
        return f"holds files the aligner did not write ({', '.join(differences)})"
    missing = sorted(set(listed) - set(present))[:_NAMED_DIFFERENCES]
    if missing:
        return f"is missing files of the aligner output it was ({', '.join(missing)})"
    changed = [name for name in sorted(listed) if _fingerprint(folder / name) != listed[name]][:_NAMED_DIFFERENCES]
    if changed:
        return f"holds aligner outputs changed since they were written ({', '.join(changed)})"
    return None


def _files_below(folder: Path) -> list[str]:
    """Every file under ``folder`` but the marker, as relative paths (a link or special file is named as such).

    Folders themselves are not listed: an empty one holds nothing to lose.
    """
    names = []
    for path in folder.rglob("*"):
        if path.is_dir() and not path.is_symlink():
            continue
        name = path.relative_to(folder).as_posix()
        if name != OUTPUT_MARKER:
            names.append(name if path.is_file() and not path.is_symlink() else f"{name} (not a regular file)")
    return names


def _fingerprint(path: Path) -> tuple[int, str]:
    return path.stat().st_size, file_sha256(path)


def record_written(folder: Path, names: list[str]) -> None:
    """Add files a command wrote into an existing output (``aligner export``, ``aligner report``) to its marker.

    Only a folder whose marker is valid is touched; the other entries keep their fingerprints, so a
    file a user changed still keeps the folder from being replaced.
    """
    path = Path(folder) / OUTPUT_MARKER
    try:
        marker = json.loads(path.read_text(encoding="utf-8"))
        listed = {entry["path"]: entry for entry in marker["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return
    for name in names:
        size, digest = _fingerprint(Path(folder) / name)
        listed[name] = {"path": name, "size": size, "sha256": digest}
    marker["files"] = [listed[name] for name in sorted(listed)]
    write_text_atomic(path, _marker_text(marker))


def _marker_text(marker: dict) -> str:
    """The marker's JSON, one file a line."""
    files = ",\n".join(json.dumps(entry, ensure_ascii=False) for entry in marker["files"])
    head = json.dumps({k: v for k, v in marker.items() if k != "files"}, ensure_ascii=False)[:-1]
    return f'{head}, "files": [\n{files}\n]}}\n'


def _write_marker(folder: Path, complete: bool) -> None:
    """The marker: every file below ``folder`` with its size and sha256 (sorted: reruns are byte-identical)."""
    files = [] if not complete else [
        {"path": name, "size": size, "sha256": digest}
        for name in sorted(_files_below(folder)) for size, digest in [_fingerprint(folder / name)]]
    marker = {"aligner": __version__, "format": _MARKER_FORMAT, "complete": complete, "files": files}
    write_text_atomic(folder / OUTPUT_MARKER, _marker_text(marker))
