"""Sentence alignment: pairwise beads (:mod:`.pairwise`), tuples across languages (:mod:`.trilingual`).

:func:`align_corpus` is the stage the build runs: for every document group it embeds each
document's segments once, aligns every language pair, combines the pairs into tuples and
returns one :class:`~aligner.model.AlignedTuple` per tuple (one-language tuples included, so
every segment of a grouped document is in exactly one row).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from aligner.embed import Embedder
from aligner.model import AlignedTuple, DocumentGroup, Segment

from .pairwise import LOOSE, NEWS, PRESETS, AlignConfig, align_pair, align_texts, preset_name
from .trilingual import AGREEMENT_SUFFIX, GroupAlignment, LanguageSide, SentenceTuple, align_group, combine_pairs

__all__ = [
    "LOOSE",
    "NEWS",
    "PRESETS",
    "AlignConfig",
    "AlignedGroup",
    "GroupAlignment",
    "LanguageSide",
    "SentenceTuple",
    "align_corpus",
    "align_group",
    "align_pair",
    "align_texts",
    "combine_pairs",
    "preset_name",
]


@dataclass(frozen=True)
class AlignedGroup:
    """One document group after alignment: its tuples, the segments per language and the pairwise beads."""

    group: DocumentGroup
    segments: dict[str, list[Segment]]
    alignment: GroupAlignment
    tuples: list[AlignedTuple]


def align_corpus(
    groups: Sequence[DocumentGroup],
    segments: Sequence[Segment],
    embedder: Embedder,
    languages: Sequence[str],
    config: AlignConfig | None = None,
    on_group: Callable[[AlignedGroup], None] | None = None,
) -> list[AlignedGroup]:
    """Align the segments of every group's documents across ``languages`` (order of the columns)."""
    by_doc: dict[str, list[Segment]] = defaultdict(list)
    for segment in segments:
        by_doc[segment.doc_id].append(segment)
    results = []
    for group in groups:
        result = _align_one_group(group, by_doc, embedder, languages, config)
        if on_group is not None:
            on_group(result)
        results.append(result)
    return results


def _align_one_group(group, by_doc, embedder, languages, config) -> AlignedGroup:
    per_lang: dict[str, list[Segment]] = {}
    for doc_id in group.doc_ids:
        segs = sorted(by_doc.get(doc_id, ()), key=lambda s: (s.paragraph, s.index))
        if segs and segs[0].lang in languages and segs[0].lang not in per_lang:
            per_lang[segs[0].lang] = segs
    ordered = {lang: per_lang[lang] for lang in languages if lang in per_lang}
    texts = [s.text for segs in ordered.values() for s in segs]
    vectors = np.asarray(embedder.encode(texts), dtype=np.float32) if texts else np.zeros((0, 1), np.float32)
    sides, offset = [], 0
    for lang, segs in ordered.items():
        sides.append(LanguageSide(lang, [s.text for s in segs], vectors[offset : offset + len(segs)],
                                  [s.is_heading for s in segs]))
        offset += len(segs)
    alignment = align_group(sides, embedder, config)
    tuples = [
        _aligned_tuple(group.group_id, k, item, ordered, languages)
        for k, item in enumerate(alignment.tuples, start=1)
    ]
    return AlignedGroup(group, ordered, alignment, tuples)


def _aligned_tuple(group_id, number, item: SentenceTuple, segments, languages) -> AlignedTuple:
    ids = {lang: tuple(segments[lang][i].segment_id for i in item.members.get(lang, ())) for lang in languages}
    texts = {lang: " ".join(segments[lang][i].text for i in item.members.get(lang, ())) for lang in languages}
    present = [lang for lang in languages if lang in item.members]
    agreement = {f"{a}-{b}{AGREEMENT_SUFFIX}": float((a, b) in item.agreeing_pairs or (b, a) in item.agreeing_pairs)
                 for a, b in itertools.combinations(present, 2)}
    return AlignedTuple(group_id, f"{group_id}-{number:05d}", ids, texts,
                        {**agreement, "consistency": item.consistency}, keep=len(item.members) > 1)
