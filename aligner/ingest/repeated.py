"""Lines that recur across the documents of one input folder: page chrome, not article text.

A scraped site repeats its furniture on every page (cookie and newsletter notices, copyright
lines, sharing widgets), in each language, and the notices are translated: left in, they align
with each other and pass every translation score. One page cannot tell them from text, a folder
can: two different articles do not share a paragraph word for word, their pages' chrome does.

Two articles may quote one sentence, though, so a line that reads as text (not a short
unpunctuated one) must recur in :data:`MIN_FAMILIES_SENTENCE` unrelated documents.
Documents that share much of their text are versions of one article (an updated edition, a
mirror), not two pages with common chrome, so they count once: a line is chrome when it occurs
in at least :data:`MIN_FAMILIES` such families (a short line). Looking at every document pair that shares a
line would be quadratic for a line on every page; pairs are only counted for lines in at most
:data:`PAIR_LINE_LIMIT` documents (a line on more pages than that is chrome in any case).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace
from itertools import combinations

from aligner.ingest.boilerplate import duplicate_key, is_chrome_shaped
from aligner.model import Document, Removal

#: A short unpunctuated line in this many unrelated documents (families of versions) is page chrome ...
MIN_FAMILIES = 2
#: ... a sentence takes this many (two articles may quote one sentence, or share a short one).
MIN_FAMILIES_SENTENCE = 3
#: Keys of fewer words are too short to identify a line (a name, a number).
MIN_KEY_WORDS = 2
#: Two documents sharing at least this share of the smaller one's lines are versions of one text.
VERSION_SHARE = 0.3
#: ... and at least this many lines.
VERSION_LINES = 3
#: Document pairs are only counted for lines in at most this many documents.
PAIR_LINE_LIMIT = 32


def _keys(document: Document) -> list[str]:
    return [duplicate_key(p.text) for p in document.paragraphs]


def _families(keys: dict[str, set[str]], holders: dict[str, set[str]], copies: dict[str, str]) -> dict[str, str]:
    """doc id -> the id of its family: a copy with its original, and documents that share enough
    lines (union-find)."""
    parent = {doc: doc for doc in keys}

    def root(doc: str) -> str:
        while parent[doc] != doc:
            parent[doc] = parent[parent[doc]]
            doc = parent[doc]
        return doc

    for copy, original in sorted(copies.items()):
        parent[root(copy)] = root(original)
    shared: Counter = Counter()
    for docs in holders.values():
        if 2 <= len(docs) <= PAIR_LINE_LIMIT:
            shared.update(combinations(sorted(docs), 2))
    for (a, b), count in sorted(shared.items()):
        if count >= VERSION_LINES and count >= VERSION_SHARE * min(len(keys[a]), len(keys[b])):
            parent[root(a)] = root(b)
    return {doc: root(doc) for doc in keys}


def remove_cross_document_chrome(documents: Sequence[Document]) -> list[Document]:
    """``documents`` with paragraphs that recur in other, unrelated documents moved to ``removed``.

    A document left without paragraphs keeps none (the caller decides what an empty document is).
    Paragraph indices are renumbered, so they stay ``0..n-1`` in reading order.
    """
    keys = {d.doc_id: {k for k in _keys(d) if len(k.split()) >= MIN_KEY_WORDS} for d in documents}
    holders: dict[str, set[str]] = defaultdict(set)
    for doc, doc_keys in keys.items():
        for key in doc_keys:
            holders[key].add(doc)
    family = _families(keys, holders, {d.doc_id: d.duplicate_of for d in documents
                                       if d.duplicate_of is not None and d.duplicate_of in keys})
    sentences = {key for d in documents for p, key in zip(d.paragraphs, _keys(d)) if not is_chrome_shaped(p.text)}
    chrome = {}
    for key, docs in holders.items():
        families = len({family[d] for d in docs})
        if families >= (MIN_FAMILIES_SENTENCE if key in sentences else MIN_FAMILIES):
            chrome[key] = families
    if not chrome:
        return list(documents)
    cleaned = []
    for document in documents:
        kept, removed = [], list(document.removed)
        for paragraph, key in zip(document.paragraphs, _keys(document)):
            if key in chrome:
                removed.append(Removal(text=paragraph.text, source=paragraph.source,
                                       reason=f"repeated-across-documents: the same line is in {chrome[key] - 1} "
                                              "unrelated document(s) of the input (site furniture)"))
            else:
                kept.append(replace(paragraph, index=len(kept)))
        if len(kept) == len(document.paragraphs):
            cleaned.append(document)
            continue
        removed.sort(key=lambda r: (r.source.start, r.source.end))
        cleaned.append(replace(document, paragraphs=kept, removed=removed))
    return cleaned
