"""The build holds one document group at a time: results stream from the workers' shards into the output files.

The groups' alignment is replaced by a cheap stand-in (one tuple per sentence index), so that what
is checked is the plumbing: run_groups yields lazily and in job order, each group reaches the
writers as soon as it is done and is dropped before the next one, and the streamed files are
byte for byte those written from the whole list.
"""

from __future__ import annotations

import math
import random
import weakref
from dataclasses import replace
from pathlib import Path

import pytest

from aligner import pipeline as pipeline_module
from aligner.build import run_build
from aligner.config import BuildConfig, EmbedConfig, EngineConfig, ExportConfig, IngestConfig
from aligner.docalign import DocAlignOptions
from aligner.execute import local as local_engine
from aligner.execute import run_groups
from aligner.export.corpus_tsv import CorpusTsvWriter, read_corpus_tsv, write_corpus_tsv
from aligner.pipeline import GroupJob, GroupResult, GroupSettings
from aligner.shards import ShardStore
from aligner.model import AlignedTuple, DocumentGroup, Segment

REPO = Path(__file__).resolve().parent.parent
LANGS = ("ar", "en", "fr")


def stand_in_result(job: GroupJob, settings: GroupSettings) -> GroupResult:
    """The i-th segment of each language as tuple i, with a quality that depends on i."""
    by_lang: dict[str, list[Segment]] = {}
    for segment in job.segments:
        by_lang.setdefault(segment.lang, []).append(segment)
    tuples = []
    for i in range(max((len(s) for s in by_lang.values()), default=0)):
        here = {lang: segments[i] for lang, segments in by_lang.items() if i < len(segments)}
        tuples.append(AlignedTuple(
            job.group.group_id, f"{job.group.group_id}-{i:05d}",
            {lang: (here[lang].segment_id,) if lang in here else () for lang in settings.languages},
            {lang: here[lang].text if lang in here else "" for lang in settings.languages},
            {"ar-en.cos": 0.5 + i / 1000, "quality": (i % 10) / 10}))
    return GroupResult(tuples, [{} for _ in tuples])


@pytest.fixture
def three_group_raw(tmp_path) -> tuple[Path, tuple[tuple[str, str], ...]]:
    """Three NTREX documents in ar, en and fr, and the known groups that put each document's versions together."""
    raw = tmp_path / "raw"
    raw.mkdir()
    known = []
    for lang in LANGS:
        rows = (REPO / "benchmarks" / "ntrex-dev" / f"{lang}.tsv").read_text(encoding="utf-8").splitlines()
        docs: dict[str, list[str]] = {}
        for row in rows:
            key, _, text = row.partition("\t")
            docs.setdefault(key.rsplit(".", 1)[0], []).append(text)
        for number, name in enumerate(sorted(docs)[:3]):
            (raw / f"doc{number}-{lang}.txt").write_text("\n\n".join(docs[name][:6]) + "\n", encoding="utf-8")
            known.append((f"g{number}", f"doc{number}-{lang}"))
    return raw, tuple(known)


def test_build_writes_each_group_as_it_finishes_and_holds_one_at_a_time(three_group_raw, tmp_path, monkeypatch):
    raw, known = three_group_raw
    events: list[tuple] = []
    loaded: list[weakref.ref] = []

    def computed(job, settings):
        events.append(("computed", job.group.group_id))
        return stand_in_result(job, settings)

    load = ShardStore.load

    def tracked_load(store, key):
        result = load(store, key)
        if result is not None:
            loaded.append(weakref.ref(result))
        return result

    write = CorpusTsvWriter.write

    def tracked_write(writer, tuples):
        tuples = list(tuples)
        alive = sum(ref() is not None for ref in loaded)
        events.append(("written", tuples[0].group_id, len(tuples), alive))
        write(writer, tuples)

    monkeypatch.setattr(local_engine, "process_group", computed)
    monkeypatch.setattr(ShardStore, "load", tracked_load)
    monkeypatch.setattr(CorpusTsvWriter, "write", tracked_write)
    options = lexical_config(raw, tmp_path, known)
    result = run_build(options, log=None)

    # one group at a time: computed, then written (while only its own result is alive), then the next
    assert [e[:2] for e in events] == [(kind, g) for g in ("g0", "g1", "g2") for kind in ("computed", "written")]
    assert [e[3] for e in events if e[0] == "written"] == [1, 1, 1]
    _, tuples = read_corpus_tsv(tmp_path / "out" / "corpus.tsv")
    sizes = [sum(t.group_id == g for t in tuples) for g in ("g0", "g1", "g2")]
    assert [e[2] for e in events if e[0] == "written"] == sizes
    assert result.counts["groups"] == 3 and result.counts["tuples"] == len(tuples)
    assert result.counts["tuples_kept"] == sum(t.keep for t in tuples) > 0
    for pair in ("ar-en", "ar-fr", "en-fr"):
        assert (tmp_path / "out" / f"wordalign.{pair}.txt").read_text(encoding="utf-8") == "\n" * len(tuples)

    # a rebuild reads every group back from its shard, still one at a time, and writes the same bytes
    events.clear()
    first = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir() if p.is_file()}
    run_build(options, log=None)
    assert [e[0] for e in events] == ["written"] * 3 and [e[3] for e in events] == [1, 1, 1]
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir() if p.is_file()} == first


