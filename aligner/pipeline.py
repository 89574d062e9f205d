"""The pipeline, declared once: the stages in order, each with its configuration section.

The corpus stages run in the build process (:mod:`aligner.build` calls them in this order); the
group stages run once per document group, wherever an executor (:mod:`aligner.execute`) puts
them: this process, a worker process or a Ray actor. :func:`process_group` is the group part:
it threads one :class:`GroupState` through :data:`GROUP_STAGES`, each a function of the data
model. Models are loaded once per process, on first use, never at import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from aligner.config import BuildConfig, EmbedConfig, ScoreConfig, WordAlignConfig
from aligner.embed import primary_part
from aligner.model import AlignedTuple, DocumentGroup, Segment
from aligner.sentalign.pairwise import AlignConfig
from aligner.refine.options import RefineOptions
from aligner.wordalign.corpus import PairWords

Words = dict[tuple[str, str], PairWords]


@dataclass(frozen=True)
class GroupSettings:
    """Everything a worker needs to process any group: the group sections of the configuration
    (picklable; the models are built from it once per process)."""

    languages: tuple[str, ...]
    embed: EmbedConfig = field(default_factory=EmbedConfig)
    cache_dir: Path | None = None
    sentalign: AlignConfig = field(default_factory=AlignConfig)
    refine: RefineOptions = field(default_factory=RefineOptions)
    wordalign: WordAlignConfig = field(default_factory=WordAlignConfig)
    score: ScoreConfig = field(default_factory=ScoreConfig)
    threads: int | None = None

    @classmethod
    def of(cls, config: BuildConfig) -> GroupSettings:
        return cls(config.languages, config.embed, config.engine.cache_dir, config.sentalign, config.refine,
                   config.wordalign, config.score)

    @property
    def models_key(self) -> tuple:
        """What the models of a process depend on (not the thresholds: one model serves any)."""
        return self.embed.spec, tuple(sorted(self.embed.weights.items())), self.cache_dir, self.wordalign, self.threads


@dataclass(frozen=True)
class GroupJob:
    group: DocumentGroup
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class GroupResult:
    tuples: list[AlignedTuple]
    words: list[Words]


@dataclass(frozen=True)
class GroupState:
    """One group between stages: its job, then its aligned groups, then its tuples and word links."""

    job: GroupJob
    aligned: list = field(default_factory=list)
    #: The word vectors of every tuple side sentence alignment made, encoded once for refine and wordalign.
    encoded: dict = field(default_factory=dict)
    tuples: list[AlignedTuple] = field(default_factory=list)
    words: list[Words] = field(default_factory=list)


_MODELS: dict[tuple, tuple] = {}


def group_models(settings: GroupSettings, embedder=None):
    """The embedder and word aligner of this process, built on first use (``embedder``: one already loaded).

    When the sentence embedder is the word model (``e5``, alone or as ``e5+use``'s part, with no word
    model given), the word aligner reads the piece vectors of the same encoder pass: one model run per text.
    """
    key = settings.models_key
    if key not in _MODELS:
        from aligner.wordalign import word_aligner_for

        if embedder is None:
            embedder = settings.embed.embedder(settings.cache_dir, settings.threads)
        words = settings.wordalign
        _MODELS[key] = (embedder, word_aligner_for(embedder, settings.embed.spec, words.model, settings.cache_dir,
                                                   settings.threads, method=words.method,
                                                   arabic_clitics=words.arabic_clitics))
    return _MODELS[key]


def adopt_embedder(settings: GroupSettings, embedder) -> None:
    """Groups run in this process use ``embedder`` (the one document alignment loaded): one model in memory, not two."""
    group_models(settings, embedder)


def sentalign_stage(state: GroupState, settings: GroupSettings) -> GroupState:
    """Sentence alignment of the group's documents across the languages (:mod:`aligner.sentalign`)."""
    from aligner.sentalign import align_corpus

    embedder, _ = group_models(settings)
    aligned = align_corpus([state.job.group], list(state.job.segments), embedder, settings.languages,
                           settings.sentalign)
    return replace(state, aligned=aligned)


