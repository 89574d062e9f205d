"""Word alignment of the refined tuples: every language pair of every tuple, from the stored vectors.

A stage of its own after the refinement, so the pipeline can name the two. A tuple side is
assembled from the units its ids name: each segment's slice of the encoded side of the sentence
aligner's tuple that held it, a piece's slice of that segment. No model runs, and a tuple the
refinement left alone gets exactly the links of :func:`~aligner.wordalign.corpus.align_tuples`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aligner.model import AlignedTuple
from aligner.sentalign import AlignedGroup
from aligner.wordalign.align import WordAligner
from aligner.wordalign.corpus import Pair, PairWords, pair_words

from .drafts import Encoded, initial_draft
from .units import Unit, assemble, slice_unit, split_unit_id

Words = dict[Pair, PairWords]


def align_refined(groups: Sequence[AlignedGroup], tuples: Sequence[AlignedTuple], languages: Sequence[str],
                  aligner: WordAligner, encoded: Encoded) -> list[Words]:
    """For each refined tuple (same order), the word alignment of every language pair it has.

    ``groups`` are the groups the tuples were refined from and ``encoded`` their tuple sides, as
    :func:`~aligner.refine.refine_groups` took them. Of ``aligner`` only ``align(src, tgt)`` and
    ``layer`` are used.
    """
    whole = {unit.segment_id: unit for group in groups for item in group.tuples
             for units in initial_draft(item, group, encoded, languages).units.values() for unit in units}
    return [_tuple_words(item, whole, languages, aligner) for item in tuples]


def _tuple_words(item: AlignedTuple, whole: Mapping[str, Unit], languages: Sequence[str],
                 aligner: WordAligner) -> Words:
    if len(item.languages) < 2:
        return {}
    sides = {lang: assemble([_unit(whole, unit_id) for unit_id in ids], aligner.layer)
             for lang in languages if (ids := item.segment_ids.get(lang))}
    return pair_words(sides, languages, aligner.align)


def _unit(whole: Mapping[str, Unit], unit_id: str) -> Unit:
    """The unit a tuple's id names: a whole segment, or the characters ``[start, end)`` of it."""
    sid, start, end = split_unit_id(unit_id)
    return whole[sid] if start is None else slice_unit(whole[sid], start, end)
