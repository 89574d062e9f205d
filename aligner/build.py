"""``aligner build``: run every stage in order and publish the output folder all at once.

Everything is written into a staging folder beside ``OUT_DIR`` and swapped in only when the whole
build succeeded, so an interrupted build (Ctrl-C, kill, a crash) leaves the previous complete
output or none, never a mixture; a rerun reuses the groups finished before (shards in the cache).
A folder that is not provably an aligner output is never replaced, and two builds never write one
folder at once (:mod:`aligner.publish`).

Each document group's tuples and word alignments are written as soon as the group and those
before it are done, then dropped, and the exports and the report read the written files back row
by row: the build's memory does not grow with the number of groups, only with the input
(documents and segments).
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO

from aligner.config import BuildConfig
from aligner.docalign import DocAlignment, align_documents, sentences_to_embed
from aligner.embed import primary_part
from aligner.errors import InputError
from aligner.execute import WorkerPool, encode_in_workers, run_groups, texts_for_workers
from aligner.export import export, format_report
from aligner.export.corpus_tsv import CorpusTsv, CorpusTsvWriter
from aligner.export.doc_groups import write_documents_tsv
from aligner.export.tables import write_documents_jsonl, write_segments_tsv, write_tsv
from aligner.ingest import Discovery, Skipped, discover_inputs, ingest_directory
from aligner.manifest import manifest_config, write_manifest
from aligner.model import AlignedTuple, Document, Segment
from aligner.pipeline import GroupJob, GroupSettings, adopt_embedder
from aligner.progress import Progress
from aligner.publish import OutputFolder
from aligner.report import build_report
from aligner.score.flags import CorpusFlags
from aligner.score.selection import with_keep
from aligner.segment import segment_documents
from aligner.shards import ShardStore, default_shard_root
from aligner.split import SPLITS
from aligner.split.corpus import SplitSummary, split_corpus
from aligner.wordalign.corpus import WordAlignmentWriter

MANIFEST = "build.json"
#: The manifest's counts of the tuples, summed group by group.
TUPLE_COUNTS = ("tuples", "tuples_multilingual", "tuples_all_languages", "tuples_kept")


@dataclass
class BuildResult:
    """What a build read and how much it wrote; the tuples themselves are only in ``OUT_DIR/corpus.tsv``
    (:func:`aligner.export.corpus_tsv.read_corpus_tsv`), never all in memory."""

    documents: list[Document] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    alignment: DocAlignment | None = None
    #: build.json's counts: files, documents, groups, tuples, tuples_kept, ...
    counts: dict[str, int] = field(default_factory=dict)
    #: Wall-clock seconds per stage (not written to any output: outputs stay byte-identical).
    seconds: dict[str, float] = field(default_factory=dict)


def run_build(config: BuildConfig, log: TextIO | None = sys.stderr) -> BuildResult:
    """Every stage of :data:`aligner.pipeline.STAGES`, in order, configured by ``config``."""
    raw_dir = config.ingest.raw_dir
    output = OutputFolder(config.export.out_dir)
    found = discover_inputs(raw_dir, follow_links=config.ingest.follow_links, ignore=output.owns)
    output.check_usable(raw_dir)
    with output.locked():
        return _build_locked(config, output, found, log)


def _build_locked(config: BuildConfig, output: OutputFolder, found: Discovery, log: TextIO | None) -> BuildResult:
    out = output.path
    clock = _StageClock()
    files = found.files
    engine = config.engine
    progress = Progress("ingest", len(files), "files", log)
    documents, unreadable = ingest_directory(config.ingest.raw_dir, files, on_file=progress.advance)
    skipped = sorted(found.skipped + unreadable, key=lambda item: item.source_file)
    for item in skipped:
        progress.message(f"skipped {item.source_file}: {item.reason}")

    clock.lap("ingest")
    unique = [d for d in documents if d.duplicate_of is None]
    progress = Progress("segment", len(unique), "documents", log)
    segments = segment_documents(unique, config.segment.method)
    progress.advance(len(unique))
    clock.lap("segment")

    embedder = config.embed.embedder(engine.cache_dir)
    languages = config.languages
    settings = GroupSettings.of(config)
    with _local_pool(settings, config) as pool:
        # the workers encode document alignment's sentences, if there are enough: this process loads no model
        to_embed = sentences_to_embed(documents, segments, config.docalign)
        missing = texts_for_workers(pool, embedder, to_embed, engine.min_texts_per_worker) if pool is not None else []
        if missing:
            progress = Progress("encode", len(missing), "sentences", log)
            encode_in_workers(pool, missing, engine.max_texts_per_task, on_done=progress.advance)
            clock.lap("encode")
        progress = Progress("docalign", len(documents), "documents", log)
        # document alignment is tuned on e5 alone: with e5+use it reads the e5 part (docs/embedders.md)
        alignment = align_documents(documents, segments, primary_part(embedder), config.docalign)
        progress.advance(len(documents))
        if log is not None:
            log.write(f"[docalign] {len(alignment.groups)} group(s): "
                      f"{'; '.join(' '.join(g.doc_ids) for g in alignment.groups) or 'none'}\n")

        clock.lap("docalign")
        jobs = _group_jobs(alignment, segments)
        adopt_embedder(settings, embedder)
        progress = Progress("align", len(jobs), "groups", log)
        reused = []
        results = run_groups(jobs, settings, ShardStore(default_shard_root(engine.cache_dir)), engine.workers,
                             on_done=lambda was_reused: (reused.append(was_reused), progress.advance()),
                             engine=engine.kind, pool=pool)
        tuple_counts = Counter(dict.fromkeys(TUPLE_COUNTS, 0))
        flags = CorpusFlags(languages)
        with output.staged() as staging:
            # each group goes into the files as soon as it and the groups before it are done, and is dropped
            with CorpusTsvWriter(staging / "corpus.tsv", languages) as corpus, \
                    WordAlignmentWriter(staging, languages) as word_files:
                for result in results:
                    tuples = [with_keep(flags.flag(t), config.select) for t in result.tuples]
                    corpus.write(tuples)
                    word_files.write(result.words)
                    tuple_counts.update(_tuple_counts(tuples, len(languages)))
            if log is not None and any(reused):
                log.write(f"[align] {sum(reused)} group(s) reused from an earlier run\n")
            clock.lap("align")
            split = split_corpus(staging / "corpus.tsv", config.split)
            if log is not None:
                _log_split(log, split)
            clock.lap("split")
            if pool is not None:
                pool.close()  # the workers' memory is free for the exports and the report

            write_documents_jsonl(staging / "documents.jsonl", documents)
            write_segments_tsv(staging / "segments.tsv", segments)
            write_documents_tsv(staging / "documents.tsv", documents, alignment)
            write_tsv(staging / "skipped.tsv", ("file", "reason"), ((s.source_file, s.reason) for s in skipped))
            counts = {"files": len(files) + len(found.skipped), "documents": len(documents), "skipped": len(skipped),
                      "duplicates": len(documents) - len(unique), "segments": len(segments), "groups": len(jobs),
                      **tuple_counts, **split.counts()}
            # before the exports: the dataset card (README.md) is made from build.json
            manifest = write_manifest(staging / MANIFEST, config, _inputs(documents, skipped), counts,
                                      {"method": split.plan.method, "warning": split.plan.warning})
            exported = export(staging, config.export.formats)
            clock.lap("write")
            build_report(staging, embedder)
            clock.lap("report")
    if log is not None:
        multi = counts["tuples_multilingual"]
        log.write(format_report(exported).replace(str(staging), str(out)) + "\n")
        log.write(f"[build] {len(unique)} documents, {len(segments)} segments, {multi} aligned tuples "
                  f"({counts['tuples'] - multi} one-language) -> {out}\n"
                  f"[build] signature {manifest['signature']}\n"
                  f"[build] seconds: {clock.summary()}\n"
                  f"[report] {(out / 'report' / 'index.html').resolve().as_uri()}\n")
    return BuildResult(documents, skipped, segments, alignment, counts, clock.seconds)


@contextmanager
def _local_pool(settings: GroupSettings, config: BuildConfig) -> Iterator[WorkerPool | None]:
    """The build's worker processes on this machine (none with ``--engine ray``), stopped when the block ends."""
    if config.engine.kind != "local":
        yield None
        return
    with WorkerPool(settings, config.engine.workers) as pool:
        yield pool


