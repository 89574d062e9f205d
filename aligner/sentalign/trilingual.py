"""Trilingual (n-lingual) alignment: combine the pairwise alignments of a document group into tuples.

Every pair of languages in a group is aligned by :mod:`.pairwise`. Tuples start as single
sentences and are merged bead by bead, the most confident beads (lowest cost per sentence)
first. A bead merges the tuples holding its sentences only if the result stays a plausible
tuple: consecutive sentences, at most ``max_side + 1`` per language, and a cost no higher than
the parts' costs together. The cost is the pairwise aligner's, applied to tuples: for each
language pair, ``(a + b) / 2 * d`` for the two groups (``d`` the margin-normalised distance of
their length-weighted mean vectors, with the mismatch surcharge) plus ``merge_cost`` per extra
sentence, and ``null_cost`` per sentence of a tuple whose partner language is missing.
A second look then takes a bead's sentences out of the tuples the greedy merge put them in,
as one tuple of their own, wherever that lowers the total cost (:func:`_regroup_beads`).

So tuples are consistent by construction (no sentence is in two), differences of granularity
are absorbed (one Arabic sentence = three English = three French), and a pair that disagrees
is overruled: its wrong bead is refused when it would glue unrelated tuples together, and a
link it missed is made by way of the third language when the other two pairs imply it.

Sentences left alone become one-language tuples, so the output accounts for every sentence.
"""

from __future__ import annotations

import heapq
import itertools
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from aligner.embed import Embedder
from aligner.model import Bead

from .pairwise import AlignConfig, AlignStats, align_pair_detailed

#: Sentence node of the tuple graph: (language, sentence index).
Node = tuple[str, int]
EmbedFn = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class LanguageSide:
    """The sentences of one document of the group, with their L2-normalised vectors.

    ``headings`` flags the sentences that are headings (empty: none): a heading is never put
    with other sentences of its language, in a bead or in a tuple.
    """

    lang: str
    texts: Sequence[str]
    vectors: np.ndarray
    headings: Sequence[bool] = ()


@dataclass(frozen=True)
class SentenceTuple:
    """Sentence indices per language (ascending; a missing language is absent) and how the pairs agree.

    ``agreeing_pairs`` lists the language pairs whose own alignment agrees with the tuple: it
    links some of the tuple's sentences and none of its beads reaches outside the tuple. A pair
    present in the tuple but not agreeing was overruled or completed by way of the third
    language (its bead glued on more, or it left the sentences unaligned).
    """

    members: dict[str, tuple[int, ...]]
    agreeing_pairs: tuple[tuple[str, str], ...] = ()

    @property
    def present_pairs(self) -> list[tuple[str, str]]:
        return list(itertools.combinations(list(self.members), 2))

    @property
    def consistency(self) -> float:
        """Share of the tuple's language pairs whose own alignment agrees with it (1.0 with one language)."""
        pairs = self.present_pairs
        return sum(p in self.agreeing_pairs for p in pairs) / len(pairs) if pairs else 1.0


#: Score column of a tuple's pair whose own alignment agrees with the tuple (``ar-en.agreement``: 1.0 / 0.0).
AGREEMENT_SUFFIX = ".agreement"


@dataclass(frozen=True)
class GroupAlignment:
    """The tuples, the pairwise beads and their costs, and the sides (texts and vectors) they were made from."""

    tuples: list[SentenceTuple]
    pairs: dict[tuple[str, str], list[Bead]]
    stats: dict[tuple[str, str], AlignStats] = field(default_factory=dict)
    sides: list[LanguageSide] = field(default_factory=list)


def align_group(
    sides: Sequence[LanguageSide], embed: EmbedFn | Embedder | None = None, config: AlignConfig | None = None
) -> GroupAlignment:
    """Align every pair of ``sides`` and combine the beads into tuples (see the module docstring).

    ``embed``: an embedding function or an embedder, for pass 2 (:func:`align_pair_detailed`).
    """
    config = config or AlignConfig()
    langs = [s.lang for s in sides]
    if len(set(langs)) != len(langs):
        raise ValueError(f"one document per language expected, got {langs}")
    by_lang = {s.lang: s for s in sides}
    pairs: dict[tuple[str, str], list[Bead]] = {}
    stats: dict[tuple[str, str], AlignStats] = {}
    for a, b in itertools.combinations(langs, 2):
        side_a, side_b = by_lang[a], by_lang[b]
        result = align_pair_detailed(
            side_a.vectors, side_b.vectors, side_a.texts, side_b.texts, embed, config,
            src_alone=side_a.headings or None, tgt_alone=side_b.headings or None,
        )
        pairs[(a, b)], stats[(a, b)] = result.beads, result.stats
    return GroupAlignment(combine_pairs(sides, pairs, config), pairs, stats, list(sides))


