"""The embedder interface and the plumbing every concrete embedder shares.

An embedder turns sentences into L2-normalised float32 rows, so that the cosine
similarity of two sentences is the dot product of their rows. Concrete embedders
only implement :meth:`BaseEmbedder._load` (called once, lazily, on the first
non-empty :meth:`~BaseEmbedder.encode`) and :meth:`BaseEmbedder._encode_batch`;
the base class deduplicates the input, sorts it by length, cuts it into batches,
normalises the rows, puts them back in input order and counts the work done.
"""

from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

#: Environment variable overriding the number of threads a model may use.
THREADS_ENV = "ALIGNER_THREADS"

#: Characters of a text a model is given. e5 reads at most 512 pieces of at most 16 characters
#: (8,192), so it never sees the rest; USE reads every token, and one 5 MB line cost it 14 GB.
MAX_MODEL_CHARS = 8192


@runtime_checkable
class Embedder(Protocol):
    """What the rest of the pipeline relies on.

    ``encode`` returns a float32 array of shape ``(len(texts), dim)`` whose rows
    are L2-normalised (an empty input gives shape ``(0, dim)``), in input order.
    """

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def default_threads() -> int:
    """Threads a model should use: ``$ALIGNER_THREADS`` if set, else the cores this process may run on."""
    env = os.environ.get(THREADS_ENV, "").strip()
    if env:
        try:
            value = int(env)
        except ValueError as exc:
            raise ValueError(f"{THREADS_ENV} must be a positive integer, got {env!r}") from exc
        if value < 1:
            raise ValueError(f"{THREADS_ENV} must be a positive integer, got {env!r}")
        return value
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def l2_normalise(matrix: np.ndarray) -> np.ndarray:
    """Return ``matrix`` as C-contiguous float32 with unit-length rows (all-zero rows stay zero)."""
    out = np.array(matrix, dtype=np.float32, copy=True, order="C")
    if out.ndim != 2:
        raise ValueError(f"expected a 2-D array of embeddings, got shape {out.shape}")
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out


def model_text(text: str, max_chars: int = MAX_MODEL_CHARS) -> str:
    """The part of ``text`` a model is given: all of it, or its first ``max_chars`` characters cut after
    the last space among them (hard if the second half has none). The caller keeps the whole text."""
    if len(text) <= max_chars:
        return text
    cut = max(text.rfind(" ", max_chars // 2, max_chars + 1), text.rfind("\n", max_chars // 2, max_chars + 1))
    return text[: cut if cut > 0 else max_chars]


def as_text_list(texts: Sequence[str]) -> list[str]:
    """Validate ``texts``: a sequence of ``str`` (a lone ``str`` is refused, it is almost always a bug)."""
    if isinstance(texts, str):
        raise TypeError("encode() takes a sequence of strings, not a single str; wrap it in a list")
    items = list(texts)
    for i, text in enumerate(items):
        if not isinstance(text, str):
            raise TypeError(f"texts[{i}] is {type(text).__name__}, expected str")
    return items


class BaseEmbedder(ABC):
    """Shared behaviour: lazy one-time loading, dedup + length-sorted batching, normalisation, counters.

    Counters (read them, don't write them):

    * ``loads`` — how many times the model was loaded (0 before the first encode, then 1).
    * ``calls`` — batches sent to the model.
    * ``texts_encoded`` — texts sent to the model, after deduplication.
    """

    #: Short stable identifier, part of the cache key.
    name: str = "base"
    #: Version of the model/code, part of the cache key: change it and cached vectors are ignored.
    version: str = "0"
    #: Dimension of the output rows.
    dim: int = 0
    #: Maximum texts per model call.
    batch_size: int = 64

    def __init__(self, batch_size: int | None = None) -> None:
        if batch_size is not None:
            if batch_size < 1:
                raise ValueError(f"batch_size must be >= 1, got {batch_size}")
            self.batch_size = batch_size
        self._load_lock = threading.Lock()
        self._loaded = False
        self.loads = 0
        self.calls = 0
        self.texts_encoded = 0

    # -- to implement -------------------------------------------------------
    def _load(self) -> None:
        """Load the model (import heavy packages here, never at module import)."""

    @abstractmethod
    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        """Embed one batch of distinct texts; rows need not be normalised yet."""

    # -- shared -------------------------------------------------------------
    @property
    def loaded(self) -> bool:
        return self._loaded

    def ensure_loaded(self) -> None:
        """Load the model now if it is not loaded yet (thread-safe, at most once)."""
        if self._loaded:
            return
        with self._load_lock:
            if not self._loaded:
                self._load()
                self._loaded = True
                self.loads += 1

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        items = as_text_list(texts)
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        if not items:
            return out
        self.ensure_loaded()
        # Deduplicate, keeping for each distinct text the rows it must fill.
        rows_of: dict[str, list[int]] = {}
        for row, text in enumerate(items):
            rows_of.setdefault(text, []).append(row)
        unique = list(rows_of)
        # Longest first: similar lengths share a batch (less padding) and the
        # slowest batch comes first, so a too-long input fails early.
        unique.sort(key=len, reverse=True)
        for start in range(0, len(unique), self.batch_size):
            batch = unique[start : start + self.batch_size]
            vectors = np.asarray(self._encode_batch(batch), dtype=np.float32)
            if vectors.shape != (len(batch), self.dim):
                raise RuntimeError(
                    f"{self.name}: model returned shape {vectors.shape}, expected {(len(batch), self.dim)}"
                )
            self.calls += 1
            self.texts_encoded += len(batch)
            vectors = l2_normalise(vectors)
            for text, vector in zip(batch, vectors):
                out[rows_of[text]] = vector
        return out

    def __repr__(self) -> str:
        state = "loaded" if self._loaded else "not loaded"
        return f"<{type(self).__name__} {self.name} dim={self.dim} ({state})>"
