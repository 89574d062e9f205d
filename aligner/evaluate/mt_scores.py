"""Corpus scores of MT systems with sacrebleu's metrics and its paired significance tests.

Metrics are sacrebleu's own classes with their defaults: BLEU, chrF (``chrF2``), chrF++
(``chrF2++``, word order 2) and TER; every result carries sacrebleu's signature string verbatim.
BLEU's tokenizer is chosen per target language (:func:`bleu_tokenizer`): ``intl`` for Arabic,
sacrebleu's own choice otherwise (``13a``; sacrebleu itself switches to ``zh``/``ja-mecab``/
``ko-mecab`` for those targets). ``13a`` splits off ASCII punctuation only, so the Arabic comma,
semicolon and question mark (``،`` ``؛`` ``؟``) and guillemets stay glued to the word before them
and a correct word counts as wrong; ``intl`` (mteval-v14's international tokenization) splits every
Unicode punctuation mark and symbol. The spm-based tokenizers (``flores101``/``flores200``/
``spBLEU-1K``) would also suit Arabic but fetch their model from the internet on first use.
Further metrics (a local COMET-style model, :mod:`aligner.evaluate.comet`) are sacrebleu
``Metric`` objects too and go through the same code.

With two or more systems, :func:`score_systems` runs sacrebleu's paired tests
(:class:`sacrebleu.significance.PairedTest`, the code behind ``sacrebleu --paired-bs`` and
``--paired-ar``): the first system is the baseline and every other one gets a p-value per metric
from the paired bootstrap (``test_type="bs"``, with the bootstrap mean and 95% confidence
half-width of every system) and/or from paired approximate randomization (``test_type="ar"``,
p-values only, as the sacrebleu CLI prints them). The seed is sacrebleu's (``SACREBLEU_SEED``,
default 12345), so reruns and the sacrebleu CLI agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from aligner.evaluate.mt_input import LanguageCheck

METRICS = ("BLEU", "chrF2", "chrF2++", "TER")
"""The sacrebleu metrics every evaluation reports, by the names sacrebleu gives them, in table order."""

BLEU_TOKENIZERS = {"ar": "intl"}
"""BLEU tokenizer per target language where sacrebleu's default (``13a``) is not the right one."""

SIGNIFICANCE_LEVEL = 0.05
DEFAULT_BOOTSTRAP = 1000
DEFAULT_AR_TRIALS = 10000
"""sacrebleu's defaults: ``--paired-bs-n 1000``, ``--paired-ar-n 10000``."""


class ExtraMetric(Protocol):
    """A metric beyond sacrebleu's four (e.g. :class:`aligner.evaluate.comet.CometSpec`): a column
    name and a factory of the sacrebleu ``Metric`` for given sources and references."""

    name: str

    def make(self, sources: Sequence[str], references: Sequence[str]): ...


def metric_format(metric: str, value: float) -> str:
    """Table text of a score: one decimal for sacrebleu's 0-100 scores, four for COMET-style ones."""
    return f"{value:.1f}" if metric in METRICS else f"{value:.4f}"


def bleu_tokenizer(target_lang: str, override: str | None = None) -> str | None:
    """The BLEU tokenizer for ``target_lang``: ``override``, else :data:`BLEU_TOKENIZERS`, else None
    (sacrebleu decides: 13a, or zh/ja-mecab/ko-mecab for those targets)."""
    return override or BLEU_TOKENIZERS.get(target_lang)


def make_metrics(references: Sequence[str], target_lang: str, tokenize: str | None = None, *,
                 sources: Sequence[str] | None = None, extra: Sequence[ExtraMetric] = ()) -> dict:
    """sacrebleu metric objects keyed by their names (:data:`METRICS`, then ``extra``), references cached;
    each extracts a given system's segment statistics once (:func:`_memoize_statistics`), so one set
    of metrics can serve the scores, both paired tests and every breakdown."""
    from sacrebleu.metrics import BLEU, CHRF, TER

    refs = [list(references)]
    tok = bleu_tokenizer(target_lang, tokenize)
    if tok is not None and tok not in BLEU.TOKENIZERS:
        raise ValueError(f"unknown BLEU tokenizer {tok!r} (sacrebleu has {', '.join(BLEU.TOKENIZERS)})")
    try:
        bleu = BLEU(tokenize=tok, trg_lang=target_lang, references=refs)
    except Exception as err:  # e.g. ja-mecab without its package, flores200 without network
        raise ValueError(f"BLEU tokenizer {tok!r} cannot be used here: {err}") from None
    metrics = {
        "BLEU": bleu,
        "chrF2": CHRF(references=refs),
        "chrF2++": CHRF(word_order=2, references=refs),
        "TER": TER(references=refs),
    }
    for spec in extra:
        if sources is None:
            raise ValueError(f"{spec.name} needs the source lines")
        if spec.name in metrics:
            raise ValueError(f"metric {spec.name!r} requested twice")
        metrics[spec.name] = spec.make(list(sources), list(references))
    for metric in metrics.values():
        _memoize_statistics(metric)
    return metrics


