"""Breakdowns of MT scores by document group, source document and quality band, and the text report.

The keys come from the set's ``test.meta.tsv`` (``group``, ``SRC_documents`` and the ``quality``
score column the export copies from ``corpus.tsv``); every subset is scored with the same metrics
as the whole set (no paired test), extra metrics such as COMET included.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aligner.errors import InputError
from aligner.evaluate.mt_input import TestSet
from aligner.evaluate.mt_scores import (
    SIGNIFICANCE_LEVEL,
    EvaluationResult,
    ExtraMetric,
    SystemScores,
    _check_systems,
    make_metrics,
    metric_format,
)

QUALITY = "quality"
QUALITY_BANDS = (0.5, 0.8)
"""Band edges for the quality breakdown: ``q < 0.5``, ``0.5 <= q < 0.8``, ``q >= 0.8``."""

BREAKDOWNS = ("group", "document", "quality")
DEFAULT_BREAKDOWNS = ("group", "quality")


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    lines: int
    scores: dict[str, dict[str, float]]  # system -> metric -> score


@dataclass(frozen=True)
class Breakdown:
    """Scores on subsets of the test set: one row per document group, document or quality band."""

    by: str
    rows: list[BreakdownRow]
    note: str | None = None  # why the breakdown is missing or partial

    def as_dict(self) -> dict:
        return {"by": self.by, "note": self.note,
                "rows": [{"key": row.key, "lines": row.lines,
                          "scores": {system: {m: round(v, 4) for m, v in scores.items()}
                                     for system, scores in row.scores.items()}} for row in self.rows]}


def quality_band(value: float | None, bands: Sequence[float] = QUALITY_BANDS) -> str:
    """The label of the band holding ``value``: ``q < 0.50``, ``0.50 <= q < 0.80``, ``q >= 0.80``, or ``no quality``."""
    if value is None or math.isnan(value):
        return "no quality"
    edges = sorted(bands)
    if value < edges[0]:
        return f"q < {edges[0]:.2f}"
    for low, high in zip(edges, edges[1:]):
        if value < high:
            return f"{low:.2f} <= q < {high:.2f}"
    return f"q >= {edges[-1]:.2f}"


def _band_order(bands: Sequence[float]) -> list[str]:
    edges = sorted(bands)
    labels = [f"q < {edges[0]:.2f}", *(f"{lo:.2f} <= q < {hi:.2f}" for lo, hi in zip(edges, edges[1:])),
              f"q >= {edges[-1]:.2f}", "no quality"]
    return labels


def _line_keys(testset: TestSet, by: str, bands: Sequence[float]) -> tuple[list[str] | None, str | None, list[str]]:
    """Key of every line for ``by``, or None with the reason it cannot be computed."""
    if by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r} (choose from {', '.join(BREAKDOWNS)})")
    if not testset.meta:
        return None, f"no {testset.meta_file} in {testset.folder}: breakdown by {by} skipped", []
    if by == "quality":
        if QUALITY not in testset.meta_columns:
            return None, f"{testset.meta_file} has no '{QUALITY}' column: breakdown by quality skipped", []
        keys = []
        for row in testset.meta:
            cell = row[QUALITY].strip()
            try:
                value = float(cell) if cell else None
            except ValueError:
                raise InputError(testset.folder / testset.meta_file,
                                 f"line {row['line']}: quality {cell!r} is not a number") from None
            keys.append(quality_band(value, bands))
        return keys, None, _band_order(bands)
    column = "group" if by == "group" else f"{testset.source_lang}_documents"
    if column not in testset.meta_columns:
        return None, f"{testset.meta_file} has no '{column}' column: breakdown by {by} skipped", []
    keys = [row[column] or "(none)" for row in testset.meta]
    return keys, None, list(dict.fromkeys(keys))


def breakdown(testset: TestSet, hyps: Mapping[str, Sequence[str]], by: str = "group", *,
              bands: Sequence[float] = QUALITY_BANDS, tokenize: str | None = None,
              extra: Sequence[ExtraMetric] = (), metrics: Mapping | None = None) -> Breakdown:
    """Corpus-level scores of each system on the lines of each group (``by="group"``), source
    document (``"document"``) or quality band (``"quality"``, edges ``bands``), no paired test.

    sacrebleu computes a corpus score from the sum of its segment statistics; each system's
    statistics are extracted once on the whole set and summed over each subset's lines, which is
    the score sacrebleu gives that subset alone (tested against its CLI). ``metrics`` from
    :func:`~aligner.evaluate.mt_scores.make_metrics` on the whole set's references (instead of
    ``tokenize`` and ``extra``) shares the statistics with the overall scores.
    Without the metadata it needs the breakdown has no rows and a ``note`` saying why.
    """
    _check_systems(testset.references, hyps)
    keys, note, order = _line_keys(testset, by, bands)
    if keys is None:
        return Breakdown(by, [], note)
    if metrics is None:
        metrics = make_metrics(testset.references, testset.target_lang, tokenize, sources=testset.sources,
                               extra=extra)
    stats = {name: {metric: scorer._extract_corpus_statistics(list(lines), None)
                    for metric, scorer in metrics.items()} for name, lines in hyps.items()}
    rows = []
    for key in order:
        index = [i for i, k in enumerate(keys) if k == key]
        if not index:
            continue
        scores = {name: {metric: float(metrics[metric]._aggregate_and_compute([by_line[i] for i in index]).score)
                         for metric, by_line in per_metric.items()} for name, per_metric in stats.items()}
        rows.append(BreakdownRow(key, len(index), scores))
    return Breakdown(by, rows, None)


# --- formatting ----------------------------------------------------------------------------------

def _table(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]) -> list[str]:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    out = []
    for row in (header, *rows):
        cells = [str(c).rjust(w) if r else str(c).ljust(w) for c, w, r in zip(row, widths, right)]
        out.append("  ".join(cells).rstrip())
    out.insert(1, "  ".join("-" * w for w in widths))
    return out


def _cell(system: SystemScores, metric: str) -> str:
    text = metric_format(metric, system.scores[metric])
    sig = system.significance.get(metric)
    if sig is not None:
        text += f" ({metric_format(metric, sig.mean)} ± {metric_format(metric, sig.ci)})"
        if sig.p_value is not None:
            text += f" p={sig.p_value:.4f}" + ("*" if sig.significant else " ")
    return text


def _p_cell(p_value: float | None) -> str:
    if p_value is None:
        return "(baseline)"
    return f"{p_value:.4f}" + ("*" if p_value < SIGNIFICANCE_LEVEL else " ")


def format_table(result: EvaluationResult, breakdowns: Sequence[Breakdown] = ()) -> str:
    """A plain-text report: the systems table, the paired tests, sacrebleu's signatures, the breakdowns."""
    title = f"aligner evaluate: {result.direction or 'target ' + result.target_lang}, {result.lines} lines"
    if result.testset:
        title += f" ({result.testset})"
    metrics = list(result.metrics)
    lines = [title, ""]
    rows = [[system.name, *(_cell(system, m) for m in metrics)] for system in result.systems]
    lines += _table(["system", *metrics], rows, [False] + [True] * len(metrics))
    if result.bootstrap_samples:
        lines += ["", f"Paired bootstrap resampling (sacrebleu PairedTest, {result.bootstrap_samples} resamples, "
                      f"seed {result.seed}): score (bootstrap mean ± 95% CI); p-value against the baseline "
                      f"{result.baseline!r}; * = p < {SIGNIFICANCE_LEVEL}."]
    if result.ar_trials:
        lines += ["", f"Paired approximate randomization (sacrebleu PairedTest, {result.ar_trials} trials, "
                      f"seed {result.seed}): p-value against the baseline {result.baseline!r}; "
                      f"* = p < {SIGNIFICANCE_LEVEL}."]
        rows = [[system.name, *(_p_cell(system.randomization[m]) for m in metrics)] for system in result.systems]
        lines += ["  " + line for line in _table(["system", *metrics], rows, [False] + [True] * len(metrics))]
    lines += ["", "BLEU details:"]
    lines += [f"  {system.name}: {system.bleu_detail}" for system in result.systems]
    lines += ["", "Signatures (sacrebleu):"]
    width = max(len(name) for name in result.signatures)
    lines += [f"  {name.ljust(width)}  {signature}" for name, signature in result.signatures.items()]
    if result.ar_signatures:  # the approximate randomization run: ar:N instead of bs:N
        lines += [f"  {name.ljust(width)}  {signature}" for name, signature in result.ar_signatures.items()]
    lines.append(f"  BLEU tokenizer: {result.bleu_tokenize} for target {result.target_lang}"
                 + (" (13a leaves Arabic punctuation attached to words)" if result.bleu_tokenize == "intl"
                    and result.target_lang == "ar" else ""))
    for part in breakdowns:
        lines += ["", f"Breakdown by {part.by}:"]
        if part.note:
            lines.append(f"  note: {part.note}")
        if not part.rows:
            continue
        header = [part.by, "lines", "system", *metrics]
        rows = []
        for row in part.rows:
            for index, (system, scores) in enumerate(row.scores.items()):
                rows.append([row.key if index == 0 else "", str(row.lines) if index == 0 else "", system,
                             *(metric_format(m, scores[m]) for m in metrics)])
        lines += ["  " + line for line in _table(header, rows, [False, True, False] + [True] * len(metrics))]
    return "\n".join(lines)


__all__ = ["BREAKDOWNS", "Breakdown", "BreakdownRow", "DEFAULT_BREAKDOWNS", "QUALITY", "QUALITY_BANDS",
           "breakdown", "format_table", "quality_band"]