def _log_split(log: TextIO, split: SplitSummary) -> None:
    counts = split.counts()
    log.write(f"[split] by {split.plan.method}: kept tuples train {counts['tuples_train']}, dev {counts['tuples_dev']}, "
              f"test {counts['tuples_test']}; {split.removed} training row(s) removed (text also in dev or test)\n")
    if split.plan.warning:
        log.write(f"[split] warning: {split.plan.warning}\n")


def _tuple_counts(tuples: list[AlignedTuple], languages: int) -> dict[str, int]:
    """The manifest's tuple counts (:data:`TUPLE_COUNTS`) of some tuples."""
    return {"tuples": len(tuples), "tuples_multilingual": sum(len(t.languages) > 1 for t in tuples),
            "tuples_all_languages": sum(len(t.languages) == languages for t in tuples),
            "tuples_kept": sum(t.keep for t in tuples)}


class _StageClock:
    """Wall-clock time of consecutive stages."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._last
        self._last = now

    def summary(self) -> str:
        total = sum(self.seconds.values())
        return ", ".join(f"{k} {v:.1f}" for k, v in self.seconds.items()) + f" (total {total:.1f})"


def run_filter(out_dir: Path, min_quality: float, log: TextIO | None = sys.stderr) -> dict:
    """Run selection again on an existing build at another ``min_quality``, without re-aligning: new
    ``keep`` flags, exports, report and manifest (the build's configuration, but for the threshold).

    Works on a copy of the folder that is swapped in at the end, like a build.
    """
    out = Path(out_dir)
    manifest_path = out / MANIFEST
    if not manifest_path.is_file():
        raise InputError(out, f"no {MANIFEST}: not an aligner build folder (run aligner build first)")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    config = manifest_config(manifest, manifest_path)
    config = replace(config, select=replace(config.select, min_quality=min_quality),
                     export=replace(config.export, out_dir=out))
    corpus = CorpusTsv(out / "corpus.tsv")
    if not any("quality" in t.scores for t in corpus) and next(iter(corpus), None) is not None:
        raise InputError(out / "corpus.tsv", "has no quality column to filter on")
    kept = Counter()
    output = OutputFolder(out)
    output.check_replaceable()
    with output.locked(), output.staged() as staging:
        shutil.copytree(out, staging, dirs_exist_ok=True)
        rows = sum(1 for _ in corpus)  # the bar's total (a terminal only: the log has its own lines)
        with CorpusTsvWriter(staging / "corpus.tsv", corpus.languages) as writer, \
                Progress("filter", rows, "tuples", log, log_done=False) as progress:
            for split, item in corpus.split_rows():  # the copy in staging is written, the original read
                item = with_keep(item, config.select)
                writer.write([item], [split])
                kept[split] += item.keep
                progress.advance()
        counts = dict(manifest["counts"], tuples_kept=sum(kept.values()),
                      **{f"tuples_{split}": kept[split] for split in SPLITS})
        # before the exports: the dataset card (README.md) is made from build.json
        manifest = write_manifest(staging / MANIFEST, config, manifest["inputs"], counts, manifest.get("split"))
        exported = export(staging, config.export.formats)
        build_report(staging, config.embed.embedder())
    if log is not None:
        log.write(format_report(exported).replace(str(staging), str(out)) + "\n")
        log.write(f"[filter] {sum(kept.values())} of {writer.rows} tuples kept at quality >= {min_quality} "
                  f"(train {kept['train']}, dev {kept['dev']}, test {kept['test']}; splits unchanged)\n"
                  f"[filter] signature {manifest['signature']}\n")
    return manifest


def _group_jobs(alignment: DocAlignment, segments: list[Segment]) -> list[GroupJob]:
    by_doc: dict[str, list[Segment]] = {}
    for segment in segments:
        by_doc.setdefault(segment.doc_id, []).append(segment)
    return [GroupJob(group, tuple(s for doc_id in group.doc_ids for s in by_doc.get(doc_id, ())))
            for group in alignment.groups]


def _inputs(documents: list[Document], skipped: list[Skipped]) -> list[dict]:
    rows = [{"file": d.source_file, "doc_id": d.doc_id, "sha256": d.sha256, "encoding": d.encoding, "lang": d.lang,
             "status": f"duplicate of {d.duplicate_of}" if d.duplicate_of else "used"} for d in documents]
    rows += [{"file": s.source_file, "status": f"skipped: {s.reason}"} for s in skipped]
    return sorted(rows, key=lambda row: row["file"])