@dataclass(frozen=True)
class Significance:
    """Paired bootstrap result of one metric for one system (``p_value`` None for the baseline)."""

    mean: float
    ci: float
    p_value: float | None = None

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < SIGNIFICANCE_LEVEL


@dataclass
class SystemScores:
    name: str
    scores: dict[str, float]
    bleu_detail: str  # sacrebleu's verbose BLEU: n-gram precisions, BP, ratio, lengths
    significance: dict[str, Significance] = field(default_factory=dict)  # paired bootstrap
    randomization: dict[str, float | None] = field(default_factory=dict)  # approximate randomization p-values
    file: str | None = None
    language: LanguageCheck | None = None

    def as_dict(self) -> dict:
        out = {"name": self.name, "file": self.file, "scores": {k: round(v, 4) for k, v in self.scores.items()},
               "bleu_detail": self.bleu_detail}
        if self.significance:
            out["significance"] = {
                metric: {"mean": round(sig.mean, 4), "ci95": round(sig.ci, 4),
                         "p_value": None if sig.p_value is None else round(sig.p_value, 4)}
                for metric, sig in self.significance.items()}
        if self.randomization:
            out["randomization"] = {metric: {"p_value": None if p is None else round(p, 4)}
                                    for metric, p in self.randomization.items()}
        if self.language is not None:
            out["language"] = self.language.as_dict()
        return out


@dataclass
class EvaluationResult:
    """Scores of every system on one test set direction, with sacrebleu's signatures."""

    target_lang: str
    lines: int
    bleu_tokenize: str
    signatures: dict[str, str]
    systems: list[SystemScores]
    bootstrap_samples: int = 0  # 0: no paired bootstrap was run
    seed: str | None = None
    direction: str | None = None
    testset: str | None = None
    metrics: tuple[str, ...] = METRICS
    ar_trials: int = 0  # 0: no approximate randomization test was run
    ar_signatures: dict[str, str] = field(default_factory=dict)  # the signatures of the AR run (ar:N|seed:S)

    @property
    def baseline(self) -> str | None:
        return self.systems[0].name if (self.bootstrap_samples or self.ar_trials) else None

    def as_dict(self) -> dict:
        return {
            "testset": self.testset, "direction": self.direction, "target_lang": self.target_lang,
            "lines": self.lines, "bleu_tokenize": self.bleu_tokenize, "metrics": list(self.metrics),
            "signatures": dict(self.signatures),
            "paired_bootstrap": None if not self.bootstrap_samples else {
                "implementation": "sacrebleu.significance.PairedTest(test_type='bs')",
                "samples": self.bootstrap_samples, "seed": self.seed, "baseline": self.baseline,
                "significance_level": SIGNIFICANCE_LEVEL},
            "paired_randomization": None if not self.ar_trials else {
                "implementation": "sacrebleu.significance.PairedTest(test_type='ar')",
                "trials": self.ar_trials, "seed": self.seed, "baseline": self.baseline,
                "significance_level": SIGNIFICANCE_LEVEL, "signatures": dict(self.ar_signatures)},
            "systems": [system.as_dict() for system in self.systems],
        }


def _check_systems(refs: Sequence[str], hyps: Mapping[str, Sequence[str]]) -> None:
    if not hyps:
        raise ValueError("no system to score")
    if not refs:
        raise ValueError("no reference lines")
    for name, lines in hyps.items():
        if len(lines) != len(refs):
            raise ValueError(f"system {name!r} has {len(lines)} lines, the references have {len(refs)}")


