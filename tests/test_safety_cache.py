"""A damaged cache is never trusted, and files are created as the umask says (issue 24, items 3 and 7)."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from aligner.embed import local_model
from aligner.embed.base import BaseEmbedder
from aligner.embed.cache import CachedEmbedder
from aligner.embed.local_model import build_word_model
from aligner.fileio import atomic_writer
from aligner.execute import in_job_order
from aligner.pipeline import GroupResult
from aligner.shards import ShardStore
from aligner.model import AlignedTuple
from aligner.wordalign.corpus import PairWords

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "corpus" / "raw"


class CountingEmbedder(BaseEmbedder):
    """A deterministic model whose vectors depend on the text only, so a wrong row shows."""

    name = "counting"
    version = "1"
    dim = 4

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        return np.array([[len(t), sum(map(ord, t)) % 97, t.count("e"), 1.0] for t in texts], dtype=np.float32)


def clean_vectors(texts: list[str]) -> np.ndarray:
    return CountingEmbedder().encode(texts)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextmanager
def umask(value: int):
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


def caught_warnings(run):
    """``run()``'s result and the messages of the warnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run()
    return result, [str(w.message) for w in caught]


# -- embedding shards -------------------------------------------------------------------------------

TEXTS = [f"sentence number {k} here" for k in range(6)]


@pytest.mark.parametrize("keep_other_arrays", [True, False], ids=["resaved-whole", "resaved-keys-vectors"])
def test_embedding_rows_shifted_inside_a_valid_shard_are_recomputed(tmp_path, keep_other_arrays):
    CachedEmbedder(CountingEmbedder(), tmp_path).encode(TEXTS)
    [shard] = tmp_path.rglob("*.npz")
    with np.load(shard) as data:
        arrays = {name: data[name] for name in data.files} if keep_other_arrays else {
            "keys": data["keys"], "vectors": data["vectors"]}
    arrays["vectors"] = np.roll(arrays["vectors"], 1, axis=0)
    with open(shard, "wb") as handle:  # a valid npz, with every row but one misplaced
        np.savez(handle, **arrays)

    reader = CachedEmbedder(CountingEmbedder(), tmp_path)
    vectors, messages = caught_warnings(lambda: reader.encode(TEXTS))
    np.testing.assert_array_equal(vectors, clean_vectors(TEXTS))
    assert reader.texts_encoded == len(TEXTS)
    assert any(str(shard) in m for m in messages), messages
    again = CachedEmbedder(CountingEmbedder(), tmp_path)  # the recomputed vectors are cached and trusted
    vectors, messages = caught_warnings(lambda: again.encode(TEXTS))
    np.testing.assert_array_equal(vectors, clean_vectors(TEXTS))
    assert again.texts_encoded == 0 and messages == []


def test_embedding_shard_moved_to_another_models_folder_is_not_read(tmp_path):
    CachedEmbedder(CountingEmbedder(), tmp_path).encode(TEXTS)
    [shard] = tmp_path.rglob("*.npz")
    other = CountingEmbedder()
    other.version = "2"
    target = CachedEmbedder(other, tmp_path)
    target.model_dir.mkdir(parents=True)
    shutil.copy(shard, target.model_dir / shard.name)
    _, messages = caught_warnings(lambda: target.encode(["a text of its own"]))
    assert any(shard.name in m for m in messages), messages


# -- group shards -----------------------------------------------------------------------------------

def a_result() -> GroupResult:
    item = AlignedTuple("g1", "g1:1", {"en": ("d1:0:0",), "fr": ("d2:0:0",)},
                        {"en": "The council met.", "fr": "Le conseil s'est réuni."},
                        {"quality": 0.8125, "consistency": float("nan")}, True)
    words = {("en", "fr"): PairWords(("The", "council", "met"), ("Le", "conseil"), [(0, 0), (1, 1)], 0.66, 1.0)}
    return GroupResult([item], [words])


def stored(tmp_path: Path) -> tuple[ShardStore, Path]:
    store = ShardStore(tmp_path / "groups")
    store.save("a" * 32, a_result())
    return store, tmp_path / "groups" / f"{'a' * 32}.json"


def test_group_shard_round_trip(tmp_path):
    store, _ = stored(tmp_path)
    loaded, messages = caught_warnings(lambda: store.load("a" * 32))
    assert messages == []
    assert loaded.tuples[0].scores["quality"] == 0.8125 and np.isnan(loaded.tuples[0].scores["consistency"])
    assert loaded.words == a_result().words and loaded.tuples[0].texts == a_result().tuples[0].texts


