"""Parallel and distributed group alignment give the same corpus as one process; finished groups are reused."""

from __future__ import annotations

import io
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import aligner.config as config_module
import aligner.pipeline as pipeline_module
from aligner.build import run_build
from aligner.config import BuildConfig, EmbedConfig, EngineConfig, ExportConfig, IngestConfig
from aligner.export.corpus_tsv import CorpusTsv

REPO = Path(__file__).resolve().parent.parent


def run_cli(*args, env):
    return subprocess.run([sys.executable, "-m", "aligner", *map(str, args)], capture_output=True, text=True,
                          timeout=1200, env=env)


@pytest.fixture(scope="module")
def two_group_raw(tmp_path_factory) -> Path:
    """The seeds plus one NTREX document in ar, en and fr: two document groups."""
    raw = tmp_path_factory.mktemp("two-groups") / "raw"
    shutil.copytree(REPO / "corpus" / "raw", raw)
    for lang in ("ar", "en", "fr"):
        rows = (REPO / "benchmarks" / "ntrex-dev" / f"{lang}.tsv").read_text(encoding="utf-8").splitlines()
        first = rows[0].split("\t")[0].rsplit(".", 1)[0]
        lines = [r.split("\t", 1)[1] for r in rows if r.split("\t")[0].rsplit(".", 1)[0] == first]
        (raw / f"ntrex-{lang}.txt").write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return raw


def assert_same_corpus(one: Path, two: Path) -> None:
    """The same tuples (ids, texts, keep) and scores, which may move in the last digits: a worker's
    encoder runs with cores / workers threads, and sums in another order."""
    first, second = list(CorpusTsv(one / "corpus.tsv")), list(CorpusTsv(two / "corpus.tsv"))
    assert [(t.segment_ids, t.texts, t.keep) for t in first] == [(t.segment_ids, t.texts, t.keep) for t in second]
    for a, b in zip(first, second):
        assert a.scores.keys() == b.scores.keys()
        assert all(math.isclose(a.scores[k], b.scores[k], abs_tol=2e-3)
                   or (math.isnan(a.scores[k]) and math.isnan(b.scores[k])) for k in a.scores)


def test_two_workers_give_the_same_corpus_and_a_rerun_reuses_finished_groups(two_group_raw, tmp_path):
    env = dict(os.environ, ALIGNER_CACHE=str(tmp_path / "cache-1"))
    one = run_cli("build", two_group_raw, "--out", tmp_path / "one", "--embedder", "use", "--workers", "1", env=env)
    assert one.returncode == 0, one.stderr
    assert "[align] 2/2 groups" in one.stderr and "reused" not in one.stderr
    env2 = dict(os.environ, ALIGNER_CACHE=str(tmp_path / "cache-2"))
    two = run_cli("build", two_group_raw, "--out", tmp_path / "two", "--embedder", "use", "--workers", "2", env=env2)
    assert two.returncode == 0, two.stderr
    assert_same_corpus(tmp_path / "one", tmp_path / "two")
    before = (tmp_path / "one" / "corpus.tsv").read_bytes()
    again = run_cli("build", two_group_raw, "--out", tmp_path / "one", "--embedder", "use", env=env)
    assert "[align] 2 group(s) reused from an earlier run" in again.stderr
    assert (tmp_path / "one" / "corpus.tsv").read_bytes() == before


@pytest.mark.slow
def test_ray_engine_on_a_local_instance_gives_the_same_corpus(two_group_raw, tmp_path):
    pytest.importorskip("ray")
    env = dict(os.environ, ALIGNER_CACHE=str(tmp_path / "cache-local"), RAY_USAGE_STATS_ENABLED="0")
    local = run_cli("build", two_group_raw, "--out", tmp_path / "local", "--embedder", "use", env=env)
    assert local.returncode == 0, local.stderr
    env = dict(env, ALIGNER_CACHE=str(tmp_path / "cache-ray"))
    distributed = run_cli("build", two_group_raw, "--out", tmp_path / "ray", "--embedder", "use",
                          "--engine", "ray", "--workers", "2", env=env)
    assert distributed.returncode == 0, distributed.stderr
    assert_same_corpus(tmp_path / "local", tmp_path / "ray")


@pytest.mark.slow
def test_with_enough_sentences_the_workers_encode_them_and_the_build_process_loads_no_model(two_group_raw, tmp_path,
                                                                                            monkeypatch):
    made = []
    original = config_module.get_embedder
    monkeypatch.setattr(config_module, "get_embedder", lambda *a, **k: made.append(original(*a, **k)) or made[-1])
    monkeypatch.setattr(pipeline_module, "_MODELS", {})
    logs = {}
    for workers in (2, 1):
        logs[workers] = io.StringIO()
        # the two groups are small: encoded in the workers from one text per worker
        engine = EngineConfig(workers=workers, cache_dir=tmp_path / f"cache{workers}", min_texts_per_worker=1)
        result = run_build(BuildConfig(ingest=IngestConfig(two_group_raw), embed=EmbedConfig("use"),
                                       export=ExportConfig(tmp_path / f"out{workers}"), engine=engine), log=logs[workers])
    distinct = len({s.text for s in result.segments})
    assert f"[encode] {distinct}/{distinct} sentences" in logs[2].getvalue()
    assert "[encode]" not in logs[1].getvalue()  # one worker: the build process encodes them itself
    assert not made[0].inner.loaded and made[1].inner.loaded
    assert_same_corpus(tmp_path / "out2", tmp_path / "out1")
