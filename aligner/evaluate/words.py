"""Word-alignment scoring: precision, recall and alignment error rate (AER).

Definitions (Och & Ney 2003), with A the predicted links, S the sure gold links
and P the possible gold links, where every sure link is also possible (S ⊆ P)::

    precision = |A ∩ P| / |A|
    recall    = |A ∩ S| / |S|
    AER       = 1 - (|A ∩ S| + |A ∩ P|) / (|A| + |S|)

Counts are summed over all sentences before dividing (micro-average), which is
how published AER figures (e.g. on the Hansards en-fr test set) are computed.

Undefined values are reported as the *worst* value rather than raising, so an
empty or degenerate run never looks good: precision is 0.0 when nothing was
predicted (|A| = 0), recall is 0.0 when the gold has no sure link (|S| = 0),
and AER is 1.0 when both are empty.

File formats
    Gold: one sentence per line, whitespace-separated links ``i-j`` (sure) and
    ``ipj`` (possible), i indexing source tokens and j target tokens.  Gold
    files are 0-based or 1-based (the Hansards set is 1-based); pass
    ``one_based`` explicitly or use :func:`infer_one_based`.  A link given both
    as sure and as possible is sure.
    Predictions: Pharaoh format, one sentence per line, ``i-j`` links, 0-based.
    Blank lines are sentences without links, so both files must have the same
    number of lines.  Malformed input raises :class:`~aligner.errors.InputError`
    naming the file and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from aligner.errors import InputError
from aligner.fileio import read_text_lines

__all__ = [
    "GoldLinks",
    "Link",
    "WordAlignmentScores",
    "format_word_scores",
    "infer_one_based",
    "parse_gold_links",
    "parse_links",
    "read_bitext",
    "read_gold_links",
    "read_links",
    "score_word_alignment",
    "score_word_alignment_files",
]

Link = tuple[int, int]
"""A 0-based (source token, target token) pair."""

_LINK_RE = re.compile(r"^(\d+)([-p])(\d+)$")


@dataclass(frozen=True)
class GoldLinks:
    """Gold links of one sentence, 0-based.  ``possible`` always contains ``sure``."""

    sure: frozenset[Link]
    possible: frozenset[Link]

    def __post_init__(self) -> None:
        if not self.sure <= self.possible:
            object.__setattr__(self, "possible", self.possible | self.sure)


def _bad_token(source: Path | str, lineno: int, token: str, expected: str) -> InputError:
    shown = token if len(token) <= 40 else token[:37] + "..."
    return InputError(source, f"line {lineno}: expected {expected}, got {shown!r}")


def parse_gold_links(
    lines: Iterable[str], *, one_based: bool, source: Path | str = "<gold>"
) -> list[GoldLinks]:
    """Parse gold lines of ``i-j`` (sure) and ``ipj`` (possible) links into 0-based links."""
    offset = 1 if one_based else 0
    sentences: list[GoldLinks] = []
    for lineno, line in enumerate(lines, start=1):
        sure: set[Link] = set()
        possible: set[Link] = set()
        for token in line.split():
            match = _LINK_RE.match(token)
            if match is None:
                raise _bad_token(source, lineno, token, "a link 'i-j' (sure) or 'ipj' (possible)")
            i, j = int(match[1]) - offset, int(match[3]) - offset
            if i < 0 or j < 0:
                raise InputError(
                    source,
                    f"line {lineno}: link {token!r} has index 0 but the gold is read as 1-based "
                    "(pass one_based=False, or check the file)",
                )
            (sure if match[2] == "-" else possible).add((i, j))
        sentences.append(GoldLinks(frozenset(sure), frozenset(possible | sure)))
    return sentences


def read_gold_links(path: Path | str, *, one_based: bool) -> list[GoldLinks]:
    """Read a gold file (one sentence per line); see :func:`parse_gold_links`."""
    path = Path(path)
    return parse_gold_links(read_text_lines(path, "gold alignment"), one_based=one_based, source=path)


def infer_one_based(source: Path | str | Iterable[str]) -> bool:
    """Guess whether a gold file (a path or its lines) is 1-based.

    True when at least one link is present and no link anywhere uses index 0;
    False otherwise (including a file without any link).  The guess is only
    as good as the data: a 0-based file in which no sentence ever aligns its
    first token would be mistaken for a 1-based one.
    """
    if isinstance(source, (str, Path)):
        name: Path | str = Path(source)
        lines: Iterable[str] = read_text_lines(source, "gold alignment")
    else:
        name, lines = "<gold>", source
    seen = False
    for lineno, line in enumerate(lines, start=1):
        for token in line.split():
            match = _LINK_RE.match(token)
            if match is None:
                raise _bad_token(name, lineno, token, "a link 'i-j' (sure) or 'ipj' (possible)")
            if int(match[1]) == 0 or int(match[3]) == 0:
                return False
            seen = True
    return seen


def parse_links(lines: Iterable[str], source: Path | str = "<links>") -> list[frozenset[Link]]:
    """Parse Pharaoh lines of 0-based ``i-j`` links, one sentence per line."""
    sentences: list[frozenset[Link]] = []
    for lineno, line in enumerate(lines, start=1):
        links: set[Link] = set()
        for token in line.split():
            match = _LINK_RE.match(token)
            if match is None or match[2] != "-":
                raise _bad_token(source, lineno, token, "a Pharaoh link 'i-j' (0-based integers)")
            links.add((int(match[1]), int(match[3])))
        sentences.append(frozenset(links))
    return sentences


def read_links(path: Path | str) -> list[frozenset[Link]]:
    """Read a Pharaoh prediction file; see :func:`parse_links`."""
    path = Path(path)
    return parse_links(read_text_lines(path, "alignment"), source=path)


def read_bitext(path: Path | str) -> list[tuple[list[str], list[str]]]:
    """Read ``source tokens ||| target tokens`` lines (e.g. ``benchmarks/hansards/enfr.src-tgt``)."""
    path = Path(path)
    pairs = []
    for lineno, line in enumerate(read_text_lines(path, "bitext"), start=1):
        parts = line.split("|||")
        if len(parts) != 2:
            raise InputError(path, f"line {lineno}: expected exactly one '|||' separator")
        pairs.append((parts[0].split(), parts[1].split()))
    return pairs


@dataclass(frozen=True)
class WordAlignmentScores:
    """Micro-averaged precision, recall and AER with the link counts behind them."""

    precision: float
    recall: float
    aer: float
    n_sentences: int
    n_pred: int  # |A|
    n_sure: int  # |S|
    n_possible: int  # |P|, sure links included
    pred_in_sure: int  # |A ∩ S|
    pred_in_possible: int  # |A ∩ P|

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def score_word_alignment(
    gold: Sequence[GoldLinks],
    pred: Sequence[Iterable[Link]],
    *,
    lengths: Sequence[tuple[int, int]] | None = None,
) -> WordAlignmentScores:
    """Score predicted links against gold links, sentence by sentence (0-based links).

    ``lengths``, if given, holds the (source, target) token counts of every
    sentence; any gold or predicted link outside them raises ``ValueError``,
    which catches 0-based/1-based mix-ups early.
    """
    gold = list(gold)
    pred = list(pred)
    if len(gold) != len(pred):
        raise ValueError(f"got {len(gold)} gold sentences but {len(pred)} predicted sentences")
    if lengths is not None and len(lengths) != len(gold):
        raise ValueError(f"got {len(lengths)} sentence lengths for {len(gold)} sentences")

    n_pred = n_sure = n_possible = a_s = a_p = 0
    for k, (g, p) in enumerate(zip(gold, pred)):
        a = set(p)
        possible = g.possible | g.sure
        if lengths is not None:
            n_src, n_tgt = lengths[k]
            for what, links in (("gold", possible), ("predicted", a)):
                outside = sorted((i, j) for i, j in links if not (0 <= i < n_src and 0 <= j < n_tgt))
                if outside:
                    i, j = outside[0]
                    raise ValueError(
                        f"sentence {k + 1}: {what} link {i}-{j} (0-based) is outside the sentence "
                        f"({n_src} source x {n_tgt} target tokens)"
                    )
        n_pred += len(a)
        n_sure += len(g.sure)
        n_possible += len(possible)
        a_s += len(a & g.sure)
        a_p += len(a & possible)

    precision = a_p / n_pred if n_pred else 0.0
    recall = a_s / n_sure if n_sure else 0.0
    aer = 1.0 - (a_s + a_p) / (n_pred + n_sure) if n_pred + n_sure else 1.0
    return WordAlignmentScores(
        precision=precision,
        recall=recall,
        aer=aer,
        n_sentences=len(gold),
        n_pred=n_pred,
        n_sure=n_sure,
        n_possible=n_possible,
        pred_in_sure=a_s,
        pred_in_possible=a_p,
    )


def score_word_alignment_files(
    gold_path: Path | str,
    pred_path: Path | str,
    *,
    one_based: bool | None = None,
    bitext_path: Path | str | None = None,
) -> WordAlignmentScores:
    """Score a Pharaoh prediction file against a gold file.

    ``one_based`` describes the gold file; ``None`` infers it with
    :func:`infer_one_based`.  ``bitext_path`` (``src ||| tgt`` lines) enables
    the bounds check of :func:`score_word_alignment`.  The files must have the
    same number of lines; otherwise the error names both.
    """
    gold_path, pred_path = Path(gold_path), Path(pred_path)
    if one_based is None:
        one_based = infer_one_based(gold_path)
    gold = read_gold_links(gold_path, one_based=one_based)
    pred = read_links(pred_path)
    if len(gold) != len(pred):
        raise InputError(
            gold_path,
            f"gold has {len(gold)} lines but predictions {pred_path} have {len(pred)}; "
            "the two files must be line-parallel (one sentence per line)",
        )
    lengths = None
    if bitext_path is not None:
        bitext = read_bitext(bitext_path)
        if len(bitext) != len(gold):
            raise InputError(
                bitext_path, f"has {len(bitext)} lines but gold {gold_path} has {len(gold)}"
            )
        lengths = [(len(s), len(t)) for s, t in bitext]
    return score_word_alignment(gold, pred, lengths=lengths)


def format_word_scores(scores: WordAlignmentScores, title: str | None = None) -> str:
    """A short text report: precision, recall, AER (as percentages) and counts."""
    lines = [title] if title else []
    lines += [
        f"precision {100 * scores.precision:6.2f}",
        f"recall    {100 * scores.recall:6.2f}",
        f"AER       {100 * scores.aer:6.2f}",
        (
            f"{scores.n_sentences} sentences; |A|={scores.n_pred} |S|={scores.n_sure} "
            f"|P|={scores.n_possible} |A∩S|={scores.pred_in_sure} |A∩P|={scores.pred_in_possible}"
        ),
    ]
    return "\n".join(lines)
