"""A disk cache in front of any embedder: a text is sent to the model once, ever.

Layout: one folder per model under the cache directory, named after the model
and a hash of its name and version; inside it, *shards* — ``.npz`` files holding
``keys`` (sha256 digests of model name, version and text, as ``uint8 (n, 32)``)
and ``vectors`` (``float32 (n, dim)``), and ``sha256``: the digest of the model's
name and version, the keys and the vectors, checked when a process first indexes
the shard. Every ``encode`` that computes new vectors writes them as new shards
(temporary file + ``os.replace``, so a reader never sees half a shard); nothing
is ever rewritten in place, so several processes can share a cache, and deleting
any part of it (or all of it) at any time only costs recomputation. A shard that
cannot be read is skipped with a warning; one whose content does not match its
digest (edited, rows moved, another model's, written before shards had one) is
removed with a warning, and its texts are computed again.

A process keeps in memory only where each key's vector is (shard and row, ~200
bytes a text); the vectors are read through memory maps of the shards (``np.savez``
stores them uncompressed), at most a few shards mapped at a time, so its memory
does not grow with the corpus the cache has seen.
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
import threading
import time
import uuid
import warnings
import zipfile
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..fileio import atomic_writer, remove_stale_temps
from aligner.cachedir import cache_subdir

from .base import Embedder, as_text_list


_SHARD_SUFFIX = ".npz"
_HASH_BLOCK = 1 << 20  # bytes of vectors hashed at a time, so verifying a shard maps little of it at once


def default_cache_dir() -> Path:
    """``$ALIGNER_CACHE/embeddings`` if set, else ``$XDG_CACHE_HOME/aligner/embeddings`` (``~/.cache/...``)."""
    return cache_subdir("embeddings")


def cache_key(name: str, version: str, text: str) -> bytes:
    """sha256 of model name, model version and text (NUL-separated): the identity of one cached vector."""
    return hashlib.sha256(f"{name}\0{version}\0{text}".encode("utf-8", "surrogatepass")).digest()


def _shard_vectors(path: Path) -> np.ndarray:
    """The ``vectors`` array of a shard: memory-mapped where stored uncompressed (as ``np.savez`` does), else read."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("vectors.npy")
        if info.compress_type != zipfile.ZIP_STORED:
            with archive.open(info) as member:
                return np.lib.format.read_array(member, allow_pickle=False)
    with open(path, "rb") as handle:
        handle.seek(info.header_offset)
        local = handle.read(30)  # the member's local header: its data follows the name and extra field
        if len(local) != 30 or local[:4] != b"PK\x03\x04":
            raise ValueError("bad zip member header")
        name_length, extra_length = struct.unpack("<HH", local[26:30])
        handle.seek(info.header_offset + 30 + name_length + extra_length)
        version = np.lib.format.read_magic(handle)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(handle)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(handle)
        else:
            raise ValueError(f"unsupported .npy version {version}")
        offset = handle.tell()
    if dtype.hasobject or len(shape) != 2:
        raise ValueError(f"vectors of dtype {dtype} and shape {shape}")
    if 0 in shape:
        return np.zeros(shape, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=shape, order="F" if fortran else "C")


