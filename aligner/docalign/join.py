"""Joining a group through its other languages: a document no single member accepts, but the group does.

A pair score measures one translation at a time. A document whose two versions in the other
languages are each edited differently (a sentence merged in one, a paragraph dropped in the other)
can find half its sentences in each and stay just under the threshold with both, though between
them the group explains most of it. Once the pairs are grouped, an ungrouped document D is
weighed against each group G that its verified pairs touch, with G as one document:

* **linked**: D's sentences linked (:func:`aligner.docalign.verify.links`) to at least one member;
* **corroborated**: D's sentences linked to two members whose counterparts are linked to each
  other: the three versions agree on one sentence; **contradicted**: linked to two members whose
  counterparts are each linked elsewhere in that pair of members: they disagree;
* the **group score** is ``(linked - contradicted) / (n + 1.5 k)``: n is the smaller of D's sentence
  count and that of G's longest member (the members are versions of one text, so the longest holds
  it all), k the number of members compared. It is the pair score of D with the group as one
  document, with a contradicted sentence counted as not found and the pair score's 1.5 unlinked
  sentences assumed once per member, because each member gives chance links another chance.

D joins G when G has no document of D's language (under the cap), members in at least two other
languages, and

1. the group score reaches the threshold: the group as a whole passes the bar a single
   translation must pass;
2. every member is consistent with D by the grouping's own rule: its pair scores at least half
   the threshold (:data:`aligner.docalign.group.CONSISTENCY`);
3. the languages agree: at least :data:`MIN_CORROBORATED` sentence corroborated, and more
   corroborated than contradicted. Chance links with two documents rarely land on two sentences
   that translate each other; a translation's do.

Measured on news_hard (seeds 7-10, with and without one version of every group removed so that
loose documents meet incomplete groups): versions that stayed out score 0.562-0.615 with their
group (pairs 0.435-0.483 with each member); the best wrong document 0.462 (refused by 2. as well),
the single-language distractors at most 0.435.

The best-scoring join is made first and every other one is re-weighed against the groups as they
then are, so the result does not depend on the order of the documents.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .group import CONSISTENCY
from .verify import UNLINKED_PRIOR

#: Sentences a joining document must have confirmed through two members that are linked to each other.
MIN_CORROBORATED = 1


@dataclass(frozen=True)
class GroupEvidence:
    """How one document matches one group taken as a whole (see the module doc)."""

    score: float
    linked: int
    corroborated: int
    contradicted: int
    weakest: float  # lowest pair score with a member

    def as_evidence(self) -> dict[str, float]:
        return {"group_score": self.score, "group_linked": float(self.linked),
                "group_corroborated": float(self.corroborated), "group_contradicted": float(self.contradicted)}


def group_evidence(doc: int, members: Sequence[int], langs: Sequence[str], sizes: Sequence[int],
                   score: Callable[[int, int], float], links: Callable[[int, int], np.ndarray]) -> GroupEvidence:
    """``doc`` against the group ``members``; ``links(a, b)`` gives the linked rows ``(x in a, y in b)``."""
    counterpart: dict[int, dict[int, int]] = {m: dict(links(doc, m).tolist()) for m in members}
    linked = set().union(*(set(c) for c in counterpart.values())) if members else set()
    corroborated, contradicted = set(), set()
    for i, first in enumerate(members):
        for second in members[i + 1:]:
            if langs[first] == langs[second]:
                continue
            forward = dict(links(first, second).tolist())
            backward = {y: x for x, y in forward.items()}
            for x in set(counterpart[first]) & set(counterpart[second]):
                y1, y2 = counterpart[first][x], counterpart[second][x]
                if forward.get(y1) == y2:
                    corroborated.add(x)
                elif y1 in forward and y2 in backward:
                    contradicted.add(x)
    contradicted -= corroborated
    n = min(sizes[doc], max(sizes[m] for m in members))
    found = len(linked) - len(contradicted)
    return GroupEvidence(found / (n + UNLINKED_PRIOR * len(members)), len(linked), len(corroborated),
                         len(contradicted), min(score(doc, m) for m in members))


def refusal(evidence: GroupEvidence, threshold: float) -> str:
    """Why the evidence does not let the document join ('' if it does)."""
    if evidence.score < threshold:
        return f"group score {evidence.score:.3f} below threshold {threshold:.3f}"
    if evidence.weakest < CONSISTENCY * threshold:
        return f"a member scores {evidence.weakest:.3f} (members must reach {CONSISTENCY * threshold:.3f})"
    if evidence.corroborated < MIN_CORROBORATED or evidence.corroborated <= evidence.contradicted:
        return (f"{evidence.corroborated} sentence(s) corroborated by two members, {evidence.contradicted} "
                f"contradicted (at least {MIN_CORROBORATED} and more than contradicted needed)")
    return ""


@dataclass(frozen=True)
class Joined:
    """Groups after joining; for each joined document the group evidence that let it in, and for each
    document weighed but left out its best-scoring group (members) and why it stayed out."""

    groups: tuple[tuple[int, ...], ...]
    joined: Mapping[int, GroupEvidence]
    refused: Mapping[int, tuple[tuple[int, ...], str]]


def join_through_groups(
    langs: Sequence[str],
    sizes: Sequence[int],
    groups: Sequence[Sequence[int]],
    partners: Mapping[int, Sequence[int]],
    score: Callable[[int, int], float],
    links: Callable[[int, int], np.ndarray],
    threshold: float,
    max_per_language: int,
) -> Joined:
    """Let ungrouped documents join groups through the group's other languages (see the module doc).

    ``partners[d]`` are the documents ``d`` was verified with: the groups they are in are the ones ``d``
    is weighed against. ``score`` and ``links`` verify any pair on demand.
    """
    group_of: dict[int, int] = {}
    members: dict[int, list[int]] = {}
    for number, group in enumerate(groups):
        members[number] = sorted(group)
        for doc in group:
            group_of[doc] = number
    version = dict.fromkeys(members, 0)

    def eligible(doc: int, number: int) -> bool:
        group = members[number]
        other_langs = {langs[m] for m in group if langs[m] != langs[doc]}
        return len(other_langs) >= 2 and sum(langs[m] == langs[doc] for m in group) < max_per_language

    heap: list[tuple[float, int, int, int]] = []
    evidence: dict[tuple[int, int], GroupEvidence] = {}

    refused: dict[int, tuple[float, tuple[int, ...], str]] = {}

    def weigh(doc: int, number: int) -> None:
        found = group_evidence(doc, members[number], langs, sizes, score, links)
        evidence[(doc, number)] = found
        reason = refusal(found, threshold)
        if not reason:
            heapq.heappush(heap, (-found.score, doc, number, version[number]))
        elif doc not in refused or found.score > refused[doc][0]:
            refused[doc] = (found.score, tuple(members[number]), reason)

    for doc in sorted(partners):
        if doc in group_of:
            continue
        for number in sorted({group_of[p] for p in partners[doc] if p in group_of}):
            if eligible(doc, number):
                weigh(doc, number)

    joined: dict[int, GroupEvidence] = {}
    while heap:
        _, doc, number, seen = heapq.heappop(heap)
        if doc in group_of:
            continue
        if seen != version[number]:  # the group changed since: weigh again against what it is now
            if eligible(doc, number):
                weigh(doc, number)
            continue
        joined[doc] = evidence[(doc, number)]
        group_of[doc] = number
        members[number] = sorted(members[number] + [doc])
        version[number] += 1
    left_out = {doc: (group, reason) for doc, (_, group, reason) in refused.items() if doc not in joined}
    return Joined(tuple(sorted(tuple(m) for m in members.values())), joined, left_out)
