"""Piece vectors: joining, word pooling and the store shared by processes (no model needed)."""

from __future__ import annotations

import numpy as np
import pytest

from aligner.embed.pieces import PieceStore, PieceVectors


def pieces(spans, dim=4, seed=0):
    rng = np.random.default_rng(seed)
    return PieceVectors(np.asarray(spans, dtype=np.int32), rng.normal(size=(len(spans), dim)).astype(np.float32))


def test_word_vectors_average_the_pieces_overlapping_each_token():
    # "unbelievable cat": pieces "un" "believ" "able" " cat"; tokens "unbelievable" and "cat"
    p = pieces([(0, 2), (2, 8), (8, 12), (13, 16)])
    vectors, covered = p.word_vectors([(0, 12), (13, 16)])
    np.testing.assert_allclose(vectors[0], p.vectors[:3].mean(0), rtol=1e-6)
    np.testing.assert_allclose(vectors[1], p.vectors[3], rtol=1e-6)
    assert covered.tolist() == [True, True]


def test_a_piece_straddling_two_tokens_counts_for_both_and_missing_pieces_leave_zeros():
    # Arabic clitic split inside one piece: "والمدينة" -> tokens "و" + "المدينة", pieces "والم" "دينة"
    p = pieces([(0, 4), (4, 8)])
    vectors, covered = p.word_vectors([(0, 1), (1, 8), (9, 12)])
    np.testing.assert_allclose(vectors[0], p.vectors[0], rtol=1e-6)
    np.testing.assert_allclose(vectors[1], p.vectors.mean(0), rtol=1e-6)
    assert covered.tolist() == [True, True, False] and not vectors[2].any()


def test_join_shifts_spans_by_the_texts_and_separator():
    a, b = pieces([(0, 3), (4, 7)], seed=1), pieces([(0, 5)], seed=2)
    joined = PieceVectors.join([a, b], ["Les gens", "sont"])
    assert joined.spans.tolist() == [[0, 3], [4, 7], [9, 14]]
    np.testing.assert_array_equal(joined.vectors, np.vstack([a.vectors, b.vectors]))
    with pytest.raises(ValueError, match="2 piece sets for 1 texts"):
        PieceVectors.join([a, b], ["x"])


def test_store_shares_flushed_shards_between_instances(tmp_path):
    first, second = PieceStore(tmp_path), PieceStore(tmp_path)
    keys = [bytes([k]) * 32 for k in range(3)]
    values = [pieces([(0, 2), (3, 5)], seed=k) for k in range(3)]
    for key, value in zip(keys, values):
        first.put(key, value)
    assert first.get(keys[:1])  # in memory before any flush
    assert second.get(keys) == {}  # not on disk yet
    first.flush()
    assert first.shards_written == 1 and len(list(tmp_path.glob("*.idx.npz"))) == 1
    found = second.get(keys)
    for key, value in zip(keys, values):
        assert found[key].spans.tolist() == value.spans.tolist()
        np.testing.assert_allclose(found[key].vectors, value.vectors, atol=2e-3)  # stored as float16


def test_store_writes_a_shard_every_flush_every_texts(tmp_path):
    store = PieceStore(tmp_path, flush_every=2)
    for k in range(5):
        store.put(bytes([k]) * 32, pieces([(0, 1)], seed=k))
    assert store.shards_written == 2  # texts 0-1 and 2-3; text 4 waits for flush()
    store.flush()
    assert store.shards_written == 3 and len(PieceStore(tmp_path).get([bytes([k]) * 32 for k in range(5)])) == 5


def test_store_skips_a_broken_shard_and_memory_only_store_forgets_oldest(tmp_path):
    store = PieceStore(tmp_path)
    store.put(b"k" * 32, pieces([(0, 1)]))
    store.flush()
    (next(tmp_path.glob("*.idx.npz"))).write_bytes(b"not a zip")
    with pytest.warns(UserWarning, match="unreadable shard"):
        assert PieceStore(tmp_path).get([b"k" * 32]) == {}
    small = PieceStore(None, memory_items=2)
    for k in range(3):
        small.put(bytes([k]) * 32, pieces([(0, 1)]))
    small.flush()  # nothing to write without a root
    assert set(small.get([bytes([k]) * 32 for k in range(3)])) == {bytes([1]) * 32, bytes([2]) * 32}
    assert not list(tmp_path.glob("*.vec.npy"))[1:]  # only the one shard written above


def test_a_reader_keeps_only_a_few_shard_files_open_and_still_reads_every_shard(tmp_path):
    writer = PieceStore(tmp_path, flush_every=1)
    keys = [bytes([k]) * 32 for k in range(6)]
    values = [pieces([(0, 2), (3, 5)], seed=k) for k in range(6)]
    for key, value in zip(keys, values):
        writer.put(key, value)
    assert writer.shards_written == 6
    reader = PieceStore(tmp_path, memory_items=0, open_shards=2)
    for _ in range(2):  # the second round reopens the shards closed in the first
        for key, value in zip(keys, values):
            np.testing.assert_allclose(reader.get([key])[key].vectors, value.vectors, atol=2e-3)
            assert len(reader._maps) <= 2