def refine_stage(state: GroupState, settings: GroupSettings) -> GroupState:
    """Tuples repaired and clauses split with word links (:mod:`aligner.refine`)."""
    from aligner.refine import encode_sides, refine_groups

    _, word_aligner = group_models(settings)
    encoded = encode_sides(state.aligned, word_aligner)
    tuples = refine_groups(state.aligned, settings.languages, word_aligner, encoded, settings.refine)
    return replace(state, encoded=encoded, tuples=tuples)


def wordalign_stage(state: GroupState, settings: GroupSettings) -> GroupState:
    """The word links of every language pair of the refined tuples, from the stored vectors (no model run)."""
    from aligner.refine import align_refined

    _, word_aligner = group_models(settings)
    words = align_refined(state.aligned, state.tuples, settings.languages, word_aligner, state.encoded)
    return replace(state, words=words)


def score_stage(state: GroupState, settings: GroupSettings) -> GroupState:
    """Every pair's components and calibrated quality (:mod:`aligner.score`)."""
    from aligner.score import score_tuples

    embedder, _ = group_models(settings)
    # the quality model is calibrated on e5 vectors: an ensemble (e5+use) is scored with its e5 part
    scorer = primary_part(embedder)
    # the margin's neighbours: every sentence vector of the group, as sentence alignment embedded them
    contexts = {side.lang: side.vectors if scorer is embedder else scorer.encode(side.texts)
                for group in state.aligned for side in group.alignment.sides}
    scores = score_tuples(
        [t.texts for t in state.tuples], scorer,
        consistency=[t.scores.get("consistency") for t in state.tuples],
        word_coverage=[{f"{a}-{b}": (w.src_coverage, w.tgt_coverage) for (a, b), w in pairs.items()}
                       for pairs in state.words],
        languages=settings.languages, contexts=contexts, margin_k=settings.score.margin_k)
    return replace(state, tuples=[replace(t, scores={**t.scores, **s}) for t, s in zip(state.tuples, scores)])


@dataclass(frozen=True)
class Stage:
    name: str
    #: The configuration section it reads (``BuildConfig.<section>``), if any.
    section: str | None
    #: ``corpus``: once, in the build process; ``group``: once per document group, where an executor runs it.
    scope: str
    #: Where it is: the function (group stages) or the module (corpus stages).
    where: str
    summary: str
    run: Callable[[GroupState, GroupSettings], GroupState] | None = None


STAGES: tuple[Stage, ...] = (
    Stage("ingest", "ingest", "corpus", "aligner.ingest.ingest_directory",
          "files -> documents (decoded, cleaned, page chrome removed with a reason)"),
    Stage("segment", "segment", "corpus", "aligner.segment.segment_documents", "documents -> sentences"),
    Stage("docalign", "docalign", "corpus", "aligner.docalign.align_documents",
          "documents -> groups of versions of one text"),
    Stage("sentalign", "sentalign", "group", "aligner.pipeline.sentalign_stage",
          "a group's sentences -> aligned tuples", sentalign_stage),
    Stage("refine", "refine", "group", "aligner.pipeline.refine_stage",
          "tuples -> tuples repaired, clauses moved, with word links", refine_stage),
    Stage("wordalign", "wordalign", "group", "aligner.pipeline.wordalign_stage",
          "tuples -> word links of every pair", wordalign_stage),
    Stage("score", "score", "group", "aligner.pipeline.score_stage",
          "tuples -> tuples with components and quality per pair", score_stage),
    Stage("select", "select", "corpus", "aligner.score.selection.with_keep",
          "corpus flags (furniture, repeats, copies), then each pair's and tuple's keep"),
    Stage("split", "split", "corpus", "aligner.split.corpus.split_corpus", "kept tuples -> train / dev / test"),
    Stage("write", None, "corpus", "aligner.export.tables",
          "corpus.tsv, documents, segments, skipped files, build.json"),
    Stage("export", "export", "corpus", "aligner.export.export", "TMX, TSV, Moses, JSONL, Parquet, test sets, HF"),
    Stage("report", None, "corpus", "aligner.report.build_report", "the HTML report"),
)
GROUP_STAGES = tuple(stage for stage in STAGES if stage.scope == "group")


def process_group(job: GroupJob, settings: GroupSettings) -> GroupResult:
    """One group's documents through :data:`GROUP_STAGES`: its tuples, scored, and their word alignments."""
    state = GroupState(job)
    for stage in GROUP_STAGES:
        state = stage.run(state, settings)
    return GroupResult(state.tuples, state.words)
