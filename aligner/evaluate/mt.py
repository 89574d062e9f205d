"""Score machine-translation output against the corpus's test set with sacrebleu (``aligner evaluate``).

The public API in one place (docs/evaluation.md, "Python API"); the code lives in

- :mod:`aligner.evaluate.mt_input`: reading a test or dev set folder (``test.LANG``,
  ``test.meta.tsv``) and the hypothesis files, with the refusals (line counts, empty files,
  wrong language);
- :mod:`aligner.evaluate.mt_scores`: sacrebleu's BLEU, chrF, chrF++ and TER, the per-target BLEU
  tokenizer, and sacrebleu's paired bootstrap and approximate randomization tests;
- :mod:`aligner.evaluate.mt_report`: breakdowns by document group, source document and quality
  band, and the text report;
- :mod:`aligner.evaluate.comet`: a local COMET-style model (``--metric comet:PATH``) as one more
  sacrebleu metric.
"""

from __future__ import annotations

from aligner.evaluate.mt_input import (
    LANGUAGE_VARIANTS,
    MIN_TARGET_SHARE,
    SET_STEMS,
    LanguageCheck,
    TestSet,
    identify_lines,
    load_testset,
    parse_direction,
    read_hypothesis,
    read_lines,
)
from aligner.evaluate.mt_report import (
    BREAKDOWNS,
    DEFAULT_BREAKDOWNS,
    QUALITY,
    QUALITY_BANDS,
    Breakdown,
    BreakdownRow,
    breakdown,
    format_table,
    quality_band,
)
from aligner.evaluate.mt_scores import (
    BLEU_TOKENIZERS,
    DEFAULT_AR_TRIALS,
    DEFAULT_BOOTSTRAP,
    METRICS,
    SIGNIFICANCE_LEVEL,
    EvaluationResult,
    Significance,
    SystemScores,
    bleu_tokenizer,
    make_metrics,
    metric_format,
    score_systems,
)

__all__ = [
    "BLEU_TOKENIZERS", "BREAKDOWNS", "Breakdown", "BreakdownRow", "DEFAULT_AR_TRIALS", "DEFAULT_BOOTSTRAP",
    "DEFAULT_BREAKDOWNS", "EvaluationResult", "LANGUAGE_VARIANTS", "LanguageCheck", "METRICS", "MIN_TARGET_SHARE",
    "QUALITY", "QUALITY_BANDS", "SET_STEMS", "SIGNIFICANCE_LEVEL", "Significance", "SystemScores", "TestSet",
    "bleu_tokenizer", "breakdown", "format_table", "identify_lines", "load_testset", "make_metrics",
    "metric_format", "parse_direction", "quality_band", "read_hypothesis", "read_lines", "score_systems",
]
