"""Drafts back into tuples: renumbered in reading order, ``consistency`` recomputed for the new ones.

A new tuple's agreement is judged against the segments of the sentence aligner's tuple (or tuples,
when a clause moved between them) it comes from, so the pairwise sentence alignments are asked
about the outer bounds they set, not about the cuts the word links made.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace

from aligner.model import AlignedTuple
from aligner.sentalign.trilingual import AGREEMENT_SUFFIX

from .drafts import Context, Draft
from .unionfind import UnionFind


def _agreement(ctx: Context, draft: Draft, scope: set[tuple[str, int]]) -> dict[str, float]:
    """The trilingual rule (see :class:`~aligner.sentalign.trilingual.SentenceTuple`) over the draft's
    segments: ``<a>-<b>.agreement`` of each present pair and ``consistency``, their mean.

    A bead touching the draft agrees if it stays inside ``scope``, the segments of the original
    tuple: refining re-partitions a tuple by word links, agreement says whether the pairwise
    sentence alignments agreed on the tuple's outer bounds.
    """
    nodes = _nodes(draft)
    scores = {}
    present = set(draft.languages())
    for a, b in itertools.combinations([lang for lang in ctx.languages if lang in present], 2):
        touching = [[(a, i) for i in src] + [(b, j) for j in tgt] for src, tgt in ctx.beads.get((a, b), [])]
        touching = [bead for bead in touching if nodes.intersection(bead)]
        scores[f"{a}-{b}{AGREEMENT_SUFFIX}"] = float(bool(touching) and all(scope.issuperset(bead) for bead in touching))
    scores["consistency"] = sum(scores.values()) / len(scores) if scores else 1.0
    return scores


def finish_tuples(ctx: Context, drafts: list[Draft], joined: Sequence[tuple[int, int]] = ()) -> list[AlignedTuple]:
    """The drafts as the group's tuples: an untouched one as it was, renumbered; a new one with its agreement."""
    group_id = ctx.group.group.group_id
    scopes = _scopes(drafts, joined)
    tuples = []
    for number, draft in enumerate(drafts, start=1):
        origin = draft.origin
        tuid = f"{group_id}-{number:05d}"
        if not draft.changed:
            tuples.append(replace(origin, tuid=tuid))
        else:
            units = {lang: draft.units.get(lang, []) for lang in ctx.languages}
            scores = _agreement(ctx, draft, scopes[id(draft)])
            present = [lang for lang in ctx.languages if units[lang]]
            tuples.append(AlignedTuple(
                origin.group_id, tuid,
                {lang: tuple(u.unit_id for u in units[lang]) for lang in ctx.languages},
                {lang: " ".join(u.shown for u in units[lang]) for lang in ctx.languages},
                scores, keep=len(present) > 1))
    return tuples


def _nodes(draft: Draft) -> set[tuple[str, int]]:
    return {(u.lang, u.index) for units in draft.units.values() for u in units}


def _scopes(drafts: Sequence[Draft], joined: Sequence[tuple[int, int]] = ()) -> dict[int, set[tuple[str, int]]]:
    """For each draft (by ``id``), the segments of the original tuple it comes from.

    ``joined``: pairs of original tuples (``id`` of the origin) that count as one.
    """
    family = UnionFind(id(draft.origin) for draft in drafts)
    for a, b in joined:
        family.union(a, b)
    scope: dict[int, set[tuple[str, int]]] = {}
    for draft in drafts:
        scope.setdefault(family.find(id(draft.origin)), set()).update(_nodes(draft))
    return {id(draft): scope[family.find(id(draft.origin))] for draft in drafts}