def edit_scores(path: Path) -> None:
    """Every quality score of a group shard replaced, the file still valid JSON."""
    text, count = re.subn(r'("quality": )-?[0-9.eE+-]+', r"\g<1>0.01", path.read_text(encoding="utf-8"))
    assert count
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("damage", ["edited scores", "empty object", "old format", "not json"])
def test_damaged_group_shard_is_recomputed_with_a_warning(tmp_path, damage):
    store, path = stored(tmp_path)
    if damage == "edited scores":
        edit_scores(path)
    elif damage == "empty object":
        path.write_text("{}", encoding="utf-8")
    elif damage == "old format":  # a shard written before shards carried their key and checksum
        data = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps(data.get("result", data)), encoding="utf-8")
    else:
        path.write_text('{"tuples": [', encoding="utf-8")
    loaded, messages = caught_warnings(lambda: store.load("a" * 32))
    assert loaded is None
    assert any(str(path) in m for m in messages), messages


def test_group_shard_copied_under_another_keys_name_is_not_used(tmp_path):
    store, path = stored(tmp_path)
    copy = path.with_name(f"{'b' * 32}.json")
    shutil.copy(path, copy)
    loaded, messages = caught_warnings(lambda: store.load("b" * 32))
    assert loaded is None
    assert any(str(copy) in m for m in messages), messages


def test_missing_group_shard_is_quietly_absent(tmp_path):
    loaded, messages = caught_warnings(lambda: ShardStore(tmp_path).load("c" * 32))
    assert loaded is None and messages == []


# -- leftover temporary files -----------------------------------------------------------------------

KILLED_WRITER = """
import os, sys
from pathlib import Path
from aligner.fileio import atomic_writer
with atomic_writer(Path(sys.argv[1]), "wb") as handle:
    handle.write(b"half a file")
    handle.flush()
    os._exit(3)
"""


