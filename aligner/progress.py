"""Progress on stderr: a tqdm bar with rate and ETA when stderr is a terminal, quiet otherwise.

:class:`Progress` counts the items of one stage (``advance``). On a terminal it draws a tqdm bar
(``[stage]  40%|████      | 2/5 files [00:01, ETA 00:02, 1.9 files/s]``) that ends, when the stage is
done, as one finished line. When the stream is not a terminal (a pipe, a file, a ``StringIO``) there is
no bar, no rate and no ETA: a stage made with ``log_done=True`` (the build's stages, whose log says
what each did) writes one plain line when it is done, ``[stage] 5/5 files``; otherwise nothing is
written. :func:`track` wraps an iterable the same way, quiet when not on a terminal.

Two helpers put a bar on work that happens inside one call: :func:`encode_in_chunks` encodes a
list of texts a chunk at a time (an embedder's ``encode`` is one call otherwise), and
:class:`CountedFiles` is a dict of written files that advances a bar as files are added to it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, TextIO, TypeVar

from tqdm import tqdm

if TYPE_CHECKING:
    import numpy as np

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


#: Distinct texts per :func:`encode_in_chunks` call of ``encode``: a multiple of every embedder's batch
#: size (16, 32, 64, 256), so the model sees the same batches as with one call on a cold cache.
ENCODE_CHUNK = 256


def encode_in_chunks(embedder, texts: list[str], progress: Progress | None = None,
                     chunk: int = ENCODE_CHUNK) -> np.ndarray:
    """``embedder.encode(texts)``, the distinct texts encoded ``chunk`` at a time, longest first (the order
    the embedders batch them in), advancing ``progress`` by each chunk's distinct texts."""
    import numpy as np

    distinct = sorted(dict.fromkeys(texts), key=len, reverse=True)
    if not distinct:
        return np.asarray(embedder.encode([]), dtype=np.float32)
    row_of: dict[str, np.ndarray] = {}
    for start in range(0, len(distinct), chunk):
        part = distinct[start:start + chunk]
        row_of.update(zip(part, np.asarray(embedder.encode(part), dtype=np.float32)))
        if progress is not None:
            progress.advance(len(part))
    return np.stack([row_of[text] for text in texts])


class EncodedAhead:
    """``embedder`` with the vectors of some texts computed ahead (with a bar, :func:`encode_in_chunks`):
    ``encode`` answers those from memory and sends any other text to ``embedder``; every other
    attribute (``dim``, ``parts``, ``encode_groups``, ...) is ``embedder``'s."""

    def __init__(self, embedder, texts: list[str], progress: Progress | None = None) -> None:
        self.embedded = embedder
        self._known = dict(zip(texts, encode_in_chunks(embedder, texts, progress))) if texts else {}

    def encode(self, texts) -> np.ndarray:
        import numpy as np

        texts = list(texts)
        missing = [text for text in dict.fromkeys(texts) if text not in self._known]
        fresh = dict(zip(missing, np.asarray(self.embedded.encode(missing), dtype=np.float32))) if missing else {}
        if not texts:
            return np.zeros((0, self.embedded.dim), dtype=np.float32)
        return np.stack([self._known[text] if text in self._known else fresh[text] for text in texts])

    def __getattr__(self, name: str):
        return getattr(self.embedded, name)


class CountedFiles(dict):
    """The files an export wrote (path -> report), advancing ``progress`` by one for each new path."""

    def __init__(self, progress: Progress) -> None:
        super().__init__()
        self.progress = progress

    def __setitem__(self, key, value) -> None:
        new = key not in self
        super().__setitem__(key, value)
        if new:
            self.progress.advance()

    def update(self, other=(), **more) -> None:  # type: ignore[override]
        for key, value in dict(other, **more).items():
            self[key] = value
