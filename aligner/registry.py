"""Named choices declared once: an embedder, a segmenter, an input or export format, a score component.

Each entry has a name, a one-line help and what makes it (a constructor, a reader, a writer). The
command line's choices, its ``--help`` texts, the docs tables, the error for an unknown name and
the signature's names all come from the registry, so adding a choice is one entry plus its own
module, and no list elsewhere has to follow.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Choice(Generic[T]):
    name: str
    help: str
    make: T
    #: Anything else the registry's users read (an input format's suffixes, say).
    extra: dict[str, Any] = field(default_factory=dict)


class Registry(Generic[T]):
    """Choices in declaration order (the order of ``--help``, the docs and detection)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._choices: dict[str, Choice[T]] = {}

    def add(self, name: str, help: str, make: T, **extra: Any) -> T:
        if name in self._choices:
            raise ValueError(f"{self.kind} {name!r} is declared twice")
        self._choices[name] = Choice(name, help, make, extra)
        return make

    def __getitem__(self, name: str) -> Choice[T]:
        try:
            return self._choices[name]
        except KeyError:
            raise ValueError(f"unknown {self.kind} {name!r}; choose one of {', '.join(self._choices)}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._choices

    def __iter__(self) -> Iterator[Choice[T]]:
        return iter(self._choices.values())

    def __len__(self) -> int:
        return len(self._choices)

    def names(self) -> tuple[str, ...]:
        return tuple(self._choices)

    def help_text(self) -> str:
        """One line naming every choice with its help, for ``--help``."""
        return "; ".join(f"{choice.name} ({choice.help})" for choice in self)

    def markdown_table(self, heading: str = "name") -> str:
        """The choices as a Markdown table, for the docs (a test checks the docs hold it)."""
        rows = [f"| {heading} | what it is |", "|---|---|"]
        rows += [f"| `{choice.name}` | {choice.help} |" for choice in self]
        return "\n".join(rows)

