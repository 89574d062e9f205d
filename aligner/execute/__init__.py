"""Executors: where the group stages of the pipeline run, and nothing else.

:func:`run_groups` gives every group's result in job order, each as soon as it and the jobs before
it are finished; a job whose shard is stored (:mod:`aligner.shards`) is not computed again. The
``local`` engine computes in worker processes of this machine (:mod:`aligner.execute.local`), the
``ray`` engine on a Ray cluster (:mod:`aligner.execute.ray_engine`); both run the same
:func:`aligner.pipeline.process_group` and store each result as a shard, which is read back here.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable, Iterator, Sequence

from aligner.config import ENGINES
from aligner.pipeline import GroupJob, GroupResult, GroupSettings, process_group
from aligner.shards import ShardStore

from . import local
from .local import WorkerPool, encode_in_workers, texts_for_workers

__all__ = ["WorkerPool", "encode_in_workers", "run_groups", "texts_for_workers"]


def run_groups(jobs: Sequence[GroupJob], settings: GroupSettings, store: ShardStore, workers: int = 1,
               on_done: Callable[[bool], None] | None = None, engine: str = "local",
               pool: WorkerPool | None = None) -> Iterator[GroupResult]:
    """Every job's result, in job order, each as soon as it and every job before it are finished.

    A job whose shard is in ``store`` (finished by an earlier run) is not computed again. The
    others are computed and stored as shards, then read back here in job order: a group that
    finishes before its predecessors waits on disk, not in this process, so the caller holds one
    group at a time however many there are.

    ``engine="local"`` computes in ``workers`` processes of this machine (each stores its own
    shards), those of ``pool`` if given (already started there: their models are loaded);
    ``engine="ray"`` runs on a Ray cluster with a pool of ``workers`` actors that load the models
    once. ``on_done(reused)`` is called once per group: for the stored ones before the first result,
    for the others as each finishes. Arguments are checked and the store is searched when called.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    keys = [store.key(job, settings) for job in jobs]
    todo = [k for k, key in enumerate(keys) if store.load(key) is None]
    if on_done is not None:
        for _ in range(len(jobs) - len(todo)):
            on_done(True)
    if engine == "ray":
        from .ray_engine import compute_ray

        finished = compute_ray(jobs, keys, todo, settings, store, workers)
    else:
        finished = local.compute_local(jobs, keys, todo, settings, store, pool or WorkerPool(settings, workers))

    def recompute(k: int) -> GroupResult:
        result = process_group(jobs[k], settings)
        store.save(keys[k], result)
        return result

    return in_job_order(store, keys, set(todo), finished, on_done, recompute)


def in_job_order(store: ShardStore, keys: list[str], waiting: set[int], finished: Iterator[int],
                 on_done: Callable[[bool], None] | None,
                 recompute: Callable[[int], GroupResult]) -> Iterator[GroupResult]:
    """Read the shards back in job order, each once it and its predecessors are stored.

    A shard gone or damaged since it was stored (the cache deleted or edited meanwhile) is
    computed again here, with a warning, rather than ending the build.
    """
    next_up = 0
    for done in itertools.chain([None], finished):  # None: the stored groups before the first computed one
        if done is not None:
            waiting.discard(done)
            if on_done is not None:
                on_done(False)
        while next_up < len(keys) and next_up not in waiting:
            result = store.load(keys[next_up])
            if result is None:
                warnings.warn(f"group shard {store.root / keys[next_up]}.json vanished or was damaged after it "
                              "was written: aligning the group again", stacklevel=2)
                result = recompute(next_up)
            yield result
            next_up += 1
