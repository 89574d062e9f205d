"""The thresholds of the refinement, in one frozen dataclass a build configuration can pass.

They live apart from the steps that read them so a caller can set them without importing the
steps; docs/refine.md says how each value was chosen.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RefineOptions:
    """The thresholds of :func:`~aligner.refine.refine_tuples` (see docs/refine.md for why these values)."""

    #: A component with a smaller share of its content words linked to L's sentence is detached.
    detach_share: float = 0.2
    #: ... but only if some component stays, with at least this share (else the tuple is left alone).
    keep_share: float = 0.3
    #: Content-word links a piece needs into its own block.
    min_links: int = 3
    #: Share of a piece's links that go to its own block (and of a block's links that land in its piece).
    min_purity: float = 0.65
    #: Content words each piece must have.
    min_piece_words: int = 2
    #: A bead with several sentences on both sides is taken apart by word partners only if this share
    #: of its content-word links stays inside the partners (see :mod:`.components`).
    partner_purity: float = 0.97
    #: Components beyond this many are not split (2 ** (n - 1) groupings are tried).
    max_components: int = 8
    #: Tuples with two languages or more and without L looked at on each side of a tuple for a clause
    #: of its L sentence (see :mod:`.spread`).
    absorb_window: int = 4
    #: A sentence is spread over at most this many tuples.
    max_pieces: int = 4
    #: A clause moves to such a tuple only if this share of the clause's content words link into it ...
    absorb_coverage: float = 0.55
    #: ... and this share of the tuple's content words (each language) link to L's sentence.
    absorb_share: float = 0.3
