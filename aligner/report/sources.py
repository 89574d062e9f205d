"""What each document was read from and what ingest removed from it, for the report (documents.jsonl).

A reader of the report should see that a group's French member was a PDF and its Arabic one a
web page, and be able to check what was cut as page chrome, with the rule that cut it, before
trusting the corpus. documents.jsonl holds every paragraph too; only the removed lines are kept
here, at most :data:`MAX_REMOVED_SHOWN` a document (the count is always whole).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from aligner.errors import InputError

#: Removed lines listed per document in the page (all are counted; documents.jsonl has them all).
MAX_REMOVED_SHOWN = 60
#: Characters shown of one removed line.
MAX_REMOVED_CHARS = 240


@dataclass
class DocumentSource:
    format: str = "text"
    url: str | None = None
    title: str | None = None
    removed_count: int = 0
    #: ``(reason, text)`` of the first :data:`MAX_REMOVED_SHOWN` removed lines, in reading order
    removed: list[tuple[str, str]] = field(default_factory=list)


def read_document_sources(path: Path) -> dict[str, DocumentSource]:
    """doc id -> its source format, URL, title and removed lines; an absent file gives none."""
    sources: dict[str, DocumentSource] = {}
    if not path.is_file():
        return sources
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                removed = record.get("removed") or []
                source = DocumentSource(str(record.get("format") or "text"), record.get("url"), record.get("title"),
                                        len(removed))
                source.removed = [(str(r["reason"]), str(r["text"])[:MAX_REMOVED_CHARS])
                                  for r in removed[:MAX_REMOVED_SHOWN]]
                sources[str(record["doc_id"])] = source
            except (ValueError, KeyError, TypeError) as err:
                raise InputError(path, f"line {number}: not a document record ({err})") from None
    return sources