def update_by_rows(digest, array: np.ndarray, dtype=None) -> None:
    """Feed ``array`` (as ``dtype``) to ``digest`` a block of rows at a time, so a memory map is read a little at once."""
    row_bytes = array.itemsize * int(np.prod(array.shape[1:], dtype=np.int64))
    step = max(1, _HASH_BLOCK // max(1, row_bytes))
    for start in range(0, array.shape[0], step):
        digest.update(np.ascontiguousarray(array[start : start + step], dtype=dtype).tobytes())


def shard_digest(identity: bytes, keys: np.ndarray, vectors: np.ndarray) -> bytes:
    """sha256 of a model's identity, a shard's keys and its vectors."""
    digest = hashlib.sha256(identity)
    digest.update(np.ascontiguousarray(keys, dtype=np.uint8).tobytes())
    update_by_rows(digest, vectors, np.float32)
    return digest.digest()


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_")[:48] or "model"


class _DamagedShard(ValueError):
    """A shard file that reads but cannot be right: wrong shapes, no checksum or a checksum that does not match."""


class CachedEmbedder:
    """Wrap ``inner`` (an :class:`~aligner.embed.base.Embedder`) with a persistent vector cache.

    ``encode`` looks every text up, sends only the distinct missing ones to
    ``inner`` (which sorts them by length and batches them), stores the new
    vectors and returns all rows in input order. Counters: ``hits`` and
    ``misses`` count looked-up rows (input rows, duplicates included);
    ``calls`` and ``texts_encoded`` are the inner model's, so "no text encoded
    twice" reads ``texts_encoded == number of distinct texts ever seen``.
    ``flush_every`` bounds how many new vectors are held before a shard is
    written, so an interrupted long run keeps most of its work; ``open_shards``
    how many shards are mapped at once.
    """

    def __init__(self, inner: Embedder, cache_dir: str | Path | None = None, flush_every: int = 4096,
                 open_shards: int = 8) -> None:
        if flush_every < 1:
            raise ValueError(f"flush_every must be >= 1, got {flush_every}")
        self.inner = inner
        self.cache_dir = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
        self.flush_every = flush_every
        self.version = str(getattr(inner, "version", ""))
        self._identity = f"{inner.name}\0{self.version}".encode("utf-8", "surrogatepass")  # part of every shard's digest
        self.model_dir = self.cache_dir / f"{_slug(inner.name)}-{hashlib.sha256(self._identity).hexdigest()[:16]}"
        remove_stale_temps(self.model_dir)
        self._where: dict[bytes, tuple[str, int]] = {}  # key -> (shard file name, row)
        self._seen_shards: set[str] = set()
        # The shards' vectors, mapped, the most recently read last; a page read through a map
        # counts in the process's memory while the map is open, hence the bound.
        self._maps: OrderedDict[str, np.ndarray] = OrderedDict()
        self.open_shards = open_shards
        self._lock = threading.RLock()
        self.hits = 0
        self.misses = 0
        self.shards_written = 0

    # -- the Embedder interface ---------------------------------------------
    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dim(self) -> int:
        return self.inner.dim

    @property
    def calls(self) -> int:
        return int(getattr(self.inner, "calls", 0))

    @property
    def texts_encoded(self) -> int:
        return int(getattr(self.inner, "texts_encoded", 0))

    def key(self, text: str) -> bytes:
        return cache_key(self.inner.name, self.version, text)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        items = as_text_list(texts)
        dim = self.dim
        out = np.zeros((len(items), dim), dtype=np.float32)
        if not items:
            return out
        keys = [self.key(text) for text in items]
        with self._lock:
            missing = self._still_missing(keys, items)
            missing_rows = sum(1 for k in keys if k in missing)
            self.misses += missing_rows
            self.hits += len(keys) - missing_rows
            fresh = self._encode_and_store(missing)
            lost = self._fill(out, keys, fresh)
            if lost:  # shards deleted since they were indexed: computed again
                text_of = dict(zip(keys, items))
                fresh = self._encode_and_store({k: text_of[k] for k in lost})
                self._fill(out, keys, fresh)
        return out

    def _encode_and_store(self, missing: dict[bytes, str]) -> dict[bytes, np.ndarray]:
        """Encode the missing texts (key -> text), write them as shards; their vectors by key."""
        fresh: dict[bytes, np.ndarray] = {}
        # longest first across chunks too, so each chunk holds similar lengths
        pending = sorted(missing.items(), key=lambda item: len(item[1]), reverse=True)
        for start in range(0, len(pending), self.flush_every):
            chunk = pending[start : start + self.flush_every]
            vectors = np.asarray(self.inner.encode([text for _, text in chunk]), dtype=np.float32)
            if vectors.shape != (len(chunk), self.dim):
                raise RuntimeError(f"{self.name}: encode returned {vectors.shape}, expected {(len(chunk), self.dim)}")
            chunk_keys = [k for k, _ in chunk]
            self._write_shard(chunk_keys, vectors)
            fresh.update(zip(chunk_keys, vectors))
        return fresh

    def _fill(self, out: np.ndarray, keys: list[bytes], fresh: dict[bytes, np.ndarray]) -> set[bytes]:
        """Copy each key's vector into its row of ``out``; the keys whose shard could not be read."""
        by_shard: dict[str, tuple[list[int], list[int]]] = {}
        for row, k in enumerate(keys):
            if k in fresh:
                out[row] = fresh[k]
            else:
                shard, at = self._where[k]
                rows, ats = by_shard.setdefault(shard, ([], []))
                rows.append(row)
                ats.append(at)
        lost: set[bytes] = set()
        for shard, (rows, ats) in by_shard.items():
            vectors = self._vectors(shard)
            if vectors is None:
                lost.update(keys[row] for row in rows)
            else:
                out[rows] = vectors[ats]
        return lost

    def _vectors(self, shard: str) -> np.ndarray | None:
        """A shard's vectors (mapped); None, and its keys forgotten, if it cannot be read any more."""
        if shard not in self._maps:
            try:
                self._maps[shard] = _shard_vectors(self.model_dir / shard)
            except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
                if not isinstance(exc, FileNotFoundError):
                    warnings.warn(f"embedding cache: skipping unreadable shard {self.model_dir / shard}: {exc}",
                                  stacklevel=4)
                self._where = {k: w for k, w in self._where.items() if w[0] != shard}
                return None
            while len(self._maps) > self.open_shards:
                self._maps.popitem(last=False)  # rows handed out are copies: nothing else holds the map
        self._maps.move_to_end(shard)
        return self._maps[shard]

    # -- cache management ---------------------------------------------------
    def missing(self, texts: Sequence[str]) -> list[str]:
        """The distinct texts with no cached vector (in memory or on disk), in first-seen order.

        Lets a caller have them encoded elsewhere (the build's workers) without loading the model here.
        """
        items = as_text_list(texts)
        keys = [self.key(text) for text in items]
        with self._lock:
            return list(self._still_missing(keys, items).values())

    def __len__(self) -> int:
        """Vectors currently known to this instance (after the last refresh)."""
        return len(self._where)

    def _still_missing(self, keys: list[bytes], items: list[str]) -> dict[bytes, str]:
        """``_missing`` after reading the shards written since the last look, if anything was missing."""
        if self._missing(keys, items):
            self._refresh()  # another process (or instance) may have written them meanwhile
        return self._missing(keys, items)

    def _missing(self, keys: list[bytes], items: list[str]) -> dict[bytes, str]:
        missing: dict[bytes, str] = {}
        for k, text in zip(keys, items):
            if k not in self._where and k not in missing:
                missing[k] = text
        return missing

    def _refresh(self) -> None:
        """Index the shards written since the last look (by anyone): where each key's vector is."""
        try:
            names = sorted(p.name for p in self.model_dir.iterdir() if p.name.endswith(_SHARD_SUFFIX))
        except FileNotFoundError:
            return
        removed: list[str] = []
        for shard in names:
            if shard in self._seen_shards:
                continue
            self._seen_shards.add(shard)
            path = self.model_dir / shard
            try:
                keys = self._verified_keys(path)
            except FileNotFoundError:  # deleted between listing and reading: fine
                continue
            except _DamagedShard as exc:
                removed.append(f"{path}: {exc}")
                path.unlink(missing_ok=True)  # nothing else will ever read it; a reader that mapped it keeps its map
                continue
            except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
                warnings.warn(f"embedding cache: skipping unreadable shard {path}: {exc}", stacklevel=3)
                continue
            for row, raw in enumerate(keys):
                self._where.setdefault(raw.tobytes(), (shard, row))
        if removed:
            more = f" (and {len(removed) - 3} more)" if len(removed) > 3 else ""
            warnings.warn(f"embedding cache: removed {len(removed)} damaged or outdated shard(s), their texts are "
                          f"computed again: {'; '.join(removed[:3])}{more}", stacklevel=3)

    def _verified_keys(self, path: Path) -> np.ndarray:
        """The keys of a shard whose shapes and digest are right; :class:`_DamagedShard` if they are not."""
        try:
            with np.load(path, allow_pickle=False) as data:
                keys = np.asarray(data["keys"])
                stored = np.asarray(data["sha256"]) if "sha256" in data.files else None
            vectors = _shard_vectors(path)
        except (ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            raise _DamagedShard(f"unreadable shard ({exc})") from None
        if keys.ndim != 2 or keys.shape[1] != 32 or vectors.shape != (keys.shape[0], self.dim):
            raise _DamagedShard(f"keys {keys.shape} do not fit vectors {vectors.shape} of dimension {self.dim}")
        if stored is None:
            raise _DamagedShard("no checksum (written by an older aligner)")
        if stored.tobytes() != shard_digest(self._identity, keys, vectors):
            raise _DamagedShard("content does not match its checksum (changed since written, or another model's)")
        return keys

    def _write_shard(self, keys: list[bytes], vectors: np.ndarray) -> None:
        """Persist new vectors as one shard, atomically; a failure to write only costs the cache."""
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{uuid.uuid4().hex[:12]}{_SHARD_SUFFIX}"
        key_array = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), 32)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        digest = np.frombuffer(shard_digest(self._identity, key_array, vectors), dtype=np.uint8)
        try:
            with atomic_writer(self.model_dir / name, "wb") as handle:
                np.savez(handle, keys=key_array, vectors=vectors, sha256=digest)
        except OSError as exc:
            warnings.warn(f"embedding cache: could not write {self.model_dir / name}: {exc}", stacklevel=3)
            return
        self._seen_shards.add(name)
        for row, k in enumerate(keys):
            self._where[k] = (name, row)
        self.shards_written += 1

    def __repr__(self) -> str:
        return f"<CachedEmbedder {self.inner!r} at {self.model_dir}>"
