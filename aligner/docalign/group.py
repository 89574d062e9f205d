"""Grouping verified pairs into sets of versions, under the per-language cap and member consistency.

Pairs are merged best score first (a greedy, Kruskal-like pass): the strongest evidence decides
first, and a document that a stronger pair already placed cannot be taken by a weaker one. Two
groups merge through an accepted pair only if

* no language would then have more than ``max_per_language`` documents, and
* every document of one group is *consistent* with every document of the other in a different
  language: their own pair scores at least half the threshold. An accepted pair says "A is a
  version of B"; if B is already a version of C, A must not be contradicted by C.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

#: A document joining a group needs at least this fraction of the threshold with every member.
CONSISTENCY = 0.5


@dataclass(frozen=True)
class Grouping:
    """Groups as sorted lists of document indices, and why each pair left ungrouped was rejected."""

    groups: tuple[tuple[int, ...], ...]
    rejected: Mapping[tuple[int, int], str]


def group_pairs(
    langs: Sequence[str],
    scores: Mapping[tuple[int, int], float],
    score_of: Callable[[int, int], float],
    threshold: float,
    max_per_language: int,
    names: Sequence[str],
) -> Grouping:
    """Greedy grouping of documents ``0..len(langs)-1``.

    ``scores`` holds the verified candidate pairs ``(a, b)`` with ``a < b``; ``score_of(a, b)``
    scores any other pair on demand (needed for consistency with members that were not
    candidates of each other). ``names`` are document ids, used in the reasons. Every pair
    scored, either way, whose documents end in different groups gets a reason in ``rejected``.
    """
    member_of = list(range(len(langs)))
    members: dict[int, list[int]] = {i: [i] for i in range(len(langs))}
    known = dict(scores)

    def score(a: int, b: int) -> float:
        key = (min(a, b), max(a, b))
        if key not in known:
            known[key] = score_of(*key)
        return known[key]

    conflicts: dict[tuple[int, int], str] = {}
    for a, b in sorted((p for p, s in scores.items() if s >= threshold), key=lambda p: (-scores[p], p)):
        ga, gb = member_of[a], member_of[b]
        if ga == gb:
            continue
        reason = _crowding(members[ga], members[gb], langs, max_per_language, names) or _inconsistency(
            members[ga], members[gb], (a, b), langs, threshold, names, score)
        if reason:
            conflicts[(a, b)] = reason
            continue
        for doc in members[gb]:
            member_of[doc] = ga
        members[ga] = sorted(members[ga] + members.pop(gb))

    groups = tuple(sorted(tuple(m) for m in members.values() if len(m) > 1))
    rejected = {}
    for pair, value in sorted(known.items()):
        if member_of[pair[0]] == member_of[pair[1]]:
            continue
        if pair in conflicts:
            rejected[pair] = conflicts[pair]
        elif value < threshold:
            rejected[pair] = f"score {value:.3f} below threshold {threshold:.3f}"
        else:  # scored on demand, during another merge's consistency check
            rejected[pair] = "not proposed by the index; scored only to check another pair's group, which was refused"
    return Grouping(groups, rejected)


def _crowding(left: list[int], right: list[int], langs: Sequence[str], cap: int, names: Sequence[str]) -> str:
    """Why merging would put more than ``cap`` documents of one language in a group ('' if it would not)."""
    counts = Counter(langs[d] for d in left + right)
    for lang, count in sorted(counts.items()):
        if count > cap:
            taken = [d for d in left + right if langs[d] == lang]
            placed = ", ".join(names[d] for d in taken)
            return f"one group would hold {count} {lang} documents ({placed}), at most {cap} allowed; a better pair came first"
    return ""


def _inconsistency(left: list[int], right: list[int], pair: tuple[int, int], langs: Sequence[str], threshold: float,
                   names: Sequence[str], score: Callable[[int, int], float]) -> str:
    """Why some member of one group contradicts some member of the other ('' if none does)."""
    floor = CONSISTENCY * threshold
    for a in left:
        for b in right:
            if langs[a] == langs[b] or {a, b} == set(pair):
                continue
            value = score(a, b)
            if value < floor:
                return (f"{names[a]} and {names[b]} would share a group but score {value:.3f} "
                        f"(members must reach {floor:.3f})")
    return ""
