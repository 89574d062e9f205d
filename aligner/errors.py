"""Errors that name the offending input, so a user can act on them without a traceback."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """An input file that cannot be used; the message names the file and the problem."""

    def __init__(self, path: Path | str, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")
