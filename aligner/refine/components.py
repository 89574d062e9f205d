"""The other languages' sentences of a draft in components, and the word links from L's unit into each.

Detaching and splitting decide what L's sentence expresses component by component: a
component is what the sentence aligner's beads between the other languages hold together inside
the tuple. A bead with several sentences on both sides (2-2, 3-2, where a sentence aligner glues a
heading or a dropped sentence onto true pairs) is taken apart by word partners
(:func:`_best_partners`) instead of joining all its members.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

from .drafts import Context, Draft, word_links
from .unionfind import UnionFind
from .units import content_mask, token_owner


def find_components(ctx: Context, draft: Draft, lang: str) -> list[list[tuple[str, int]]]:
    """Units of the other languages (as ``(lang, k)``) in components, ordered by reading position."""
    nodes = [(other, k) for other in draft.languages() if other != lang for k in range(len(draft.units[other]))]
    sets = UnionFind(nodes)
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
    return [components[k] for k in in_order(ctx, draft, components)]


def _best_partners(ctx: Context, draft: Draft, nodes_a: Sequence[tuple[str, int]],
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
    owner_a, owner_b = token_owner(units_a), token_owner(units_b)
    content_a, content_b = content_mask(units_a, a), content_mask(units_b, b)
    shared = np.zeros((len(units_a), len(units_b)), dtype=np.int64)
    for i, j in word_links(ctx, units_a, units_b):
        if content_a[i] and content_b[j]:
            shared[owner_a[i], owner_b[j]] += 1
    pairs = [(x, int(shared[x].argmax())) for x in range(len(units_a)) if shared[x].any()]
    pairs += [(int(shared[:, y].argmax()), y) for y in range(len(units_b)) if shared[:, y].any()]
    sets = UnionFind([("a", x) for x in range(len(units_a))] + [("b", y) for y in range(len(units_b))])
    for x, y in pairs:
        sets.union(("a", x), ("b", y))
    inside = sum(int(shared[x, y]) for x in range(len(units_a)) for y in range(len(units_b))
                 if sets.find(("a", x)) == sets.find(("b", y)))
    if inside < ctx.options.partner_purity * shared.sum():  # the words cross the pairs: kept whole
        pairs = [(x, y) for x in range(len(units_a)) for y in range(len(units_b))]
    return [(nodes_a[x], nodes_b[y]) for x, y in pairs]


def in_order(ctx: Context, draft: Draft, components: list[list[tuple[str, int]]]) -> list[int]:
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


def monotone(draft: Draft, components: list[list[tuple[str, int]]]) -> list[list[tuple[str, int]]]:
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


def link_counts(ctx: Context, draft: Draft, lang: str, components) -> tuple[np.ndarray, list[float]]:
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
    l_content = content_mask(l_units, lang)
    for other in draft.languages():
        if other == lang:
            continue
        units = draft.units[other]
        links = word_links(ctx, l_units, units)
        owner = token_owner(units)
        content = content_mask(units, other)
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
