"""Sentence-alignment scoring: strict and lax precision, recall and F1 over beads.

The metric follows the semantics of the scorer shipped with Vecalign
(``score.py`` in thompsonb/vecalign, itself based on Sennrich & Volk's Bleualign
evaluation, https://aclanthology.org/W11-4624/), so numbers are comparable with
the published Text+Berg results.  This is an independent implementation.

Bead files
    One bead per line, ``[src ids]:[tgt ids]`` or ``[src ids]:[tgt ids]:score``.
    Ids are 0-based sentence (line) numbers; ``[]`` is an empty side, so
    ``[]:[51]`` is an insertion (0-1) and ``[4]:[]`` a deletion (1-0).  The
    optional score is parsed (it must be a number) but never used.  Blank lines
    are skipped.  Anything else raises :class:`~aligner.errors.InputError`
    naming the file and line.

What is compared (exactly what Vecalign does)
    * Beads are compared as sets of ``(src ids, tgt ids)``; a bead listed twice
      counts once, and a bead empty on both sides (``[]:[]``) is dropped.
    * **Precision** runs over *all* predicted beads, insertions and deletions
      included: a predicted 1-0 or 0-1 bead is strictly (and laxly) correct
      only if the same bead is in the gold, otherwise it is wrong under both
      measures (it cannot overlap anything on its empty side).
    * **Recall** runs over the gold beads with insertions and deletions
      removed, and it is checked against the predicted beads with insertions
      and deletions removed as well.  Gold 1-0/0-1 beads are therefore never
      missed, and predicted 1-0/0-1 beads never help recall.
    * **Strict**: a bead is correct if the identical bead is on the other side.
    * **Lax**: a bead is correct if it is strictly correct, or if a single bead
      on the other side shares at least one source id *and* at least one
      target id with it.
    * F1 is the harmonic mean of the (micro-averaged) precision and recall.
    * Several documents are scored by summing the counts over all documents
      before dividing (micro-average), as Vecalign does for several files.
    * An undefined ratio (0/0, e.g. precision with no predicted beads) is
      reported as 0.0, as Vecalign does.

Deliberate differences from Vecalign's code, none of which changes a score on
well-formed input: ids within a side are compared without regard to order
(Vecalign compares the lists as written; every known bead file writes them in
ascending order); a repeated id within one side, a negative id and a malformed
line are errors instead of being accepted or crashing with a Python traceback;
scoring different numbers of gold and predicted documents is an error instead of
silently ignoring the extra ones.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from aligner.errors import InputError
from aligner.model import Bead

__all__ = [
    "AlignmentScores",
    "Bead",
    "diagonal_beads",
    "format_bead",
    "format_scores",
    "parse_beads",
    "read_beads",
    "score_alignment",
    "score_alignment_files",
]


_BEAD_RE = re.compile(
    r"""^\s*\[(?P<src>[^\[\]]*)\]\s*:\s*\[(?P<tgt>[^\[\]]*)\]\s*(?::\s*(?P<score>\S*)\s*)?$"""
)
_INT_RE = re.compile(r"^[+-]?\d+$")


def _parse_ids(text: str, side: str, where: Path | str, lineno: int) -> tuple[int, ...]:
    text = text.strip()
    if not text:
        return ()
    ids: list[int] = []
    for item in text.split(","):
        item = item.strip()
        if not _INT_RE.match(item):
            raise InputError(
                where, f"line {lineno}: {side} ids must be comma-separated integers, got [{text}]"
            )
        value = int(item)
        if value < 0:
            raise InputError(where, f"line {lineno}: negative {side} id {value}")
        ids.append(value)
    if len(set(ids)) != len(ids):
        raise InputError(where, f"line {lineno}: repeated {side} id in [{text}]")
    return tuple(ids)


def parse_beads(lines: Iterable[str], source: Path | str = "<beads>") -> list[Bead]:
    """Parse bead lines (see the module docstring); ``source`` names the input in errors."""
    beads: list[Bead] = []
    for lineno, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        match = _BEAD_RE.match(line)
        if match is None:
            shown = line if len(line) <= 80 else line[:77] + "..."
            raise InputError(
                source,
                f"line {lineno}: expected '[src ids]:[tgt ids]' or "
                f"'[src ids]:[tgt ids]:score', got {shown!r}",
            )
        src = _parse_ids(match["src"], "source", source, lineno)
        tgt = _parse_ids(match["tgt"], "target", source, lineno)
        score: float | None = None
        if match["score"] is not None:
            try:
                score = float(match["score"])
            except ValueError:
                raise InputError(
                    source, f"line {lineno}: bead score must be a number, got {match['score']!r}"
                ) from None
        beads.append(Bead(src, tgt, score))
    return beads


def read_beads(path: Path | str) -> list[Bead]:
    """Read one bead file (UTF-8).  Errors name the file and the line."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as handle:
            return parse_beads(handle, source=path)
    except FileNotFoundError:
        raise InputError(path, "bead file not found") from None
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not valid UTF-8 ({exc.reason} at byte {exc.start})") from None


def format_bead(bead: Bead) -> str:
    """Write a bead the way Vecalign does: ``[0, 1]:[2]`` or ``[0, 1]:[2]:0.123456``."""
    ids = f"{list(bead.src)}:{list(bead.tgt)}"
    return ids if bead.score is None else f"{ids}:{bead.score:.6f}"


def diagonal_beads(n_src: int, n_tgt: int) -> list[Bead]:
    """The trivial baseline: ``[i]:[i]`` for every ``i < min(n_src, n_tgt)``."""
    return [Bead((i,), (i,)) for i in range(min(n_src, n_tgt))]


