"""The per-group part of the build: sentence alignment, word alignment and scores of one document group.

Document groups are independent, so they run in worker processes (``--workers N``), each loading
its models once; every finished group is stored as a shard in the cache (a JSON file written
atomically, its existence the completion marker), keyed by the group's segments, every option
that shapes the result and a fingerprint of the toolkit's code and data files. A rerun after a
crash, or a rebuild of an unchanged group, loads the shard instead of recomputing it. The build
reads the shards back one at a time, in job order, as they are finished (:func:`run_groups`), so
its memory does not grow with the number of groups.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import itertools
import json
import logging
import math
import os
import pickle
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from multiprocessing import get_context
from pathlib import Path

from aligner import __version__
from aligner.cachedir import cache_subdir
from aligner.embed import CachedEmbedder, primary_part
from aligner.fileio import remove_stale_temps, write_text_atomic
from aligner.model import AlignedTuple, DocumentGroup, Segment
from aligner.score.selection import keep_scores, tuple_kept
from aligner.wordalign.corpus import PairWords

Words = dict[tuple[str, str], PairWords]


@dataclass(frozen=True)
class GroupSettings:
    """Everything a worker needs to process any group (picklable; models are built from it once per process)."""

    languages: tuple[str, ...]
    embedder: str
    cache_dir: Path | None
    word_model: str | None
    threads: int | None = None


@dataclass(frozen=True)
class GroupJob:
    group: DocumentGroup
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class GroupResult:
    tuples: list[AlignedTuple]
    words: list[Words]


_MODELS: dict[GroupSettings, tuple] = {}


def _models(settings: GroupSettings, embedder=None):
    """The embedder and word aligner of this process, built on first use (``embedder``: one already loaded).

    When the sentence embedder is the word model (``e5``, alone or as ``e5+use``'s part, with no ``--word-model``),
    the word aligner reads the piece vectors of the same encoder pass: one model run per text.
    """
    if settings not in _MODELS:
        from aligner.embed import get_embedder
        from aligner.wordalign import word_aligner_for

        if embedder is None:
            embedder = get_embedder(settings.embedder, cache_dir=settings.cache_dir, threads=settings.threads)
        _MODELS[settings] = (embedder, word_aligner_for(embedder, settings.embedder, settings.word_model,
                                                        settings.cache_dir, settings.threads))
    return _MODELS[settings]


def adopt_embedder(settings: GroupSettings, embedder) -> None:
    """Groups run in this process use ``embedder`` (the one document alignment loaded): one model in memory, not two."""
    _models(settings, embedder)


def process_group(job: GroupJob, settings: GroupSettings) -> GroupResult:
    """One group's documents: tuples (sentence alignment, refined with word links) and their scores."""
    from aligner.score import score_tuples
    from aligner.sentalign import align_corpus
    from aligner.refine import refine_tuples

    embedder, word_aligner = _models(settings)
    aligned = align_corpus([job.group], list(job.segments), embedder, settings.languages)
    tuples, words = refine_tuples(aligned, settings.languages, word_aligner)
    # the quality model is calibrated on e5 vectors: an ensemble (e5+use) is scored with its e5 part
    scorer = primary_part(embedder)
    # the margin's neighbours: every sentence vector of the group, as sentence alignment embedded them
    contexts = {side.lang: side.vectors if scorer is embedder else scorer.encode(side.texts)
                for group in aligned for side in group.alignment.sides}
    scores = score_tuples(
        [t.texts for t in tuples], scorer,
        consistency=[t.scores.get("consistency") for t in tuples],
        word_coverage=[{f"{a}-{b}": (w.src_coverage, w.tgt_coverage) for (a, b), w in pairs.items()}
                       for pairs in words],
        languages=settings.languages, contexts=contexts)
    return GroupResult([replace(t, scores={**t.scores, **s}) for t, s in zip(tuples, scores)], words)


def with_keep(item: AlignedTuple, min_quality: float) -> AlignedTuple:
    """``item`` with each pair's ``<pair>.keep`` and the tuple's ``keep`` (:mod:`aligner.score.selection`)."""
    scores = keep_scores(item.scores, min_quality)
    return replace(item, scores=scores, keep=tuple_kept(scores, len(item.languages), min_quality))


class ShardStore:
    """Finished groups on disk: ``<root>/<key>.json``, written atomically (present = complete).

    A shard holds ``{"key": ..., "sha256": ..., "result": ...}``: the key it was made for and the
    digest of its result, both checked on load, so a shard that was edited, damaged, copied under
    another key's name or written before shards carried them is computed again, never trusted.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        remove_stale_temps(self.root)

    @staticmethod
    def key(job: GroupJob, settings: GroupSettings) -> str:
        digest = hashlib.sha256()
        fields = (_code_fingerprint(), settings.languages, settings.embedder, settings.word_model,
                  job.group.group_id)
        digest.update(json.dumps(fields, default=str).encode())
        for segment in job.segments:
            digest.update(f"\0{segment.segment_id}\0{segment.lang}\0{segment.text}".encode("utf-8", "surrogatepass"))
        return digest.hexdigest()[:32]

    def load(self, key: str) -> GroupResult | None:
        """The stored result of ``key``; None if there is none, or, with a warning, if its shard cannot be trusted."""
        path = self.root / f"{key}.json"
        try:
            return _verified_result(json.loads(path.read_text(encoding="utf-8")), key)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, UnicodeDecodeError, KeyError, TypeError) as exc:
            warnings.warn(f"group cache: {path}: {exc}; the group is aligned again", stacklevel=2)
            return None

    def save(self, key: str, result: GroupResult) -> None:
        body = _result_to_json(result)
        shard = {"key": key, "sha256": _json_digest(body), "result": body}
        write_text_atomic(self.root / f"{key}.json", json.dumps(shard, ensure_ascii=False))


@functools.lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """The toolkit's version plus a hash of its code and data files: a changed aligner never reuses old shards."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(p for p in package.rglob("*") if p.suffix in (".py", ".json", ".dtd") and p.is_file()):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def default_shard_root(cache_dir: Path | None) -> Path:
    return Path(cache_dir) / "groups" if cache_dir is not None else cache_subdir("groups")


ENGINES = ("local", "ray")


def run_groups(jobs: Sequence[GroupJob], settings: GroupSettings, store: ShardStore, workers: int = 1,
               on_done: Callable[[bool], None] | None = None, engine: str = "local",
               pool: WorkerPool | None = None) -> Iterator[GroupResult]:
    """Every job's result, in job order, each as soon as it and every job before it are finished.

    A job whose shard is in ``store`` (finished by an earlier run) is not computed again. The
    others are computed and stored as shards, then read back here in job order: a group that
    finishes before its predecessors waits on disk, not in this process, so the caller holds one
    group at a time however many there are.

    ``engine="local"`` computes in ``workers`` processes of this machine (each stores its own
    shards), those of ``pool`` if given (already started there: their models are loaded); ``engine="ray"`` runs the same :func:`process_group` on a Ray cluster (the one this
    process is connected to, or a local one started for the call) through ``ray.data`` with a pool
    of ``workers`` actors that load the models once, and stores each result as it arrives.
    ``on_done(reused)`` is called once per group: for the stored ones before the first result, for
    the others as each finishes. Arguments are checked and the store is searched when called.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    keys = [store.key(job, settings) for job in jobs]
    todo = [k for k, key in enumerate(keys) if store.load(key) is None]
    if on_done is not None:
        for _ in range(len(jobs) - len(todo)):
            on_done(True)
    if engine == "ray":
        finished = _compute_ray(jobs, keys, todo, settings, store, workers)
    else:
        finished = _compute(jobs, keys, todo, settings, store, pool or WorkerPool(settings, workers))

    def recompute(k: int) -> GroupResult:
        result = process_group(jobs[k], settings)
        store.save(keys[k], result)
        return result

    return _in_job_order(store, keys, set(todo), finished, on_done, recompute)


def _in_job_order(store: ShardStore, keys: list[str], waiting: set[int], finished: Iterator[int],
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


def _compute(jobs: Sequence[GroupJob], keys: list[str], todo: list[int], settings: GroupSettings,
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
                   for k in _largest_first(jobs, todo)}
        try:
            for future in as_completed(futures):
                future.result()
                yield futures[future]
        finally:  # stopped early (an error, Ctrl-C): do not wait for the jobs not started
            for future in futures:
                future.cancel()


def _largest_first(jobs: Sequence[GroupJob], todo: list[int]) -> list[int]:
    """The jobs to submit, longest texts first: the last group to finish is then a short one.

    A group's time grows with its text, and the workers take jobs in submission order; with
    the longest last, one worker would run it alone while the others wait.
    """
    return sorted(todo, key=lambda k: -sum(len(segment.text) for segment in jobs[k].segments))


class WorkerPool:
    """The worker processes of one build, started on first use and kept until closed.

    Each worker loads its models once (threads: the cores shared out, so they are not
    oversubscribed) and serves every task of the build: the encoding before document alignment
    (:func:`encode_in_workers`) and then the groups, so no model is loaded twice and the
    build process need not load one at all.
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


#: Document alignment's texts are encoded in the workers only from this many per worker: fewer
#: take less time to encode in the build process than the workers take to load their models first.
MIN_TEXTS_PER_WORKER = 256
#: Texts per encoding task at most (one cache shard each); the longest go first, so the last
#: tasks are short and the workers finish together.
MAX_TEXTS_PER_TASK = 256


def texts_for_workers(pool: WorkerPool, embedder, texts: Sequence[str]) -> list[str]:
    """The distinct ``texts`` that ``embedder``'s primary part has not cached, if worth encoding in ``pool``.

    None when there are too few (:data:`MIN_TEXTS_PER_WORKER`), when the pool has one worker or the
    part has no disk cache (the workers' vectors could not reach this process).
    """
    part = primary_part(embedder)
    missing = part.missing(texts) if isinstance(part, CachedEmbedder) else []
    return missing if pool.workers > 1 and len(missing) >= MIN_TEXTS_PER_WORKER * pool.workers else []


def encode_in_workers(pool: WorkerPool, texts: Sequence[str], on_done: Callable[[int], None] | None = None) -> None:
    """Encode ``texts`` in the workers with their embedder's primary part (e5 of ``e5+use``).

    The vectors go to the disk cache (and e5's word-layer pieces to the piece store), where
    document alignment in this process and the groups in the workers read them: this process
    then loads no model, and the model runs as one single-threaded process per core, which reads
    ~20% more texts per second than one process with two threads on this machine
    (docs/benchmarks.md). ``on_done(n)`` after each task of ``n`` texts.
    """
    ordered = sorted(texts, key=len, reverse=True)
    size = max(1, min(MAX_TEXTS_PER_TASK, math.ceil(len(ordered) / (8 * pool.workers))))
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
    embedder, _ = _models(settings)
    primary_part(embedder).encode(texts)
    release_free_memory()


def _compute_ray(jobs: Sequence[GroupJob], keys: list[str], todo: list[int], settings: GroupSettings,
                 store: ShardStore, workers: int) -> Iterator[int]:
    """As :func:`_compute`, on Ray; results are stored here as they arrive (the cluster may not see this disk)."""
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
        items = [{"index": k, "job": pickle.dumps(jobs[k])} for k in _largest_first(jobs, todo)]
        dataset = ray.data.from_items(items).map_batches(
            _RayGroupWorker, fn_constructor_args=(per_actor,), batch_size=1, concurrency=actors, num_cpus=1)
        for row in dataset.iter_rows():
            k = int(row["index"])
            store.save(keys[k], pickle.loads(row["result"]))
            yield k
    finally:
        if started_here:
            ray.shutdown()


class _RayGroupWorker:
    """A Ray actor: loads the models once, then processes one pickled group per batch."""

    def __init__(self, settings: GroupSettings) -> None:
        self.settings = settings
        _models(settings)

    def __call__(self, batch: dict) -> dict:
        import numpy as np

        results = [pickle.dumps(process_group(pickle.loads(job), self.settings)) for job in batch["job"]]
        return {"index": np.asarray(batch["index"]), "result": np.array(results, dtype=object)}


def _json_digest(body) -> str:
    """sha256 of a JSON value's canonical text: the same for the value saved and the value parsed back."""
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
                          .encode("utf-8", "surrogatepass")).hexdigest()


