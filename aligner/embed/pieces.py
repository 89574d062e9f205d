"""What word alignment needs from a model pass, kept so the model never runs twice on a text.

A transformer pass over a text yields, besides the sentence vector, one vector per subword piece.
:class:`PieceVectors` keeps the pieces of one layer with their character spans in the text, so the
word vectors of *any* tokenization of that text (or of a text joined from several) can be made
later without the model (:meth:`PieceVectors.word_vectors`).

:class:`PieceStore` holds them by text hash: in memory for the texts of the current call, and on
disk as shards shared by every process (like the sentence-vector cache, :mod:`aligner.embed.cache`).
A shard is three files: ``<id>.vec.npy`` (float16 piece vectors, all texts stacked),
``<id>.spans.npy`` (int32 spans) and ``<id>.idx.npz`` (text keys and where each text's rows start),
written in that order, each atomically, so a shard exists once its index does. The index carries a
sha256 of the keys, row starts, vectors and spans, checked the first time a process reads the
shard: a damaged, edited or old-format shard is deleted with a warning and its texts encoded again,
so word alignment never reads vectors other than those the model gave. Vectors are read
through memory maps: the index of every shard is in memory (40 bytes per text), the vectors are not,
so memory does not grow with the corpus. Deleting any of it only costs recomputation.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
import uuid
import warnings
import zipfile
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aligner.embed.cache import update_by_rows
from aligner.fileio import atomic_writer, remove_stale_temps


@dataclass(frozen=True)
class PieceVectors:
    """The subword pieces of one text: ``spans`` (n, 2) character offsets into the text, ``vectors`` (n, dim)."""

    spans: np.ndarray
    vectors: np.ndarray

    def __len__(self) -> int:
        return len(self.spans)

    @classmethod
    def join(cls, parts: Sequence[PieceVectors], texts: Sequence[str], sep: str = " ") -> PieceVectors:
        """The pieces of ``sep.join(texts)``, given the pieces of each text (each text keeps its own context)."""
        if len(parts) != len(texts):
            raise ValueError(f"{len(parts)} piece sets for {len(texts)} texts")
        if len(parts) == 1:
            return parts[0]
        shifts, pos = [], 0
        for text in texts:
            shifts.append(pos)
            pos += len(text) + len(sep)
        spans = np.concatenate([p.spans + shift for p, shift in zip(parts, shifts)]).astype(np.int32)
        return cls(spans, np.concatenate([p.vectors for p in parts]))

    def word_vectors(self, offsets: Sequence[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
        """Per token ``(start, end)``: the mean vector of the pieces overlapping it, and whether any does.

        A piece straddling two tokens (an Arabic clitic split off inside one piece) counts for both;
        a token past the model's maximum length has no piece: zero vector, ``covered`` False.
        """
        n_tokens, dim = len(offsets), self.vectors.shape[1]
        vectors = np.zeros((n_tokens, dim), dtype=np.float32)
        covered = np.zeros(n_tokens, dtype=bool)
        if not (n_tokens and len(self)):
            return vectors, covered
        starts = np.fromiter((s for s, _ in offsets), dtype=np.int64, count=n_tokens)
        ends = np.fromiter((e for _, e in offsets), dtype=np.int64, count=n_tokens)
        # tokens are sorted and disjoint: piece [a, b) overlaps those with end > a and start < b
        first = np.searchsorted(ends, self.spans[:, 0], side="right")
        last = np.searchsorted(starts, self.spans[:, 1], side="left")
        reached = int(last.max())  # tokens past the last piece (a text longer than the model reads) stay uncovered
        weights = np.zeros((reached, len(self)), dtype=np.float32)
        for p in range(len(self)):
            weights[first[p]:last[p], p] = 1.0
        covered[:reached] = weights.sum(1) > 0
        weights[covered[:reached]] /= weights[covered[:reached]].sum(1, keepdims=True)
        vectors[:reached] = weights @ np.asarray(self.vectors, dtype=np.float32)
        return vectors, covered


def _index_digest(keys: np.ndarray, starts: np.ndarray):
    """sha256 over a shard's keys and row starts, to be continued with its vectors and spans."""
    digest = hashlib.sha256(np.ascontiguousarray(keys, dtype=np.uint8).tobytes())
    digest.update(np.ascontiguousarray(starts, dtype=np.int64).tobytes())
    return digest