def _memoize_statistics(metric) -> None:
    """Let ``metric`` extract a system's segment statistics once: the plain score and each paired test
    (sacrebleu's PairedTest calls ``_extract_corpus_statistics`` again) then share them."""
    extract, memo = metric._extract_corpus_statistics, {}

    def cached(hypotheses, references):
        if references is not None:
            return extract(hypotheses, references)
        key = tuple(hypotheses)
        if key not in memo:
            memo[key] = extract(hypotheses, None)
        return memo[key]

    metric._extract_corpus_statistics = cached


def _paired(test_type: str, hyps: Mapping[str, Sequence[str]], metrics: dict, n: int) -> tuple[dict, dict, str | None]:
    """sacrebleu's PairedTest of every system against the first: (signatures, results table, seed)."""
    from sacrebleu.significance import PairedTest

    test = PairedTest([(name, list(lines)) for name, lines in hyps.items()], metrics, references=None,
                      test_type=test_type, n_samples=n)
    sigs, table = test()
    seed = getattr(test, "_seed", None)  # what PairedTest read from SACREBLEU_SEED
    return {name: sig.format() for name, sig in sigs.items()}, table, None if seed is None else str(seed).lower()


def score_systems(refs: Sequence[str], hyps: Mapping[str, Sequence[str]], target_lang: str, *,
                  tokenize: str | None = None, bootstrap: int = DEFAULT_BOOTSTRAP,
                  randomization: int = DEFAULT_AR_TRIALS,
                  sources: Sequence[str] | None = None, extra: Sequence[ExtraMetric] = (),
                  metrics: Mapping[str, object] | None = None) -> EvaluationResult:
    """Corpus-level BLEU, chrF, chrF++ and TER (and ``extra`` metrics, which need ``sources``) of each
    system in ``hyps`` (name -> lines) against ``refs``.

    With two or more systems, ``bootstrap > 0`` runs sacrebleu's paired bootstrap resampling
    (``bootstrap`` resamples; the signatures gain ``bs:N|seed:S``) and ``randomization > 0`` its
    paired approximate randomization (``randomization`` trials; signatures in ``ar_signatures``),
    each comparing every system with the first one. ``metrics`` from :func:`make_metrics` for these
    references (instead of ``tokenize``, ``sources`` and ``extra``) lets several calls share them.
    """
    _check_systems(refs, hyps)
    if sources is not None and len(sources) != len(refs):
        raise ValueError(f"{len(sources)} source lines for {len(refs)} references")
    if metrics is None:
        metrics = make_metrics(refs, target_lang, tokenize, sources=sources, extra=extra)
    metrics = dict(metrics)
    names = tuple(metrics)
    systems = []
    for name, lines in hyps.items():
        scores, detail = {}, ""
        for metric_name, metric in metrics.items():
            score = metric.corpus_score(list(lines), None)
            scores[metric_name] = float(score.score)
            if metric_name == "BLEU":
                detail = getattr(score, "_verbose", "")
        systems.append(SystemScores(name, scores, detail))
    signatures = {name: metric.get_signature().format() for name, metric in metrics.items()}
    tok = metrics["BLEU"].tokenizer_signature
    result = EvaluationResult(target_lang, len(refs), tok, signatures, systems, metrics=names)
    if len(systems) < 2:
        return result
    if bootstrap > 0:
        result.signatures, table, result.seed = _paired("bs", hyps, metrics, bootstrap)
        result.bootstrap_samples = bootstrap
        for index, system in enumerate(systems):
            for metric_name in names:
                item = table[metric_name][index]
                system.significance[metric_name] = Significance(
                    float(item.mean), float(item.ci), None if item.p_value is None else float(item.p_value))
    if randomization > 0:
        result.ar_signatures, table, result.seed = _paired("ar", hyps, metrics, randomization)
        result.ar_trials = randomization
        for index, system in enumerate(systems):
            for metric_name in names:
                p_value = table[metric_name][index].p_value
                system.randomization[metric_name] = None if p_value is None else float(p_value)
    return result


__all__ = [
    "BLEU_TOKENIZERS", "DEFAULT_AR_TRIALS", "DEFAULT_BOOTSTRAP", "EvaluationResult", "ExtraMetric", "METRICS",
    "SIGNIFICANCE_LEVEL", "Significance", "SystemScores", "bleu_tokenizer", "make_metrics", "metric_format",
    "score_systems",
]