def combine_pairs(
    sides: Sequence[LanguageSide], pairs: Mapping[tuple[str, str], list[Bead]], config: AlignConfig | None = None
) -> list[SentenceTuple]:
    """Tuples from pairwise beads, merged greedily from the most confident bead on.

    A bead joins the tuples holding its sentences when the result stays plausible: per
    language at most ``max_tuple_side`` sentences, consecutive ones, and a tuple cost no higher
    than the parts' costs together (a merge must buy more than it costs). With one pair (two
    languages) there is nothing to combine: the tuples are its beads.
    """
    config = config or AlignConfig()
    costs = _TupleCost(sides, config)
    limit = config.max_side + 1
    headings = {(s.lang, i) for s in sides for i, flag in enumerate(s.headings) if flag}
    tuples = _Partition([(s.lang, i) for s in sides for i in range(len(s.texts))])
    beads = _non_null_beads(pairs)
    beads_of: dict[Node, list[int]] = defaultdict(list)
    for k, (_, nodes, _) in enumerate(beads):
        for node in nodes:
            beads_of[node].append(k)
    one_pair = len(pairs) == 1
    by_confidence = sorted(range(len(beads)), key=lambda k: _confidence_order(beads[k]))
    for k in by_confidence:
        parts = tuples.parts_of(beads[k][1])
        if len(parts) < 2:
            continue
        if one_pair:
            tuples.merge(parts)
            continue
        merged = [node for part in parts for node in part]
        if not _compact(merged, limit, headings) or costs.tuple_cost(merged) > costs.partition(parts) + 1e-9:
            continue
        if not _enough_support(parts, beads, beads_of, tuples):
            continue
        tuples.merge(parts)
    if not one_pair:
        _regroup_beads(tuples, [beads[k][1] for k in by_confidence], costs, limit, headings)
    order = {s.lang: k for k, s in enumerate(sides)}
    found = [_make_tuple(sorted(part, key=lambda n: (order[n[0]], n[1])), beads) for part in tuples.parts()]
    return _in_reading_order(found, sides)


#: A non-null bead of one pair, with its sentence nodes.
PairBead = tuple[tuple[str, str], list[Node], float]


def _non_null_beads(pairs: Mapping[tuple[str, str], list[Bead]]) -> list[PairBead]:
    return [
        ((a, b), [(a, i) for i in bead.src] + [(b, j) for j in bead.tgt], bead.score or 0.0)
        for (a, b), beads in pairs.items()
        for bead in beads
        if not bead.is_null
    ]


def _confidence_order(item: PairBead) -> tuple[int, float, tuple[str, str], list[Node]]:
    """1-1 beads first, then by cost per sentence; ties broken by pair and position (deterministic)."""
    pair, nodes, cost = item
    return (len(nodes) > 2, cost / len(nodes), pair, nodes)


def _regroup_beads(
    tuples: _Partition, bead_nodes: Sequence[list[Node]], costs: _TupleCost, limit: int, headings: set[Node]
) -> None:
    """Second look at the greedy merges: a bead's sentences become a tuple of their own where that costs less.

    ``bead_nodes``: the sentences of every bead, in the order the greedy merge visited them.

    The greedy merge cannot undo a merge. When a confident bead of one pair has taken a
    sentence that another pair aligns better elsewhere (one Arabic sentence glued to the
    French one before it, though English puts it with the sentences before), taking that
    pair's bead out of the tuples that hold its sentences lowers the total tuple cost. The
    tuples left behind must stay consecutive. Every accepted move lowers the total cost, so
    this ends; a few rounds suffice.
    """
    for _ in range(3):
        changed = False
        for nodes in bead_nodes:
            parts = tuples.parts_of(nodes)
            if len(parts) == 1:
                continue
            inside = set(nodes)
            rests = [rest for part in parts if (rest := [n for n in part if n not in inside])]
            if not _compact(nodes, limit, headings) or not all(_compact(rest, limit, headings) for rest in rests):
                continue
            if costs.tuple_cost(nodes) + costs.partition(rests) < costs.partition(parts) - 1e-9:
                tuples.regroup(nodes)
                changed = True
        if not changed:
            return


