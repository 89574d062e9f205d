"""The ``quality`` model: logistic regression on the components, stored as plain JSON.

``quality_model.json`` (next to this file, written by ``scripts/train_quality.py``) holds, per
language pair, the expected log length ratio and one or more *variants*: a logistic regression
over a list of features with their normalisation (mean, scale), coefficients and intercept.
Variants are tried in order and the first whose features are all available is used, so a missing
optional component (``rival_gap`` without enough context, ``word_coverage`` without the word-alignment
stage) selects a model trained without it instead of a guessed value.

Features are components, or a fixed transform of one (:data:`FEATURES`); the model file names them.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Mapping

MODEL_PATH = Path(__file__).with_name("quality_model.json")
MODEL_FORMAT = 1
#: ``langid_low``: language-id probabilities are floored here before their log is taken ...
LANGID_FLOOR = 1e-3
#: ... and count as low below this.
LANGID_LOW = 0.1

def _langid_shortfall(probability: float) -> float:
    return max(0.0, math.log(LANGID_LOW) - math.log(max(probability, LANGID_FLOOR)))


#: Model features: name -> function of the component dict (NaN = not available).
FEATURES: dict[str, Callable[[Mapping[str, float]], float]] = {
    "cos": lambda c: c.get("cos", math.nan),
    "margin": lambda c: c.get("margin", math.nan),
    "rival_gap": lambda c: c.get("rival_gap", math.nan),
    # |deviation from the usual length ratio|: a linear model cannot use the signed value
    "abs_len_ratio": lambda c: abs(c.get("len_ratio", math.nan)),
    "numbers": lambda c: c.get("numbers", math.nan),
    # any number unmatched: one wrong number among several barely moves the Dice overlap
    "numbers_mismatch": lambda c: float(c["numbers"] < 1.0) if "numbers" in c else math.nan,
    "names": lambda c: c.get("names", math.nan),
    "end_punct": lambda c: c.get("end_punct", math.nan),
    "start_case": lambda c: c.get("start_case", math.nan),
    "langid_src": lambda c: c.get("langid_src", math.nan),
    "langid_tgt": lambda c: c.get("langid_tgt", math.nan),
    # how far the less sure side falls below 0.1 (log scale, 0 above): a side in another language
    # scores 2-4.6, a short sentence whose language is merely uncertain about 0
    "langid_low": lambda c: max(_langid_shortfall(c.get("langid_src", math.nan)),
                                _langid_shortfall(c.get("langid_tgt", math.nan))),
    "script_src": lambda c: c.get("script_src", math.nan),
    "script_tgt": lambda c: c.get("script_tgt", math.nan),
    "script_min": lambda c: min(c.get("script_src", math.nan), c.get("script_tgt", math.nan)),
    "word_coverage": lambda c: c.get("word_coverage", math.nan),
}


@dataclass(frozen=True)
class Variant:
    """One logistic regression: ``sigmoid(intercept + sum(coef * (x - mean) / scale))``."""

    name: str
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    @classmethod
    def from_dict(cls, data: Mapping) -> Variant:
        variant = cls(
            name=str(data["name"]),
            features=tuple(data["features"]),
            mean=tuple(float(x) for x in data["mean"]),
            scale=tuple(float(x) for x in data["scale"]),
            coef=tuple(float(x) for x in data["coef"]),
            intercept=float(data["intercept"]),
        )
        sizes = {len(variant.features), len(variant.mean), len(variant.scale), len(variant.coef)}
        if len(sizes) != 1:
            raise ValueError(f"quality model variant {variant.name!r}: features, mean, scale, coef differ in length")
        unknown = set(variant.features) - set(FEATURES)
        if unknown:
            raise ValueError(f"quality model variant {variant.name!r}: unknown feature(s) {sorted(unknown)}")
        return variant

    def to_dict(self) -> dict:
        return {"name": self.name, "features": list(self.features), "mean": list(self.mean),
                "scale": list(self.scale), "coef": list(self.coef), "intercept": self.intercept}

    def values(self, components: Mapping[str, float]) -> list[float] | None:
        """The feature values, or None if one is missing (NaN)."""
        values = [FEATURES[name](components) for name in self.features]
        return None if any(math.isnan(v) for v in values) else values

    def logit(self, values: list[float]) -> float:
        return self.intercept + sum(c * (v - m) / s for c, v, m, s in zip(self.coef, values, self.mean, self.scale))


@dataclass(frozen=True)
class PairModel:
    """The model of one ordered language pair ``src-tgt``."""

    pair: str
    expected_log_ratio: float
    variants: tuple[Variant, ...]

    def predict(self, components: Mapping[str, float]) -> tuple[float, str]:
        """``(quality, variant name)`` from the first variant whose features are all available."""
        for variant in self.variants:
            values = variant.values(components)
            if values is not None:
                z = variant.logit(values)
                return (1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0), variant.name
        needed = " or ".join(str(list(v.features)) for v in self.variants)
        raise ValueError(f"quality model {self.pair}: components missing; needs {needed}, got {sorted(components)}")


@dataclass(frozen=True)
class QualityModel:
    pairs: dict[str, PairModel]
    metadata: dict

    @classmethod
    def from_dict(cls, data: Mapping) -> QualityModel:
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"quality model: format {data.get('format')!r}, expected {MODEL_FORMAT}")
        pairs = {}
        for pair, entry in data["pairs"].items():
            pairs[pair] = PairModel(pair, float(entry["expected_log_ratio"]),
                                    tuple(Variant.from_dict(v) for v in entry["variants"]))
        metadata = {key: value for key, value in data.items() if key != "pairs"}
        return cls(pairs, metadata)

    def for_pair(self, src_lang: str, tgt_lang: str) -> tuple[PairModel, bool]:
        """The model for ``src-tgt`` and whether the stored pair is the reverse (``tgt-src``)."""
        if f"{src_lang}-{tgt_lang}" in self.pairs:
            return self.pairs[f"{src_lang}-{tgt_lang}"], False
        if f"{tgt_lang}-{src_lang}" in self.pairs:
            return self.pairs[f"{tgt_lang}-{src_lang}"], True
        raise ValueError(f"no quality model for the language pair {src_lang}-{tgt_lang}; "
                         f"known pairs: {', '.join(sorted(self.pairs))}")


def load_model(path: Path | str | None = None) -> QualityModel:
    """The quality model at ``path`` (default: the shipped ``quality_model.json``), cached per path."""
    return _load(str(Path(path) if path is not None else MODEL_PATH))


@lru_cache(maxsize=4)
def _load(path: str) -> QualityModel:
    with open(path, encoding="utf-8") as handle:
        return QualityModel.from_dict(json.load(handle))
