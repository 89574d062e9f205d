"""What every export shares: which tuples are written, which language pairs, and what text a format can hold.

Selection rule: a tuple is written when its ``keep`` flag is set, and a pair file's row when its
pair's ``<pair>.keep`` is; with ``min_quality``, the build's keep rule (:mod:`aligner.score.selection`:
each pair's ``quality`` against that threshold, moved by the tuple's ``consistency``, no flag of
:mod:`aligner.score.flags` set) is applied again at that value (a corpus without a ``quality``
column is an error, a tuple with an empty cell is dropped).

A language is *present* in a tuple for a given file when its text, after the cleaning that file's
format needs, still has a character that is not whitespace. Each writer returns a
:class:`FileReport` that counts exactly what the cleaning removed or replaced and which tuples it
left out, and why.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aligner.errors import InputError
from aligner.model import AlignedTuple
from aligner.score.flags import raised_flag
from aligner.score.selection import SelectOptions, pair_kept, tuple_kept

QUALITY = "quality"

# Characters XML 1.0 forbids (production [2] Char): C0 controls other than tab, LF and CR, lone
# surrogates, U+FFFE and U+FFFF.
_XML_ILLEGAL = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Lone surrogates: a Python string may hold them, UTF-8 (so every file we write) cannot.
_SURROGATES = re.compile("[\ud800-\udfff]")
# Every character str.splitlines() breaks on: a line-per-segment file must hold none of them.
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_LINE_BREAK_RUNS = re.compile(f"[{re.escape(LINE_BREAKS)}]+")


def has_text(text: str) -> bool:
    """A segment counts as present when it has a character that is not whitespace."""
    return bool(text) and not text.isspace()


def strip_xml_illegal(text: str) -> tuple[str, int]:
    """``text`` without the characters XML 1.0 cannot hold, and how many were removed."""
    return _XML_ILLEGAL.subn("", text)


def strip_surrogates(text: str) -> tuple[str, int]:
    """``text`` without lone surrogates (unencodable in UTF-8), and how many were removed."""
    return _SURROGATES.subn("", text)


def one_line(text: str) -> tuple[str, int, int]:
    """``text`` fit for a line-per-segment file: (text, surrogates removed, line-break characters replaced).

    Each run of line-break characters becomes one space.
    """
    text, removed = strip_surrogates(text)
    replaced = sum(len(match) for match in _LINE_BREAK_RUNS.findall(text))
    return _LINE_BREAK_RUNS.sub(" ", text), removed, replaced


def documents_of(segment_ids: Iterable[str]) -> tuple[str, ...]:
    """The source document ids of segment ids ``doc:paragraph:sentence``, first appearance order."""
    return tuple(dict.fromkeys(segment_id.split(":", 1)[0] for segment_id in segment_ids))


def score_value(value: float | None) -> float | None:
    """A score for a typed column: None for missing or NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


@dataclass
class FileReport:
    """What one writer did to one file.

    ``rows``: units/lines/rows written. ``skipped``: selected tuples left out, by reason.
    ``removed_characters``: characters the format cannot hold, deleted. ``replaced_characters``:
    line-break characters turned into spaces. ``dropped_segments``: segments that had text in the
    corpus but nothing but whitespace after cleaning, so count as missing.
    """

    format: str
    rows: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    removed_characters: int = 0
    replaced_characters: int = 0
    dropped_segments: int = 0

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def as_dict(self) -> dict:
        return {"format": self.format, "rows": self.rows, "skipped": dict(sorted(self.skipped.items())),
                "removed_characters": self.removed_characters,
                "replaced_characters": self.replaced_characters, "dropped_segments": self.dropped_segments}


@dataclass(frozen=True)
class Selection:
    """The tuples an export writes, and what the selection rule left out.

    ``tuples`` applies the rule anew on each iteration to a source that can be read several
    times (a list, or a :class:`~aligner.export.corpus_tsv.CorpusTsv` streaming its file).
    """

    tuples: Iterable[AlignedTuple]
    rule: str
    total: int
    selected: int
    dropped: dict[str, int]

    def as_dict(self) -> dict:
        return {"rule": self.rule, "tuples": self.total, "selected": self.selected,
                "dropped": dict(sorted(self.dropped.items()))}


class SelectedTuples:
    """The tuples of ``source`` that the selection rule keeps, filtered each time it is iterated.

    With ``pair``, the rule is that pair's (``ar-en.keep``): the rows a pair file writes.
    """

    def __init__(self, source: Iterable[AlignedTuple], rule: SelectOptions | None,
                 pair: tuple[str, str] | None = None) -> None:
        self.source, self.rule, self.pair = source, rule, pair

    def __iter__(self) -> Iterator[AlignedTuple]:
        return (item for item in self.source if drop_reason(item, self.rule, self.pair) is None)

    def for_pair(self, pair: tuple[str, str]) -> SelectedTuples:
        return SelectedTuples(self.source, self.rule, pair)


