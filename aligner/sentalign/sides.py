"""The two sides of a document pair as the bead scorer sees them: sentence vectors, the vectors
of every group of consecutive sentences, character lengths and the sentences that must stand alone.

A module of its own because a side is built once per document and read by the margins
(:mod:`.margins`), the bead costs (:mod:`.scoring`) and every pass (:mod:`.search`,
:mod:`.pairwise`, :mod:`.crossing`), which also cut it into sub-sides: a slice, or the sentences
left around a moved block.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np


@dataclass(frozen=True)
class Side:
    """One side of the pair as the scorer sees it.

    ``groups[L - 1][e]`` is the unit vector of sentences ``e - L .. e - 1``
    (rows ``e < L`` are zero); ``chars`` holds prefix sums of character
    lengths, so a group's length is a difference. ``real`` maps the
    ``(start, size)`` groups that have a real embedding (pass 2) to it.
    ``alone`` holds prefix counts of the sentences that must stand alone on
    their side of a bead (headings), ``None`` when there are none.
    """

    groups: list[np.ndarray]
    chars: np.ndarray
    real: dict[tuple[int, int], np.ndarray] = field(default_factory=dict)
    alone: np.ndarray | None = None

    @property
    def size(self) -> int:
        return len(self.chars) - 1

    def holds_alone(self, ends: np.ndarray, size: int) -> np.ndarray:
        """Whether the group of ``size`` sentences ending at each of ``ends`` joins a must-stand-alone sentence."""
        if self.alone is None or size < 2:
            return np.zeros(np.shape(ends), dtype=bool)
        return self.alone[ends] - self.alone[np.maximum(ends - size, 0)] > 0

    def sliced(self, start: int, stop: int) -> Side:
        """Sentences ``start .. stop - 1`` as a side of their own (groups reaching before ``start`` are never read)."""
        real = {(s - start, n): v for (s, n), v in self.real.items() if s >= start and s + n <= stop}
        groups = [g[start : stop + 1] for g in self.groups]
        alone = None if self.alone is None else self.alone[start : stop + 1] - self.alone[start]
        return Side(groups, self.chars[start : stop + 1] - self.chars[start], real, alone)

    def subset(self, keep: np.ndarray) -> Side:
        """The sentences ``keep`` (ascending ids) as a side of their own.

        A group that would join sentences not adjacent in the original (the
        gap held a moved block) gets a zero vector, so no bead uses it.
        """
        vecs = self.groups[0][keep + 1]
        lengths = np.diff(self.chars)[keep]
        alone = None if self.alone is None else np.diff(self.alone)[keep] > 0
        side = make_side(vecs, lengths, len(self.groups), alone)
        position = {int(k): e for e, k in enumerate(keep)}
        gap_before = np.concatenate([[0], np.cumsum(np.diff(keep) > 1)])  # holes up to each kept sentence
        groups = side.groups
        for size in range(2, len(groups) + 1):
            ends = np.arange(size, len(keep) + 1)
            holes = gap_before[ends - 1] - gap_before[ends - size]
            groups[size - 1][ends[holes > 0]] = 0.0
        real = {
            (position[s], n): v
            for (s, n), v in self.real.items()
            if s in position and s + n - 1 in position and position[s + n - 1] - position[s] == n - 1
        }
        return with_embedded(side, real)


def text_lengths(texts: list[str]) -> np.ndarray:
    """Character length of every sentence (at least 1, so ratios stay finite)."""
    return np.array([max(len(t.strip()), 1) for t in texts], dtype=np.float64)


def make_side(vecs: np.ndarray, lengths: np.ndarray, max_group: int, alone: np.ndarray | None = None) -> Side:
    """Sentence vectors and their approximate group vectors up to ``max_group`` sentences.

    ``alone`` flags the sentences that no bead may join with others on this side (headings).

    A group's approximate vector is the sum of its members' vectors weighted
    by character length, renormalised: a sentence-embedding model averages
    token states, so a longer member weighs more in the real embedding too.
    """
    n = len(lengths)
    vecs = np.asarray(vecs, dtype=np.float32).reshape(n, -1)
    chars = np.concatenate([[0.0], np.cumsum(lengths)])
    # prefix[e] = weighted sum of sentences 0..e-1, so a group is a difference of two rows.
    prefix = np.zeros((n + 1, vecs.shape[1]))
    np.cumsum(vecs * lengths[:, None], axis=0, out=prefix[1:])
    groups = []
    for size in range(1, max_group + 1):
        summed = np.zeros_like(prefix)
        if size <= n:
            summed[size:] = prefix[size:] - prefix[:-size]
        norms = np.linalg.norm(summed, axis=1, keepdims=True)
        groups.append(np.divide(summed, norms, out=np.zeros_like(summed), where=norms > 0).astype(np.float32))
    groups[0][1:] = vecs  # single sentences exactly as embedded
    flags = None if alone is None or not np.any(alone) else np.concatenate([[0], np.cumsum(np.asarray(alone, bool))])
    return Side(groups, chars, alone=flags)


def with_embedded(side: Side, vectors: dict[tuple[int, int], np.ndarray]) -> Side:
    """``side`` with the group vectors of ``(start, size)`` spans replaced by real embeddings."""
    groups = [g.copy() for g in side.groups]
    for (start, size), vector in vectors.items():
        groups[size - 1][start + size] = vector
    return replace(side, groups=groups, real={**side.real, **vectors})
