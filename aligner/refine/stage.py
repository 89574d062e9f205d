"""The refinement as the build runs it: encode the tuple sides once, refine every group, word-align the result.

:func:`refine_groups` (the refinement) and :func:`~.words.align_refined` (the word alignment of
the refined tuples) are two stages that read the same encoded sides (:func:`encode_sides`);
:func:`refine_tuples` runs the three in order.
"""

from __future__ import annotations

from collections.abc import Sequence

from aligner.model import AlignedTuple
from aligner.sentalign import AlignedGroup
from aligner.wordalign.align import WordAligner
from aligner.wordalign.corpus import encode_tuple_sides

from .detach import refine_draft
from .drafts import Encoded, initial_draft, make_context
from .finish import finish_tuples
from .options import RefineOptions
from .spread import spread
from .words import Words, align_refined


def encode_sides(groups: Sequence[AlignedGroup], aligner: WordAligner) -> Encoded:
    """Every distinct side of the groups' multi-language tuples, encoded once from its segments' stored pieces."""
    segment_texts = {s.segment_id: s.text for g in groups for segs in g.segments.values() for s in segs}
    return encode_tuple_sides([t for g in groups for t in g.tuples], aligner, segment_texts)


def refine_groups(
    groups: Sequence[AlignedGroup],
    languages: Sequence[str],
    aligner: WordAligner,
    encoded: Encoded,
    options: RefineOptions = RefineOptions(),
) -> list[AlignedTuple]:
    """Every group's tuples refined (see :mod:`aligner.refine`), each group's renumbered in reading order.

    ``encoded`` maps ``(lang, tuple text)`` to the encoded side of every multi-language tuple of
    the groups (:func:`encode_sides`). Of ``aligner`` only ``align(src, tgt)`` and ``layer`` are used.
    """
    tuples: list[AlignedTuple] = []
    for group in groups:
        tuples.extend(_refine_group(group, languages, aligner, encoded, options))
    return tuples


def _refine_group(group: AlignedGroup, languages: Sequence[str], aligner: WordAligner, encoded: Encoded,
                  options: RefineOptions) -> list[AlignedTuple]:
    ctx = make_context(group, languages, aligner, aligner.layer, options)
    drafts, joined, _ = spread(ctx, [initial_draft(item, group, encoded, languages) for item in group.tuples])
    drafts = [new for draft in drafts for new in refine_draft(ctx, draft)]
    drafts, more, touched = spread(ctx, drafts)
    drafts = [new for draft in drafts for new in (refine_draft(ctx, draft) if id(draft) in touched else [draft])]
    return finish_tuples(ctx, drafts, joined + more)


def refine_tuples(
    groups: Sequence[AlignedGroup],
    languages: Sequence[str],
    aligner: WordAligner,
    options: RefineOptions = RefineOptions(),
    encoded: Encoded | None = None,
) -> tuple[list[AlignedTuple], list[Words]]:
    """Refine and word-align every group's tuples: ``(tuples, words)``, one ``words`` dict per tuple.

    This replaces ``align_tuples`` in the build: it encodes each tuple side once from its segments'
    stored pieces (unless ``encoded`` is given), and a tuple it does not change gets exactly the
    links ``align_tuples`` (given the same segment texts) gives.
    """
    if encoded is None:
        encoded = encode_sides(groups, aligner)
    tuples = refine_groups(groups, languages, aligner, encoded, options)
    return tuples, align_refined(groups, tuples, languages, aligner, encoded)
