"""``documents.tsv``: every input document with its group (if any), score and evidence.

One row per document, in the order given (the build passes ingest's order, sorted by path), so
two builds of the same input are byte-identical. ``evidence`` is one line of JSON (keys sorted,
numbers rounded to 3 decimals):

* ``reason`` - for a document left ungrouped: why (its best candidate's rejection, or why it
  took no part in matching); for a member of a known group: that the user gave it;
* ``pairs`` - each verified pair involving the document, accepted first then best first:
  ``with`` (the other document), ``accepted``, ``reason`` (rejected pairs only), and the
  evidence of :func:`aligner.docalign.verify.pair_evidence`, with ``sentences`` as
  ``[this document's, the other's]``.

``score`` is the group's score for a grouped document, the best candidate's score for an
ungrouped one, empty when there is none (or for a known group, which is not measured).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

from aligner.docalign import DocAlignment
from aligner.export.tables import write_tsv
from aligner.model import Document, DocumentPair

DOCUMENT_GROUP_COLUMNS = ("doc_id", "file", "lang", "group", "score", "evidence")

_COUNTS = ("links", "rivals", "numbers_shared", "names_shared")


def write_documents_tsv(path: Path, documents: Sequence[Document], alignment: DocAlignment) -> None:
    """Write ``documents.tsv`` atomically (header, then one row per document of ``documents``)."""
    write_tsv(path, DOCUMENT_GROUP_COLUMNS, (document_row(d, alignment) for d in documents))


def document_row(document: Document, alignment: DocAlignment) -> tuple[str, str, str, str, str, str]:
    """The cells of one document's row."""
    group = alignment.group_of(document.doc_id)
    pairs = alignment.pairs_of(document.doc_id)
    evidence: dict[str, object] = {"pairs": [_pair_record(document.doc_id, p, alignment) for p in pairs]}
    if group is not None:
        score = group.score
    else:
        score = pairs[0].score if pairs else math.nan
    reason = _reason(document.doc_id, group is not None, pairs, alignment)
    if reason:
        evidence["reason"] = reason
    return (document.doc_id, document.source_file, document.lang, group.group_id if group else "",
            _number(score), json.dumps(evidence, ensure_ascii=False, sort_keys=True, separators=(",", ":")))


def _reason(doc_id: str, grouped: bool, pairs: Sequence[DocumentPair], alignment: DocAlignment) -> str:
    """Why the document is where it is, when that needs saying ('' for a matched group member)."""
    if doc_id in alignment.notes:
        return alignment.notes[doc_id]
    if grouped:
        return ""
    if not pairs:
        return "no candidate document in another language"
    best = pairs[0]
    other = best.doc_b if best.doc_a == doc_id else best.doc_a
    return f"best candidate {other}: {alignment.reasons.get((best.doc_a, best.doc_b), 'rejected')}"


def _pair_record(doc_id: str, pair: DocumentPair, alignment: DocAlignment) -> dict[str, object]:
    """One pair's evidence as seen from ``doc_id``."""
    mine, theirs = ("sentences_a", "sentences_b") if pair.doc_a == doc_id else ("sentences_b", "sentences_a")
    record: dict[str, object] = {
        key: (int(value) if key in _COUNTS else round(value, 3))
        for key, value in pair.evidence.items() if not key.startswith("sentences_")
    }
    record["sentences"] = [int(pair.evidence[mine]), int(pair.evidence[theirs])]
    record["with"] = pair.doc_b if pair.doc_a == doc_id else pair.doc_a
    record["accepted"] = pair.accepted
    if not pair.accepted:
        record["reason"] = alignment.reasons.get((pair.doc_a, pair.doc_b), "")
    return record


def _number(value: float) -> str:
    return "" if math.isnan(value) else f"{value:.3f}"
