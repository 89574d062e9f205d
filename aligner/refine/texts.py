"""Presegmented versions of one document aligned and refined as ``aligner build`` does them.

For ``aligner align --refine`` and the benchmark scripts, which score sentence beads: the pieces of
a cut sentence are joined back, since a bead names whole sentences.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aligner.model import Bead, DocumentGroup, Segment
from aligner.sentalign import align_corpus
from aligner.wordalign.align import WordAligner

from .options import RefineOptions
from .stage import refine_tuples
from .unionfind import UnionFind
from .units import split_unit_id


def refine_texts(texts: Mapping[str, Sequence[str]], embedder, word_aligner: WordAligner,
                 config=None, options: RefineOptions = RefineOptions()):
    """Presegmented versions of one document aligned and refined as ``aligner build`` does them.

    ``texts``: language -> its sentences (two or three languages, in column order). Returns
    ``(tuples, alignment)``: each tuple as language -> sentence indices, in reading order, where
    the tuples that share a sentence (its pieces) are joined, since a sentence index cannot say
    which piece; and the sentence aligner's :class:`~aligner.sentalign.GroupAlignment` (pairwise
    beads, costs, stats).
    """
    languages = tuple(texts)
    docs = {lang: f"{lang}:doc" for lang in languages}
    segments = [Segment(docs[lang], i, 0, lang, text, 0, len(text))
                for lang in languages for i, text in enumerate(texts[lang])]
    group = DocumentGroup("g0001", tuple(docs.values()), 1.0)
    (aligned,) = align_corpus([group], segments, embedder, languages, config)
    tuples, _ = refine_tuples([aligned], languages, word_aligner, options)
    index = {s.segment_id: (s.lang, s.paragraph) for s in segments}
    sets = UnionFind(range(len(tuples)))
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
