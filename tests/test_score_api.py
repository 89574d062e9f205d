"""score_pairs / score_tuples / tuple_quality and the shipped quality model."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from aligner.score import (
    DEFAULT_MIN_QUALITY,
    MODEL_PATH,
    PAIR_COMPONENTS,
    load_model,
    predict_quality,
    score_pairs,
    score_tuples,
    tuple_quality,
)
from aligner.score.quality import FEATURES, QualityModel

AR = [
    "طالبت المفوضة السامية لحقوق الإنسان ميشيل باشليه جميع الأطراف في كازاخستان بالامتناع عن العنف.",
    "وأصيب نحو ١٠٠٠ شخص في الاحتجاجات التي بدأت في ٢ يناير.",
    "وقالت وزارة الداخلية إن ١٢ من أفراد الأمن قتلوا.",
    "ودعت المفوضة إلى الإفراج عن جميع المعتقلين.",
]
EN = [
    "UN human rights chief Michelle Bachelet urged all sides in Kazakhstan to refrain from violence.",
    "Nearly 1,000 people were injured in the protests that began on 2 January.",
    "The Interior Ministry said 12 members of the security forces were killed.",
    "She called for the release of all those detained.",
]
FR = [
    "La Haute-Commissaire Michelle Bachelet a exhorté toutes les parties au Kazakhstan à renoncer à la violence.",
    "Près de 1.000 personnes ont été blessées lors des manifestations qui ont commencé le 2 janvier.",
    "Selon le ministère de l'Intérieur, 12 membres des forces de sécurité ont été tués.",
    "Elle a demandé la libération de toutes les personnes détenues.",
]
UNRELATED_EN = "The football club announced a new coach for next season after a disappointing year."


# -- the shipped model file ----------------------------------------------------------------------


def test_shipped_model_is_plain_data_with_every_pair():
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert data["format"] == 1
    assert set(data["pairs"]) == {"ar-en", "ar-fr", "en-fr"}
    assert "counts" in data["training_data"] and "split" in data["training_data"]
    model = load_model()
    for pair, pair_model in model.pairs.items():
        assert -1.0 < pair_model.expected_log_ratio < 1.0
        names = [v.name for v in pair_model.variants]
        assert names[0] == "full" and "no_context" in names
        full = pair_model.variants[0]
        assert {"rival_gap", "cos", "abs_len_ratio", "numbers"} <= set(full.features) <= set(FEATURES)
        fallback = pair_model.variants[names.index("no_context")].features
        assert "cos" in fallback and not {"margin", "rival_gap"} & set(fallback)


def test_model_rejects_unknown_format_and_features():
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    with pytest.raises(ValueError, match="format"):
        QualityModel.from_dict({**data, "format": 99})
    broken = json.loads(json.dumps(data))
    broken["pairs"]["ar-en"]["variants"][0]["features"][0] = "nonsense"
    with pytest.raises(ValueError, match="unknown feature"):
        QualityModel.from_dict(broken)


def test_variant_fallback_and_direction():
    base = {"cos": 0.9, "margin": 1.1, "rival_gap": 0.08, "len_ratio": 0.05, "numbers": 1.0, "names": 1.0,
            "end_punct": 1.0, "start_case": 1.0, "langid_src": 0.99, "langid_tgt": 0.6, "script_src": 1.0,
            "script_tgt": 1.0}
    model = load_model()
    pair_model = model.pairs["ar-en"]
    assert pair_model.predict(base)[1] == "full"
    without = {k: v for k, v in base.items() if k not in ("margin", "rival_gap")}
    assert pair_model.predict(without)[1] == "no_context"
    with pytest.raises(ValueError, match="components missing"):
        pair_model.predict({k: v for k, v in base.items() if k != "cos"})
    # the reverse direction swaps sides and flips the length ratio
    swapped = {**base, "len_ratio": -0.05, "langid_src": 0.6, "langid_tgt": 0.99}
    assert predict_quality(swapped, "en", "ar") == pytest.approx(predict_quality(base, "ar", "en"))
    # each kind of evidence pushes the right way
    good = predict_quality(base, "ar", "en")
    for worse in ({"cos": 0.8, "margin": 0.98, "rival_gap": -0.05}, {"len_ratio": 0.7}, {"numbers": 0.0},
                  {"end_punct": 0.0}, {"start_case": 0.0}, {"langid_tgt": 0.001}, {"script_src": 0.2}):
        assert predict_quality({**base, **worse}, "ar", "en") < good, worse
    with pytest.raises(ValueError, match="no quality model"):
        predict_quality(base, "ar", "de")


# -- tuple rule -----------------------------------------------------------------------------------


def test_tuple_quality_is_the_weakest_pair():
    assert tuple_quality({"ar-en": 0.9, "ar-fr": 0.8, "en-fr": 0.95}) == 0.8
    assert tuple_quality([0.9, 0.7]) == 0.7
    assert tuple_quality({}) == 0.0
    assert 0.0 < DEFAULT_MIN_QUALITY < 1.0


# -- score_pairs with the model-free embedder (structure, not accuracy) -----------------------


def test_score_pairs_structure_lexical():
    rows = score_pairs(AR, EN, "ar", "en", embedder="lexical", word_coverage=[(0.9, 0.8), None, None, (0.5, 0.7)])
    assert len(rows) == 4
    for row in rows:
        assert set(row) <= set(PAIR_COMPONENTS) | {"quality"}
        assert {"cos", "margin", "len_ratio", "numbers", "names", "quality"} <= set(row)
        assert 0.0 <= row["quality"] <= 1.0
    assert rows[0]["word_coverage"] == 0.8 and "word_coverage" not in rows[1]
    assert rows[1]["numbers"] == 1.0  # ١٠٠٠ / 1,000 and ٢ يناير / 2 January


def test_score_pairs_small_batch_has_no_margin():
    rows = score_pairs(AR[:2], EN[:2], "ar", "en", embedder="lexical")
    assert all("margin" not in row for row in rows)
    assert all(0.0 <= row["quality"] <= 1.0 for row in rows)


def test_score_pairs_accepts_vectors_and_rejects_bad_input():
    rng = np.random.default_rng(1)
    vecs = rng.normal(size=(4, 8)).astype(np.float32)
    rows = score_pairs(AR, FR, "ar", "fr", src_vecs=vecs, tgt_vecs=vecs)
    assert all(row["cos"] == pytest.approx(1.0, abs=1e-5) for row in rows)
    with pytest.raises(ValueError, match="expected 4 rows"):
        score_pairs(AR, FR, "ar", "fr", src_vecs=vecs[:3], tgt_vecs=vecs)
    with pytest.raises(ValueError, match="pair 1: empty target"):
        score_pairs(AR[:2], [EN[0], "  "], "ar", "en", embedder="lexical")
    with pytest.raises(ValueError, match="source texts"):
        score_pairs(AR, EN[:3], "ar", "en", embedder="lexical")
    with pytest.raises(ValueError, match="unsupported language"):
        score_pairs(["Hallo"], ["Hello"], "de", "en", embedder="lexical")
    assert score_pairs([], [], "ar", "en", embedder="lexical") == []


def test_score_tuples_flat_keys_and_missing_language():
    texts = [{"ar": AR[i], "en": EN[i], "fr": FR[i]} for i in range(4)] + [{"ar": "", "en": EN[0], "fr": ""}]
    scores = score_tuples(texts, embedder="lexical", consistency=[1.0, None, 0.2, None, None])
    full = scores[0]
    for pair in ("ar-en", "ar-fr", "en-fr"):
        assert f"{pair}.quality" in full and f"{pair}.cos" in full
    assert full["quality"] == min(full[f"{p}.quality"] for p in ("ar-en", "ar-fr", "en-fr"))
    assert full["consistency"] == 1.0 and "consistency" not in scores[1]
    # consistency is reported, not a cap on quality (it moves the keep threshold: test_score_selection)
    assert scores[2]["consistency"] == 0.2
    assert scores[2]["quality"] == min(scores[2][f"{p}.quality"] for p in ("ar-en", "ar-fr", "en-fr"))
    with pytest.raises(ValueError, match="consistency"):
        score_tuples(texts[:1], embedder="lexical", consistency=[1.5])
    assert scores[4] == {"quality": 0.0}  # one language: no pair
    # vectors given instead of an embedder: same components
    from aligner.embed import get_embedder

    emb = get_embedder("lexical", cache=False)
    vectors = [{lang: emb.encode([t[lang]])[0] for lang in t if t[lang]} for t in texts]
    again = score_tuples(texts, vectors=vectors, consistency=[1.0, None, 0.2, None, None])
    assert again[0]["ar-en.cos"] == pytest.approx(full["ar-en.cos"], abs=1e-6)
    assert again[0]["ar-en.margin"] == pytest.approx(full["ar-en.margin"], abs=1e-6)
    # the documents' sentences as the context: the margin changes, the cosine does not
    extra = emb.encode(["Le club de football a annoncé un nouvel entraîneur.", "La bourse a chuté à Tokyo."])
    contexts = {lang: np.vstack([[v[lang] for v in vectors[:4]], extra]) for lang in ("ar", "en", "fr")}
    wider = score_tuples(texts[:4], vectors=vectors[:4], contexts=contexts)
    assert wider[0]["ar-en.cos"] == pytest.approx(full["ar-en.cos"], abs=1e-6)
    assert wider[0]["ar-en.margin"] != pytest.approx(full["ar-en.margin"], abs=1e-6)


# -- the shipped model on real e5 vectors --------------------------------------------------------


@pytest.fixture(scope="module")
def e5():
    from aligner.embed import get_embedder

    return get_embedder("e5")


@pytest.mark.slow
def test_quality_separates_translation_from_unrelated(e5):
    for src, tgt, pair in ((AR, EN, ("ar", "en")), (AR, FR, ("ar", "fr")), (EN, FR, ("en", "fr"))):
        good = score_pairs(src, tgt, *pair, embedder=e5)
        assert all(row["quality"] > 0.5 for row in good), [row["quality"] for row in good]
        # a sentence of another story in place of line 0's translation
        bad_tgt = [UNRELATED_EN if pair[1] == "en" else "Le club de football a annoncé un nouvel entraîneur."] + tgt[1:]
        bad = score_pairs(src, bad_tgt, *pair, embedder=e5)
        assert bad[0]["quality"] < 0.5, bad[0]


@pytest.mark.slow
def test_truncated_and_wrong_number_score_lower(e5):
    truncated = EN[:1] + ["Nearly 1,000 people were injured"] + EN[2:]
    wrong_number = EN[:2] + ["The Interior Ministry said 21 members of the security forces were killed."] + EN[3:]
    good = score_pairs(FR, EN, "fr", "en", embedder=e5)
    cut = score_pairs(FR, truncated, "fr", "en", embedder=e5)
    changed = score_pairs(FR, wrong_number, "fr", "en", embedder=e5)
    assert cut[1]["quality"] < good[1]["quality"]
    assert abs(cut[1]["len_ratio"]) > abs(good[1]["len_ratio"])
    assert cut[1]["quality"] < 0.5
    assert changed[2]["numbers"] == 0.0 < good[2]["numbers"]
    assert changed[2]["quality"] < good[2]["quality"]
    assert not math.isnan(good[0]["margin"])
