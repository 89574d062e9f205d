"""What the report shows, read from a build folder (:mod:`aligner.report.records` shapes it into the
JSON the page renders).

Inputs (all in the build folder; only ``corpus.tsv`` is required):

* ``corpus.tsv`` - the tuples (:class:`aligner.export.corpus_tsv.CorpusTsv`);
* ``documents.tsv`` - the document groups, their scores and the rejected candidate pairs;
* ``segments.tsv`` - every segment's text, in document order (for the heatmaps);
* ``wordalign.A-B.txt`` + ``wordalign.A-B.src-tgt`` - per language pair, one line per corpus row:
  Pharaoh links (``i-j``, 0-based) and the whitespace-separated tokens they index
  (``src tokens ||| tgt tokens``). Absent files mean no word links; a file whose line count does
  not match corpus.tsv is ignored with a warning shown on the page.

The tuples and their word links are never all in memory: :func:`load_report_data` reads them
once for the counts and warnings the page begins with (:class:`CorpusSummary`), and
:func:`aligner.report.records.tuple_records` reads them again, one row at a time, for the page's
data. The word-alignment files are found and read in :mod:`aligner.report.word_links`.

The *display quality* of a tuple is its ``quality`` score when the corpus has that column, else
the mean of its ``cos_*`` scores; the page colours and filters by it.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from aligner.errors import InputError
from aligner.export.corpus_tsv import CorpusTsv, RowPlace
from aligner.export.tables import read_tsv_table
from aligner.model import AlignedTuple
from aligner.report.sources import DocumentSource, read_document_sources
from aligner.report.word_links import WordAlignmentFiles, _add_link_warnings, find_word_alignments
from aligner.split import EXCLUDED, SPLITS

#: Languages written right to left: their cells get ``dir="rtl"``.
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "yi", "ckb", "sd", "ug"})

QUALITY = "quality"
COSINE_PREFIX = "cos_"


@dataclass(frozen=True)
class DocumentRow:
    """One row of documents.tsv, its evidence parsed."""

    doc_id: str
    file: str
    lang: str
    group: str
    score: float | None
    evidence: dict

    @property
    def pairs(self) -> list[dict]:
        return [p for p in self.evidence.get("pairs", []) if isinstance(p, dict)]

    @property
    def reason(self) -> str:
        return str(self.evidence.get("reason", ""))


@dataclass(frozen=True)
class Segment:
    segment_id: str
    doc_id: str
    lang: str
    heading: bool
    text: str


#: Where consecutive rows of one group start in corpus.tsv, and how many there are.
RowRun = tuple[RowPlace, int]


@dataclass
class GroupTuples:
    """What the report needs of one group's tuples without holding them."""

    tuples: int = 0
    kept: int = 0
    #: the group's rows, as runs of consecutive rows (one run when the corpus keeps groups together)
    runs: list[RowRun] = field(default_factory=list)
    #: member documents (doc id -> language) from the segment ids, when there is no documents.tsv
    docs: dict[str, str] = field(default_factory=dict)


@dataclass
class CorpusSummary:
    """Counts over every tuple, taken in one pass over corpus.tsv."""

    tuples: int = 0
    kept: int = 0
    #: tuples without a display quality
    unscored: int = 0
    #: group id -> its tuples, in order of first appearance
    groups: dict[str, GroupTuples] = field(default_factory=dict)


@dataclass
class ReportData:
    """What the report shows of a build folder; the tuples stay in corpus.tsv (``corpus``), read when needed."""

    out_dir: Path
    languages: list[str]
    corpus: CorpusTsv
    score_names: list[str]
    summary: CorpusSummary = field(default_factory=CorpusSummary)
    documents: list[DocumentRow] = field(default_factory=list)
    segments: dict[str, list[Segment]] = field(default_factory=dict)
    #: pair ("ar-en") -> its files, for the pairs whose files match corpus.tsv
    word_alignments: dict[str, WordAlignmentFiles] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: doc id -> source format and removed page chrome (documents.jsonl)
    sources: dict[str, DocumentSource] = field(default_factory=dict)

    @property
    def quality_label(self) -> str:
        return quality_label(self.score_names)

    def quality_of(self, item: AlignedTuple) -> float | None:
        return display_quality(item.scores)

    def group_tuples(self, group_id: str) -> Iterator[AlignedTuple]:
        """The tuples of one group, read from corpus.tsv."""
        runs = self.summary.groups[group_id].runs if group_id in self.summary.groups else []
        for place, count in runs:
            yield from (item for _, item in itertools.islice(self.corpus.rows(place), count))


def quality_label(score_names: list[str]) -> str:
    """What the display quality is: ``quality`` or ``mean cos`` (or ``none`` without either)."""
    if QUALITY in score_names:
        return QUALITY
    if any(name.startswith(COSINE_PREFIX) for name in score_names):
        return "mean cos"
    return "none"


def display_quality(scores: dict[str, float]) -> float | None:
    """``quality`` when the tuple has it, else the mean of its ``cos_*`` scores, else None."""
    value = scores.get(QUALITY)
    if value is not None and not math.isnan(value):
        return float(value)
    cosines = [v for k, v in scores.items() if k.startswith(COSINE_PREFIX) and not math.isnan(v)]
    return sum(cosines) / len(cosines) if cosines else None


