"""Across tuples: the clauses of a draft's one L unit given to nearby drafts without L that express them.

Sentence alignment cannot put the parts of one sentence in several tuples; when the other
languages say in several places (other sentences between) what L says in one sentence, or the
sentence aligner put it with unrelated sentences, :func:`spread` cuts L's unit at clauses and moves
each piece to the tuple it links into, under a higher bar than a split inside a tuple.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .components import find_components, link_counts
from .cuts import best_cuts, cut_points
from .drafts import Context, Draft
from .options import RefineOptions
from .units import Unit, content_mask, cut_pieces, relative_positions


def _has(draft: Draft, lang: str) -> bool:
    """Whether the draft holds ``lang`` (a one-language tuple has no units, only its origin's ids)."""
    return bool(draft.units.get(lang)) or (not draft.languages() and bool(draft.origin.segment_ids.get(lang)))


def _neighbours(drafts: Sequence[Draft], t: int, lang: str, window: int) -> list[int]:
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


def _best_move(ctx: Context, drafts: Sequence[Draft], t: int, lang: str) -> _Move | None:
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
    merged = Draft(host.origin, {lang: [unit], **units})
    components = [[(other, k) for other, found in units.items() for k, u in enumerate(found) if where[id(u)] == c]
                  for c in cands]
    counts, shares = link_counts(ctx, merged, lang, components)
    # drafts that a sentence bead joins are not separable: at most one of them gets a piece
    draft_of = {node: k for k, comp in enumerate(components) for node in comp}
    tied = [{draft_of[node] for node in comp} for comp in find_components(ctx, merged, lang)]
    cuts_at = cut_points(unit, lang)
    content = np.asarray(content_mask([unit], lang))
    rel = relative_positions([unit])
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
                found = best_cuts(gain, cuts_at, content, rel, [chars[c] if c is not None else 1 for c in slots],
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
                        best = (key, _Move(targets, tuple(cut_pieces(unit, cuts)), float(score)))
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


def spread(ctx: Context, drafts: list[Draft]) -> tuple[list[Draft], list[tuple[int, int]], set[int]]:
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
                drafts[t] = Draft(host.origin, {**host.units, lang: []}, True)  # (dropped below if left empty)
                for target, piece in zip(move.targets, move.pieces):
                    if target is not None:
                        drafts[target] = Draft(drafts[target].origin, {**drafts[target].units, lang: [piece]}, True)
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
                    alone = Draft(host.origin, {lang: [piece]}, True)
                    drafts.insert(position, alone)
                    touched.add(id(alone))
                    t += position <= t
        t += 1
    return [d for d in drafts if not d.changed or d.languages()], joined, touched
