"""Finer tuples where one language has one long sentence and the others several short ones.

Sentence alignment cannot go below the sentence: when the Arabic version packs into one sentence
what the English and French versions say in four, the tuple is one Arabic sentence with four
English and four French sentences, and often some of those are not in the Arabic sentence at all
(the Arabic version is a summary). :func:`refine_tuples` rewrites such a tuple using the word
alignment of its sides (the stored word vectors of the one encoder pass per tuple side; the model
is never run again). See docs/refine.md for the thresholds and the seed results.

1. **Detach.** For a tuple where language ``L`` has exactly one unit (sentence or piece) and
   another language has two or more, the other languages' sentences are cut into *components*:
   connected components of the pairwise sentence beads between those languages, restricted to the
   tuple (only the links a bead makes between members inside the tuple count); with one other
   language, every sentence is its own component. A component's *share* is the share of its
   content words linked to ``L``'s sentence, the smallest over its languages. A component with a
   share below ``detach_share`` is not expressed in ``L``'s sentence: it becomes a tuple of its
   own, without ``L`` (only if some component reaches ``keep_share``; else nothing is detached).
2. **Split.** If two or more components remain, ``L``'s sentence is cut into as many contiguous
   pieces as there are blocks of consecutive components (every grouping is tried), only at clause
   boundaries (after ``, ، ; ؛ :``, before a conjunction such as *and*, *but*, *et*, *mais*,
   ``لكن``), by a small dynamic programme that maximises the word links from piece *i* into block
   *i* (equivalently: minus the links into other blocks). A split is accepted only if every piece
   has at least ``min_links`` content-word links into its block, at least ``min_purity`` of its
   links go there, and at least ``min_purity`` of the block's links come from it; the accepted
   grouping with the most pieces wins. Otherwise ``L``'s sentence stays whole with the remaining
   components.
3. **Never lose text.** A piece is named by its segment id and the half-open character range of
   the segment text it holds: ``000_x:3:0@0-57``. The pieces of a sentence cover its characters
   exactly (whitespace between two pieces goes to the earlier one); a tuple's text of a piece is
   the piece stripped. Untouched sentences keep their plain ids, and every sentence (or every piece
   of it) of a grouped document stays in exactly one tuple (:func:`check_text_accounting`).

Every new tuple is refined again until nothing changes; at each step the language whose worst
component is the clearest detachment plays ``L`` first, else the languages in order. Steps 1-3
never touch a tuple where every language has one sentence (step 4 may).

4. **Across tuples** (:func:`_spread`, before steps 1-3 and again after them). What L's sentence
   says may be spread over its tuple and nearby tuples that lack L (the Arabic seed says in one
   sentence what English and French say in four places, other sentences between), or the
   sentence aligner may have put it with unrelated sentences. With the tuples taken as one, L's
   unit is cut at clause boundaries, one piece per chosen tuple, under the rules of step 2 and a
   higher bar for the other tuples (``absorb_share``, ``absorb_coverage``): the sentence aligner
   did not put them together. A unit leaves a tuple that expresses it poorly; a clause that no
   tuple expresses stays alone.

A side of several sentences (L with two or more units) is only cut between its sentences, and
nothing is detached from it: that takes apart the 2-2 and 3-2 beads a sentence aligner glues
where it only approximates the merged groups.

The word links of a new tuple come from slicing the stored vectors of the original sides and
matching them again (:meth:`WordAligner.align`, numpy only); an untouched tuple gets exactly the
links of :func:`~aligner.wordalign.corpus.align_tuples`. Untouched tuples keep their scores; new
tuples get ``consistency`` recomputed (the pairs whose beads touching the tuple stay inside its
original tuple); the quality scores are computed afterwards for all tuples (:mod:`aligner.score`).
All tuples of a group are renumbered in reading order.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from aligner.model import AlignedTuple, Bead, DocumentGroup, Segment
from aligner.wordalign.align import EncodedSentence, WordAligner, is_content_word
from aligner.wordalign.corpus import Pair, PairWords, encode_tuple_sides, pair_words
from aligner.wordalign.tokens import Tokens

from . import AlignedGroup
from .trilingual import AGREEMENT_SUFFIX

Link = tuple[int, int]
Words = dict[Pair, PairWords]
#: (language, text) of a tuple side -> its one encoder pass.
Encoded = Mapping[tuple[str, str], EncodedSentence]

_MAX_DEPTH = 8
_PIECE_ID = re.compile(r"^(?P<sid>.+)@(?P<start>\d+)-(?P<end>\d+)$")

#: Tokens after which a sentence may be cut (clause punctuation).
CUT_AFTER = frozenset(",،;؛:")
#: Tokens before which a sentence may be cut (clause-level conjunctions), per language, lowercased.
CUT_BEFORE: dict[str, frozenset[str]] = {
    "en": frozenset("and but while whereas".split()),
    "fr": frozenset("et mais tandis alors".split()),
    "ar": frozenset("لكن ولكن بل بينما فيما كما".split()),
}


@dataclass(frozen=True)
class RefineOptions:
    """The thresholds of :func:`refine_tuples` (see docs/refine.md for why these values)."""

    #: A component with a smaller share of its content words linked to L's sentence is detached.
    detach_share: float = 0.2
    #: ... but only if some component stays, with at least this share (else the tuple is left alone).
    keep_share: float = 0.3
    #: Content-word links a piece needs into its own block.
    min_links: int = 3
    #: Share of a piece's links that go to its own block (and of a block's links that land in its piece).
    min_purity: float = 0.65
    #: Content words each piece must have.
    min_piece_words: int = 2
    #: A bead with several sentences on both sides is taken apart by word partners only if this share
    #: of its content-word links stays inside the partners (see _best_partners).
    partner_purity: float = 0.97
    #: Components beyond this many are not split (2 ** (n - 1) groupings are tried).
    max_components: int = 8
    #: Tuples with two languages or more and without L looked at on each side of a tuple for a clause
    #: of its L sentence (see _spread).
    absorb_window: int = 4
    #: A sentence is spread over at most this many tuples.
    max_pieces: int = 4
    #: A clause moves to such a tuple only if this share of the clause's content words link into it ...
    absorb_coverage: float = 0.55
    #: ... and this share of the tuple's content words (each language) link to L's sentence.
    absorb_share: float = 0.3


# --- units: whole segments or pieces, with their slice of the stored vectors ---------------------


@dataclass(frozen=True)
class Unit:
    """A segment, or the characters ``[start, end)`` of it, with its tokens and word vectors."""

    lang: str
    segment_id: str
    index: int  # position of the segment in its document (AlignedGroup.segments[lang])
    start: int
    end: int
    length: int  # length of the segment text
    text: str  # segment text[start:end]
    tokens: Tokens  # tokens of ``text`` (offsets relative to it)
    vectors: np.ndarray
    covered: np.ndarray

    @property
    def whole(self) -> bool:
        return self.start == 0 and self.end == self.length

    @property
    def unit_id(self) -> str:
        return self.segment_id if self.whole else f"{self.segment_id}@{self.start}-{self.end}"

    @property
    def shown(self) -> str:
        """The text a tuple shows: the segment as it is, a piece stripped."""
        return self.text if self.whole else self.text.strip()

    @property
    def position(self) -> float:
        return self.index + self.start / max(self.length, 1)


def split_unit_id(unit_id: str) -> tuple[str, int | None, int | None]:
    """``"doc:3:0@0-57"`` -> ``("doc:3:0", 0, 57)``; a plain segment id -> ``(id, None, None)``."""
    m = _PIECE_ID.match(unit_id)
    if m is None:
        return unit_id, None, None
    return m["sid"], int(m["start"]), int(m["end"])


def _slice(unit: Unit, start: int, end: int) -> Unit:
    """The characters ``[start, end)`` (relative to ``unit.text``) of a unit, with their tokens."""
    keep = [k for k, (s, e) in enumerate(unit.tokens.offsets) if start <= s and e <= end]
    spans = [(unit.tokens.offsets[k][0] - start, unit.tokens.offsets[k][1] - start) for k in keep]
    text = unit.text[start:end]
    return replace(unit, start=unit.start + start, end=unit.start + end, text=text,
                   tokens=Tokens(text, tuple(unit.tokens.tokens[k] for k in keep), tuple(spans)),
                   vectors=unit.vectors[keep], covered=unit.covered[keep])


def _side_units(lang: str, segments: Sequence[tuple[int, Segment]], side: EncodedSentence) -> list[Unit]:
    """Cut one encoded tuple side (segment texts joined by one space) back into its segments."""
    if side.tokens.text != " ".join(s.text for _, s in segments):
        raise ValueError(f"the encoded {lang} side is not the tuple's segments joined by spaces")
    units, pos = [], 0
    offsets = side.tokens.offsets
    for index, segment in segments:
        end = pos + len(segment.text)
        keep = [k for k, (s, e) in enumerate(offsets) if pos <= s and e <= end]
        spans = tuple((offsets[k][0] - pos, offsets[k][1] - pos) for k in keep)
        tokens = Tokens(segment.text, tuple(side.tokens.tokens[k] for k in keep), spans)
        units.append(Unit(lang, segment.segment_id, index, 0, len(segment.text), len(segment.text), segment.text,
                          tokens, side.vectors[keep], side.covered[keep]))
        pos = end + 1
    return units


def assemble(units: Sequence[Unit], layer: int) -> EncodedSentence:
    """The encoded side made of ``units``: their shown texts joined by one space, their vectors stacked."""
    texts, tokens, spans, pos = [], [], [], 0
    for unit in units:
        shown = unit.shown
        lead = len(unit.text) - len(unit.text.lstrip()) if not unit.whole else 0
        tokens.extend(unit.tokens.tokens)
        spans.extend((pos + s - lead, pos + e - lead) for s, e in unit.tokens.offsets)
        texts.append(shown)
        pos += len(shown) + 1
    vectors = np.concatenate([u.vectors for u in units]) if units else np.zeros((0, 1), np.float32)
    covered = np.concatenate([u.covered for u in units]) if units else np.zeros(0, bool)
    return EncodedSentence(Tokens(" ".join(texts), tuple(tokens), tuple(spans)), vectors, layer, covered)


class _UnionFind:
    """Disjoint sets of keys (sortable, hashable); the smallest key of a set represents it."""

    def __init__(self, keys: Iterable) -> None:
        self.parent = {key: key for key in keys}

    def find(self, key):
        parent = self.parent
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def union(self, a, b) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


# --- drafts: tuples being refined ------------------------------------------------------------------


@dataclass
class _Draft:
    origin: AlignedTuple
    units: dict[str, list[Unit]]
    changed: bool = False

    def languages(self) -> list[str]:
        return [lang for lang, units in self.units.items() if units]


@dataclass(frozen=True)
class _Context:
    group: AlignedGroup
    languages: tuple[str, ...]
    align: Callable[[EncodedSentence, EncodedSentence], list[Link]]
    layer: int
    options: RefineOptions
    sizes: dict[str, int] = field(default_factory=dict)
    #: (lang_a, lang_b) -> beads as pairs of segment-index tuples (non-null only).
    beads: dict[Pair, list[tuple[tuple[int, ...], tuple[int, ...]]]] = field(default_factory=dict)


def _links(ctx: _Context, units_a: Sequence[Unit], units_b: Sequence[Unit]) -> list[Link]:
    return ctx.align(assemble(units_a, ctx.layer), assemble(units_b, ctx.layer))


def _token_owner(units: Sequence[Unit]) -> list[int]:
    """For each token of the assembled side, the index of its unit."""
    return [k for k, unit in enumerate(units) for _ in unit.tokens.tokens]


def _content(units: Sequence[Unit], lang: str) -> list[bool]:
    return [is_content_word(t, lang) for unit in units for t in unit.tokens.tokens]


# --- one step: detach and split around language L ---------------------------------------------------


def _components(ctx: _Context, draft: _Draft, lang: str) -> list[list[tuple[str, int]]]:
    """Units of the other languages (as ``(lang, k)``) in components, ordered by reading position."""
    nodes = [(other, k) for other in draft.languages() if other != lang for k in range(len(draft.units[other]))]
    sets = _UnionFind(nodes)
    where: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for node in nodes:
        where.setdefault((node[0], draft.units[node[0]][node[1]].index), []).append(node)
    for units in where.values():  # pieces of one sentence stay together
        for node in units[1:]:
            sets.union(units[0], node)
    for (a, b), beads in ctx.beads.items():
        if lang in (a, b) or a not in draft.units or b not in draft.units:
            continue
        for src, tgt in beads:
            inside_a = [n for i in src for n in where.get((a, i), ())]
            inside_b = [n for j in tgt for n in where.get((b, j), ())]
            if len(inside_a) > 1 and len(inside_b) > 1:  # several on both sides: may be glued, follow the words
                for x, y in _best_partners(ctx, draft, inside_a, inside_b):
                    sets.union(x, y)
            elif inside_a and inside_b:  # the cross-language links the bead makes inside the draft
                for node in inside_a[1:] + inside_b:
                    sets.union(inside_a[0], node)
    groups: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for node in nodes:
        groups.setdefault(sets.find(node), []).append(node)
    components = list(groups.values())
    return [components[k] for k in _in_order(ctx, draft, components)]


def _best_partners(ctx: _Context, draft: _Draft, nodes_a: Sequence[tuple[str, int]],
                   nodes_b: Sequence[tuple[str, int]]) -> list[tuple[tuple[str, int], tuple[str, int]]]:
    """Each unit of a many-to-many bead paired with the unit on the other side it shares most content-word links with.

    A sentence aligner glues a 2-2 or 3-2 bead where it only approximates the merged groups (a
    heading or a dropped sentence next to two true pairs); the word links tell the pairs apart.
    A unit without content-word links into the bead stays on its own. If fewer than
    ``partner_purity`` of the bead's links stay inside the pairs so made, the words cross them (a
    true merge whose sentence boundaries differ) and every member is paired with every other.
    """
    a, b = nodes_a[0][0], nodes_b[0][0]
    units_a = [draft.units[a][k] for _, k in nodes_a]
    units_b = [draft.units[b][k] for _, k in nodes_b]
    owner_a, owner_b = _token_owner(units_a), _token_owner(units_b)
    content_a, content_b = _content(units_a, a), _content(units_b, b)
    shared = np.zeros((len(units_a), len(units_b)), dtype=np.int64)
    for i, j in _links(ctx, units_a, units_b):
        if content_a[i] and content_b[j]:
            shared[owner_a[i], owner_b[j]] += 1
    pairs = [(x, int(shared[x].argmax())) for x in range(len(units_a)) if shared[x].any()]
    pairs += [(int(shared[:, y].argmax()), y) for y in range(len(units_b)) if shared[:, y].any()]
    sets = _UnionFind([("a", x) for x in range(len(units_a))] + [("b", y) for y in range(len(units_b))])
    for x, y in pairs:
        sets.union(("a", x), ("b", y))
    inside = sum(int(shared[x, y]) for x in range(len(units_a)) for y in range(len(units_b))
                 if sets.find(("a", x)) == sets.find(("b", y)))
    if inside < ctx.options.partner_purity * shared.sum():  # the words cross the pairs: kept whole
        pairs = [(x, y) for x in range(len(units_a)) for y in range(len(units_b))]
    return [(nodes_a[x], nodes_b[y]) for x, y in pairs]


def _in_order(ctx: _Context, draft: _Draft, components: list[list[tuple[str, int]]]) -> list[int]:
    """Indices of ``components`` in reading order.

    Two components are compared by position in the first language they share, else by relative
    position (sentence index over the document's sentence count).
    """
    order = {lang: k for k, lang in enumerate(ctx.languages)}

    def first(component, lang):
        return min(draft.units[l][k].position for l, k in component if l == lang)

    def relative(component):
        return min((draft.units[l][k].position / ctx.sizes[l], order[l]) for l, k in component)

    def compare(a, b) -> int:
        shared = sorted({l for l, _ in a} & {l for l, _ in b}, key=order.__getitem__)
        key_a, key_b = ((first(a, shared[0]), 0), (first(b, shared[0]), 0)) if shared else (relative(a), relative(b))
        return (key_a > key_b) - (key_a < key_b)

    return sorted(range(len(components)), key=functools.cmp_to_key(lambda i, j: compare(components[i], components[j])))


def _monotone(draft: _Draft, components: list[list[tuple[str, int]]]) -> list[list[tuple[str, int]]]:
    """Merge components until each language reads them in the same order (blocks must be contiguous)."""
    while True:
        rank = {node: r for r, comp in enumerate(components) for node in comp}
        merge = None
        for lang in draft.languages():
            ranks = [rank[(lang, k)] for k in range(len(draft.units[lang])) if (lang, k) in rank]
            for x, y in zip(ranks, ranks[1:]):
                if y < x:
                    merge = (y, x)
                    break
            if merge:
                break
        if merge is None:
            return components
        lo, hi = merge
        merged = [node for comp in components[lo:hi + 1] for node in comp]
        components = components[:lo] + [merged] + components[hi + 1:]


def _link_counts(ctx: _Context, draft: _Draft, lang: str, components) -> tuple[np.ndarray, list[float]]:
    """``counts[t, c]``: content-word links of L token ``t`` (over L's units) into component ``c``; and shares.

    A component's share is, over its languages, the *smallest* share of its content words linked
    to L's sentence: a component is expressed in L only if each of its versions links to it (with
    one sentence in a language, that sentence takes every link of that language unopposed).
    """
    l_units = draft.units[lang]
    comp_of = {node: c for c, comp in enumerate(components) for node in comp}
    counts = np.zeros((sum(len(u.tokens) for u in l_units), len(components)), dtype=np.int64)
    linked: dict[tuple[int, str], int] = {}
    total: dict[tuple[int, str], int] = {}
    l_content = _content(l_units, lang)
    for other in draft.languages():
        if other == lang:
            continue
        units = draft.units[other]
        links = _links(ctx, l_units, units)
        owner = _token_owner(units)
        content = _content(units, other)
        hit = {j for i, j in links if l_content[i]}
        for j, is_content in enumerate(content):
            if is_content:
                key = (comp_of[(other, owner[j])], other)
                total[key] = total.get(key, 0) + 1
                linked[key] = linked.get(key, 0) + (j in hit)
        for i, j in links:
            if l_content[i] and content[j]:
                counts[i, comp_of[(other, owner[j])]] += 1
    shares = []
    for c, comp in enumerate(components):
        per_lang = [linked[(c, o)] / total[(c, o)] for o in dict.fromkeys(l for l, _ in comp) if total.get((c, o))]
        shares.append(min(per_lang) if per_lang else 0.0)
    return counts, shares


def _cut_points(unit: Unit, lang: str) -> list[int]:
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


def _best_cuts(gain: np.ndarray, cands: Sequence[int], content: Sequence[bool], rel: Sequence[float],
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


def _find_split(ctx: _Context, draft: _Draft, lang: str, components,
                groupings: Iterable[list[tuple[int, int]]] | None = None, counts: np.ndarray | None = None
                ) -> _Split | None:
    """The accepted split of L's sentence with the most pieces (then the best score), if any.

    ``groupings`` (blocks of components) are the ones tried, by default every grouping; ``counts``:
    :func:`_link_counts` if already known.
    """
    opts = ctx.options
    l_units = draft.units[lang]
    cands = _cut_points(l_units[0], lang) if len(l_units) == 1 else _unit_starts(l_units)
    if not cands or len(components) > opts.max_components:
        return None
    if counts is None:
        counts, _ = _link_counts(ctx, draft, lang, components)
    content = _content(l_units, lang)
    rel = _relative_positions(l_units)
    sizes = [sum(len(draft.units[l][k].shown) for l, k in comp) for comp in components]
    found: list[_Split] = []
    for blocks in groupings if groupings is not None else _groupings(len(components)):
        by_block = np.stack([counts[:, lo:hi].sum(axis=1) for lo, hi in blocks], axis=1)
        # Every link lands in some block, so maximising the links into each piece's own block is
        # maximising those links minus the links into the other blocks.
        result = _best_cuts(by_block, cands, content, rel, [sum(sizes[lo:hi]) for lo, hi in blocks],
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


def _unit_starts(units: Sequence[Unit]) -> list[int]:
    """Token indices (over the units' tokens) where the second, third, ... unit starts."""
    return list(itertools.accumulate(len(u.tokens) for u in units[:-1]))


def _relative_positions(units: Sequence[Unit]) -> list[float]:
    """For each token of the units, then for the end, the share of the units' characters before it."""
    total = max(sum(len(u.text) for u in units), 1)
    rel, before = [], 0
    for unit in units:
        rel.extend((before + s) / total for s, _ in unit.tokens.offsets)
        before += len(unit.text)
    return rel + [1.0]


def _grouped(units: Sequence[Unit], cuts: Sequence[int]) -> list[list[Unit]]:
    """L's side cut before each token of ``cuts``: one unit cut in pieces, or several units in groups."""
    if len(units) == 1:
        return [[piece] for piece in _pieces(units[0], cuts)]
    starts = [0, *_unit_starts(units)]
    bounds = [0, *(starts.index(c) for c in cuts), len(units)]
    return [list(units[lo:hi]) for lo, hi in zip(bounds, bounds[1:])]


def _pieces(unit: Unit, cuts: Sequence[int]) -> list[Unit]:
    """The unit cut before each token of ``cuts``; whitespace before a cut stays with the earlier piece."""
    starts = [0, *(unit.tokens.offsets[i][0] for i in cuts)]
    ends = [*starts[1:], len(unit.text)]
    return [_slice(unit, s, e) for s, e in zip(starts, ends)]


def _sub_draft(draft: _Draft, nodes: Iterable[tuple[str, int]], extra: dict[str, list[Unit]] | None = None) -> _Draft:
    chosen = set(nodes)
    units = {lang: [u for k, u in enumerate(units) if (lang, k) in chosen] for lang, units in draft.units.items()}
    for lang, more in (extra or {}).items():
        units[lang] = more
    return _Draft(draft.origin, units, True)


def _analyse(ctx: _Context, draft: _Draft, lang: str):
    """``(components, shares)`` around ``lang``'s units, or None if the draft is not a case for ``lang``."""
    units = draft.units.get(lang, [])
    if not units or not any(len(draft.units[o]) > 1 for o in draft.languages() if o != lang):
        return None
    components = _components(ctx, draft, lang)
    if len(components) < 2:
        return None
    return components, _link_counts(ctx, draft, lang, components)[1]


def _refine_step(ctx: _Context, draft: _Draft, lang: str, analysis=None) -> list[_Draft]:
    """Detach and split around ``lang``'s single unit: the new drafts in reading order, or ``[draft]``."""
    analysis = analysis or _analyse(ctx, draft, lang)
    if analysis is None:
        return [draft]
    components, shares = analysis
    opts = ctx.options
    l_units = draft.units[lang]
    # With several L units, L's side is only cut between them: detaching a sentence of the others from
    # several sentences of L took true parts of loose translations away (Text+Berg, docs/refine.md).
    detach = len(l_units) == 1 and max(shares) >= opts.keep_share
    detached = [comp for comp, share in zip(components, shares) if detach and share < opts.detach_share]
    remaining = _monotone(draft, [comp for comp, share in zip(components, shares)
                                  if not detach or share >= opts.detach_share])
    core = _sub_draft(draft, [node for comp in remaining for node in comp], {lang: list(l_units)})
    split = _find_split(ctx, core, lang, _renumber(draft, core, remaining)) if len(remaining) > 1 else None
    if split is None and not detached:
        return [draft]
    out: list[tuple[list[tuple[str, int]], _Draft]] = []
    if split is None:
        out.append(([node for comp in remaining for node in comp], core))
    else:
        for part, (lo, hi) in zip(_grouped(l_units, split.cuts), split.blocks):
            nodes = [node for comp in remaining[lo:hi] for node in comp]
            out.append((nodes, _sub_draft(draft, nodes, {lang: part})))
    out.extend((comp, _sub_draft(draft, comp, {lang: []})) for comp in detached)
    order = _in_order(ctx, draft, [nodes for nodes, _ in out])
    return [out[k][1] for k in order]


def _refine(ctx: _Context, draft: _Draft, depth: int = 0) -> list[_Draft]:
    """Refine ``draft`` until nothing changes: the clearest detachment first, then splits in language order."""
    analyses = {lang: _analyse(ctx, draft, lang) for lang in ctx.languages} if depth < _MAX_DEPTH else {}
    opts = ctx.options
    clear = sorted((min(shares), k, lang) for k, (lang, found) in enumerate(analyses.items())
                   if found and len(draft.units[lang]) == 1
                   for shares in [found[1]] if min(shares) < opts.detach_share and max(shares) >= opts.keep_share)
    order = [lang for _, _, lang in clear] + [lang for lang, found in analyses.items()
                                              if found and lang not in {c[2] for c in clear}]
    for lang in order:
        result = _refine_step(ctx, draft, lang, analyses[lang])
        if len(result) > 1:
            return [d for new in result for d in _refine(ctx, new, depth + 1)]
    return [draft]


def _renumber(draft: _Draft, core: _Draft, components) -> list[list[tuple[str, int]]]:
    """Components of ``draft`` (node = (lang, index in draft)) as nodes of ``core`` (a subset of its units)."""
    new_index = {}
    for lang, units in core.units.items():
        ids = {id(u): k for k, u in enumerate(units)}
        for k, u in enumerate(draft.units.get(lang, [])):
            if id(u) in ids:
                new_index[(lang, k)] = (lang, ids[id(u)])
    return [[new_index[node] for node in comp] for comp in components]


# --- across tuples: a clause of L's sentence that a neighbouring tuple without L expresses -----------


def _has(draft: _Draft, lang: str) -> bool:
    """Whether the draft holds ``lang`` (a one-language tuple has no units, only its origin's ids)."""
    return bool(draft.units.get(lang)) or (not draft.languages() and bool(draft.origin.segment_ids.get(lang)))


def _neighbours(drafts: Sequence[_Draft], t: int, lang: str, window: int) -> list[int]:
    """Multi-language drafts without ``lang`` near draft ``t``: up to ``window`` on each side.

    The search stops at a draft holding another ``lang`` sentence (so ``lang`` keeps its reading
    order); drafts holding only pieces of ``t``'s own ``lang`` sentence, and one-language drafts
    without ``lang``, are passed over and not counted.
    """
    (unit,) = drafts[t].units[lang]
    found = []
    for step in (1, -1):
        k, seen = t + step, 0
        while 0 <= k < len(drafts) and seen < window:
            draft = drafts[k]
            if _has(draft, lang):
                if not draft.units.get(lang) or any(u.segment_id != unit.segment_id for u in draft.units[lang]):
                    break
            elif len(draft.languages()) > 1:
                found.append(k)
                seen += 1
            k += step
    return found


@dataclass(frozen=True)
class _Move:
    """A draft's L unit cut in pieces: piece ``k`` goes to draft ``targets[k]``, or stays alone (None)."""

    targets: tuple[int | None, ...]
    pieces: tuple[Unit, ...]
    score: float


def _best_move(ctx: _Context, drafts: Sequence[_Draft], t: int, lang: str) -> _Move | None:
    """The best way to spread draft ``t``'s one L unit over itself and nearby drafts without L, if any.

    The drafts are looked at as one: each is a component, and L's unit is cut at clause boundaries
    into one piece for each of an ordered choice of them, under the rules of a split inside a tuple
    (``min_links``, ``min_purity``, counting every link of the unit, so a piece linked to drafts it
    does not go to is refused). Because the sentence aligner did not put them together, a draft
    other than ``t`` must have ``absorb_share`` of its content words (each language) linked to the
    unit and ``absorb_coverage`` of its piece's content words linked into it. If ``t`` expresses
    the unit poorly (share below ``keep_share``), the unit may leave ``t`` altogether, and a piece
    at its start or end that no draft expresses may stay alone (a one-language tuple). The choice
    with the most pieces in other drafts wins, then the one with the most links; keeping the unit
    whole in ``t`` is no move.
    """
    opts = ctx.options
    host = drafts[t]
    (unit,) = host.units[lang]
    cands = sorted([t, *_neighbours(drafts, t, lang, opts.absorb_window)])
    if len(cands) == 1:
        return None
    units: dict[str, list[Unit]] = {}
    for c in cands:
        for other, found in drafts[c].units.items():
            if other != lang:
                units.setdefault(other, []).extend(found)
    units = {other: sorted(found, key=lambda u: u.position) for other, found in units.items() if found}
    where = {id(u): c for c in cands for other, found in drafts[c].units.items() if other != lang for u in found}
    for found in units.values():  # each language must read the drafts in the same order
        ranks = [cands.index(where[id(u)]) for u in found]
        if ranks != sorted(ranks):
            return None
    merged = _Draft(host.origin, {lang: [unit], **units})
    components = [[(other, k) for other, found in units.items() for k, u in enumerate(found) if where[id(u)] == c]
                  for c in cands]
    counts, shares = _link_counts(ctx, merged, lang, components)
    # drafts that a sentence bead joins are not separable: at most one of them gets a piece
    draft_of = {node: k for k, comp in enumerate(components) for node in comp}
    tied = [{draft_of[node] for node in comp} for comp in _components(ctx, merged, lang)]
    cuts_at = _cut_points(unit, lang)
    content = np.asarray(_content([unit], lang))
    rel = _relative_positions([unit])
    home = cands.index(t)
    lost = shares[home] < opts.keep_share
    chars = [sum(len(u.shown) for o in units for u in drafts[c].units.get(o, [])) for c in cands]
    best: tuple[tuple[int, float], _Move] | None = None
    for size in range(1, min(len(cands), len(cuts_at) + 1, opts.max_pieces) + 1):
        for chosen in itertools.combinations(range(len(cands)), size):
            if chosen == (home,) or (home not in chosen and not lost):
                continue
            if any(c != home and shares[c] < opts.absorb_share for c in chosen):
                continue
            if any(len(ties.intersection({home, *chosen})) > 1 for ties in tied):
                continue
            unlinked = content & (counts[:, list(chosen)].sum(axis=1) == 0)
            for alone in ((False, False), (True, False), (False, True), (True, True)) if lost else ((False, False),):
                slots: list[int | None] = [None] * alone[0] + list(chosen) + [None] * alone[1]
                if len(slots) > len(cuts_at) + 1:
                    continue
                # a piece left alone collects the content words no chosen draft links to
                gain = np.stack([counts[:, c] if c is not None else 0.5 * unlinked for c in slots], axis=1)
                found = _best_cuts(gain, cuts_at, content, rel, [chars[c] if c is not None else 1 for c in slots],
                                   opts.min_piece_words)
                if found is None:
                    continue
                cuts, score = found
                bounds = [0, *cuts, len(content)]
                if all(_piece_holds(opts, counts, content, c, lo, hi, c == home, shares)
                       for c, lo, hi in zip(slots, bounds, bounds[1:]) if c is not None):
                    key = (sum(c is not None and c != home for c in slots), float(score))
                    if best is None or key > best[0]:
                        targets = tuple(cands[c] if c is not None else None for c in slots)
                        best = (key, _Move(targets, tuple(_pieces(unit, cuts)), float(score)))
    return None if best is None else best[1]


def _piece_holds(opts: RefineOptions, counts: np.ndarray, content: np.ndarray, c: int, lo: int, hi: int,
                 home: bool, shares: Sequence[float]) -> bool:
    """Whether tokens ``[lo, hi)`` of L's unit may go to component ``c`` (see :func:`_best_move`)."""
    own = int(counts[lo:hi, c].sum())
    if own < opts.min_links or own < opts.min_purity * counts[lo:hi].sum() or own < opts.min_purity * counts[:, c].sum():
        return False
    if home:
        return True
    linked = counts[lo:hi, c][content[lo:hi]] > 0
    return shares[c] >= opts.absorb_share and linked.size > 0 and linked.mean() >= opts.absorb_coverage


def _spread(ctx: _Context, drafts: list[_Draft]) -> tuple[list[_Draft], list[tuple[int, int]], set[int]]:
    """Give the clauses of a draft's one L unit to nearby drafts without L that express them.

    Sentence alignment puts a long sentence in one tuple, but what it says may be spread over
    that tuple and others that lack the language (the Arabic seed says in one sentence what the
    English and French say in two or four places, other sentences between), or the sentence may
    have been put in the wrong tuple altogether. :func:`_best_move` decides; the draft keeps
    trying with what is left. Returns the drafts, the pairs of origins (``id``) joined this way
    (for ``consistency`` they count as one tuple) and the ``id`` of every draft made.
    """
    drafts = list(drafts)
    touched: set[int] = set()
    joined: list[tuple[int, int]] = []
    t = 0
    while t < len(drafts):
        for lang in ctx.languages:
            for _ in range(ctx.options.max_pieces):
                if len(drafts[t].units.get(lang, [])) != 1:
                    break
                move = _best_move(ctx, drafts, t, lang)
                if move is None:
                    break
                host = drafts[t]
                drafts[t] = _Draft(host.origin, {**host.units, lang: []}, True)  # (dropped below if left empty)
                for target, piece in zip(move.targets, move.pieces):
                    if target is not None:
                        drafts[target] = _Draft(drafts[target].origin, {**drafts[target].units, lang: [piece]}, True)
                        if target != t:
                            joined.append((id(host.origin), id(drafts[target].origin)))
                touched.update(id(drafts[target]) for target in {t, *move.targets} if target is not None)
                real = [target for target in move.targets if target is not None]
                inserts = []
                if move.targets[-1] is None:
                    inserts.append((max(real) + 1, move.pieces[-1]))
                if move.targets[0] is None:
                    inserts.append((min(real), move.pieces[0]))
                for position, piece in inserts:  # later position first
                    alone = _Draft(host.origin, {lang: [piece]}, True)
                    drafts.insert(position, alone)
                    touched.add(id(alone))
                    t += position <= t
        t += 1
    return [d for d in drafts if not d.changed or d.languages()], joined, touched


# --- the group and the corpus -----------------------------------------------------------------------


def _context(group: AlignedGroup, languages: Sequence[str], aligner, layer: int, options: RefineOptions) -> _Context:
    sizes = {lang: max(len(segs), 1) for lang, segs in group.segments.items()}
    beads = {pair: [(b.src, b.tgt) for b in beads if not b.is_null] for pair, beads in group.alignment.pairs.items()}
    return _Context(group, tuple(languages), aligner.align, layer, options, sizes, beads)


def _initial_draft(item: AlignedTuple, group: AlignedGroup, encoded: Encoded, languages: Sequence[str]) -> _Draft:
    index = {lang: {s.segment_id: (k, s) for k, s in enumerate(segs)} for lang, segs in group.segments.items()}
    units: dict[str, list[Unit]] = {}
    for lang in languages:
        ids = item.segment_ids.get(lang, ())
        if not ids or len(item.languages) < 2:
            units[lang] = []
            continue
        units[lang] = _side_units(lang, [index[lang][sid] for sid in ids], encoded[(lang, item.texts[lang])])
    return _Draft(item, units)


def _agreement(ctx: _Context, draft: _Draft, scope: set[tuple[str, int]]) -> dict[str, float]:
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


def _finish(ctx: _Context, drafts: list[_Draft],
            joined: Sequence[tuple[int, int]] = ()) -> tuple[list[AlignedTuple], list[Words]]:
    group_id = ctx.group.group.group_id
    scopes = _scopes(drafts, joined)
    tuples, words = [], []
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
        words.append(_pair_words(ctx, draft))
    return tuples, words


def _nodes(draft: _Draft) -> set[tuple[str, int]]:
    return {(u.lang, u.index) for units in draft.units.values() for u in units}


def _scopes(drafts: Sequence[_Draft], joined: Sequence[tuple[int, int]] = ()) -> dict[int, set[tuple[str, int]]]:
    """For each draft (by ``id``), the segments of the original tuple it comes from.

    ``joined``: pairs of original tuples (``id`` of the origin) that count as one.
    """
    family = _UnionFind(id(draft.origin) for draft in drafts)
    for a, b in joined:
        family.union(a, b)
    scope: dict[int, set[tuple[str, int]]] = {}
    for draft in drafts:
        scope.setdefault(family.find(id(draft.origin)), set()).update(_nodes(draft))
    return {id(draft): scope[family.find(id(draft.origin))] for draft in drafts}


def _pair_words(ctx: _Context, draft: _Draft) -> Words:
    if len(draft.languages()) < 2:
        return {}
    sides = {lang: assemble(units, ctx.layer) for lang, units in draft.units.items() if units}
    return pair_words(sides, ctx.languages, ctx.align)


def refine_group(
    group: AlignedGroup,
    languages: Sequence[str],
    aligner: WordAligner,
    encoded: Encoded,
    options: RefineOptions | None = None,
) -> tuple[list[AlignedTuple], list[Words]]:
    """The group's tuples refined (see the module docstring) and the word alignment of each, same order.

    ``encoded`` maps ``(lang, tuple text)`` to the encoded side of every multi-language tuple of the
    group (:func:`encode_tuple_sides`). Of ``aligner`` only ``align(src, tgt)`` and ``layer`` are used.
    """
    ctx = _context(group, languages, aligner, aligner.layer, options or RefineOptions())
    drafts, joined, _ = _spread(ctx, [_initial_draft(item, group, encoded, languages) for item in group.tuples])
    drafts = [new for draft in drafts for new in _refine(ctx, draft)]
    drafts, more, touched = _spread(ctx, drafts)
    drafts = [new for draft in drafts for new in (_refine(ctx, draft) if id(draft) in touched else [draft])]
    return _finish(ctx, drafts, joined + more)


def refine_tuples(
    groups: Sequence[AlignedGroup],
    languages: Sequence[str],
    aligner: WordAligner,
    options: RefineOptions | None = None,
    encoded: Encoded | None = None,
) -> tuple[list[AlignedTuple], list[Words]]:
    """Word-align and refine every group's tuples: ``(tuples, words)``, one ``words`` dict per tuple.

    This replaces ``align_tuples`` in the build: it encodes each tuple side once from its segments'
    stored pieces (unless ``encoded`` is given), and a tuple it does not change gets exactly the
    links ``align_tuples`` (given the same segment texts) gives.
    """
    if encoded is None:
        segment_texts = {s.segment_id: s.text for g in groups for segs in g.segments.values() for s in segs}
        encoded = encode_tuple_sides([t for g in groups for t in g.tuples], aligner, segment_texts)
    tuples: list[AlignedTuple] = []
    words: list[Words] = []
    for group in groups:
        t, w = refine_group(group, languages, aligner, encoded, options)
        tuples.extend(t)
        words.extend(w)
    return tuples, words


def refine_texts(texts: Mapping[str, Sequence[str]], embedder, word_aligner: WordAligner,
                 config=None, options: RefineOptions | None = None):
    """Presegmented versions of one document aligned and refined as ``aligner build`` does them.

    ``texts``: language -> its sentences (two or three languages, in column order). Returns
    ``(tuples, alignment)``: each tuple as language -> sentence indices, in reading order, where
    the tuples that share a sentence (its pieces) are joined, since a sentence index cannot say
    which piece; and the sentence aligner's :class:`GroupAlignment` (pairwise beads, costs, stats).
    """
    from . import align_corpus

    languages = tuple(texts)
    docs = {lang: f"{lang}:doc" for lang in languages}
    segments = [Segment(docs[lang], i, 0, lang, text, 0, len(text))
                for lang in languages for i, text in enumerate(texts[lang])]
    group = DocumentGroup("g0001", tuple(docs.values()), 1.0)
    (aligned,) = align_corpus([group], segments, embedder, languages, config)
    tuples, _ = refine_tuples([aligned], languages, word_aligner, options)
    index = {s.segment_id: (s.lang, s.paragraph) for s in segments}
    sets = _UnionFind(range(len(tuples)))
    owner: dict[str, int] = {}
    for k, item in enumerate(tuples):
        for ids in item.segment_ids.values():
            for unit_id in ids:
                sid = split_unit_id(unit_id)[0]
                sets.union(owner.setdefault(sid, k), k)
    joined: dict[int, dict[str, set[int]]] = {}
    for sid, k in owner.items():
        lang, position = index[sid]
        joined.setdefault(sets.find(k), {}).setdefault(lang, set()).add(position)
    found = [{lang: tuple(sorted(ids)) for lang, ids in t.items()} for _, t in sorted(joined.items())]
    return found, aligned.alignment


def tuples_as_beads(tuples: Sequence[Mapping[str, tuple[int, ...]]], a: str, b: str,
                    scores: Mapping[tuple[tuple[int, ...], tuple[int, ...]], float | None] | None = None
                    ) -> list[Bead]:
    """Beads of the pair ``a``-``b`` from tuples: one per tuple with both, 1-0 / 0-1 for each other sentence.

    ``scores`` (bead key -> score, e.g. the sentence aligner's beads) gives a bead its score; a
    bead the refinement made has none.
    """
    scores = scores or {}
    beads = []
    for item in tuples:
        src, tgt = item.get(a, ()), item.get(b, ())
        if src and tgt:
            beads.append(Bead(src, tgt, scores.get((src, tgt))))
        else:
            beads += [Bead((i,), (), scores.get(((i,), ()))) for i in src]
            beads += [Bead((), (j,), scores.get(((), (j,)))) for j in tgt]
    return beads


def check_text_accounting(groups: Sequence[AlignedGroup], tuples: Sequence[AlignedTuple]) -> None:
    """Raise ``ValueError`` unless every segment of every group is in exactly one tuple, whole or in pieces.

    The pieces of a segment must cover its characters exactly, without overlap, and each piece's
    text in the tuple must be the segment's characters there, stripped.
    """
    expected = {s.segment_id: s.text for g in groups for segs in g.segments.values() for s in segs}
    seen: dict[str, list[tuple[int, int]]] = {}
    for item in tuples:
        for lang, ids in item.segment_ids.items():
            shown = []
            for unit_id in ids:
                sid, start, end = split_unit_id(unit_id)
                if sid not in expected:
                    raise ValueError(f"{item.tuid}: unknown segment {unit_id}")
                text = expected[sid]
                if start is None:
                    start, end = 0, len(text)
                    shown.append(text)
                else:
                    shown.append(text[start:end].strip())
                seen.setdefault(sid, []).append((start, end))
            if " ".join(shown) != item.texts.get(lang, ""):
                raise ValueError(f"{item.tuid}: the {lang} text is not its segments' characters")
    for sid, text in expected.items():
        spans = sorted(seen.get(sid, []))
        if not spans:
            raise ValueError(f"segment {sid} is in no tuple")
        pos = 0
        for start, end in spans:
            if start != pos or end <= start:
                raise ValueError(f"segment {sid}: pieces {spans} do not cover its {len(text)} characters exactly once")
            pos = end
        if pos != len(text):
            raise ValueError(f"segment {sid}: pieces {spans} do not cover its {len(text)} characters exactly once")