def _pair_name(item: AlignedTuple, pair: tuple[str, str]) -> str:
    """How the corpus names ``pair``'s scores (``ar-en``; either order)."""
    forward = f"{pair[0]}-{pair[1]}"
    return forward if f"{forward}.quality" in item.scores or f"{forward}.keep" in item.scores else f"{pair[1]}-{pair[0]}"


def drop_reason(item: AlignedTuple, rule: SelectOptions | None, pair: tuple[str, str] | None = None) -> str | None:
    """Why the selection rule leaves ``item`` (or its ``pair``) out, or None when it is selected.

    ``keep`` / ``<pair>.keep`` as the build set them; with a ``rule``, the build's keep rule
    (:mod:`aligner.score.selection`) run again with it. A corpus without a pair's own
    ``keep`` (or ``quality``) selects the pair by the row's.
    """
    name = _pair_name(item, pair) if pair is not None else ""
    if pair is not None and rule is None and score_value(item.scores.get(f"{name}.keep")) is not None:
        return None if item.scores[f"{name}.keep"] == 1.0 else "pair not kept"
    if pair is not None and rule is not None and score_value(item.scores.get(f"{name}.quality")) is not None:
        return None if pair_kept(item.scores, name, rule) else "pair below minimum or flagged"
    if rule is None:
        return None if item.keep else "not kept"
    if score_value(item.scores.get(QUALITY)) is None:
        return "no quality score"
    flag = raised_flag(item.scores)
    if flag is not None:
        return flag
    return None if tuple_kept(item.scores, len(item.languages), rule) else "quality below minimum"


def select_tuples(tuples: Iterable[AlignedTuple], score_columns: Sequence[str],
                  rule: SelectOptions | None = None, corpus: Path | str = "corpus.tsv") -> Selection:
    """Apply the selection rule (module docstring); ``score_columns`` are the corpus's score columns.

    Reads ``tuples`` once to count (a malformed row of a streamed corpus fails here, before any
    file is written), keeping none of them: see :class:`Selection`.
    """
    if rule is not None:
        if QUALITY not in score_columns:
            raise InputError(corpus, "has no quality column, so --min-quality cannot be applied "
                                     "(select with the keep column instead: leave out --min-quality)")
    total, dropped = 0, {}
    for item in tuples:
        total += 1
        reason = drop_reason(item, rule)
        if reason is not None:
            dropped[reason] = dropped.get(reason, 0) + 1
    named = "keep" if rule is None else f"quality >= {rule.min_quality:g}"
    return Selection(SelectedTuples(tuples, rule), named, total, total - sum(dropped.values()), dropped)


def check_min_quality(value: float) -> float:
    value = float(value)
    if math.isnan(value) or not 0.0 <= value <= 1.0:
        raise ValueError(f"minimum quality must be between 0 and 1, got {value}")
    return value


def parse_pairs(pairs: str | Iterable[str | Sequence[str]] | None, languages: Sequence[str],
                ) -> list[tuple[str, str]] | None:
    """Normalise a pair list ("ar-en,fr-en" or ["ar-en", ("en", "fr")]) to sorted, distinct, alphabetical pairs.

    Every language must be one of ``languages`` (ValueError otherwise). None stays None.
    """
    if pairs is None:
        return None
    items = pairs.split(",") if isinstance(pairs, str) else list(pairs)
    result: set[tuple[str, str]] = set()
    for item in items:
        parts = [p.strip() for p in item.split("-")] if isinstance(item, str) else [str(p).strip() for p in item]
        if not any(parts):
            continue
        if len(parts) != 2 or not all(parts):
            raise ValueError(f"language pair {item!r}: write two language codes joined by '-', e.g. ar-en")
        if parts[0] == parts[1]:
            raise ValueError(f"language pair {item!r}: the two languages must differ")
        unknown = [p for p in parts if p not in languages]
        if unknown:
            raise ValueError(f"language pair {item!r}: {', '.join(unknown)} not in the corpus "
                             f"(it has {', '.join(languages)})")
        result.add((min(parts), max(parts)))
    if not result:
        raise ValueError("no language pair given")
    return sorted(result)


def all_pairs(languages: Sequence[str]) -> list[tuple[str, str]]:
    ordered = sorted(languages)
    return [(a, b) for i, a in enumerate(ordered) for b in ordered[i + 1:]]


def code(languages: Sequence[str]) -> str:
    """File-name code of a language set: alphabetical, joined by '-' (``ar-en``, ``ar-en-fr``)."""
    return "-".join(sorted(languages))
