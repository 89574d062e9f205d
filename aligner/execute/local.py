"""The local engine: worker processes of this machine, each loading its models once.

The same workers serve the encoding before document alignment (:func:`encode_in_workers`) and
then the groups (:func:`compute_local`), so no model is loaded twice and the build process need
not load one at all.
"""

from __future__ import annotations

import ctypes
import functools
import math
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import replace
from multiprocessing import get_context

from aligner.embed import CachedEmbedder, primary_part
from aligner.pipeline import GroupJob, GroupSettings, group_models, process_group
from aligner.shards import ShardStore


def _process_to_store(job: GroupJob, settings: GroupSettings, store: ShardStore, key: str) -> None:
    """A worker's task: the group's result goes to its shard, so nothing but completion comes back."""
    store.save(key, process_group(job, settings))
    release_free_memory()


def release_free_memory() -> None:
    """Give the C heap's free pages back to the system (glibc only; elsewhere nothing happens).

    The model's buffers change size with every batch, and the freed blocks otherwise stay in the
    process: a worker's resident set grew with the number of groups it had run.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.lru_cache(maxsize=1)
def _malloc_trim():
    """glibc's ``malloc_trim``, looked up once per process (None where the C library has none)."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None


def compute_local(jobs: Sequence[GroupJob], keys: list[str], todo: list[int], settings: GroupSettings,
                  store: ShardStore, pool: WorkerPool) -> Iterator[int]:
    """Compute and store the ``todo`` jobs; yields each index once its shard is stored, in completion order.

    One job, or one worker, runs in this process, unless ``pool``'s workers have started (their
    models are loaded, this process may have none).
    """
    if not pool.started and (pool.workers <= 1 or len(todo) <= 1):
        for k in todo:
            _process_to_store(jobs[k], settings, store, keys[k])
            yield k
        return
    with pool.borrowed():
        futures = {pool.submit(_process_to_store, jobs[k], pool.settings, store, keys[k]): k
                   for k in largest_first(jobs, todo)}
        try:
            for future in as_completed(futures):
                future.result()
                yield futures[future]
        finally:  # stopped early (an error, Ctrl-C): do not wait for the jobs not started
            for future in futures:
                future.cancel()


def largest_first(jobs: Sequence[GroupJob], todo: list[int]) -> list[int]:
    """The jobs to submit, longest texts first: the last group to finish is then a short one.

    A group's time grows with its text, and the workers take jobs in submission order; with
    the longest last, one worker would run it alone while the others wait.
    """
    return sorted(todo, key=lambda k: -sum(len(segment.text) for segment in jobs[k].segments))


class WorkerPool:
    """The worker processes of one build, started on first use and kept until closed.

    Each worker loads its models once (threads: the cores shared out, so they are not
    oversubscribed) and serves every task of the build.
    """

    def __init__(self, settings: GroupSettings, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        cores = len(os.sched_getaffinity(0))
        self.settings = replace(settings, threads=settings.threads or max(1, cores // workers))
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None
        self._owners = 0

    @property
    def started(self) -> bool:
        return self._executor is not None

    def submit(self, task: Callable, *args) -> Future:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=get_context("spawn"))
        return self._executor.submit(task, *args)

    @contextmanager
    def borrowed(self) -> Iterator[WorkerPool]:
        """Use the pool for a while; a pool nobody else holds (``with pool:``) is closed at the end."""
        self._owners += 1
        try:
            yield self
        finally:
            self._owners -= 1
            if not self._owners:
                self.close()

    def close(self) -> None:
        """Stop the workers; tasks not started are cancelled, a running one is waited for."""
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)
            self._executor = None

    def __enter__(self) -> WorkerPool:
        self._owners += 1
        return self

    def __exit__(self, *exc_info) -> None:
        self._owners -= 1
        self.close()


def texts_for_workers(pool: WorkerPool, embedder, texts: Sequence[str], min_per_worker: int) -> list[str]:
    """The distinct ``texts`` that ``embedder``'s primary part has not cached, if worth encoding in ``pool``.

    None when there are fewer than ``min_per_worker`` per worker (fewer take less time to encode in
    the build process than the workers take to load their models), when the pool has one worker or
    the part has no disk cache (the workers' vectors could not reach this process).
    """
    part = primary_part(embedder)
    missing = part.missing(texts) if isinstance(part, CachedEmbedder) else []
    return missing if pool.workers > 1 and len(missing) >= min_per_worker * pool.workers else []


def encode_in_workers(pool: WorkerPool, texts: Sequence[str], max_per_task: int,
                      on_done: Callable[[int], None] | None = None) -> None:
    """Encode ``texts`` in the workers with their embedder's primary part (e5 of ``e5+use``).

    The vectors go to the disk cache (and e5's word-layer pieces to the piece store), where
    document alignment in this process and the groups in the workers read them: this process
    then loads no model, and the model runs as one single-threaded process per core, which reads
    ~20% more texts per second than one process with two threads on this machine
    (docs/benchmarks.md). Tasks hold at most ``max_per_task`` texts (one cache shard each), the
    longest first, so the last tasks are short and the workers finish together. ``on_done(n)``
    after each task of ``n`` texts.
    """
    ordered = sorted(texts, key=len, reverse=True)
    size = max(1, min(max_per_task, math.ceil(len(ordered) / (8 * pool.workers))))
    with pool.borrowed():
        futures = {pool.submit(_encode_to_cache, ordered[start:start + size], pool.settings): start
                   for start in range(0, len(ordered), size)}
        try:
            for future in as_completed(futures):
                future.result()
                if on_done is not None:
                    on_done(min(size, len(ordered) - futures[future]))
        finally:
            for future in futures:
                future.cancel()


def _encode_to_cache(texts: list[str], settings: GroupSettings) -> None:
    """A worker's task: the texts' vectors go to the disk cache of its embedder's primary part."""
    embedder, _ = group_models(settings)
    primary_part(embedder).encode(texts)
    release_free_memory()
