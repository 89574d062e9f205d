"""Two sentence embedders side by side: ``e5+use``.

The vectors of the parts are L2-normalised, weighted by the square root of their weights and
concatenated, so the cosine of two texts is the weighted mean of the parts' cosines. Two
encoders trained differently make different mistakes: on Text+Berg (de-fr) strict F1 goes from
0.870 (e5) and 0.883 (USE) to 0.900, and on the perturbed NTREX tuples from 0.871-0.881 to
0.874-0.892 (docs/embedders.md). Each part keeps its own disk cache; the ensemble adds none.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from .base import Embedder, l2_normalise

#: Specs that name an ensemble, with the weight of each part (tuned on the Text+Berg dev document).
ENSEMBLES: dict[str, dict[str, float]] = {"e5+use": {"e5": 0.7, "use": 0.3}}
#: Parts whose vector of a group of sentences is approximated from the members' vectors in pass 2
#: of sentence alignment (:meth:`EnsembleEmbedder.encode_groups`): e5 costs 15-25 times more than USE.
APPROXIMATE_GROUPS: frozenset[str] = frozenset({"e5"})


def check_weights(parts, weights: Mapping[str, float]) -> None:
    """``ValueError`` unless ``weights`` name exactly ``parts`` and are positive and sum to 1."""
    if set(parts) != set(weights):
        raise ValueError(f"ensemble parts {sorted(parts)} and weights {sorted(weights)} differ")
    if not math.isclose(sum(weights.values()), 1.0) or min(weights.values()) <= 0:
        raise ValueError(f"ensemble weights must be positive and sum to 1, got {dict(weights)}")


def primary_part(embedder: Embedder) -> Embedder:
    """The embedder document alignment and the quality model use: an ensemble's first part (e5 of
    ``e5+use``), else the embedder itself. Both are tuned on e5's vectors (docs/embedders.md)."""
    parts = getattr(embedder, "parts", None)
    return next(iter(parts.values())) if parts else embedder


class EnsembleEmbedder:
    """``parts`` (spec -> embedder) weighted by ``weights`` (spec -> weight, summing to 1).

    ``approximate``: parts whose group vectors :meth:`encode_groups` approximates.
    """

    def __init__(self, parts: Mapping[str, Embedder], weights: Mapping[str, float],
                 approximate: frozenset[str] = APPROXIMATE_GROUPS) -> None:
        check_weights(parts, weights)
        self.parts = dict(parts)
        self.weights = dict(weights)
        self.approximate = frozenset(approximate) & set(self.parts)
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

    def encode_groups(self, joined: Sequence[str], members: Sequence[Sequence[str]]) -> np.ndarray:
        """Vectors of groups of consecutive sentences (``joined``: their texts joined; ``members``: the sentences).

        The parts in ``approximate`` do not read the joined texts: their part of a group's vector
        is its members' vectors (already embedded, so cache hits) summed with weights by length and
        renormalised, the approximation sentence alignment makes before pass 2 anyway. The other
        parts embed the joined texts. Pass 2 then costs USE's time, not e5's.
        """
        blocks = []
        for spec, part in self.parts.items():
            if spec in self.approximate:
                flat = [text for group in members for text in group]
                vectors = np.asarray(part.encode(flat), dtype=np.float64) if flat else np.zeros((0, part.dim))
                lengths = np.array([max(len(text.strip()), 1) for text in flat], dtype=np.float64)
                owner = np.repeat(np.arange(len(members)), [len(group) for group in members])
                summed = np.zeros((len(members), vectors.shape[1]))
                np.add.at(summed, owner, vectors * lengths[:, None])
                vectors = l2_normalise(summed)
            else:
                vectors = np.asarray(part.encode(joined), dtype=np.float32)
            blocks.append(math.sqrt(self.weights[spec]) * vectors)
        return l2_normalise(np.concatenate(blocks, axis=1)).astype(np.float32, copy=False)
