"""What the report shows, read from a build folder and shaped into the JSON the page renders.

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
:func:`tuple_records` reads them again, one row at a time, for the page's data.

The *display quality* of a tuple is its ``quality`` score when the corpus has that column, else
the mean of its ``cos_*`` scores; the page colours and filters by it.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from aligner.errors import InputError
from aligner.export.corpus_tsv import CorpusTsv, RowPlace
from aligner.export.tables import read_tsv_table
from aligner.model import AlignedTuple
from aligner.report.sources import DocumentSource, read_document_sources
from aligner.split import EXCLUDED, SPLITS

#: Languages written right to left: their cells get ``dir="rtl"``.
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "yi", "ckb", "sd", "ug"})

QUALITY = "quality"
COSINE_PREFIX = "cos_"
WORDALIGN_LINKS = "wordalign.{pair}.txt"
WORDALIGN_TOKENS = "wordalign.{pair}.src-tgt"

_LINK = re.compile(r"^(\d+)-(\d+)$")


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


@dataclass(frozen=True)
class WordAlignment:
    """One tuple's word alignment for one language pair ``a-b``: tokens of each side and links."""

    tokens_a: tuple[str, ...]
    tokens_b: tuple[str, ...]
    links: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class WordAlignmentFiles:
    """The files of one pair's word alignment, one line per corpus row (``tokens`` None when missing)."""

    links: Path
    tokens: Path | None


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


def language_pairs(languages: list[str]) -> list[tuple[str, str]]:
    """Every unordered pair of languages, each written alphabetically (``ar-en, ar-fr, en-fr``)."""
    return [tuple(sorted(p)) for p in itertools.combinations(sorted(languages), 2)]


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


def parse_pharaoh(line: str) -> list[tuple[int, int]]:
    """``"0-0 1-2"`` -> ``[(0, 0), (1, 2)]``; raises ValueError on a malformed link."""
    links = []
    for item in line.split():
        match = _LINK.match(item)
        if not match:
            raise ValueError(f"malformed link {item!r} (expected i-j)")
        links.append((int(match.group(1)), int(match.group(2))))
    return links


def _text_lines(path: Path) -> Iterator[str]:
    """The lines of a per-row file, one at a time, without their line break (universal newlines)."""
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            yield line[:-1] if line.endswith("\n") else line


def _row_count_matches(path: Path, rows: int, pair: str, warnings: list[str]) -> bool:
    """Whether a per-row file has one line per corpus row (if not, a warning says so)."""
    lines = sum(1 for _ in _text_lines(path))
    if lines != rows:
        warnings.append(f"{path.name}: {lines} lines but corpus.tsv has {rows} rows; {pair} word links not shown")
    return lines == rows


def find_word_alignments(out_dir: Path, languages: list[str], rows: int,
                         warnings: dict[str, list[str]]) -> dict[str, WordAlignmentFiles]:
    """The word alignment files of every pair that exist and have one line per corpus row (the
    others get a warning in ``warnings[pair]``)."""
    found: dict[str, WordAlignmentFiles] = {}
    for a, b in language_pairs(languages):
        pair = f"{a}-{b}"
        notes = warnings.setdefault(pair, [])
        links_path = Path(out_dir) / WORDALIGN_LINKS.format(pair=pair)
        if not links_path.exists() or not _row_count_matches(links_path, rows, pair, notes):
            continue
        tokens_path = links_path.with_name(WORDALIGN_TOKENS.format(pair=pair))
        if not tokens_path.exists():
            notes.append(f"{tokens_path.name} missing: {pair} tokens taken as the whitespace-split texts")
            tokens_path = None
        elif not _row_count_matches(tokens_path, rows, pair, notes):
            continue
        found[pair] = WordAlignmentFiles(links_path, tokens_path)
    return found


@dataclass(frozen=True)
class RowLinks:
    """One corpus row's word alignment for one pair, as read: what the page shows and what was wrong."""

    alignment: WordAlignment | None
    dropped: int = 0
    error: str | None = None