def _enough_support(
    parts: Sequence[list[Node]], beads: Sequence[PairBead], beads_of: Mapping[Node, list[int]], tuples: _Partition
) -> bool:
    """Joining two or more multi-language tuples needs beads of two language pairs that bridge them.

    One pair alone (a bead of one pair spanning tuples the other two pairs keep apart) is
    outvoted; with only two languages in play, that pair is all there is.
    """
    established = [part for part in parts if len({lang for lang, _ in part}) > 1]
    if len(established) < 2:
        return True
    languages = {lang for part in parts for lang, _ in part}
    keys = {tuples.owner[part[0]] for part in parts}
    bridging = set()
    for part in parts:
        for node in part:
            for k in beads_of.get(node, ()):
                pair, nodes, _ = beads[k]
                if len({tuples.owner[n] for n in nodes} & keys) > 1:
                    bridging.add(pair)
    return len(bridging) >= (2 if len(languages) > 2 else 1)


def _compact(nodes: Sequence[Node], limit: int, headings: set[Node]) -> bool:
    """At most ``limit`` sentences per language, consecutive ones, and a heading only alone in its language."""
    members: dict[str, list[int]] = defaultdict(list)
    for lang, i in nodes:
        members[lang].append(i)
    return all(
        len(ids) <= limit
        and max(ids) - min(ids) + 1 == len(ids)
        and (len(ids) == 1 or not any((lang, i) in headings for i in ids))
        for lang, ids in members.items()
    )


class _Partition:
    """Disjoint tuples of sentence nodes that merge (a union-find that also lists its parts)."""

    def __init__(self, nodes: Sequence[Node]) -> None:
        self.owner = {node: k for k, node in enumerate(nodes)}
        self.members: dict[int, list[Node]] = {k: [node] for k, node in enumerate(nodes)}

    def parts_of(self, nodes: Sequence[Node]) -> list[list[Node]]:
        keys = sorted({self.owner[node] for node in nodes})
        return [self.members[k] for k in keys]

    def merge(self, parts: Sequence[list[Node]]) -> None:
        keys = sorted({self.owner[part[0]] for part in parts})
        target = keys[0]
        for key in keys[1:]:
            for node in self.members.pop(key):
                self.owner[node] = target
                self.members[target].append(node)

    def regroup(self, nodes: Sequence[Node]) -> None:
        """Take ``nodes`` out of their tuples and make them one tuple."""
        key = max(self.members) + 1
        for node in nodes:
            part = self.members[self.owner[node]]
            part.remove(node)
            if not part:
                del self.members[self.owner[node]]
            self.owner[node] = key
        self.members[key] = list(nodes)

    def parts(self) -> list[list[Node]]:
        return [part for _, part in sorted(self.members.items())]


def _make_tuple(nodes: list[Node], beads: Sequence[PairBead]) -> SentenceTuple:
    """The tuple of ``nodes``; a pair agrees with it if its beads touching it link its members and stay inside."""
    members: dict[str, list[int]] = defaultdict(list)
    for lang, i in nodes:
        members[lang].append(i)
    inside = set(nodes)
    touching: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for pair, bead_nodes, _ in beads:
        if inside.intersection(bead_nodes):
            touching[pair].append(inside.issuperset(bead_nodes))
    agreeing = tuple(pair for pair, contained in touching.items() if all(contained))
    return SentenceTuple({lang: tuple(sorted(ids)) for lang, ids in members.items()}, agreeing)