def killed_write(path: Path) -> list[Path]:
    """The temporary files a writer killed in the middle of writing ``path`` leaves beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    before = set(path.parent.iterdir())
    assert subprocess.run([sys.executable, "-c", KILLED_WRITER, str(path)]).returncode == 3
    left = sorted(set(path.parent.iterdir()) - before)
    assert left and not path.exists()
    return left


def old_temp_file(folder: Path) -> Path:
    """A temporary file named as an older aligner named them (no owner), last touched two days ago."""
    folder.mkdir(parents=True, exist_ok=True)
    old = folder / ".3f2a.npz.k2j4h5g6.tmp"
    old.write_bytes(b"old")
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))
    return old


def test_stale_temp_files_are_removed_when_a_cache_folder_is_opened(tmp_path):
    embedder = CachedEmbedder(CountingEmbedder(), tmp_path / "embeddings")
    stale = killed_write(embedder.model_dir / "x.npz") + [old_temp_file(embedder.model_dir)]
    stale += killed_write(tmp_path / "groups" / "x.json") + [old_temp_file(tmp_path / "groups")]
    young = tmp_path / "groups" / ".young.json.k2j4h5g6.tmp"  # no owner named, but recent: may be in use
    young.write_bytes(b"")
    CachedEmbedder(CountingEmbedder(), tmp_path / "embeddings").encode(["one"])
    ShardStore(tmp_path / "groups").load("d" * 32)
    assert [p for p in stale if p.exists()] == []
    assert young.exists()


def test_a_temp_file_being_written_is_left_alone(tmp_path):
    with atomic_writer(tmp_path / "groups" / "e.json") as handle:
        handle.write("{}")
        ShardStore(tmp_path / "groups").load("e" * 32)
    assert (tmp_path / "groups" / "e.json").read_text() == "{}"


# -- permissions ------------------------------------------------------------------------------------

UMASKS = [(0o022, 0o644, 0o755), (0o002, 0o664, 0o775)]


@pytest.mark.parametrize(("mask", "file_mode", "dir_mode"), UMASKS, ids=["022", "002"])
def test_files_and_folders_follow_the_umask(tmp_path, mask, file_mode, dir_mode):
    with umask(mask):
        with atomic_writer(tmp_path / "out" / "corpus.tsv") as handle:
            handle.write("a\tb\n")
        with atomic_writer(tmp_path / "out" / "corpus.parquet", "wb") as handle:
            handle.write(b"PAR1")
        embedder = CachedEmbedder(CountingEmbedder(), tmp_path / "cache" / "embeddings")
        embedder.encode(TEXTS)
        store, group_shard = stored(tmp_path / "cache")
    files = [tmp_path / "out" / "corpus.tsv", tmp_path / "out" / "corpus.parquet", group_shard,
             *embedder.model_dir.glob("*.npz")]
    assert len(files) == 4
    assert {str(p): oct(mode(p)) for p in files} == {str(p): oct(file_mode) for p in files}
    folders = [tmp_path / "out", embedder.model_dir, embedder.cache_dir, group_shard.parent]
    assert {str(p): oct(mode(p)) for p in folders} == {str(p): oct(dir_mode) for p in folders}


# -- the word model ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built_model(tmp_path_factory) -> Path:
    """One verified word model, built under umask 022, copied by the tests that damage it."""
    with umask(0o022):
        return build_word_model(cache_dir=tmp_path_factory.mktemp("model-cache") / "word-model")


def model_copy(built: Path, tmp_path: Path) -> Path:
    """A copy of the built model in a cache of its own: the folder that ``build_word_model`` should return."""
    copy = tmp_path / "word-model" / built.name
    shutil.copytree(built, copy)
    return copy


def assert_complete(model_dir: Path, built: Path) -> None:
    from safetensors import safe_open

    for original in built.iterdir():
        assert (model_dir / original.name).stat().st_size == original.stat().st_size, original.name
    with safe_open(str(model_dir / "model.safetensors"), framework="numpy") as weights:
        assert "embeddings.word_embeddings.weight" in weights.keys()


@pytest.mark.slow
def test_word_model_files_follow_the_umask(built_model):
    assert oct(mode(built_model)) == oct(0o755)
    assert {p.name: oct(mode(p)) for p in built_model.iterdir()} == {p.name: oct(0o644) for p in built_model.iterdir()}


@pytest.mark.slow
def test_truncated_word_model_is_rebuilt_with_a_warning(built_model, tmp_path):
    copy = model_copy(built_model, tmp_path)
    with open(copy / "model.safetensors", "r+b") as handle:
        handle.truncate(handle.seek(0, os.SEEK_END) // 2)
    with umask(0o002):
        path, messages = caught_warnings(lambda: build_word_model(cache_dir=copy.parent))
    assert path == copy
    assert any(str(copy) in m for m in messages), messages
    assert_complete(copy, built_model)
    assert oct(mode(copy)) == oct(0o775)
    assert {p.name: oct(mode(p)) for p in copy.iterdir()} == {p.name: oct(0o664) for p in copy.iterdir()}
    assert [p.name for p in copy.parent.iterdir()] == [copy.name]  # the damaged folder is gone


@pytest.mark.slow
def test_partial_word_model_folder_is_rebuilt(built_model, tmp_path):
    copy = model_copy(built_model, tmp_path)
    for name in ("verification.json", "model.safetensors", "tokenizer.json"):
        (copy / name).unlink()  # a copy or a build stopped half-way
    path, messages = caught_warnings(lambda: build_word_model(cache_dir=copy.parent))
    assert path == copy
    assert_complete(copy, built_model)


@pytest.mark.slow
def test_cache_deleted_while_the_word_model_is_written(built_model, tmp_path, monkeypatch):
    cache = tmp_path / "cache" / "word-model"
    write = local_model.write_model_dir
    deleted = []

    def write_then_lose_the_cache(e5, out_dir):
        write(e5, out_dir)
        if not deleted:  # someone empties the cache while the model is being written
            shutil.rmtree(tmp_path / "cache")
            deleted.append(out_dir)

    monkeypatch.setattr(local_model, "write_model_dir", write_then_lose_the_cache)
    path = build_word_model(cache_dir=cache)
    assert deleted and path == cache / built_model.name
    assert_complete(path, built_model)


# -- whole builds -----------------------------------------------------------------------------------

def run_build(cache: Path, out: Path, *extra: str, mask: int = 0o022) -> subprocess.CompletedProcess:
    env = dict(os.environ, ALIGNER_CACHE=str(cache), ALIGNER_THREADS="1")
    return subprocess.run([sys.executable, "-m", "aligner", "build", str(SEEDS), "--out", str(out), *extra],
                          capture_output=True, text=True, timeout=1200, env=env, umask=mask)


@pytest.fixture(scope="module")
def clean_build(tmp_path_factory):
    """The seeds built with a fresh cache under umask 002: the reference every damaged rebuild must equal."""
    root = tmp_path_factory.mktemp("e2e")
    result = run_build(root / "cache", root / "clean", "--embedder", "lexical", mask=0o002)
    assert result.returncode == 0, result.stderr
    return root / "cache", root / "clean"


def test_build_outputs_and_cache_follow_the_umask(clean_build):
    cache, out = clean_build
    for path in [out, *out.rglob("*"), cache, *cache.rglob("*")]:
        assert oct(mode(path)) == oct(0o775 if path.is_dir() else 0o664), path


def assert_same_corpus_with_a_warning(result: subprocess.CompletedProcess, out: Path, clean: Path,
                                      named: list[Path]):
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert (out / "corpus.tsv").read_bytes() == (clean / "corpus.tsv").read_bytes()
    assert any(str(path) in result.stderr for path in named), result.stderr


@pytest.mark.parametrize("damage", ["edited scores", "empty object"])
def test_build_with_a_damaged_group_shard_equals_a_clean_build(clean_build, tmp_path, damage):
    cache, clean = clean_build
    [shard] = (cache / "groups").glob("*.json")
    if damage == "edited scores":
        edit_scores(shard)
    else:
        shard.write_text("{}", encoding="utf-8")
    result = run_build(cache, tmp_path / "out", "--embedder", "lexical")
    assert_same_corpus_with_a_warning(result, tmp_path / "out", clean, [shard])


@pytest.mark.slow
def test_e5_build_with_shifted_cached_vectors_equals_a_clean_build(clean_build, tmp_path):
    """The issue's case: cached sentence vectors shifted by one row, in shards that are still valid files."""
    cache, _ = clean_build
    clean = tmp_path / "clean"
    assert run_build(cache, clean, "--embedder", "e5").returncode == 0
    shards = [p for p in (cache / "embeddings").glob("*/*.npz")]
    assert shards
    for shard in shards:
        with np.load(shard) as data:
            arrays = {name: data[name] for name in data.files}
        arrays["vectors"] = np.roll(arrays["vectors"], 1, axis=0)
        with open(shard, "wb") as handle:
            np.savez(handle, **arrays)
    for shard in (cache / "groups").glob("*.json"):
        shard.unlink()
    result = run_build(cache, tmp_path / "out", "--embedder", "e5")
    assert_same_corpus_with_a_warning(result, tmp_path / "out", clean, shards)


