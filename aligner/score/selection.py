"""Which pairs of a tuple are kept, and so which tuples: the keep rule, written once.

Each language pair of a tuple is judged on its own: a weak French sentence must not take the
good Arabic-English pair of its row out of ``corpus.ar-en.*``. A pair is kept when its
``quality`` (the calibrated probability of :mod:`aligner.score`) reaches the threshold, none of
its flags is set, and the row is not page furniture or a repeat. Whether the pair's own sentence
alignment agrees with the tuple (``<pair>.agreement``: its beads link the tuple's sentences and
reach nowhere outside it; the tuple's ``consistency`` is their mean) is evidence, not a cap: it
moves the pair's threshold in log-odds, down when the pair's alignment made the tuple, up when
the tuple overruled it by way of the third language. A tuple is kept when it has two languages or more and every pair
it has is kept; a trilingual export needs all three.

The shifts were chosen on the news development benchmark (``scripts/bench_news_hard.py``, seed
7) and checked on seed 8 and the seeds (docs/scores.md, "Which pairs are kept"): a pair whose
alignment made the tuple is right far more often than its quality alone says (a clause piece
scores low on ``start_case`` and ``end_punct``), one the tuple overruled less often.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace

from aligner.model import AlignedTuple
from aligner.score.flags import FLAG_COLUMNS
from aligner.sentalign.trilingual import AGREEMENT_SUFFIX

DEFAULT_MIN_QUALITY = 0.5


@dataclass(frozen=True)
class SelectOptions:
    """The keep rule's knobs: the quality a pair needs, and how its alignment's agreement moves it."""

    #: A pair is kept from this ``quality`` (the calibrated decision point, docs/scores.md).
    min_quality: float = DEFAULT_MIN_QUALITY
    #: Agreement (or consistency) at or above this counts as agreeing with the tuple.
    agreement: float = 0.99
    #: Log-odds taken off a pair's threshold when its alignment agrees with the tuple (0.5 -> 0.30) ...
    agreeing_shift: float = 0.85
    #: ... and added when it does not (0.5 -> 0.80).
    disagreeing_shift: float = 1.39

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_quality <= 1.0:  # also rejects NaN
            raise ValueError(f"min_quality must be between 0 and 1, got {self.min_quality}")
        if self.agreeing_shift < 0 or self.disagreeing_shift < 0:
            raise ValueError("agreeing_shift and disagreeing_shift are log-odds moves, at least 0")


KEEP_SUFFIX = ".keep"
QUALITY_SUFFIX = ".quality"


def _logit(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))


def pair_threshold(rule: SelectOptions, agreement: float | None) -> float:
    """The quality a pair needs, given whether its own alignment agrees with the tuple (1.0 / 0.0,
    or a tuple's ``consistency`` where the pair's agreement is not known; None: neither is, no shift)."""
    min_quality = rule.min_quality
    if agreement is None or math.isnan(agreement) or min_quality in (0.0, 1.0):
        return min_quality
    shift = -rule.agreeing_shift if agreement >= rule.agreement else rule.disagreeing_shift
    return 1.0 / (1.0 + math.exp(-(_logit(min_quality) + shift)))


def pair_qualities(scores: Mapping[str, float]) -> Iterator[tuple[str, float]]:
    """``(pair, quality)`` of every pair scored in ``scores`` (``ar-en.quality`` -> ``("ar-en", q)``)."""
    for name, value in scores.items():
        pair, dot, component = name.partition(".")
        if dot and component == "quality":
            yield pair, value


def row_flagged(scores: Mapping[str, float]) -> bool:
    return any(scores.get(name) == 1.0 for name in FLAG_COLUMNS)


def _agreement(scores: Mapping[str, float], pair: str) -> float | None:
    """The pair's own agreement (``<pair>.agreement``), else the tuple's ``consistency``, else None."""
    own = scores.get(f"{pair}{AGREEMENT_SUFFIX}")
    return own if own is not None and not math.isnan(own) else scores.get("consistency")


def pair_kept(scores: Mapping[str, float], pair: str, rule: SelectOptions) -> bool:
    """Whether ``pair`` (``"ar-en"``) of a tuple with these ``scores`` is kept by ``rule``."""
    quality = scores.get(f"{pair}{QUALITY_SUFFIX}")
    if quality is None or math.isnan(quality) or row_flagged(scores):
        return False
    if scores.get(f"{pair}.duplicate") == 1.0 or scores.get(f"{pair}.copy") == 1.0:
        return False
    return quality >= pair_threshold(rule, _agreement(scores, pair))


def pair_keeps(scores: Mapping[str, float], rule: SelectOptions) -> dict[str, bool]:
    """Every scored pair's keep decision (:func:`pair_kept`)."""
    return {pair: pair_kept(scores, pair, rule) for pair, _ in pair_qualities(scores)}


def keep_scores(scores: Mapping[str, float], rule: SelectOptions) -> dict[str, float]:
    """``scores`` with ``<pair>.keep`` (1.0 / 0.0) set for every scored pair."""
    keeps = pair_keeps(scores, rule)
    return {**scores, **{f"{pair}{KEEP_SUFFIX}": float(kept) for pair, kept in keeps.items()}}


def tuple_kept(scores: Mapping[str, float], languages: int, rule: SelectOptions) -> bool:
    """A tuple of ``languages`` languages is kept when it has two or more and every scored pair is
    kept; a row scored only as a whole (no ``<pair>.quality``) by its ``quality`` and flags."""
    if languages < 2:
        return False
    keeps = pair_keeps(scores, rule)
    if keeps:
        return all(keeps.values())
    quality = scores.get("quality", math.nan)
    return not math.isnan(quality) and quality >= rule.min_quality and not row_flagged(scores)


def with_keep(item: AlignedTuple, rule: SelectOptions) -> AlignedTuple:
    """``item`` with each pair's ``<pair>.keep`` and the tuple's ``keep``: the selection stage of one tuple."""
    scores = keep_scores(item.scores, rule)
    return replace(item, scores=scores, keep=tuple_kept(scores, len(item.languages), rule))
