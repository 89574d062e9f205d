"""Refinement: finer tuples where one language has one long sentence and the others several short ones.

The stage after sentence alignment (docs/architecture.md). Sentence alignment cannot go below the
sentence: when the Arabic version packs into one sentence what the English and French versions
say in four, the tuple is one Arabic sentence with four English and four French sentences, and
often some of those are not in the Arabic sentence at all (the Arabic version is a summary).
:func:`refine_groups` rewrites such a tuple using the word alignment of its sides (the stored word
vectors of the one encoder pass per tuple side; the model is never run again), and
:func:`align_refined` word-aligns the tuples it gives; :func:`refine_tuples` runs both, as the
build does. See docs/refine.md for the thresholds (:class:`RefineOptions`) and the seed results.

1. **Detach** (:mod:`.components`, :mod:`.detach`). For a tuple where language ``L`` has exactly
   one unit (sentence or piece, :mod:`.units`) and another language has two or more, the other
   languages' sentences are cut into *components*: connected components of the pairwise sentence
   beads between those languages, restricted to the tuple (only the links a bead makes between
   members inside the tuple count); with one other language, every sentence is its own
   component. A component's *share* is the share of its content words linked to ``L``'s
   sentence, the smallest over its languages. A component with a share below ``detach_share`` is
   not expressed in ``L``'s sentence: it becomes a tuple of its own, without ``L`` (only if some
   component reaches ``keep_share``; else nothing is detached).
2. **Split** (:mod:`.cuts`). If two or more components remain, ``L``'s sentence is cut into as
   many contiguous pieces as there are blocks of consecutive components (every grouping is
   tried), only at clause boundaries (after ``, ، ; ؛ :``, before a conjunction such as *and*,
   *but*, *et*, *mais*, ``لكن``), by a small dynamic programme that maximises the word links from
   piece *i* into block *i* (equivalently: minus the links into other blocks). A split is accepted
   only if every piece has at least ``min_links`` content-word links into its block, at least
   ``min_purity`` of its links go there, and at least ``min_purity`` of the block's links come
   from it; the accepted grouping with the most pieces wins. Otherwise ``L``'s sentence stays
   whole with the remaining components.
3. **Never lose text** (:mod:`.accounting`). A piece is named by its segment id and the half-open
   character range of the segment text it holds: ``000_x:3:0@0-57``. The pieces of a sentence
   cover its characters exactly (whitespace between two pieces goes to the earlier one); a
   tuple's text of a piece is the piece stripped. Untouched sentences keep their plain ids, and
   every sentence (or every piece of it) of a grouped document stays in exactly one tuple
   (:func:`check_text_accounting`).

Every new tuple is refined again until nothing changes; at each step the language whose worst
component is the clearest detachment plays ``L`` first, else the languages in order. Steps 1-3
never touch a tuple where every language has one sentence (step 4 may).

4. **Across tuples** (:mod:`.spread`, before steps 1-3 and again after them). What L's sentence
   says may be spread over its tuple and nearby tuples that lack L (the Arabic seed says in one
   sentence what English and French say in four places, other sentences between), or the
   sentence aligner may have put it with unrelated sentences. With the tuples taken as one, L's
   unit is cut at clause boundaries, one piece per chosen tuple, under the rules of step 2 and a
   higher bar for the other tuples (``absorb_share``, ``absorb_coverage``): the sentence aligner
   did not put them together. A unit leaves a tuple that expresses it poorly; a clause that no
   tuple expresses stays alone.

A side of several sentences (L with two or more units) is only cut between its sentences, and
nothing is detached from it: that takes apart the 2-2 and 3-2 beads a sentence aligner glues
where it only approximates the merged groups.

The word links of a new tuple come from slicing the stored vectors of the original sides and
matching them again (:meth:`WordAligner.align`, numpy only; :mod:`.words`); an untouched tuple
gets exactly the links of :func:`~aligner.wordalign.corpus.align_tuples`. Untouched tuples keep
their scores; new tuples get ``consistency`` recomputed (the pairs whose beads touching the tuple
stay inside its original tuple, :mod:`.finish`); the quality scores are computed afterwards for
all tuples (:mod:`aligner.score`). All tuples of a group are renumbered in reading order.
:mod:`.texts` runs the stage on presegmented texts, for ``aligner align --refine`` and the
benchmarks.
"""

from __future__ import annotations

from .accounting import check_text_accounting
from .options import RefineOptions
from .stage import encode_sides, refine_groups, refine_tuples
from .texts import refine_texts, tuples_as_beads
from .units import split_unit_id
from .words import Words, align_refined

__all__ = [
    "RefineOptions",
    "Words",
    "align_refined",
    "check_text_accounting",
    "encode_sides",
    "refine_groups",
    "refine_texts",
    "refine_tuples",
    "split_unit_id",
    "tuples_as_beads",
]
