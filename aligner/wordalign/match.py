"""Turning a word-similarity matrix into links: ArgMax, IterMax and Match.

Each function takes ``similarity`` of shape ``(n_source, n_target)`` (higher
is more similar) and returns sorted 0-based ``(source, target)`` links. They
are pure numpy/scipy functions over stored vectors' similarities, so one
encoder pass can be matched in any number of ways.

The three methods are those of SimAlign (Jalili Sabet et al., 2020):

* :func:`argmax` - a link where the source word's most similar target word
  and the target word's most similar source word are each other (mutual
  argmax, SimAlign's "inter"); precise, one link per word at most;
* :func:`itermax` - ArgMax, then more rounds of mutual argmax (``max_count``
  rounds in all, ArgMax being the first; SimAlign's default of 2 means one
  extra round) that only consider pairs with at least one word still
  unaligned; the similarity of a pair with one aligned word is scaled by
  ``alpha`` (0.9), pairs of two aligned words are out;
* :func:`match` - maximum-weight bipartite matching: the one-to-one links,
  as many as the shorter sentence has words, with the largest total
  similarity (scipy's ``linear_sum_assignment``).
"""

from __future__ import annotations

import numpy as np

Link = tuple[int, int]
METHODS = ("argmax", "itermax", "match")


def _check(similarity: np.ndarray) -> np.ndarray:
    sim = np.asarray(similarity, dtype=np.float64)
    if sim.ndim != 2:
        raise ValueError(f"similarity must be a 2-D matrix, got shape {sim.shape}")
    if np.isnan(sim).any():
        raise ValueError("similarity contains NaN")
    return sim


def _links(mask: np.ndarray) -> list[Link]:
    return [(int(i), int(j)) for i, j in zip(*np.nonzero(mask))]


def _mutual_argmax(sim: np.ndarray) -> np.ndarray:
    """Boolean matrix of cells that are the maximum of both their row and their column (first maximum wins ties)."""
    out = np.zeros(sim.shape, dtype=bool)
    if sim.size == 0:
        return out
    rows = np.arange(sim.shape[0])
    best_col = sim.argmax(axis=1)
    best_row = sim.argmax(axis=0)
    mutual = best_row[best_col] == rows
    out[rows[mutual], best_col[mutual]] = True
    return out


def argmax(similarity: np.ndarray) -> list[Link]:
    """Mutual-argmax links: i-j where j is i's best target and i is j's best source."""
    return _links(_mutual_argmax(_check(similarity)))


def itermax(similarity: np.ndarray, max_count: int = 2, alpha: float = 0.9) -> list[Link]:
    """ArgMax plus rounds that link words left unaligned, ``max_count`` rounds in all (ArgMax is the first).

    ``similarity`` must be non-negative (e.g. ``(cosine + 1) / 2``), because
    the down-weighting by ``alpha`` of pairs with one aligned side is a
    multiplication. Sentences of at most two words on either side get ArgMax
    only, as in SimAlign.
    """
    sim = _check(similarity)
    if (sim < 0).any():
        raise ValueError("itermax needs non-negative similarities, e.g. (cosine + 1) / 2")
    aligned = _mutual_argmax(sim)
    if min(sim.shape, default=0) <= 2:
        return _links(aligned)
    for _ in range(max_count - 1):
        free_src = ~aligned.any(axis=1)
        free_tgt = ~aligned.any(axis=0)
        if not free_src.any() or not free_tgt.any():
            break
        # 1 where both words are free, alpha where one is, 0 (excluded) where neither is
        weight = np.minimum(alpha * free_src[:, None] + alpha * free_tgt[None, :], 1.0)
        candidates = free_src[:, None] | free_tgt[None, :]
        new = _mutual_argmax(sim * weight) & candidates & ~aligned
        if not new.any():
            break
        aligned |= new
    return _links(aligned)


def match(similarity: np.ndarray) -> list[Link]:
    """Maximum-weight one-to-one links covering every word of the shorter side."""
    from scipy.optimize import linear_sum_assignment

    sim = _check(similarity)
    if sim.size == 0:
        return []
    if np.isinf(sim).any():
        raise ValueError("match needs finite similarities")
    rows, cols = linear_sum_assignment(sim, maximize=True)
    return sorted((int(i), int(j)) for i, j in zip(rows, cols))


MATCHERS = {"argmax": argmax, "itermax": itermax, "match": match}


def get_matcher(method: str):
    """The matching function named ``method`` (``argmax``, ``itermax`` or ``match``)."""
    try:
        return MATCHERS[method]
    except KeyError:
        raise ValueError(f"unknown matching method {method!r}; expected one of {METHODS}") from None
