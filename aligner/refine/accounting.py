"""The check that refining never loses text: every segment in exactly one tuple, whole or in pieces that tile it."""

from __future__ import annotations

from collections.abc import Sequence

from aligner.model import AlignedTuple
from aligner.sentalign import AlignedGroup

from .units import split_unit_id


def check_text_accounting(groups: Sequence[AlignedGroup], tuples: Sequence[AlignedTuple]) -> None:
    """Raise ``ValueError`` unless every segment of every group is in exactly one tuple, whole or in pieces.

    The pieces of a segment must cover its characters exactly, without overlap, and each piece's
    text in the tuple must be the segment's characters there, stripped.
    """
    expected = {s.segment_id: s.text for g in groups for segs in g.segments.values() for s in segs}
    seen: dict[str, list[tuple[int, int]]] = {}
    for item in tuples:
        for lang, ids in item.segment_ids.items():
            shown = []
            for unit_id in ids:
                sid, start, end = split_unit_id(unit_id)
                if sid not in expected:
                    raise ValueError(f"{item.tuid}: unknown segment {unit_id}")
                text = expected[sid]
                if start is None:
                    start, end = 0, len(text)
                    shown.append(text)
                else:
                    shown.append(text[start:end].strip())
                seen.setdefault(sid, []).append((start, end))
            if " ".join(shown) != item.texts.get(lang, ""):
                raise ValueError(f"{item.tuid}: the {lang} text is not its segments' characters")
    for sid, text in expected.items():
        spans = sorted(seen.get(sid, []))
        if not spans:
            raise ValueError(f"segment {sid} is in no tuple")
        pos = 0
        for start, end in spans:
            if start != pos or end <= start:
                raise ValueError(f"segment {sid}: pieces {spans} do not cover its {len(text)} characters exactly once")
            pos = end
        if pos != len(text):
            raise ValueError(f"segment {sid}: pieces {spans} do not cover its {len(text)} characters exactly once")
