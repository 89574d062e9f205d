"""Progress on stderr: a tqdm bar with rate and ETA when stderr is a terminal, quiet otherwise.

:class:`Progress` counts the items of one stage (``advance``). On a terminal it draws a tqdm bar
(``[stage]  40%|████      | 2/5 files [00:01, ETA 00:02, 1.9 files/s]``) that ends, when the stage is
done, as one finished line. When the stream is not a terminal (a pipe, a file, a ``StringIO``) there is
no bar, no rate and no ETA: a stage made with ``log_done=True`` (the build's stages, whose log says
what each did) writes one plain line when it is done, ``[stage] 5/5 files``; otherwise nothing is
written. :func:`track` wraps an iterable the same way, quiet when not on a terminal.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

from tqdm import tqdm

T = TypeVar("T")

#: The bar (tqdm's ``bar_format``): stage, percentage, bar, count and unit, elapsed time, time left (ETA), rate.
BAR_FORMAT = "{{desc}} {{percentage:3.0f}}%|{{bar}}| {{n_fmt}}/{{total_fmt}} {unit} [{{elapsed}}, ETA {{remaining}}, {{rate_noinv_fmt}}]"
#: Seconds between two redraws of a bar.
REFRESH = 0.5


def is_terminal(stream: TextIO | None) -> bool:
    """Whether ``stream`` is an interactive terminal (a bar is drawn only there)."""
    if stream is None:
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # no isatty, or a closed stream
        return False


def _size(stream: TextIO) -> tuple[int, int] | None:
    """None when the terminal tells its size (the bar follows it), else 80 columns and 24 lines: a terminal
    of unknown size, such as a fresh pseudo-terminal, reports 0 x 0, on which tqdm would draw nothing."""
    try:
        size = os.get_terminal_size(stream.fileno())
    except (AttributeError, ValueError, OSError):
        return 80, 24
    return None if size.columns > 0 and size.lines > 0 else (80, 24)


class Progress:
    """Counts items of one stage and shows ``done/total``, items per second and time left on a terminal."""

    def __init__(self, stage: str, total: int, unit: str = "items", stream: TextIO | None = ...,  # type: ignore[assignment]
                 log_done: bool = True):
        """``stream``: default ``sys.stderr`` (as it is when the stage starts), None for nothing at all.
        ``log_done``: when not on a terminal, write ``[stage] done/total unit`` when the stage is done."""
        stream = sys.stderr if stream is ... else stream
        self.stage, self.total, self.unit, self.stream, self.log_done = stage, total, unit, stream, log_done
        self.done = 0
        self.closed = total <= 0  # nothing to count: no bar, no line
        self._bar = None
        if is_terminal(stream) and not self.closed:
            columns, lines = _size(stream) or (None, None)
            self._bar = tqdm(total=total, desc=f"[{stage}]", unit=f" {unit}", file=stream, leave=True,
                             mininterval=REFRESH, dynamic_ncols=columns is None, ncols=columns, nrows=lines,
                             bar_format=BAR_FORMAT.format(unit=unit.replace("{", "{{").replace("}", "}}")))

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self._bar is not None and not self.closed:
            self._bar.update(count)
        if self.done >= self.total:
            self.close()

    def close(self) -> None:
        """End the stage: the bar's finished line on a terminal, the plain line otherwise (``log_done``)."""
        if self.closed:
            return
        self.closed = True
        if self._bar is not None:
            self._bar.close()
        elif self.log_done and self.stream is not None:
            self.stream.write(f"[{self.stage}] {self.done}/{self.total} {self.unit}\n")
            self.stream.flush()

    def message(self, text: str) -> None:
        """A line of the stage's log, printed above the bar while one is drawn."""
        if self.stream is None:
            return
        line = f"[{self.stage}] {text}"
        if self._bar is not None and not self.closed:
            self._bar.write(line, file=self.stream)
        else:
            self.stream.write(line + "\n")

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.close()  # a stage cut short: the bar stops where it is
            self.closed = True


def track(items: Iterable[T], stage: str, unit: str = "items", total: int | None = None,
          stream: TextIO | None = ..., weight=None) -> Iterator[T]:  # type: ignore[assignment]
    """Yield ``items``, advancing a :class:`Progress` (no log line) after each one: by ``weight(item)``
    when given (e.g. lines in a chunk), else by 1. ``total``: defaults to ``len(items)``."""
    if total is None:
        total = len(items)  # type: ignore[arg-type]
    with Progress(stage, total, unit, stream, log_done=False) as progress:
        for item in items:
            yield item
            progress.advance(weight(item) if weight is not None else 1)
