"""Options of document alignment, and the user's known groups file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aligner.errors import InputError
from aligner.fileio import read_two_column_tsv

DEFAULT_LANGUAGES = ("ar", "en", "fr")


@dataclass(frozen=True)
class DocAlignOptions:
    """What document alignment may group, and how sure it must be.

    ``threshold`` is the smallest score a pair of documents needs to be called versions of each
    other. The score is the share of the shorter document's sentences that found their
    counterpart in the other document, counted as if the shorter one had 1.5 more sentences that
    found none (so one chance match in a two-sentence document is not "half a translation"); see
    :mod:`aligner.docalign.verify` for what a counterpart is. 0.5 means "about half of the
    shorter document, or more, is found in the other". On the seeds and on NTREX, versions (even
    edited separately: paragraphs only one has, sentences split differently) score 0.52 or more,
    articles that only share the topic 0.06-0.25, unrelated documents at most 0.44.

    ``max_per_language`` caps how many documents of one language a group may hold (1: a group is a
    set of translations; more lets several versions in one language join, e.g. two English wires).

    ``known_groups`` are ``(group, doc_id)`` pairs given by the user: those documents are grouped
    as given and take no part in matching (see :func:`read_known_groups`).

    ``candidates`` is how many documents of each other language the index retrieves per document
    for verification; ``chunk_size`` how many query documents one block of the retrieval product
    holds (memory is ``chunk_size`` x number of documents of the target language).
    """

    languages: tuple[str, ...] = DEFAULT_LANGUAGES
    threshold: float = 0.5
    max_per_language: int = 1
    known_groups: tuple[tuple[str, str], ...] = ()
    candidates: int = 4
    chunk_size: int = 512

    def __post_init__(self) -> None:
        if not self.languages:
            raise ValueError("languages must not be empty")
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"threshold is a share of the shorter document, in (0, 1]; got {self.threshold}")
        if self.max_per_language < 1:
            raise ValueError(f"max_per_language must be >= 1, got {self.max_per_language}")
        if self.candidates < 1:
            raise ValueError(f"candidates must be >= 1, got {self.candidates}")
        if self.chunk_size < 1:
            raise ValueError(f"chunk_size must be >= 1, got {self.chunk_size}")


def parse_languages(text: str) -> tuple[str, ...]:
    """``"ar,en, fr"`` -> ``("ar", "en", "fr")`` (order kept, duplicates dropped)."""
    languages = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    if not languages:
        raise ValueError(f"no language in {text!r}; give codes separated by commas, e.g. ar,en,fr")
    return languages


def read_known_groups(path: Path) -> tuple[tuple[str, str], ...]:
    """Read ``group<TAB>doc_id`` lines (blank lines and ``#`` comments skipped; a ``group doc_id`` header is allowed).

    ``doc_id`` is the document id of ``documents.tsv`` (the file name without extension, or its
    path relative to the input folder when names collide); the file name itself is accepted too.
    A document listed twice is an error: it cannot be in two groups.
    """
    pairs: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for number, group, doc_id in read_two_column_tsv(path, "known groups", ("group", "doc_id")):
        if doc_id in seen:
            raise InputError(path, f"line {number}: {doc_id} is already in a group (line {seen[doc_id]})")
        seen[doc_id] = number
        pairs.append((group, doc_id))
    return tuple(pairs)