def _row_links(item: AlignedTuple, pair: str, line: str, token_line: str | None) -> RowLinks:
    """Links that point past the end of either token list are dropped (and counted)."""
    a, b = pair.split("-")
    if token_line is not None:
        src, _, tgt = token_line.partition("|||")
        tokens_a, tokens_b = tuple(src.split()), tuple(tgt.split())
    else:
        tokens_a, tokens_b = tuple(item.texts.get(a, "").split()), tuple(item.texts.get(b, "").split())
    try:
        links = parse_pharaoh(line)
    except ValueError as err:
        return RowLinks(None, error=str(err))
    unique = set(links)
    kept = tuple(sorted((i, j) for i, j in unique if i < len(tokens_a) and j < len(tokens_b)))
    return RowLinks(WordAlignment(tokens_a, tokens_b, kept) if (tokens_a and tokens_b) else None,
                     dropped=len(unique) - len(kept))


def word_alignment_rows(data: ReportData) -> Iterator[tuple[AlignedTuple, dict[str, RowLinks]]]:
    """Each tuple, in corpus order, with its row of every pair in ``data.word_alignments``."""
    pairs = list(data.word_alignments)
    with ExitStack() as files:
        def lines(path: Path | None) -> Iterator[str | None]:
            return files.enter_context(contextlib.closing(_text_lines(path))) if path else itertools.repeat(None)

        sources = [zip(lines(data.word_alignments[pair].links), lines(data.word_alignments[pair].tokens))
                   for pair in pairs]
        for item, *rows in zip(data.corpus, *sources):
            yield item, {pair: _row_links(item, pair, line, tokens) for pair, (line, tokens) in zip(pairs, rows)}


def _add_link_warnings(data: ReportData, warnings: dict[str, list[str]]) -> None:
    """Add to ``warnings[pair]`` the pair's first malformed line and its count of links outside the token lists."""
    bad_line: dict[str, str] = {}
    dropped = dict.fromkeys(data.word_alignments, 0)
    for number, (_, rows) in enumerate(word_alignment_rows(data), start=1):
        for pair, row in rows.items():
            dropped[pair] += row.dropped
            if row.error and pair not in bad_line:
                bad_line[pair] = f"{data.word_alignments[pair].links.name} line {number}: {row.error}"
    for pair, files in data.word_alignments.items():
        if pair in bad_line:
            warnings[pair].append(f"{bad_line[pair]}; those lines' links not shown")
        if dropped[pair]:
            warnings[pair].append(f"{files.links.name}: {dropped[pair]} link(s) outside the token lists dropped")


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


# ----------------------------------------------------------------------------- shaping


def token_offsets(text: str, tokens: tuple[str, ...]) -> list[int] | None:
    """Flat ``[start0, end0, start1, end1, ...]`` of each token found in order in ``text``, or None.

    Tokens are expected to be slices of the text (the word aligner's tokenizer guarantees it);
    if one is not found after the previous one, the text and the tokens disagree and None is returned.
    """
    flat: list[int] = []
    position = 0
    for token in tokens:
        start = text.find(token, position)
        if start < 0 or text[position:start].strip():
            return None
        flat += [start, start + len(token)]
        position = start + len(token)
    return flat


def delta_offsets(flat: list[int]) -> list[int]:
    """``[start0, end0, start1, end1, ...]`` -> ``[gap0, length0, gap1, length1, ...]``."""
    out, end = [], 0
    for k in range(0, len(flat), 2):
        out += [flat[k] - end, flat[k + 1] - flat[k]]
        end = flat[k + 1]
    return out


def _number(value: float | None, digits: int = 4) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), digits)


