"""Pairwise sentence alignment: small exact cases on synthetic vectors, a few with the lexical embedder.

Synthetic "sentences" are meanings: each meaning id has a random direction,
and a sentence vector is a shared component (all sentences of real embedders
are fairly similar to each other) plus the directions of the meanings it
expresses plus a little noise. A translation expresses the same meanings, a
merged sentence the meanings of both parts, an extra sentence a meaning of
its own.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from aligner.embed import get_embedder
from aligner.model import Bead
from aligner.sentalign.band import Band, band_around_path, full_band
from aligner.sentalign.dp import make_moves, run_dp
from aligner.sentalign.pairwise import AlignConfig, align_pair, align_pair_detailed, align_texts, group_text
from aligner.sentalign.scoring import ScoreParams, bead_costs
from aligner.sentalign.search import find_band
from aligner.sentalign.sides import make_side

DIM = 64
_rng = np.random.default_rng(1234)
_COMMON = _rng.standard_normal(DIM)
_COMMON /= np.linalg.norm(_COMMON)
_MEANINGS = _rng.standard_normal((5000, DIM))
_MEANINGS /= np.linalg.norm(_MEANINGS, axis=1, keepdims=True)


def vectors(meanings: list[tuple[int, ...]], seed: int) -> np.ndarray:
    """Unit vectors for sentences expressing the given meaning ids (cosine ~0.8 between unrelated ones)."""
    noise = np.random.default_rng(seed).standard_normal((len(meanings), DIM)) * 0.05
    out = np.array([2.0 * _COMMON + _MEANINGS[list(m)].sum(axis=0) for m in meanings]).reshape(-1, DIM) + noise
    return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


def texts(meanings: list[tuple[int, ...]]) -> list[str]:
    """Placeholder texts whose lengths follow the number of meanings (the length term sees them)."""
    return ["word " * (8 * len(m)) for m in meanings]


def align(src: list[tuple[int, ...]], tgt: list[tuple[int, ...]], config: AlignConfig | None = None) -> list[Bead]:
    return align_pair(vectors(src, 1), vectors(tgt, 2), texts(src), texts(tgt), config=config)


def keys(beads: list[Bead]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    return [(b.src, b.tgt) for b in beads]


def singles(n: int, start: int = 0) -> list[tuple[int, ...]]:
    return [(start + k,) for k in range(n)]


def test_diagonal():
    beads = align(singles(12), singles(12))
    assert keys(beads) == [((k,), (k,)) for k in range(12)]
    assert all(b.score is not None and b.score < 0.5 for b in beads)


def test_one_hot_diagonal():
    eye = np.eye(6, dtype=np.float32)
    beads = align_pair(eye, eye, ["a b c"] * 6, ["a b c"] * 6)
    assert keys(beads) == [((k,), (k,)) for k in range(6)]


def test_two_to_one_and_one_to_two():
    src = singles(4) + [(4, 5)] + singles(4, 6)
    tgt = singles(7) + [(7, 8)] + singles(1, 9)
    beads = keys(align(src, tgt))
    assert ((4,), (4, 5)) in beads  # one source sentence holds two target sentences
    assert ((6, 7), (7,)) in beads  # two source sentences, one target
    assert ((0,), (0,)) in beads and ((5,), (6,)) in beads and ((8,), (8,)) in beads


def test_extra_sentences_stay_unaligned():
    src = singles(10)
    tgt = singles(4) + [(900,)] + singles(6, 4)  # target sentence 4 is extra
    beads = keys(align(src, tgt))
    assert ((), (4,)) in beads
    assert ((3,), (3,)) in beads and ((4,), (5,)) in beads
    src = singles(3) + [(901,)] + singles(7, 3)  # source sentence 3 is extra
    beads = keys(align(src, singles(10)))
    assert ((3,), ()) in beads
    assert ((2,), (2,)) in beads and ((4,), (3,)) in beads


def test_a_heading_stands_alone_on_its_side():
    # Source sentence 3 is a heading that sums up the body sentence after it; glued to it, the
    # pair is as close to target sentence 3 as the body alone, so only the flag keeps it out.
    src = singles(3) + [(3,), (3, 4)] + singles(4, 5)
    tgt = singles(3) + [(3, 4)] + singles(4, 5)
    assert ((3, 4), (3,)) in keys(align(src, tgt))
    heading = [k == 3 for k in range(len(src))]
    beads = keys(align_pair(vectors(src, 1), vectors(tgt, 2), texts(src), texts(tgt), src_alone=heading))
    assert ((3,), ()) in beads and ((4,), (3,)) in beads
    swapped = keys(align_pair(vectors(tgt, 2), vectors(src, 1), texts(tgt), texts(src), tgt_alone=heading))
    assert ((), (3,)) in swapped and ((3,), (4,)) in swapped
    with pytest.raises(ValueError, match="stand-alone flags"):
        align_pair(vectors(src, 1), vectors(tgt, 2), texts(src), texts(tgt), src_alone=heading[:-1])


def test_moved_block_is_aligned_across():
    src = singles(14)
    order = [0, 1, 2, 9, 10, 11, 3, 4, 5, 6, 7, 8, 12, 13]  # the target moved sentences 9-11 up
    tgt = [(k,) for k in order]
    beads = align(src, tgt)
    expected = [((k,), (order.index(k),)) for k in range(14)]
    assert keys(beads) == expected  # every sentence aligned, in source order
    no_cross = keys(align(src, tgt, AlignConfig(crossing=False)))
    assert len(no_cross) > len(expected)  # the monotone path alone must leave a block out


def test_empty_inputs():
    empty = np.zeros((0, DIM), dtype=np.float32)
    assert align_pair(empty, empty, [], []) == []
    some = vectors(singles(2), 1)
    assert keys(align_pair(some, empty, ["a", "b"], [])) == [((0,), ()), ((1,), ())]
    assert keys(align_pair(empty, some, [], ["a", "b"])) == [((), (0,)), ((), (1,))]
    assert keys(align_pair(some[:1], some[:1], ["a"], ["a"])) == [((0,), (0,))]


def test_rejects_mismatched_lengths():
    with pytest.raises(ValueError):
        align_pair(vectors(singles(2), 1), vectors(singles(2), 2), ["a"], ["a", "b"])


def test_deterministic():
    src = singles(5) + [(5, 6)] + singles(5, 7)
    tgt = singles(12)
    assert align(src, tgt) == align(src, tgt)
    assert [b.score for b in align(src, tgt)] == [b.score for b in align(src, tgt)]


def test_pass_two_embeds_groups_within_budget():
    src = singles(5) + [(5, 6)] + singles(5, 7)
    tgt = singles(12)
    seen: list[str] = []

    def embed(batch):
        """A fake embedder that understands the texts of :func:`meaning_texts`, joined ones included."""
        seen.extend(batch)
        meanings = [tuple(dict.fromkeys(int(word[1:]) for word in text.split())) for text in batch]
        return vectors(meanings, 3)

    result = align_pair_detailed(
        vectors(src, 1), vectors(tgt, 2), meaning_texts(src), meaning_texts(tgt), embed, AlignConfig(rescore_budget=0.5)
    )
    assert 0 < result.stats.pass2_texts <= 0.5 * (len(src) + len(tgt))
    assert len(seen) == result.stats.pass2_texts
    assert all(" " in text for text in seen)  # only joined groups are embedded in pass 2
    assert ((5,), (5, 6)) in keys(result.beads)


def test_an_embedder_that_embeds_groups_from_their_members_gets_them_in_pass_two():
    src = singles(5) + [(5, 6)] + singles(5, 7)
    tgt = singles(12)
    texts, tgt_texts = meaning_texts(src), meaning_texts(tgt)
    calls: list[tuple[list[str], list[list[str]]]] = []

    class GroupAware:
        def encode(self, batch):
            raise AssertionError("pass 2 must go through encode_groups")

        def encode_groups(self, joined, members):
            calls.append((list(joined), [list(m) for m in members]))
            meanings = [tuple(dict.fromkeys(int(word[1:]) for word in text.split())) for text in joined]
            return vectors(meanings, 3)

    result = align_pair_detailed(vectors(src, 1), vectors(tgt, 2), texts, tgt_texts, GroupAware(),
                                 AlignConfig(rescore_budget=0.5))
    assert calls and result.stats.pass2_texts == sum(len(joined) for joined, _ in calls)
    for joined, members in calls:
        assert all(" ".join(m.strip() for m in group) == text for text, group in zip(joined, members))
        # groups of two or more sentences, each given as pass 1 embedded it
        assert all(len(group) > 1 and all(m in texts + tgt_texts for m in group) for group in members)
    assert ((5,), (5, 6)) in keys(result.beads)


def meaning_texts(meanings: list[tuple[int, ...]]) -> list[str]:
    """Texts naming their meanings (``m5 m5 ...``), so a fake embedder can embed joined groups."""
    return [" ".join(f"m{i}" for i in m for _ in range(6)) for m in meanings]


def test_group_text_joins_stripped_sentences():
    assert group_text(["a ", " b", "c"], (0, 2)) == "a b"


def test_band_keeps_the_path_of_a_long_document():
    """2,000 sentences with merges and insertions: the coarse-to-fine band must keep every correct bead."""
    rng = np.random.default_rng(7)
    src: list[tuple[int, ...]] = []
    tgt: list[tuple[int, ...]] = []
    gold = []
    meaning = 0
    while len(src) < 2000:
        kind = rng.choice(["11", "21", "12", "01"], p=[0.85, 0.05, 0.05, 0.05])
        if kind == "11":
            gold.append(((len(src),), (len(tgt),)))
            src.append((meaning,))
            tgt.append((meaning,))
            meaning += 1
        elif kind == "21":
            gold.append(((len(src), len(src) + 1), (len(tgt),)))
            src += [(meaning,), (meaning + 1,)]
            tgt.append((meaning, meaning + 1))
            meaning += 2
        elif kind == "12":
            gold.append(((len(src),), (len(tgt), len(tgt) + 1)))
            src.append((meaning, meaning + 1))
            tgt += [(meaning,), (meaning + 1,)]
            meaning += 2
        else:
            gold.append(((), (len(tgt),)))
            tgt.append((meaning,))
            meaning += 1
    src_vecs, tgt_vecs = vectors(src, 1), vectors(tgt, 2)
    config = AlignConfig()
    lengths_src = np.full(len(src), 40.0)
    lengths_tgt = np.full(len(tgt), 40.0)
    band = find_band(src_vecs, tgt_vecs, lengths_src, lengths_tgt, config.score, config.full_cells, config.halfwidth)
    assert band.width < 80  # a band, not the grid
    assert band.cells < 0.05 * (len(src) + 1) * (len(tgt) + 1)
    on_path = [(sum(len(s) for s, _ in gold[: k + 1]), sum(len(t) for _, t in gold[: k + 1])) for k in range(len(gold))]
    assert all(band.contains(i, j) for i, j in on_path)

    tracemalloc.start()
    beads = align_pair(src_vecs, tgt_vecs, texts(src), texts(tgt))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 8 * len(src) * len(tgt)  # less than one float64 N x M array, everything included
    found = set(keys(beads))
    correct = sum(1 for g in gold if g in found)
    assert correct >= 0.98 * len(gold)


def test_memory_grows_linearly():
    """Doubling the document about doubles the peak memory (a quadratic array would quadruple it)."""
    peaks = []
    for n in (500, 1000):
        src_vecs, tgt_vecs = vectors(singles(n), 1), vectors(singles(n), 2)
        tracemalloc.start()
        align_pair(src_vecs, tgt_vecs, texts(singles(n)), texts(singles(n)))
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < 2.5 * peaks[0]


def test_band_around_path_is_connected_and_monotone():
    path = np.array([(0, 0), (4, 6), (8, 8), (10, 20)])
    band = band_around_path(path, 10, 20, 2)
    assert band.lo[0] == 0 and band.hi[-1] == 21
    assert (np.diff(band.lo) >= 0).all() and (np.diff(band.hi) >= 0).all()
    assert (band.lo[1:] < band.hi[:-1]).all()  # consecutive rows overlap
    assert all(band.contains(i, j) for i, j in path)


def test_dp_on_band_equals_full_search_when_band_holds_the_path():
    src, tgt = singles(30), singles(12) + [(500,)] + singles(18, 12)
    src_vecs, tgt_vecs = vectors(src, 1), vectors(tgt, 2)
    lengths = np.full(31, 40.0)
    params = ScoreParams()
    moves = make_moves(4, 5)
    side_s = make_side(src_vecs, lengths[:30], 4)
    side_t = make_side(tgt_vecs, lengths, 4)
    diag = np.array([(i, min(i + i // 12, 31)) for i in range(31)])
    diag[-1] = (30, 31)
    results = []
    for band in (full_band(30, 31), band_around_path(diag, 30, 31, 3)):
        costs = bead_costs(side_s, side_t, band, moves, params)
        results.append(run_dp(band, moves, costs.bead, costs.insert).path())
    assert results[0] == results[1]


def test_band_reversal_round_trips():
    band = Band(np.array([0, 0, 1, 3]), np.array([2, 4, 5, 6]), 5)
    assert np.array_equal(band.reversed().reversed().lo, band.lo)
    assert np.array_equal(band.reversed().reversed().hi, band.hi)


def test_lexical_embedder_merge_and_extra():
    src = [
        "Le 12 mars 2021, 450 personnes ont manifesté à Genève.",
        "La police a compté 120 voitures et 35 vélos.",
        "Selon Martin Keller, le coût atteint 8,4 millions.",
        "Le vote est prévu le 3 juin à Lausanne.",
        "Sophie Dubois dirige le projet depuis 2015.",
    ]
    tgt = [
        "On 12 March 2021, 450 people demonstrated in Geneva.",
        "Police counted 120 cars.",
        "They also counted 35 bicycles.",
        "According to Martin Keller, the cost reaches 8.4 million.",
        "Temperatures reached 31 degrees in Zurich on Friday.",
        "The vote is planned for 3 June in Lausanne.",
        "Sophie Dubois has led the project since 2015.",
    ]
    beads = keys(align_texts(src, tgt, get_embedder("lexical")))
    assert ((0,), (0,)) in beads
    assert ((1,), (1, 2)) in beads
    assert ((2,), (3,)) in beads
    assert ((), (4,)) in beads  # the extra sentence, with its own numbers and names, stays alone
    assert ((3,), (5,)) in beads
    assert ((4,), (6,)) in beads


@pytest.mark.slow
@pytest.mark.parametrize("spec", ["e5", "use"])
def test_real_embedder_small_document(spec):
    src = [
        "Le conseil municipal s'est réuni lundi soir.",
        "Il a voté le budget de l'année prochaine.",
        "Les travaux de la piscine commenceront en mai.",
        "Ils dureront deux ans.",
        "Le maire a remercié les habitants pour leur patience.",
    ]
    tgt = [
        "The city council met on Monday evening.",
        "It passed next year's budget.",
        "Work on the swimming pool will start in May and last two years.",
        "The mayor thanked residents for their patience.",
    ]
    try:
        embedder = get_embedder(spec)
        result = align_texts(src, tgt, embedder)
    except ImportError as exc:
        pytest.skip(str(exc))
    assert keys(result) == [((0,), (0,)), ((1,), (1,)), ((2, 3), (2,)), ((4,), (3,))]


def test_loose_merges_a_partial_translation_and_leaves_an_unrelated_line_out():
    """The "gain" objective (LOOSE) scores a bead once: target 3 translates the rest of source 2
    only weakly, yet joins its bead; target 4 translates nothing and stays unaligned. The
    per-sentence cost (NEWS) glues target 4 into the bead as well."""
    from aligner.sentalign import LOOSE, NEWS

    rng = np.random.default_rng(0)
    basis = np.linalg.qr(rng.normal(size=(32, 32)))[0]

    def unit(v):
        return v / np.linalg.norm(v)

    src = np.stack([basis[i] for i in range(6)])
    tgt = np.stack([basis[0], basis[1], unit(0.8 * basis[2] + 0.6 * basis[20]), unit(0.45 * basis[2] + 0.89 * basis[21]),
                    basis[30], basis[3], basis[4], basis[5]])
    src_texts = ["x" * n for n in (60, 70, 120, 50, 80, 65)]
    tgt_texts = ["y" * n for n in (62, 75, 70, 55, 40, 52, 85, 70)]
    loose = [(b.src, b.tgt) for b in align_pair(src, tgt, src_texts, tgt_texts, config=LOOSE)]
    assert loose == [((0,), (0,)), ((1,), (1,)), ((2,), (2, 3)), ((), (4,)), ((3,), (5,)), ((4,), (6,)), ((5,), (7,))]
    news = [(b.src, b.tgt) for b in align_pair(src, tgt, src_texts, tgt_texts, config=NEWS)]
    assert ((2,), (2, 3, 4)) in news


def test_unknown_bead_objective_is_refused():
    src = np.eye(3, dtype=np.float32)
    with pytest.raises(ValueError, match="objective"):
        align_pair(src, src, ["a"] * 3, ["b"] * 3, config=AlignConfig(score=ScoreParams(objective="cosine")))
