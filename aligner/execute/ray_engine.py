"""The Ray engine: the group stages on a Ray cluster (the connected one, else a local instance).

``ray.data`` feeds one pickled job per batch to a pool of actors that load the models once; each
result comes back in the shard codec (:mod:`aligner.codec`) and is stored here, as it arrives (the
cluster may not see this disk). ``pip install 'ray[data]'``; measured in docs/benchmarks.md.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
from collections.abc import Iterator, Sequence
from dataclasses import replace

from aligner.codec import result_from_json, result_to_json
from aligner.pipeline import GroupJob, GroupSettings, group_models, process_group
from aligner.shards import ShardStore

from .local import largest_first


def compute_ray(jobs: Sequence[GroupJob], keys: list[str], todo: list[int], settings: GroupSettings,
                store: ShardStore, workers: int) -> Iterator[int]:
    """As :func:`aligner.execute.local.compute_local`, on Ray; yields each index once its shard is stored."""
    if not todo:
        return
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    import ray
    import ray.data

    cores = len(os.sched_getaffinity(0))
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(num_cpus=max(cores, 2), include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.enable_operator_progress_bars = False
    logging.getLogger("ray.data").setLevel(logging.ERROR)
    try:
        total = int(ray.cluster_resources().get("CPU", cores))
        # An actor pool holding every CPU starves ray.data's read tasks: leave one free.
        actors = max(1, min(workers, total - 1))
        per_actor = replace(settings, threads=settings.threads or max(1, (total - 1) // actors))
        items = [{"index": k, "job": pickle.dumps(jobs[k])} for k in largest_first(jobs, todo)]
        dataset = ray.data.from_items(items).map_batches(
            _RayGroupWorker, fn_constructor_args=(per_actor,), batch_size=1, concurrency=actors, num_cpus=1)
        for row in dataset.iter_rows():
            k = int(row["index"])
            store.save(keys[k], result_from_json(json.loads(row["result"])))
            yield k
    finally:
        if started_here:
            ray.shutdown()


class _RayGroupWorker:
    """A Ray actor: loads the models once, then processes one pickled group per batch."""

    def __init__(self, settings: GroupSettings) -> None:
        self.settings = settings
        group_models(settings)

    def __call__(self, batch: dict) -> dict:
        import numpy as np

        # ASCII JSON: a lone surrogate of a damaged input travels escaped, as Arrow wants valid UTF-8
        results = [json.dumps(result_to_json(process_group(pickle.loads(job), self.settings)))
                   for job in batch["job"]]
        return {"index": np.asarray(batch["index"]), "result": np.array(results, dtype=object)}
