"""Two sentence embedders side by side: ``e5+use``.

The vectors of the parts are L2-normalised, weighted by the square root of their weights and
concatenated, so the cosine of two texts is the weighted mean of the parts' cosines. Two
encoders trained differently make different mistakes: on Text+Berg (de-fr) strict F1 goes from
0.870 (e5) and 0.883 (USE) to 0.899, and on the perturbed NTREX pairs the Arabic pairs gain
(docs/embedders.md). Each part keeps its own disk cache; the ensemble adds none.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from .base import Embedder, l2_normalise

#: Specs that name an ensemble, with the weight of each part (tuned on the Text+Berg dev document).
ENSEMBLES: dict[str, dict[str, float]] = {"e5+use": {"e5": 0.7, "use": 0.3}}


class EnsembleEmbedder:
    """``parts`` (spec -> embedder) weighted by ``weights`` (spec -> weight, summing to 1)."""

    def __init__(self, parts: Mapping[str, Embedder], weights: Mapping[str, float]) -> None:
        if set(parts) != set(weights):
            raise ValueError(f"ensemble parts {sorted(parts)} and weights {sorted(weights)} differ")
        if not math.isclose(sum(weights.values()), 1.0) or min(weights.values()) <= 0:
            raise ValueError(f"ensemble weights must be positive and sum to 1, got {dict(weights)}")
        self.parts = dict(parts)
        self.weights = dict(weights)
        self.name = "+".join(self.parts)
        self.version = ";".join(f"{spec}:{getattr(part, 'version', '')}:{self.weights[spec]}"
                                for spec, part in self.parts.items())

    @property
    def dim(self) -> int:
        return sum(part.dim for part in self.parts.values())

    @property
    def texts_encoded(self) -> int:
        """Texts the parts' models read (the e5 part's count is the one that costs)."""
        return sum(getattr(part, "texts_encoded", 0) for part in self.parts.values())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        blocks = [math.sqrt(self.weights[spec]) * np.asarray(part.encode(texts), dtype=np.float32)
                  for spec, part in self.parts.items()]
        return l2_normalise(np.concatenate(blocks, axis=1)).astype(np.float32, copy=False)
