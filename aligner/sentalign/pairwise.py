"""Sentence alignment of one document pair: beads of 0..4 sentences a side, crossing blocks, linear cost.

Public API::

    align_pair(src_vecs, tgt_vecs, src_texts, tgt_texts, embed=None, config=None) -> list[Bead]
    align_texts(src_texts, tgt_texts, embedder, config=None) -> list[Bead]
    align_pair_detailed(...) / align_texts_detailed(...) -> PairAlignment (beads + AlignStats)

How it works (details in the modules named; the design and the numbers are in
docs/sentalign.md):

1. **Pass 1** embeds every sentence once (``align_texts``) or takes the
   caller's vectors (``align_pair``).
2. **Band** (:mod:`.search`): short pairs are searched exhaustively; longer
   ones are halved recursively, aligned coarsely, and only a band around the
   coarse path is searched, so time and memory stay linear.
3. **Dynamic programme** (:mod:`.dp`) over beads up to ``max_side`` sentences
   a side and ``max_total`` in all, plus 1-0 and 0-1, with costs from
   :mod:`.scoring` (margin-normalised distance of group vectors, length
   ratio, and penalties for members that belong elsewhere or nowhere).
4. **Pass 2** (:mod:`.rescore`): the groups of the chosen multi-sentence beads
   and of their closest rivals are embedded for real (at most
   ``rescore_budget`` texts per input sentence) and the programme runs again.
5. **Crossings** (:mod:`.crossing`): sentences the monotone path left
   unaligned or put in implausible beads are matched with each other; blocks
   that match (moved in one version) are aligned across, and the remaining
   sentences are realigned monotonically without them.

The output lists beads in source order (a moved block where its source
sentences are); a 0-1 bead stays where the monotone path put it. A bead's
``score`` is its cost in the programme (lower is better; about 0.3-0.9 for a
good 1-1 bead, ``null_cost`` per sentence for 1-0 and 0-1; one negated score per bead and
``skip_cost`` per unaligned sentence with ``objective="gain"``). Everything is
deterministic and free of global state.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from aligner.embed import Embedder
from aligner.model import Bead

from .band import Band
from .crossing import CrossParams, ScoredPath, find_moved
from .dp import Move, make_moves, run_dp
from .rescore import Span, rank_groups
from .scoring import Costs, ScoreParams, bead_costs
from .search import find_band
from .sides import Side, make_side, text_lengths, with_embedded

__all__ = [
    "LOOSE",
    "NEWS",
    "AlignConfig",
    "AlignStats",
    "PairAlignment",
    "align_pair",
    "align_pair_detailed",
    "align_texts",
    "align_texts_detailed",
    "group_text",
]

#: Turns texts into L2-normalised rows (``Embedder.encode``).
EmbedFn = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class AlignConfig:
    """Knobs of the aligner; defaults tuned on the dev sets (Text+Berg dev, perturbed NTREX), see docs/sentalign.md."""

    #: Most sentences on one side of a bead.
    max_side: int = 4
    #: Most sentences in a bead, both sides together.
    max_total: int = 5
    #: Pairs with at most this many grid cells are searched exhaustively.
    full_cells: int = 40_000
    #: Half-width, in sentences, of the band searched around the coarse path.
    halfwidth: int = 8
    #: Pass-2 budget: real group embeddings per input sentence (0 turns pass 2 off).
    rescore_budget: float = 0.5
    #: Pass 2 embeds only groups of beads costing at most this much more than the best path.
    rescore_margin: float = 0.5
    #: Look for blocks moved out of order.
    crossing: bool = True
    score: ScoreParams = field(default_factory=ScoreParams)
    cross: CrossParams = field(default_factory=CrossParams)

    def __post_init__(self) -> None:
        if self.max_side < 1 or self.max_total < 2:
            raise ValueError("max_side must be >= 1 and max_total >= 2")
        if self.rescore_budget < 0:
            raise ValueError("rescore_budget must be >= 0")


#: The defaults: news reports and other close translations, where a sentence
#: either has a counterpart or was added, and paragraphs may move.
NEWS = AlignConfig()

#: Loose, literary translations (Text+Berg): sentences are split and joined
#: freely and partial translations are common, so each bead is scored once
#: whatever its size (``objective="gain"``, docs/sentalign.md "One score per
#: bead"): a weakly translated clause stays in its bead instead of becoming a
#: deletion. Chosen on Text+Berg dev alone.
LOOSE = AlignConfig(score=ScoreParams(objective="gain"))

#: The named configurations (``aligner align --preset``, ``aligner build --sentalign-preset``).
PRESETS: dict[str, AlignConfig] = {"news": NEWS, "loose": LOOSE}


def preset_name(config: AlignConfig) -> str:
    """The preset ``config`` equals, or ``custom``."""
    return next((name for name, preset in PRESETS.items() if preset == config), "custom")


@dataclass(frozen=True)
class AlignStats:
    """What one alignment cost."""

    n_src: int
    n_tgt: int
    #: Texts sent to the embedder: single sentences (pass 1) and joined groups (pass 2).
    pass1_texts: int
    pass2_texts: int
    #: Grid cells searched at the finest level, against the full grid.
    band_cells: int
    grid_cells: int
    #: Beads recovered as crossing (moved) blocks.
    moved_beads: int
    embed_seconds: float
    align_seconds: float


@dataclass(frozen=True)
class PairAlignment:
    beads: list[Bead]
    stats: AlignStats


def group_text(texts: Sequence[str], span: Span) -> str:
    """The text embedded for a group of consecutive sentences: stripped, joined by one space."""
    start, size = span
    return " ".join(t.strip() for t in texts[start : start + size])


class _TimedEmbed:
    """Wraps an embedding function, or an embedder, to count texts and time spent in it.

    An embedder with ``encode_groups(joined, members)`` embeds pass-2 groups itself from their
    member sentences (the ``e5+use`` ensemble keeps e5's part of a group approximate and reads
    only the joined text with USE, :mod:`aligner.embed.ensemble`).
    """

    def __init__(self, embed: EmbedFn | Embedder) -> None:
        self.embed = getattr(embed, "encode", embed)
        self.embed_groups = getattr(embed, "encode_groups", None)
        self.texts = 0
        self.seconds = 0.0

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        return self._timed(len(texts), self.embed, list(texts))

    def groups(self, texts: Sequence[str], spans: Sequence[Span]) -> np.ndarray:
        """Vectors of the groups ``spans`` (``(start, size)``) of ``texts``."""
        joined = [group_text(texts, span) for span in spans]
        if self.embed_groups is None:
            return self(joined)
        members = [list(texts[start : start + size]) for start, size in spans]  # as embedded in pass 1
        return self._timed(len(joined), self.embed_groups, joined, members)

    def _timed(self, count: int, function, *args) -> np.ndarray:
        started = time.perf_counter()
        out = np.asarray(function(*args), dtype=np.float32)
        self.seconds += time.perf_counter() - started
        self.texts += count
        return out


def align_pair(
    src_vecs: np.ndarray,
    tgt_vecs: np.ndarray,
    src_texts: Sequence[str],
    tgt_texts: Sequence[str],
    embed: EmbedFn | Embedder | None = None,
    config: AlignConfig | None = None,
    *,
    src_alone: Sequence[bool] | None = None,
    tgt_alone: Sequence[bool] | None = None,
) -> list[Bead]:
    """Align two sentence sequences given their sentence vectors (L2-normalised rows).

    ``embed`` (e.g. ``embedder.encode``, or the embedder itself) is used for pass 2 only;
    without it groups keep their approximate vectors. ``src_alone`` / ``tgt_alone`` flag
    sentences (headings) that no bead joins with other sentences of their side.
    """
    return align_pair_detailed(
        src_vecs, tgt_vecs, src_texts, tgt_texts, embed, config, src_alone=src_alone, tgt_alone=tgt_alone
    ).beads


def align_texts(
    src_texts: Sequence[str], tgt_texts: Sequence[str], embedder, config: AlignConfig | None = None
) -> list[Bead]:
    """Embed and align two sentence sequences with ``embedder`` (anything with ``encode``)."""
    return align_texts_detailed(src_texts, tgt_texts, embedder, config).beads


def align_texts_detailed(
    src_texts: Sequence[str], tgt_texts: Sequence[str], embedder, config: AlignConfig | None = None
) -> PairAlignment:
    """:func:`align_texts` plus the statistics of the run."""
    started = time.perf_counter()
    embed = _TimedEmbed(embedder)
    if src_texts and tgt_texts:
        vecs = embed(list(src_texts) + list(tgt_texts))
        src_vecs, tgt_vecs = vecs[: len(src_texts)], vecs[len(src_texts) :]
    else:
        src_vecs = tgt_vecs = np.zeros((0, 1), dtype=np.float32)
    return _align(src_vecs, tgt_vecs, list(src_texts), list(tgt_texts), embed, config or AlignConfig(), started)


def align_pair_detailed(
    src_vecs: np.ndarray,
    tgt_vecs: np.ndarray,
    src_texts: Sequence[str],
    tgt_texts: Sequence[str],
    embed: EmbedFn | Embedder | None = None,
    config: AlignConfig | None = None,
    *,
    src_alone: Sequence[bool] | None = None,
    tgt_alone: Sequence[bool] | None = None,
) -> PairAlignment:
    """:func:`align_pair` plus the statistics of the run."""
    started = time.perf_counter()
    if len(src_vecs) != len(src_texts) or len(tgt_vecs) != len(tgt_texts):
        raise ValueError(
            f"got {len(src_vecs)}/{len(tgt_vecs)} vectors for {len(src_texts)}/{len(tgt_texts)} sentences"
        )
    for flags, texts in ((src_alone, src_texts), (tgt_alone, tgt_texts)):
        if flags is not None and len(flags) != len(texts):
            raise ValueError(f"got {len(flags)} stand-alone flags for {len(texts)} sentences")
    timed = _TimedEmbed(embed) if embed is not None else None
    return _align(
        np.asarray(src_vecs, dtype=np.float32),
        np.asarray(tgt_vecs, dtype=np.float32),
        list(src_texts),
        list(tgt_texts),
        timed,
        config or AlignConfig(),
        started,
        (src_alone, tgt_alone),
    )


def _align(
    src_vecs: np.ndarray,
    tgt_vecs: np.ndarray,
    src_texts: list[str],
    tgt_texts: list[str],
    embed: _TimedEmbed | None,
    config: AlignConfig,
    started: float,
    alone: tuple[Sequence[bool] | None, Sequence[bool] | None] = (None, None),
) -> PairAlignment:
    n, m = len(src_texts), len(tgt_texts)
    pass1 = embed.texts if embed is not None else 0
    if n == 0 or m == 0:
        null = config.score.unaligned_cost
        beads = [Bead((i,), (), null) for i in range(n)] + [Bead((), (j,), null) for j in range(m)]
        stats = AlignStats(n, m, pass1, 0, 0, (n + 1) * (m + 1), 0, embed.seconds if embed else 0.0, 0.0)
        return PairAlignment(beads, stats)

    moves = make_moves(config.max_side, config.max_total)
    src, tgt, band, costs, path = _monotone(src_vecs, tgt_vecs, src_texts, tgt_texts, embed, moves, config, alone)
    moved = (
        find_moved(path, band, costs, src, tgt, config.score, config.cross, config.full_cells, config.halfwidth)
        if config.crossing
        else []
    )
    if moved:
        rest = _align_rest(src, tgt, moved, moves, config)
    else:
        rest = [_bead(range(s0, s1), range(t0, t1), costs.of(band, (s0, s1, t0, t1))) for s0, s1, t0, t1 in path]
    beads = _in_source_order(rest, [_bead(range(a, b), range(c, d), cost) for a, b, c, d, cost in moved])
    embed_seconds = embed.seconds if embed is not None else 0.0
    stats = AlignStats(
        n_src=n,
        n_tgt=m,
        pass1_texts=pass1,
        pass2_texts=(embed.texts - pass1) if embed is not None else 0,
        band_cells=band.cells,
        grid_cells=(n + 1) * (m + 1),
        moved_beads=len(moved),
        embed_seconds=embed_seconds,
        align_seconds=time.perf_counter() - started - embed_seconds,
    )
    return PairAlignment(beads, stats)


def _monotone(
    src_vecs: np.ndarray,
    tgt_vecs: np.ndarray,
    src_texts: list[str],
    tgt_texts: list[str],
    embed: _TimedEmbed | None,
    moves: list[Move],
    config: AlignConfig,
    alone: tuple[Sequence[bool] | None, Sequence[bool] | None],
) -> tuple[Side, Side, Band, Costs, list[tuple[int, int, int, int]]]:
    """Passes 1 and 2: the best monotone path, and the sides, band and costs it was found with."""
    params = config.score
    src_len, tgt_len = text_lengths(src_texts), text_lengths(tgt_texts)
    band = find_band(src_vecs, tgt_vecs, src_len, tgt_len, params, config.full_cells, config.halfwidth)
    src = make_side(src_vecs, src_len, config.max_side, alone[0])
    tgt = make_side(tgt_vecs, tgt_len, config.max_side, alone[1])
    costs = bead_costs(src, tgt, band, moves, params)
    best = run_dp(band, moves, costs.bead, costs.insert)
    budget = int(config.rescore_budget * (len(src_texts) + len(tgt_texts))) if embed is not None else 0
    src_groups, tgt_groups = rank_groups(best, costs, budget, config.rescore_margin)
    if src_groups or tgt_groups:
        src = _embed_groups(src, src_texts, src_groups, embed)
        tgt = _embed_groups(tgt, tgt_texts, tgt_groups, embed)
        costs = bead_costs(src, tgt, band, moves, params)
        best = run_dp(band, moves, costs.bead, costs.insert)
    return src, tgt, band, costs, best.path()


def _embed_groups(side: Side, texts: list[str], groups: list[Span], embed: _TimedEmbed) -> Side:
    if not groups:
        return side
    return with_embedded(side, dict(zip(groups, embed.groups(texts, groups))))


def _bead(src_ids, tgt_ids, cost: float) -> Bead:
    return Bead(tuple(int(i) for i in src_ids), tuple(int(j) for j in tgt_ids), cost)


def _align_rest(src: Side, tgt: Side, moved: ScoredPath, moves: list[Move], config: AlignConfig) -> list[Bead]:
    """Align the sentences outside the moved blocks monotonically, as if the blocks were not there."""
    used_src = np.zeros(src.size, dtype=bool)
    used_tgt = np.zeros(tgt.size, dtype=bool)
    for s0, s1, t0, t1, _ in moved:
        used_src[s0:s1] = True
        used_tgt[t0:t1] = True
    keep_src, keep_tgt = np.flatnonzero(~used_src), np.flatnonzero(~used_tgt)
    if len(keep_src) == 0 or len(keep_tgt) == 0:
        null = config.score.unaligned_cost
        return [_bead([i], [], null) for i in keep_src] + [_bead([], [j], null) for j in keep_tgt]
    sub_src, sub_tgt = src.subset(keep_src), tgt.subset(keep_tgt)
    params = config.score
    band = find_band(
        sub_src.groups[0][1:],
        sub_tgt.groups[0][1:],
        np.diff(sub_src.chars),
        np.diff(sub_tgt.chars),
        params,
        config.full_cells,
        config.halfwidth,
    )
    costs = bead_costs(sub_src, sub_tgt, band, moves, params)
    path = run_dp(band, moves, costs.bead, costs.insert).path()
    return [_bead(keep_src[a:b], keep_tgt[c:d], costs.of(band, (a, b, c, d))) for a, b, c, d in path]


def _in_source_order(rest: list[Bead], moved: list[Bead]) -> list[Bead]:
    """Insert the moved beads into the monotone ones where their source sentences are.

    Beads with source sentences end up ordered by their first one; a 0-1
    bead keeps its place after the monotone bead it followed.
    """
    moved = sorted(moved, key=lambda b: b.src[0])
    out: list[Bead] = []
    k = 0
    for bead in rest:
        while bead.src and k < len(moved) and moved[k].src[0] < bead.src[0]:
            out.append(moved[k])
            k += 1
        out.append(bead)
    return out + moved[k:]
