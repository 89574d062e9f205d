"""The typed data model that flows one way through the pipeline stages.

Every stage is a plain function from these records to these records; nothing
here knows how it is computed.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """Half-open character range ``[start, end)`` into a document's decoded source text."""

    start: int
    end: int


@dataclass(frozen=True)
class Removal:
    """A block of scraped page chrome dropped by ingest, with the rule that dropped it."""

    text: str
    reason: str
    source: Span


@dataclass(frozen=True)
class Paragraph:
    """A kept block of cleaned text; ``source`` points back into the decoded file."""

    index: int
    text: str
    is_heading: bool
    lang: str
    lang_confidence: float
    source: Span


@dataclass
class Document:
    """One input file after ingest: cleaned paragraphs plus what was removed and why."""

    doc_id: str
    source_file: str
    sha256: str
    encoding: str
    lang: str
    lang_confidence: float
    paragraphs: list[Paragraph] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    duplicate_of: str | None = None
    #: Where it came from: ``text``, ``html``, ``pdf``, ``docx`` (a web archive's pages are ``html``).
    format: str = "text"
    url: str | None = None  # an archived page's URL
    title: str | None = None  # the page's <title>, the file's metadata title or first heading
    hints: dict = field(default_factory=dict)  # declared ``lang``, ``dir``, ``hreflang`` alternates

    @property
    def text(self) -> str:
        """The cleaned text, one paragraph per line."""
        return "\n".join(p.text for p in self.paragraphs)


@dataclass(frozen=True)
class Segment:
    """A sentence (or heading) of one paragraph; ``start``/``end`` index the paragraph text."""

    doc_id: str
    paragraph: int
    index: int
    lang: str
    text: str
    start: int
    end: int
    is_heading: bool = False

    @property
    def segment_id(self) -> str:
        return f"{self.doc_id}:{self.paragraph}:{self.index}"


@dataclass(frozen=True)
class Bead:
    """One alignment bead: source sentence ids aligned to target sentence ids (0-based).

    ``score`` is whatever number the aligner wrote after the ids; it plays no
    part in equality, hashing or scoring.
    """

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float | None = field(default=None, compare=False, hash=False)

    @property
    def is_null(self) -> bool:
        """True for an insertion or deletion (one side empty, or both)."""
        return not self.src or not self.tgt

    @property
    def key(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Order-insensitive identity used for comparison."""
        return tuple(sorted(self.src)), tuple(sorted(self.tgt))


@dataclass(frozen=True)
class DocumentPair:
    """A verified candidate pair of documents in different languages, with the evidence for the verdict."""

    doc_a: str
    doc_b: str
    score: float
    evidence: dict[str, float]
    accepted: bool


@dataclass(frozen=True)
class DocumentGroup:
    """Documents that are versions of the same text: at most one per language unless allowed."""

    group_id: str
    doc_ids: tuple[str, ...]
    score: float


@dataclass(frozen=True)
class AlignedTuple:
    """One row of the corpus: the segments of each language that translate each other.

    ``segment_ids[lang]`` lists the segment ids (``doc:para:idx``) in text order and
    ``texts[lang]`` their text joined by one space; a language the tuple lacks has an empty
    tuple and an empty string. ``scores`` holds named scores (alignment, quality components);
    ``keep`` says whether the tuple passes the quality threshold for export.
    """

    group_id: str
    tuid: str
    segment_ids: dict[str, tuple[str, ...]]
    texts: dict[str, str]
    scores: dict[str, float] = field(default_factory=dict)
    keep: bool = True

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages with text in this tuple, in the order of ``texts``."""
        return tuple(lang for lang, text in self.texts.items() if text)
