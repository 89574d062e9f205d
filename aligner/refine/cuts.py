"""Clause cutting: where a unit may be cut, and the cuts whose pieces each link into their own block.

L's sentence is cut only at clause boundaries (after ``, ، ; ؛ :``, before a conjunction), one
piece per block of consecutive components, by a small dynamic programme (:func:`best_cuts`); a
split is accepted only under the ``min_links`` / ``min_purity`` rules (:func:`find_split`). The
same programme cuts a sentence spread over several tuples (:mod:`.spread`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .components import link_counts
from .drafts import Context, Draft
from .units import Unit, content_mask, cut_pieces, relative_positions, unit_starts

#: Tokens after which a sentence may be cut (clause punctuation).
CUT_AFTER = frozenset(",،;؛:")
#: Tokens before which a sentence may be cut (clause-level conjunctions), per language, lowercased.
CUT_BEFORE: dict[str, frozenset[str]] = {
    "en": frozenset("and but while whereas".split()),
    "fr": frozenset("et mais tandis alors".split()),
    "ar": frozenset("لكن ولكن بل بينما فيما كما".split()),
}


def cut_points(unit: Unit, lang: str) -> list[int]:
    """Token indices ``i`` before which the unit may be cut (clause boundaries)."""
    tokens = unit.tokens.tokens
    conj = CUT_BEFORE.get(lang, frozenset())
    return [i for i in range(1, len(tokens)) if tokens[i - 1] in CUT_AFTER or tokens[i].lower() in conj]


def _groupings(n: int) -> Iterable[list[tuple[int, int]]]:
    """Every way to cut ``n`` ordered components into two or more contiguous blocks (``[lo, hi)`` each)."""
    for mask in range(1, 2 ** (n - 1)):
        bounds = [0] + [k + 1 for k in range(n - 1) if mask >> k & 1] + [n]
        yield list(zip(bounds, bounds[1:]))


@dataclass(frozen=True)
class _Split:
    cuts: tuple[int, ...]  # token indices where pieces 2..K start
    blocks: tuple[tuple[int, int], ...]
    score: float


def best_cuts(gain: np.ndarray, cands: Sequence[int], content: Sequence[bool], rel: Sequence[float],
               weights: Sequence[float], min_words: int) -> tuple[tuple[int, ...], float] | None:
    """Cuts maximising ``sum_k sum_{t in piece k} gain[t, k]`` (one piece per column of ``gain``).

    Each piece needs ``min_words`` content words. Ties go to the cuts whose position (``rel[i]``:
    share of the characters before token ``i``) is nearest the blocks' cumulative share of
    characters (``weights``: their lengths), then to the earliest cuts; this tie-break weighs less
    than one link.
    """
    n, blocks = gain.shape
    cum = np.vstack([np.zeros((1, blocks)), np.cumsum(gain, axis=0)])  # cum[i, k]: tokens < i
    words = np.concatenate([[0], np.cumsum(np.asarray(content, dtype=np.int64))])
    points = [0, *cands, n]
    target = np.cumsum(weights)[:-1] / max(sum(weights), 1e-9)
    tie = 0.4 / max(blocks - 1, 1)
    # best[k][p]: best score of blocks 0..k-1 with piece k-1 ending just before token p
    best: list[dict[int, tuple[float, tuple[int, ...]]]] = [{0: (0.0, ())}]
    for k in range(blocks):
        row: dict[int, tuple[float, tuple[int, ...]]] = {}
        ends = [n] if k == blocks - 1 else points[1:-1]
        for end in ends:
            choice = None
            for start, (score, cuts) in best[k].items():
                if start >= end or words[end] - words[start] < min_words:
                    continue
                value = score + cum[end, k] - cum[start, k]
                if k < blocks - 1:
                    value -= tie * abs(rel[end] - target[k])
                if choice is None or value > choice[0] + 1e-12:
                    choice = (value, cuts + ((end,) if k < blocks - 1 else ()))
            if choice is not None:
                row[end] = choice
        best.append(row)
    final = best[blocks].get(n)
    return None if final is None else (final[1], final[0])


def find_split(ctx: Context, draft: Draft, lang: str, components,
                groupings: Iterable[list[tuple[int, int]]] | None = None, counts: np.ndarray | None = None
                ) -> _Split | None:
    """The accepted split of L's sentence with the most pieces (then the best score), if any.

    ``groupings`` (blocks of components) are the ones tried, by default every grouping; ``counts``:
    :func:`~.components.link_counts` if already known.
    """
    opts = ctx.options
    l_units = draft.units[lang]
    cands = cut_points(l_units[0], lang) if len(l_units) == 1 else unit_starts(l_units)
    if not cands or len(components) > opts.max_components:
        return None
    if counts is None:
        counts, _ = link_counts(ctx, draft, lang, components)
    content = content_mask(l_units, lang)
    rel = relative_positions(l_units)
    sizes = [sum(len(draft.units[l][k].shown) for l, k in comp) for comp in components]
    found: list[_Split] = []
    for blocks in groupings if groupings is not None else _groupings(len(components)):
        by_block = np.stack([counts[:, lo:hi].sum(axis=1) for lo, hi in blocks], axis=1)
        # Every link lands in some block, so maximising the links into each piece's own block is
        # maximising those links minus the links into the other blocks.
        result = best_cuts(by_block, cands, content, rel, [sum(sizes[lo:hi]) for lo, hi in blocks],
                            opts.min_piece_words)
        if result is None:
            continue
        cuts, score = result
        bounds = [0, *cuts, len(content)]
        own = [int(by_block[s:e, k].sum()) for k, (s, e) in enumerate(zip(bounds, bounds[1:]))]
        piece_total = [int(by_block[s:e].sum()) for s, e in zip(bounds, bounds[1:])]
        block_total = by_block.sum(axis=0)
        if all(o >= opts.min_links and o >= opts.min_purity * p and o >= opts.min_purity * b
               for o, p, b in zip(own, piece_total, block_total)):
            found.append(_Split(tuple(cuts), tuple(blocks), score))
    if not found:
        return None
    return max(found, key=lambda s: (len(s.blocks), s.score, [-c for c in s.cuts]))


def grouped(units: Sequence[Unit], cuts: Sequence[int]) -> list[list[Unit]]:
    """L's side cut before each token of ``cuts``: one unit cut in pieces, or several units in groups."""
    if len(units) == 1:
        return [[piece] for piece in cut_pieces(units[0], cuts)]
    starts = [0, *unit_starts(units)]
    bounds = [0, *(starts.index(c) for c in cuts), len(units)]
    return [list(units[lo:hi]) for lo, hi in zip(bounds, bounds[1:])]