def _in_reading_order(tuples: list[SentenceTuple], sides: Sequence[LanguageSide]) -> list[SentenceTuple]:
    """Order tuples so that each language reads its sentences in order, where the languages agree.

    A tuple follows the tuple before it in each of its languages (a topological order of these
    chains). Among the tuples free to come next, the one that starts earliest, relative to the
    length of the first language it has, goes first. Where a moved block makes the languages
    disagree (a cycle), the waiting tuple held back by the fewest languages is released (then
    the earliest by that key): the order breaks the language that moved the block, not the
    two that agree.
    """
    order = {s.lang: k for k, s in enumerate(sides)}
    sizes = {s.lang: max(len(s.texts), 1) for s in sides}

    def key(t: SentenceTuple) -> tuple[float, int, int]:
        lang = min(t.members, key=order.__getitem__)
        first = t.members[lang][0]
        return (first / sizes[lang], order[lang], first)

    keys = [key(t) for t in tuples]
    edges = []  # (a, b) once per language in which a comes right before b
    for lang in order:
        chain = sorted((t.members[lang][0], k) for k, t in enumerate(tuples) if t.members.get(lang))
        edges.extend((a, b) for (_, a), (_, b) in zip(chain, chain[1:]))
    after: list[list[int]] = [[] for _ in tuples]
    waiting = [0] * len(tuples)  # predecessors not yet placed
    for a, b in edges:
        after[a].append(b)
        waiting[b] += 1
    ready = [(keys[k], k) for k in range(len(tuples)) if not waiting[k]]
    heapq.heapify(ready)
    done = [False] * len(tuples)
    out: list[SentenceTuple] = []
    while len(out) < len(tuples):
        if not ready:  # the languages disagree: release the tuple fewest languages hold back, earliest first
            k = min((k for k in range(len(tuples)) if not done[k]), key=lambda k: (waiting[k], keys[k]))
            waiting[k] = 0  # its predecessors still to come take it below 0: it is never pushed again
            heapq.heappush(ready, (keys[k], k))
        _, k = heapq.heappop(ready)
        done[k] = True
        out.append(tuples[k])
        for b in after[k]:
            waiting[b] -= 1
            if waiting[b] == 0:
                heapq.heappush(ready, (keys[b], b))
    return out


class _TupleCost:
    """The pairwise aligner's bead cost applied to tuples (see the module docstring)."""

    def __init__(self, sides: Sequence[LanguageSide], config: AlignConfig) -> None:
        self.params = config.score
        self.vectors = {s.lang: np.asarray(s.vectors, dtype=np.float32) for s in sides}
        self.lengths = {s.lang: np.array([max(len(t), 1) for t in s.texts], dtype=np.float32) for s in sides}
        self.langs = [s.lang for s in sides]
        self.knn = {
            (a, b): _mean_knn(self.vectors[a], self.vectors[b], self.params.margin_k)
            for a, b in itertools.combinations(self.langs, 2)
        }

    def group_vector(self, lang: str, ids: Sequence[int]) -> np.ndarray:
        ids = list(ids)
        vec = (self.vectors[lang][ids] * self.lengths[lang][ids, None]).sum(axis=0)
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm > 0 else vec

    def distance(self, a: str, ids_a: Sequence[int], b: str, ids_b: Sequence[int]) -> float:
        pair = (a, b) if (a, b) in self.knn else (b, a)
        cos = float(self.group_vector(a, ids_a) @ self.group_vector(b, ids_b))
        return (1.0 - cos) / max(1.0 - self.knn[pair], 1e-3)

    def tuple_cost(self, nodes: Sequence[Node]) -> float:
        members: dict[str, list[int]] = defaultdict(list)
        for lang, i in nodes:
            members[lang].append(i)
        p = self.params
        total = 0.0
        for a, b in itertools.combinations(self.langs, 2):
            na, nb = len(members.get(a, ())), len(members.get(b, ()))
            if na and nb:
                d = self.distance(a, members[a], b, members[b])
                total += (na + nb) / 2 * (d + p.mismatch_weight * max(d - p.mismatch_distance, 0.0))
                total += p.merge_cost * (na + nb - 2)
            else:
                total += p.null_cost * (na + nb)
        return total

    def partition(self, parts: Sequence[Sequence[Node]]) -> float:
        return sum(self.tuple_cost(part) for part in parts)


def _mean_knn(a: np.ndarray, b: np.ndarray, k: int, chunk: int = 512) -> float:
    """Mean similarity of every sentence to its ``k`` nearest on the other side, both directions (chunked)."""
    if len(a) == 0 or len(b) == 0:
        return 0.0
    totals = []
    for x, y in ((a, b), (b, a)):
        kk = min(k, len(y))
        for start in range(0, len(x), chunk):
            sims = x[start : start + chunk] @ y.T
            top = np.partition(sims, len(y) - kk, axis=1)[:, len(y) - kk :]
            totals.append(top.mean(axis=1))
    return float(np.concatenate(totals).mean())