def _number(value: float | None, digits: int = 4) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), digits)


# ----------------------------------------------------------------------------- reading


def read_documents_tsv(path: Path) -> list[DocumentRow]:
    """documents.tsv rows (an absent file gives no rows)."""
    path = Path(path)
    need = ("doc_id", "file", "lang", "group", "score", "evidence")
    header, table = read_tsv_table(path, need, "documents.tsv")
    col = {name: header.index(name) for name in need}
    rows = []
    for number, cells in table:
        try:
            evidence = json.loads(cells[col["evidence"]]) if cells[col["evidence"]] else {}
        except json.JSONDecodeError as err:
            raise InputError(path, f"line {number}: evidence is not JSON ({err.msg})") from None
        score_cell = cells[col["score"]]
        try:
            score = float(score_cell) if score_cell else None
        except ValueError:
            raise InputError(path, f"line {number}: score {score_cell!r} is not a number") from None
        rows.append(DocumentRow(cells[col["doc_id"]], cells[col["file"]], cells[col["lang"]],
                                cells[col["group"]], score, evidence if isinstance(evidence, dict) else {}))
    return rows


def read_segments_tsv(path: Path) -> dict[str, list[Segment]]:
    """segments.tsv as doc_id -> segments in document order (paragraph, sentence)."""
    path = Path(path)
    if not path.exists():
        return {}
    need = ("segment_id", "doc_id", "paragraph", "sentence", "lang", "heading", "text")
    header, table = read_tsv_table(path, need, "segments.tsv")
    col = {name: header.index(name) for name in need}
    keyed: dict[str, list[tuple[int, int, Segment]]] = {}
    for number, cells in table:
        try:
            order = (int(cells[col["paragraph"]]), int(cells[col["sentence"]]))
        except ValueError:
            raise InputError(path, f"line {number}: paragraph and sentence must be integers") from None
        segment = Segment(cells[col["segment_id"]], cells[col["doc_id"]], cells[col["lang"]],
                          cells[col["heading"]] == "1", cells[col["text"]])
        keyed.setdefault(segment.doc_id, []).append((*order, segment))
    return {doc: [s for *_, s in sorted(items, key=lambda x: (x[0], x[1]))] for doc, items in keyed.items()}


def summarize_corpus(corpus: CorpusTsv, member_docs: bool) -> CorpusSummary:
    """Counts, groups and where each group's rows are, in one pass; ``member_docs``: also each group's
    documents from its segment ids (for a folder without documents.tsv)."""
    summary = CorpusSummary()
    previous = None
    for place, item in corpus.rows():
        summary.tuples += 1
        summary.kept += item.keep
        summary.unscored += _number(display_quality(item.scores)) is None
        group = summary.groups.setdefault(item.group_id, GroupTuples())
        group.tuples += 1
        group.kept += item.keep
        if previous == item.group_id:
            group.runs[-1] = (group.runs[-1][0], group.runs[-1][1] + 1)
        else:
            group.runs.append((place, 1))
        previous = item.group_id
        if member_docs:
            for lang, ids in item.segment_ids.items():
                for sid in ids:
                    group.docs.setdefault(sid.rsplit(":", 2)[0], lang)
    return summary


def load_report_data(out_dir: Path | str) -> ReportData:
    """Everything the report needs from a build folder but the tuples themselves (read again when
    written); InputError when it has no corpus.tsv."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise InputError(out_dir, "no such build folder (run aligner build first)")
    if not (out_dir / "corpus.tsv").is_file():
        raise InputError(out_dir, "no corpus.tsv in this folder (run aligner build first)")
    corpus = CorpusTsv(out_dir / "corpus.tsv")
    documents = read_documents_tsv(out_dir / "documents.tsv")
    summary = summarize_corpus(corpus, member_docs=not documents)
    data = ReportData(out_dir, corpus.languages, corpus, corpus.scores, summary, documents,
                      segments=read_segments_tsv(out_dir / "segments.tsv"),
                      sources=read_document_sources(out_dir / "documents.jsonl"))
    by_pair: dict[str, list[str]] = {}
    data.word_alignments = find_word_alignments(out_dir, corpus.languages, summary.tuples, by_pair)
    _add_link_warnings(data, by_pair)
    data.warnings = [warning for notes in by_pair.values() for warning in notes] + split_warnings(corpus)
    return data


def split_warnings(corpus: CorpusTsv) -> list[str]:
    """A warning when dev or test shares a group with train (the split fell back to blocks within groups)."""
    splits: dict[str, set[str]] = {}
    excluded = 0
    for split, item in corpus.split_rows():
        excluded += split == EXCLUDED
        splits.setdefault(item.group_id, set()).add(split)
    shared = sum(len(found & set(SPLITS)) > 1 for found in splits.values())
    if not shared:
        return []
    return [f"splits: {shared} group(s) are in train and in dev or test (too few groups for whole-group splits: "
            f"contiguous blocks within groups, see build.json); {excluded} training row(s) removed as "
            "copies of dev/test text"]