def tuple_records(data: ReportData) -> Iterator[dict]:
    """One JSON object per tuple, in corpus order, read from the build folder as they are asked for:
    what the page renders.

    ``id`` tuid, ``g`` group, ``k`` keep (1/0), ``q`` display quality, ``s`` scores (in
    ``score_names`` order, null where missing), ``t`` language -> text, and where word alignments
    exist ``o`` language -> the tokens' places in ``t`` as ``[gap0, length0, gap1, length1, ...]``
    (``gap`` counts the characters since the previous token's end: small numbers, a compact blob)
    and ``a`` pair -> flat links ``[i0, j0, i1, j1, ...]``.
    """
    for item, rows in word_alignment_rows(data):
        texts = {lang: item.texts.get(lang, "") for lang in data.languages}
        record: dict = {
            "id": item.tuid, "g": item.group_id, "k": 1 if item.keep else 0,
            "q": _number(data.quality_of(item)),
            "s": [_number(item.scores.get(name)) for name in data.score_names],
            "t": texts,
        }
        tokens: dict[str, tuple[str, ...]] = {}
        offsets: dict[str, list[int]] = {}
        links: dict[str, list[int]] = {}
        for pair, row in rows.items():
            alignment = row.alignment
            if alignment is None:
                continue
            a, b = pair.split("-")
            usable = True
            for lang, toks in ((a, alignment.tokens_a), (b, alignment.tokens_b)):
                if lang in tokens:
                    usable &= tokens[lang] == toks
                    continue
                flat = token_offsets(texts[lang], toks)
                if flat is None:  # tokens are not slices of the text: show the tokens themselves
                    texts[lang] = " ".join(toks)
                    flat = token_offsets(texts[lang], toks)
                tokens[lang] = toks
                offsets[lang] = flat
            if usable and alignment.links:
                links[pair] = [n for link in alignment.links for n in link]
        if offsets:
            record["o"] = {lang: delta_offsets(flat) for lang, flat in offsets.items()}
        if links:
            record["a"] = links
        yield record


def quality_values(data: ReportData) -> Iterator[tuple[float | None, bool]]:
    """``(display quality as the page shows it, keep)`` of each tuple, read from corpus.tsv (the histogram's input)."""
    return ((_number(data.quality_of(item)), item.keep) for item in data.corpus)


def groups_summary(data: ReportData) -> list[dict]:
    """One record per group (in first-seen order): id, score, member documents, tuple counts."""
    groups: dict[str, dict] = {}
    for row in data.documents:
        if row.group:
            entry = groups.setdefault(row.group, {"id": row.group, "score": row.score, "docs": [],
                                                  "tuples": 0, "kept": 0})
            entry["docs"].append({"doc_id": row.doc_id, "lang": row.lang, "file": row.file})
            if entry["score"] is None:
                entry["score"] = row.score
    for group_id, counts in data.summary.groups.items():
        entry = groups.setdefault(group_id, {"id": group_id, "score": None, "docs": [], "tuples": 0, "kept": 0})
        entry["tuples"], entry["kept"] = counts.tuples, counts.kept
        # no documents.tsv: members from the tuples' segment ids
        entry["docs"] += [{"doc_id": doc, "lang": lang, "file": ""} for doc, lang in counts.docs.items()]
    for entry in groups.values():
        entry["docs"].sort(key=lambda d: (d["lang"], d["doc_id"]))
    return list(groups.values())


def rejected_pairs(data: ReportData) -> list[dict]:
    """Every rejected candidate pair once (from either side), best score first, with its reason."""
    lang = {row.doc_id: row.lang for row in data.documents}
    seen: dict[tuple[str, str], dict] = {}
    for row in data.documents:
        for pair in row.pairs:
            if pair.get("accepted", False):
                continue
            other = str(pair.get("with", ""))
            key = tuple(sorted((row.doc_id, other)))
            if key in seen:
                continue
            score = pair.get("score")
            details = {k: v for k, v in pair.items()
                       if k not in ("with", "accepted", "reason", "score") and not isinstance(v, (list, dict))}
            seen[key] = {"a": key[0], "b": key[1], "lang_a": lang.get(key[0], ""), "lang_b": lang.get(key[1], ""),
                         "score": score if isinstance(score, (int, float)) else None,
                         "reason": str(pair.get("reason", "")), "details": details}
    return sorted(seen.values(), key=lambda p: (-(p["score"] if p["score"] is not None else -math.inf),
                                                p["a"], p["b"]))


def ungrouped_documents(data: ReportData) -> list[DocumentRow]:
    return [row for row in data.documents if not row.group]
