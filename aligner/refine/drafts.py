"""Drafts, the tuples being refined, and the context every step reads.

A draft is a tuple as units per language plus the sentence aligner's tuple it comes from; the
context holds what does not change while a group is refined: its beads, its languages, the word
aligner and the options. Each step takes drafts and gives drafts; only :mod:`.finish` turns them
back into tuples (:class:`~aligner.model.AlignedTuple`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from aligner.model import AlignedTuple
from aligner.sentalign import AlignedGroup
from aligner.wordalign.align import EncodedSentence
from aligner.wordalign.corpus import Pair

from .options import RefineOptions
from .units import Unit, assemble, side_units

Link = tuple[int, int]
#: (language, text) of a tuple side -> its one encoder pass.
Encoded = Mapping[tuple[str, str], EncodedSentence]


@dataclass
class Draft:
    origin: AlignedTuple
    units: dict[str, list[Unit]]
    changed: bool = False

    def languages(self) -> list[str]:
        return [lang for lang, units in self.units.items() if units]


@dataclass(frozen=True)
class Context:
    group: AlignedGroup
    languages: tuple[str, ...]
    align: Callable[[EncodedSentence, EncodedSentence], list[Link]]
    layer: int
    options: RefineOptions
    sizes: dict[str, int] = field(default_factory=dict)
    #: (lang_a, lang_b) -> beads as pairs of segment-index tuples (non-null only).
    beads: dict[Pair, list[tuple[tuple[int, ...], tuple[int, ...]]]] = field(default_factory=dict)


def word_links(ctx: Context, units_a: Sequence[Unit], units_b: Sequence[Unit]) -> list[Link]:
    return ctx.align(assemble(units_a, ctx.layer), assemble(units_b, ctx.layer))


def make_context(group: AlignedGroup, languages: Sequence[str], aligner, layer: int, options: RefineOptions) -> Context:
    sizes = {lang: max(len(segs), 1) for lang, segs in group.segments.items()}
    beads = {pair: [(b.src, b.tgt) for b in beads if not b.is_null] for pair, beads in group.alignment.pairs.items()}
    return Context(group, tuple(languages), aligner.align, layer, options, sizes, beads)


def initial_draft(item: AlignedTuple, group: AlignedGroup, encoded: Encoded, languages: Sequence[str]) -> Draft:
    index = {lang: {s.segment_id: (k, s) for k, s in enumerate(segs)} for lang, segs in group.segments.items()}
    units: dict[str, list[Unit]] = {}
    for lang in languages:
        ids = item.segment_ids.get(lang, ())
        if not ids or len(item.languages) < 2:
            units[lang] = []
            continue
        units[lang] = side_units(lang, [index[lang][sid] for sid in ids], encoded[(lang, item.texts[lang])])
    return Draft(item, units)
