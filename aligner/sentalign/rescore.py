"""Pass 2: pick the multi-sentence groups worth a real embedding.

Pass 1 scores groups with approximate vectors (sums of sentence vectors). The
groups that decide the alignment are those of the beads the best path uses and
those of the strongest rival beads, the ones that would cost the least extra
if forced into the path. A forward and a backward run of the dynamic programme
give that extra cost for every bead at once (its *min-marginal* minus the best
path cost), so the groups are ranked by it and taken, cheapest first, until the
budget of texts is spent, or until the rivals cost ``max_extra`` more than the
best path (a real embedding moves a bead's cost by far less than that, so such a
rival cannot win). Each group is one text (the sentences joined by a space),
shared by every bead that uses it.
"""

from __future__ import annotations

import numpy as np

from .band import Band
from .dp import DPResult, cost_to_end, min_marginal, reverse_costs, run_dp
from .scoring import Costs

Span = tuple[int, int]  # (first sentence, number of sentences)


def backward_pass(band: Band, costs: Costs) -> DPResult:
    """The dynamic programme on the mirrored grid: best cost from every cell to the end."""
    rev_costs = reverse_costs(band, costs.moves, costs.bead)
    return run_dp(band.reversed(), costs.moves, rev_costs, costs.insert[::-1].copy())


def rank_groups(forward: DPResult, costs: Costs, budget: int,
                max_extra: float = float("inf")) -> tuple[list[Span], list[Span]]:
    """Source and target groups (of 2+ sentences) to embed, at most ``budget`` in all, most decisive first.

    Only beads whose min-marginal cost is at most ``max_extra`` above the best path count.
    """
    if budget <= 0:
        return [], []
    to_end = cost_to_end(forward, backward_pass(forward.band, costs))
    columns = forward.band.columns()
    keep = 4 * budget  # only the cheapest few can fit in the budget
    found = []
    for m, (a, b) in enumerate(costs.moves):
        if a < 2 and b < 2:
            continue
        extra = (min_marginal(forward, to_end, (a, b), costs.bead[m]) - forward.cost).ravel()
        cells = np.flatnonzero(np.isfinite(extra) & (extra <= max_extra))
        if len(cells) > keep:
            cells = cells[np.argpartition(extra[cells], keep - 1)[:keep]]
        rows, ks = np.divmod(cells, columns.shape[1])
        found.append(np.stack([extra[cells], np.full(len(cells), m), rows, columns[rows, ks]], axis=1))
    if not found:
        return [], []
    candidates = np.concatenate(found)
    # Ties broken by move and cell, for determinism.
    candidates = candidates[np.lexsort((candidates[:, 3], candidates[:, 2], candidates[:, 1], candidates[:, 0]))]
    src: dict[Span, None] = {}
    tgt: dict[Span, None] = {}
    for _, m, i, j in candidates:
        a, b = costs.moves[int(m)]
        groups = ((src, (int(i) - a, a)), (tgt, (int(j) - b, b)))
        new = [(side, span) for side, span in groups if span[1] >= 2 and span not in side]
        if len(src) + len(tgt) + len(new) > budget:
            break
        for side, span in new:
            side[span] = None
    return list(src), list(tgt)
