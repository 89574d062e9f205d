"""The per-group part of the build: sentence alignment, word alignment and scores of one document group.

Document groups are independent, so they run in worker processes (``--workers N``), each loading
its models once; every finished group is stored as a shard in the cache (a JSON file written
atomically, its existence the completion marker), keyed by the group's segments and every option
that shapes the result. A rerun after a crash, or a rebuild of an unchanged group, loads the shard
instead of recomputing it.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, replace
from multiprocessing import get_context
from pathlib import Path

from aligner import __version__
from aligner.cachedir import cache_subdir
from aligner.fileio import write_text_atomic
from aligner.model import AlignedTuple, DocumentGroup, Segment
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


def _models(settings: GroupSettings):
    """The embedder and word aligner of this process, built on first use."""
    if settings not in _MODELS:
        from aligner.embed import get_embedder
        from aligner.wordalign import WordAligner

        _MODELS[settings] = (get_embedder(settings.embedder, cache_dir=settings.cache_dir, threads=settings.threads),
                             WordAligner(settings.word_model, threads=settings.threads))
    return _MODELS[settings]


def process_group(job: GroupJob, settings: GroupSettings) -> GroupResult:
    """Align one group's documents: tuples (sentence alignment) and word alignments with their scores."""
    from aligner.sentalign import align_corpus
    from aligner.wordalign.corpus import align_tuples

    embedder, word_aligner = _models(settings)
    aligned = align_corpus([job.group], list(job.segments), embedder, settings.languages)
    tuples = [t for group in aligned for t in group.tuples]
    words = align_tuples(tuples, settings.languages, word_aligner)
    return GroupResult([with_word_scores(t, w) for t, w in zip(tuples, words)], words)


def with_word_scores(item: AlignedTuple, words: Words) -> AlignedTuple:
    """Add ``wcov_a_b``: the mean share of content words with a word link, over both sides of each pair."""
    scores = dict(item.scores)
    for (a, b), pair in words.items():
        scores[f"wcov_{a}_{b}"] = (pair.src_coverage + pair.tgt_coverage) / 2
    return replace(item, scores=scores)


class ShardStore:
    """Finished groups on disk: ``<root>/<key>.json``, written atomically (present = complete)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @staticmethod
    def key(job: GroupJob, settings: GroupSettings) -> str:
        digest = hashlib.sha256()
        fields = (__version__, settings.languages, settings.embedder, settings.word_model, job.group.group_id)
        digest.update(json.dumps(fields, default=str).encode())
        for segment in job.segments:
            digest.update(f"\0{segment.segment_id}\0{segment.lang}\0{segment.text}".encode("utf-8", "surrogatepass"))
        return digest.hexdigest()[:32]

    def load(self, key: str) -> GroupResult | None:
        path = self.root / f"{key}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError, UnicodeDecodeError):
            return None
        return _result_from_json(data)

    def save(self, key: str, result: GroupResult) -> None:
        write_text_atomic(self.root / f"{key}.json", json.dumps(_result_to_json(result), ensure_ascii=False))


def default_shard_root(cache_dir: Path | None) -> Path:
    return Path(cache_dir) / "groups" if cache_dir is not None else cache_subdir("groups")


def run_groups(jobs: Sequence[GroupJob], settings: GroupSettings, store: ShardStore, workers: int = 1,
               on_done: Callable[[bool], None] | None = None) -> list[GroupResult]:
    """Every job's result, in job order: from its shard if finished before, else computed (in ``workers`` processes).

    ``on_done(reused)`` is called once per group as it finishes.
    """
    keys = [store.key(job, settings) for job in jobs]
    results: list[GroupResult | None] = [store.load(key) for key in keys]
    for result in results:
        if result is not None and on_done is not None:
            on_done(True)
    todo = [k for k, result in enumerate(results) if result is None]
    for k, result in _compute(jobs, todo, settings, workers):
        store.save(keys[k], result)
        results[k] = result
        if on_done is not None:
            on_done(False)
    return [r for r in results if r is not None]


def _compute(jobs, todo: list[int], settings: GroupSettings, workers: int) -> Iterator[tuple[int, GroupResult]]:
    if workers <= 1 or len(todo) <= 1:
        for k in todo:
            yield k, process_group(jobs[k], settings)
        return
    cores = len(os.sched_getaffinity(0))
    per_worker = replace(settings, threads=settings.threads or max(1, cores // workers))
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futures = {k: pool.submit(process_group, jobs[k], per_worker) for k in todo}
        for k in todo:  # in job order, so shards and logs are deterministic
            yield k, futures[k].result()


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