def _shard_digest(index, vectors: np.ndarray, spans: np.ndarray) -> bytes:
    """The checksum of a whole shard: its index digest, then its vectors and spans, read in blocks."""
    digest = index.copy()
    for array in (vectors, spans):
        update_by_rows(digest, array)
    return digest.digest()


class PieceStore:
    """Piece vectors by key: the last ``memory_items`` texts in memory, everything on disk under ``root``.

    ``root=None`` keeps only the memory part (the oldest texts are forgotten first), so it holds
    more texts by default (4,096, about 200 MB) than with a disk part (256, enough for the texts
    a group is reading while its shard is written).
    ``put`` buffers and writes a shard every ``flush_every`` texts (so the buffer stays small
    however many texts one call encodes); ``flush`` writes the rest. At most ``open_shards`` shard
    files are mapped at a time (the pages read through a map count in the process's memory).
    """

    def __init__(self, root: Path | None, memory_items: int | None = None, flush_every: int = 512,
                 open_shards: int = 4) -> None:
        self.root = Path(root) if root is not None else None
        self.open_shards = open_shards
        self.memory_items = memory_items if memory_items is not None else (256 if root is not None else 4096)
        self.flush_every = flush_every
        self._memory: OrderedDict[bytes, PieceVectors] = OrderedDict()
        self._pending: dict[bytes, PieceVectors] = {}
        self._where: dict[bytes, tuple[str, int, int]] = {}  # key -> (shard, first row, end row)
        # Open shard files, the most recently read last. Bounded: every page read through a map
        # stays in the process's resident set while the map is open, so a long run that keeps
        # every shard open grows with the corpus (1.4 GB of pieces for the 10x NTREX benchmark).
        self._maps: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._seen: set[str] = set()
        # per indexed shard: the digest of its index so far and the checksum it was written with
        self._expected: dict[str, tuple[object, bytes]] = {}
        self._verified: set[str] = set()  # shards whose vectors and spans matched their checksum
        self._lock = threading.RLock()
        if self.root is not None:
            remove_stale_temps(self.root)
        self.shards_written = 0

    def get(self, keys: Iterable[bytes]) -> dict[bytes, PieceVectors]:
        """The stored pieces of those ``keys`` that are known (memory, this process's buffer, any shard)."""
        keys = list(keys)
        with self._lock:
            if any(k not in self._memory and k not in self._where for k in keys):
                self._refresh()
            found = {}
            for k in keys:
                pieces = self._memory.get(k)
                if pieces is None and k in self._where:
                    pieces = self._read(*self._where[k])
                if pieces is not None:
                    found[k] = pieces
            return found

    def put(self, key: bytes, pieces: PieceVectors) -> None:
        with self._lock:
            self._remember(key, pieces)
            if self.root is not None:
                self._pending[key] = pieces
                if len(self._pending) >= self.flush_every:
                    self.flush()

    def flush(self) -> None:
        """Write the buffered pieces as one shard (a failure to write only costs the cache)."""
        with self._lock:
            if not self._pending or self.root is None:
                self._pending.clear()
                return
            keys = list(self._pending)
            parts = [self._pending[k] for k in keys]
            self._pending.clear()
            name = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{uuid.uuid4().hex[:12]}"
            starts = np.zeros(len(parts) + 1, dtype=np.int64)
            starts[1:] = np.cumsum([len(p) for p in parts])
            key_array = np.frombuffer(b"".join(keys), np.uint8).reshape(len(keys), 32)
            vectors = np.ascontiguousarray(np.concatenate([p.vectors for p in parts]), dtype=np.float16)
            spans = np.ascontiguousarray(np.concatenate([p.spans for p in parts]), dtype=np.int32)
            digest = _shard_digest(_index_digest(key_array, starts), vectors, spans)
            try:
                with atomic_writer(self.root / f"{name}.vec.npy", "wb") as handle:
                    np.save(handle, vectors)
                with atomic_writer(self.root / f"{name}.spans.npy", "wb") as handle:
                    np.save(handle, spans)
                # the index last: a shard is indexed only once its three files are whole
                with atomic_writer(self.root / f"{name}.idx.npz", "wb") as handle:
                    np.savez(handle, keys=key_array, starts=starts, sha256=np.frombuffer(digest, np.uint8))
            except OSError as exc:
                warnings.warn(f"piece cache: could not write shard {self.root / name}: {exc}", stacklevel=2)
                return
            self._seen.add(name)
            self._verified.add(name)  # written from these very arrays
            for k, first, end in zip(keys, starts[:-1], starts[1:]):
                self._where[k] = (name, int(first), int(end))
            self.shards_written += 1

    def _remember(self, key: bytes, pieces: PieceVectors) -> None:
        self._memory[key] = pieces
        self._memory.move_to_end(key)
        while len(self._memory) > self.memory_items:
            self._memory.popitem(last=False)

    def _read(self, shard: str, first: int, end: int) -> PieceVectors | None:
        if shard not in self._maps:
            try:
                maps = (np.load(self.root / f"{shard}.vec.npy", mmap_mode="r"),
                        np.load(self.root / f"{shard}.spans.npy", mmap_mode="r"))
            except (OSError, ValueError) as exc:  # unreadable now: its texts are encoded again, the files left
                warnings.warn(f"piece cache: skipping unreadable shard {self.root / shard}: {exc}", stacklevel=3)
                self._forget(shard)
                return None
            if shard not in self._verified:
                index, stored = self._expected[shard]
                if _shard_digest(index, *maps) != stored:
                    self._drop(shard, f"removing shard {self.root / shard}: checksum mismatch, the vectors or "
                                      "spans are not those it was written with")
                    return None
                self._verified.add(shard)
            self._maps[shard] = maps
            while len(self._maps) > self.open_shards:
                self._maps.popitem(last=False)  # the rows handed out are copies: nothing else holds the map
        self._maps.move_to_end(shard)
        vectors, spans = self._maps[shard]
        return PieceVectors(np.array(spans[first:end]), np.array(vectors[first:end]))

    def _forget(self, shard: str) -> None:
        """Forget a shard's keys: their texts are encoded again."""
        self._where = {k: w for k, w in self._where.items() if w[0] != shard}

    def _drop(self, shard: str, problem: str) -> None:
        """Forget a damaged shard's keys and delete its files, with a warning."""
        warnings.warn(f"piece cache: {problem}", stacklevel=4)
        self._forget(shard)
        for suffix in (".vec.npy", ".spans.npy", ".idx.npz"):
            (self.root / f"{shard}{suffix}").unlink(missing_ok=True)

    def _refresh(self) -> None:
        """Index the shards written since the last look (by any process)."""
        if self.root is None:
            return
        try:
            names = sorted(p.name[: -len(".idx.npz")] for p in self.root.iterdir() if p.name.endswith(".idx.npz"))
        except FileNotFoundError:
            return
        for name in names:
            if name in self._seen:
                continue
            self._seen.add(name)
            try:
                with np.load(self.root / f"{name}.idx.npz", allow_pickle=False) as data:
                    keys, starts = np.asarray(data["keys"]), np.asarray(data["starts"])
                    stored = np.asarray(data["sha256"]).tobytes() if "sha256" in data.files else None
            except FileNotFoundError:
                continue
            except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
                warnings.warn(f"piece cache: skipping unreadable shard {self.root / name}: {exc}", stacklevel=3)
                continue
            if keys.ndim != 2 or keys.shape[1] != 32 or starts.shape != (len(keys) + 1,) or stored is None:
                self._drop(name, f"removing shard {self.root / name} without a valid index and checksum "
                                 "(damaged, or written by an older version)")
                continue
            self._expected[name] = (_index_digest(keys, starts), stored)
            for raw, first, end in zip(keys, starts[:-1], starts[1:]):
                self._where.setdefault(raw.tobytes(), (name, int(first), int(end)))
