"""Inside one tuple: detach what L's unit does not express, split it over what remains.

:func:`refine_draft` repeats the step on every new draft until nothing changes, the clearest
detachment first; a tuple where every language has one sentence is never touched here (only
:mod:`.spread` may change it).
"""

from __future__ import annotations

from collections.abc import Iterable

from .components import find_components, in_order, link_counts, monotone
from .cuts import find_split, grouped
from .drafts import Context, Draft
from .units import Unit

_MAX_DEPTH = 8


def _sub_draft(draft: Draft, nodes: Iterable[tuple[str, int]], extra: dict[str, list[Unit]] | None = None) -> Draft:
    chosen = set(nodes)
    units = {lang: [u for k, u in enumerate(units) if (lang, k) in chosen] for lang, units in draft.units.items()}
    for lang, more in (extra or {}).items():
        units[lang] = more
    return Draft(draft.origin, units, True)


def _analyse(ctx: Context, draft: Draft, lang: str):
    """``(components, shares)`` around ``lang``'s units, or None if the draft is not a case for ``lang``."""
    units = draft.units.get(lang, [])
    if not units or not any(len(draft.units[o]) > 1 for o in draft.languages() if o != lang):
        return None
    components = find_components(ctx, draft, lang)
    if len(components) < 2:
        return None
    return components, link_counts(ctx, draft, lang, components)[1]


def _refine_step(ctx: Context, draft: Draft, lang: str, analysis=None) -> list[Draft]:
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
    remaining = monotone(draft, [comp for comp, share in zip(components, shares)
                                  if not detach or share >= opts.detach_share])
    core = _sub_draft(draft, [node for comp in remaining for node in comp], {lang: list(l_units)})
    split = find_split(ctx, core, lang, _renumber(draft, core, remaining)) if len(remaining) > 1 else None
    if split is None and not detached:
        return [draft]
    out: list[tuple[list[tuple[str, int]], Draft]] = []
    if split is None:
        out.append(([node for comp in remaining for node in comp], core))
    else:
        for part, (lo, hi) in zip(grouped(l_units, split.cuts), split.blocks):
            nodes = [node for comp in remaining[lo:hi] for node in comp]
            out.append((nodes, _sub_draft(draft, nodes, {lang: part})))
    out.extend((comp, _sub_draft(draft, comp, {lang: []})) for comp in detached)
    order = in_order(ctx, draft, [nodes for nodes, _ in out])
    return [out[k][1] for k in order]


def refine_draft(ctx: Context, draft: Draft, depth: int = 0) -> list[Draft]:
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
            return [d for new in result for d in refine_draft(ctx, new, depth + 1)]
    return [draft]


def _renumber(draft: Draft, core: Draft, components) -> list[list[tuple[str, int]]]:
    """Components of ``draft`` (node = (lang, index in draft)) as nodes of ``core`` (a subset of its units)."""
    new_index = {}
    for lang, units in core.units.items():
        ids = {id(u): k for k, u in enumerate(units)}
        for k, u in enumerate(draft.units.get(lang, [])):
            if id(u) in ids:
                new_index[(lang, k)] = (lang, ids[id(u)])
    return [[new_index[node] for node in comp] for comp in components]