def _verified_result(shard, key: str) -> GroupResult:
    """The result a group shard holds; ``ValueError`` naming the problem unless it was made for ``key``, unchanged."""
    if not isinstance(shard, dict) or set(shard) != {"key", "sha256", "result"}:
        raise ValueError("not a group shard with its key and checksum (damaged, or written by an older aligner)")
    if shard["key"] != key:
        raise ValueError(f"made for another group ({shard['key']})")
    if shard["sha256"] != _json_digest(shard["result"]):
        raise ValueError("content does not match its checksum (changed since written)")
    return _result_from_json(shard["result"])


def _result_to_json(result: GroupResult) -> dict:
    def clean(scores: dict[str, float]) -> dict[str, float | None]:
        return {name: (None if isinstance(v, float) and math.isnan(v) else v) for name, v in scores.items()}

    return {
        "tuples": [dict(asdict(t), scores=clean(t.scores)) for t in result.tuples],
        "words": [[{"pair": list(pair), **asdict(w)} for pair, w in words.items()] for words in result.words],
    }


def _result_from_json(data: dict) -> GroupResult:
    tuples = [
        AlignedTuple(t["group_id"], t["tuid"], {k: tuple(v) for k, v in t["segment_ids"].items()}, t["texts"],
                     {k: (float("nan") if v is None else v) for k, v in t["scores"].items()}, t["keep"])
        for t in data["tuples"]
    ]
    words = [
        {tuple(w["pair"]): PairWords(tuple(w["src_tokens"]), tuple(w["tgt_tokens"]),
                                     [tuple(link) for link in w["links"]], w["src_coverage"], w["tgt_coverage"])
         for w in entry}
        for entry in data["words"]
    ]
    return GroupResult(tuples, words)