def test_groups_run_in_the_build_process_use_the_embedder_document_alignment_loaded(three_group_raw, tmp_path,
                                                                                     monkeypatch):
    import aligner.config as config_module
    import aligner.embed as embed_module

    raw, known = three_group_raw
    made = []

    def counted(*args, **kwargs):
        made.append(embed_module.build_embedder("lexical"))
        return made[-1]

    monkeypatch.setattr(config_module, "get_embedder", counted)
    monkeypatch.setattr(embed_module, "get_embedder", counted)
    monkeypatch.setattr(pipeline_module, "_MODELS", {})
    options = lexical_config(raw, tmp_path, known)
    run_build(options, log=None)
    assert len(made) == 1  # one model in memory, not one for document alignment and one for the groups
    ((embedder, _),) = pipeline_module._MODELS.values()
    assert embedder is made[0]


def lexical_config(raw: Path, tmp_path: Path, known) -> BuildConfig:
    """A one-worker build with the lexical embedder and the groups given (no model, no matching)."""
    return BuildConfig(ingest=IngestConfig(raw), embed=EmbedConfig("lexical"),
                       docalign=DocAlignOptions(languages=LANGS, known_groups=known),
                       export=ExportConfig(tmp_path / "out"), engine=EngineConfig(workers=1, cache_dir=tmp_path / "cache"))


def jobs_and_settings(count: int) -> tuple[list[GroupJob], GroupSettings]:
    jobs = []
    for k in range(count):
        segments = tuple(Segment(f"d{k}{lang}", 0, 0, lang, f"text {k} {lang}", 0, 9) for lang in LANGS)
        jobs.append(GroupJob(DocumentGroup(f"g{k}", tuple(s.doc_id for s in segments), 1.0), segments))
    return jobs, GroupSettings(LANGS, EmbedConfig("lexical"))


def test_run_groups_yields_in_job_order_whatever_order_groups_finish_in(tmp_path, monkeypatch):
    jobs, settings = jobs_and_settings(4)
    store = ShardStore(tmp_path / "shards")
    store.save(store.key(jobs[1], settings), stand_in_result(jobs[1], settings))  # finished by an earlier run
    finished = []

    def backwards(jobs, keys, todo, settings, store, pool):
        for k in reversed(todo):
            store.save(keys[k], stand_in_result(jobs[k], settings))
            finished.append(k)
            yield k

    monkeypatch.setattr(local_engine, "compute_local", backwards)
    done = []
    results = run_groups(jobs, settings, store, on_done=done.append)
    assert done == [True] and finished == []  # the store is searched at once, nothing computed before iteration
    first = next(results)
    assert first.tuples[0].group_id == "g0" and finished == [3, 2, 0]  # g0 waited for (g1 is stored)
    assert [r.tuples[0].group_id for r in results] == ["g1", "g2", "g3"]
    assert done == [True, False, False, False]


def test_run_groups_checks_the_engine_when_called(tmp_path):
    jobs, settings = jobs_and_settings(1)
    with pytest.raises(ValueError, match="unknown engine"):
        run_groups(jobs, settings, ShardStore(tmp_path), engine="nope")


def random_tuples(seed: int) -> list[AlignedTuple]:
    """Tuples whose score names appear one group after another, some missing, some NaN."""
    rng = random.Random(seed)
    names = ["en-fr.cos", "consistency", "ar-en.cos", "ar-en.word_coverage", "quality", "en-fr.word_coverage"]
    tuples = []
    for k in range(rng.randint(0, 40)):
        known = names[: 1 + k // 6]
        scores = {name: rng.choice([rng.random(), math.nan]) for name in rng.sample(known, rng.randint(0, len(known)))}
        langs = rng.sample(LANGS, rng.randint(1, 3))
        tuples.append(AlignedTuple(f"g{k // 7}", f"t{k}", {lang: (f"d{lang}:0:{k}",) for lang in langs},
                                   {lang: f"text\t{k} {lang}\n" if lang in langs else "" for lang in LANGS},
                                   scores, rng.random() < 0.5))
    return tuples


@pytest.mark.parametrize("seed", range(20))
def test_streamed_corpus_tsv_is_the_one_written_from_the_whole_list(tmp_path, seed):
    tuples = random_tuples(seed)
    write_corpus_tsv(tmp_path / "whole.tsv", tuples, LANGS)
    with CorpusTsvWriter(tmp_path / "streamed.tsv", LANGS) as writer:
        for start in range(0, len(tuples), 7):
            writer.write(tuples[start:start + 7])
    assert (tmp_path / "streamed.tsv").read_bytes() == (tmp_path / "whole.tsv").read_bytes()
    assert writer.rows == len(tuples)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["streamed.tsv", "whole.tsv"]  # no part file left


def test_a_failed_streamed_corpus_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError):
        with CorpusTsvWriter(tmp_path / "corpus.tsv", LANGS) as writer:
            writer.write(random_tuples(1))
            raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []


def test_groups_are_submitted_longest_first_so_a_long_one_does_not_finish_alone():
    jobs, _ = jobs_and_settings(4)
    long_segment = replace(jobs[2].segments[0], text="a much longer text " * 20)
    jobs[2] = replace(jobs[2], segments=(long_segment,) + jobs[2].segments[1:])
    assert local_engine.largest_first(jobs, [0, 1, 2, 3])[0] == 2
    assert local_engine.largest_first(jobs, [0, 1, 3]) == [0, 1, 3]  # ties keep job order