@pytest.mark.slow
def test_build_with_a_truncated_word_model_equals_a_clean_build(clean_build, tmp_path):
    cache, clean = clean_build
    [model_dir] = (cache / "word-model").iterdir()
    with open(model_dir / "model.safetensors", "r+b") as handle:
        handle.truncate(1000)
    for shard in (cache / "groups").glob("*.json"):
        shard.unlink()  # the groups are aligned again, with the word model:
    shutil.rmtree(cache / "embeddings")  # the word-layer vectors of the texts are not cached either
    result = run_build(cache, tmp_path / "out", "--embedder", "lexical")
    assert_same_corpus_with_a_warning(result, tmp_path / "out", clean, [model_dir])


def test_a_group_shard_that_vanishes_before_it_is_read_back_is_computed_again(tmp_path):
    store = ShardStore(tmp_path / "groups")
    store.save("first", GroupResult([], []))  # "second" was stored, then the cache was deleted
    again = []

    def recompute(k):
        again.append(k)
        return GroupResult([], [])

    with pytest.warns(UserWarning, match="vanished or was damaged"):
        results = list(in_job_order(store, ["first", "second"], set(), iter(()), None, recompute))
    assert len(results) == 2 and again == [1]


def test_piece_vectors_changed_inside_a_valid_shard_are_recomputed_not_trusted(tmp_path):
    from aligner.embed.pieces import PieceStore, PieceVectors

    root = tmp_path / "pieces"
    store = PieceStore(root, flush_every=2)
    vectors = np.arange(24, dtype=np.float32).reshape(6, 4)
    first = PieceVectors(np.array([[0, 3], [4, 7], [8, 9]], np.int32), vectors[:3])
    store.put(b"a" * 32, first)
    store.put(b"b" * 32, PieceVectors(np.array([[0, 2], [3, 5], [6, 8]], np.int32), vectors[3:]))
    assert PieceStore(root).get([b"a" * 32])[b"a" * 32].vectors.tolist() == first.vectors.tolist()

    vec_file = next(root.glob("*.vec.npy"))
    stored = np.load(vec_file)
    np.save(vec_file, np.roll(stored, 1, axis=0))  # rows shifted by one, a valid file
    with pytest.warns(UserWarning, match="checksum mismatch"):
        assert PieceStore(root).get([b"a" * 32]) == {}
    assert not list(root.glob("*.npy"))  # the bad shard is gone: the texts are encoded again


def test_piece_shards_without_a_checksum_are_removed(tmp_path):
    from aligner.embed.pieces import PieceStore, PieceVectors

    root = tmp_path / "pieces"
    store = PieceStore(root, flush_every=1)
    store.put(b"a" * 32, PieceVectors(np.array([[0, 3]], np.int32), np.ones((1, 4), np.float32)))
    index = next(root.glob("*.idx.npz"))
    with np.load(index) as data:
        np.savez(index, keys=data["keys"], starts=data["starts"])  # as an older version wrote it
    with pytest.warns(UserWarning, match="without a valid index and checksum"):
        assert PieceStore(root).get([b"a" * 32]) == {}