@dataclass(frozen=True)
class AlignmentScores:
    """Micro-averaged strict and lax precision/recall/F1 plus the counts behind them.

    ``n_pred`` is the number of distinct predicted beads precision is computed
    over (insertions/deletions included); ``n_gold`` the number of distinct
    gold beads recall is computed over (insertions/deletions excluded).
    ``*_correct_pred`` count predicted beads judged correct (precision
    numerators); ``*_found_gold`` count gold beads recovered (recall
    numerators).
    """

    strict_precision: float
    strict_recall: float
    strict_f1: float
    lax_precision: float
    lax_recall: float
    lax_f1: float
    n_documents: int
    n_pred: int
    n_gold: int
    strict_correct_pred: int
    strict_found_gold: int
    lax_correct_pred: int
    lax_found_gold: int

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


_Key = tuple[tuple[int, ...], tuple[int, ...]]


def _match_counts(candidates: set[_Key], reference: set[_Key]) -> tuple[int, int]:
    """How many candidate beads are strictly / laxly matched by the reference beads."""
    # For every source id, the target ids it is aligned to within one reference bead.
    linked: dict[int, set[int]] = defaultdict(set)
    for src, tgt in reference:
        for s in src:
            linked[s].update(tgt)
    strict = lax = 0
    for bead in candidates:
        if bead in reference:
            strict += 1
            lax += 1
            continue
        src, tgt = bead
        reachable: set[int] = set()
        for s in src:
            reachable |= linked.get(s, set())
        if reachable.intersection(tgt):
            lax += 1
    return strict, lax


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score_alignment(
    gold: Sequence[Sequence[Bead]], pred: Sequence[Sequence[Bead]]
) -> AlignmentScores:
    """Score predicted beads against gold beads, one list of beads per document.

    ``gold[k]`` and ``pred[k]`` must describe the same document.  Counts are
    summed over documents before dividing (micro-average).  See the module
    docstring for exactly which beads count where.
    """
    if isinstance(gold, (str, Path)) or isinstance(pred, (str, Path)):
        raise TypeError("score_alignment takes lists of beads per document; use score_alignment_files")
    gold = list(gold)
    pred = list(pred)
    if gold and isinstance(gold[0], Bead) or pred and isinstance(pred[0], Bead):
        raise TypeError("score_alignment takes one list of beads per document: wrap a single document as [beads]")
    if len(gold) != len(pred):
        raise ValueError(f"got {len(gold)} gold documents but {len(pred)} predicted documents")

    n_pred = n_gold = 0
    strict_p = lax_p = strict_r = lax_r = 0
    for gold_doc, pred_doc in zip(gold, pred):
        gold_all = {b.key for b in gold_doc if b.src or b.tgt}
        pred_all = {b.key for b in pred_doc if b.src or b.tgt}
        gold_links = {k for k in gold_all if k[0] and k[1]}
        pred_links = {k for k in pred_all if k[0] and k[1]}

        s, l = _match_counts(pred_all, gold_all)
        n_pred += len(pred_all)
        strict_p += s
        lax_p += l

        s, l = _match_counts(gold_links, pred_links)
        n_gold += len(gold_links)
        strict_r += s
        lax_r += l

    sp, sr = _ratio(strict_p, n_pred), _ratio(strict_r, n_gold)
    lp, lr = _ratio(lax_p, n_pred), _ratio(lax_r, n_gold)
    return AlignmentScores(
        strict_precision=sp,
        strict_recall=sr,
        strict_f1=_f1(sp, sr),
        lax_precision=lp,
        lax_recall=lr,
        lax_f1=_f1(lp, lr),
        n_documents=len(gold),
        n_pred=n_pred,
        n_gold=n_gold,
        strict_correct_pred=strict_p,
        strict_found_gold=strict_r,
        lax_correct_pred=lax_p,
        lax_found_gold=lax_r,
    )


def score_alignment_files(
    gold_paths: Sequence[Path | str], pred_paths: Sequence[Path | str]
) -> AlignmentScores:
    """Read paired gold/predicted bead files (same order, one pair per document) and score them."""
    gold_paths = [gold_paths] if isinstance(gold_paths, (str, Path)) else list(gold_paths)
    pred_paths = [pred_paths] if isinstance(pred_paths, (str, Path)) else list(pred_paths)
    if len(gold_paths) != len(pred_paths):
        raise ValueError(
            f"got {len(gold_paths)} gold bead files but {len(pred_paths)} predicted bead files; "
            "they are paired in order, one pair per document"
        )
    return score_alignment([read_beads(p) for p in gold_paths], [read_beads(p) for p in pred_paths])


def format_scores(scores: AlignmentScores, title: str | None = None) -> str:
    """A small text table in the layout of Vecalign's report, plus the counts."""

    def cell(x: float) -> str:
        return "  n/a" if math.isnan(x) else f"{x:.3f}"

    lines = []
    if title:
        lines.append(title)
    lines += [
        "+-----------+--------+--------+",
        "|           | strict |   lax  |",
        "+-----------+--------+--------+",
        f"| precision |  {cell(scores.strict_precision)} |  {cell(scores.lax_precision)} |",
        f"| recall    |  {cell(scores.strict_recall)} |  {cell(scores.lax_recall)} |",
        f"| F1        |  {cell(scores.strict_f1)} |  {cell(scores.lax_f1)} |",
        "+-----------+--------+--------+",
        (
            f"{scores.n_documents} document(s); {scores.n_pred} predicted beads "
            f"({scores.strict_correct_pred} strict / {scores.lax_correct_pred} lax correct); "
            f"{scores.n_gold} gold beads without insertions/deletions "
            f"({scores.strict_found_gold} strict / {scores.lax_found_gold} lax found)"
        ),
    ]
    return "\n".join(lines)
