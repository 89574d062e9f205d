"""Progress lines on stderr with rate and ETA, quiet when stderr is not wanted."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Counts items of one stage and reports ``done/total``, items per second and time left."""

    def __init__(self, stage: str, total: int, unit: str = "items", stream: TextIO | None = sys.stderr):
        self.stage, self.total, self.unit, self.stream = stage, total, unit, stream
        self.done = 0
        self.started = time.monotonic()
        self._last_print = 0.0

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if self.done >= self.total or now - self._last_print >= 0.5:
            self._last_print = now
            self._report(now)

    def _report(self, now: float) -> None:
        if self.stream is None:
            return
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        end = "\n" if self.done >= self.total else "\r"
        self.stream.write(f"[{self.stage}] {self.done}/{self.total} {self.unit} "
                          f"{rate:.1f}/s ETA {left:.0f}s{' ' * 8}{end}")
        self.stream.flush()

    def message(self, text: str) -> None:
        if self.stream is not None:
            self.stream.write(f"[{self.stage}] {text}\n")
