"""Document alignment: group the documents that are versions of one text, one per language.

A folder of scraped reports mixes translations of one statement with articles that only share
its topic (names, numbers, even phrases). The stage runs in three steps, none of them comparing
all documents with all others:

1. **Represent** each document cheaply: the mean of its sentence embeddings, centred per
   language, plus a hashed fingerprint of its numbers and names (:mod:`.fingerprint`,
   :mod:`.index`).
2. **Retrieve** its few nearest documents in each other language by blocks of a matrix product
   (memory: block x N, never N x N).
3. **Verify** each candidate pair with sentence-level evidence, mutual nearest neighbours that
   compete across all candidates (:mod:`.verify`), then **group** the accepted pairs under the
   one-per-language cap and member consistency (:mod:`.group`).
4. **Join** an ungrouped document to a group that, taken as a whole, explains it: through the
   group's members in the other languages, consistently (:mod:`.join`).

Pages whose addresses declare them twins (``hreflang``, or URLs equal but for a language marker:
:mod:`.urls`) are verified even when the index does not retrieve them, and grouped from a lower score.

>>> from aligner.docalign import DocAlignOptions, align_documents   # doctest: +SKIP
>>> result = align_documents(documents, segments, embedder, DocAlignOptions())  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from aligner.embed import Embedder
from aligner.model import Document, DocumentGroup, DocumentPair, Segment

from .fingerprint import fingerprint, fingerprint_vector
from .group import Grouping, group_pairs
from .join import Joined, join_through_groups
from .index import centre_by_language, document_keys, mean_vectors, top_k
from .options import DEFAULT_LANGUAGES, DocAlignOptions, parse_languages, read_known_groups
from .urls import declared_pairs, with_declaration
from .verify import Corpus, links, nearest_in_pool, pair_evidence

__all__ = [
    "DEFAULT_LANGUAGES",
    "DocAlignOptions",
    "DocAlignment",
    "align_documents",
    "parse_languages",
    "read_known_groups",
    "sentences_to_embed",
]


@dataclass(frozen=True)
class DocAlignment:
    """The groups found, every pair verified on the way, and why the rest was not grouped.

    ``pairs`` holds each verified pair once, ``doc_a < doc_b``; ``reasons[(doc_a, doc_b)]`` says
    why a pair whose documents ended in different groups was rejected; ``notes[doc_id]`` says why
    a document took no part in matching (a duplicate, another language, no sentences, or a known
    group given by the user).
    """

    groups: tuple[DocumentGroup, ...]
    pairs: tuple[DocumentPair, ...]
    reasons: Mapping[tuple[str, str], str]
    notes: Mapping[str, str]

    def group_of(self, doc_id: str) -> DocumentGroup | None:
        return self._group_index.get(doc_id)

    def pairs_of(self, doc_id: str) -> list[DocumentPair]:
        """The verified pairs involving ``doc_id``, accepted first, then best score first."""
        return sorted(self._pair_index.get(doc_id, ()), key=lambda p: (not p.accepted, -p.score, p.doc_a, p.doc_b))

    @cached_property
    def _group_index(self) -> dict[str, DocumentGroup]:
        return {doc_id: group for group in self.groups for doc_id in group.doc_ids}

    @cached_property
    def _pair_index(self) -> dict[str, list[DocumentPair]]:
        index: dict[str, list[DocumentPair]] = defaultdict(list)
        for pair in self.pairs:
            index[pair.doc_a].append(pair)
            index[pair.doc_b].append(pair)
        return dict(index)


def align_documents(
    documents: Sequence[Document],
    segments: Iterable[Segment],
    embedder: Embedder,
    options: DocAlignOptions = DocAlignOptions(),
) -> DocAlignment:
    """Group ``documents`` (ingested) into sets of versions, using their ``segments`` and ``embedder``.

    All sentences are embedded in one ``embedder.encode`` call, so a caching embedder shared with
    sentence alignment computes each vector once. Raises ``ValueError`` if ``options.known_groups``
    names a document that is not among ``documents``.
    """
    known = _resolve_known_groups(documents, options.known_groups)
    sentences = _sentences_by_document(segments)
    eligible, notes = _select(documents, sentences, options.languages, known)
    corpus = _embed(eligible, sentences, embedder)
    pools = candidate_pools(corpus, options.candidates, options.chunk_size)
    index = {doc_id: k for k, doc_id in enumerate(corpus.doc_ids)}
    # pages the addresses declare twins are verified whatever the index retrieved
    declared = {(index[a], index[b]): kind for (a, b), kind in declared_pairs(eligible, options.languages).items()
                if a in index and b in index}
    for a, b in declared:
        for doc, other in ((a, b), (b, a)):
            key = (doc, corpus.langs[other])
            pools[key] = tuple(sorted({*pools.get(key, ()), other}))
    neighbours = {(doc, lang): nearest_in_pool(corpus, doc, pool) for (doc, lang), pool in pools.items()}

    evidence: dict[tuple[int, int], dict[str, float]] = {}
    linked: dict[tuple[int, int], np.ndarray] = {}

    def verify(a: int, b: int) -> float:
        """Evidence for ``a < b``; when the pools (capped) do not hold each other, both are extended."""
        a_side, b_side = neighbours.get((a, corpus.langs[b])), neighbours.get((b, corpus.langs[a]))
        if a_side is None or b not in a_side.pool:
            a_side = nearest_in_pool(corpus, a, set(pools.get((a, corpus.langs[b]), ())) | {b})
        if b_side is None or a not in b_side.pool:
            b_side = nearest_in_pool(corpus, b, set(pools.get((b, corpus.langs[a]), ())) | {a})
        linked[(a, b)] = links(a_side, b_side, a, b)
        evidence[(a, b)] = with_declaration(pair_evidence(corpus, a, b, a_side, b_side, linked[(a, b)]),
                                            declared.get((a, b)), options.threshold)
        return evidence[(a, b)]["score"]

    def score(a: int, b: int) -> float:
        key = (min(a, b), max(a, b))
        return evidence[key]["score"] if key in evidence else verify(*key)

    def links_of(a: int, b: int) -> np.ndarray:
        """Linked rows ``(x in a, y in b)``, verifying the pair if it was not."""
        score(a, b)
        return linked[(a, b)] if a < b else linked[(b, a)][:, ::-1]

    for (doc, _), pool in pools.items():
        for other in pool:
            if (min(doc, other), max(doc, other)) not in evidence:
                verify(min(doc, other), max(doc, other))

    grouping = group_pairs(corpus.langs, {p: e["score"] for p, e in evidence.items()}, verify,
                           options.threshold, options.max_per_language, corpus.doc_ids)
    partners: dict[int, list[int]] = defaultdict(list)
    for a, b in list(evidence):
        partners[a].append(b)
        partners[b].append(a)
    joining = join_through_groups(corpus.langs, [corpus.size(d) for d in range(len(corpus.doc_ids))],
                                  grouping.groups, partners, score, links_of, options.threshold,
                                  options.max_per_language)
    ids = corpus.doc_ids
    grouped_pairs = {frozenset((ids[a], ids[b])) for g in joining.groups for a in g for b in g if a != b}
    for doc, found in joining.joined.items():
        for member in next(g for g in joining.groups if doc in g):
            if member != doc:
                evidence[(min(doc, member), max(doc, member))].update(found.as_evidence())
    pairs = tuple(sorted(
        (DocumentPair(ids[a], ids[b], e["score"], e, frozenset((ids[a], ids[b])) in grouped_pairs)
         for (a, b), e in evidence.items()),
        key=lambda p: (p.doc_a, p.doc_b)))
    groups = _name_groups([tuple(ids[d] for d in g) for g in joining.groups], known, pairs)
    reasons = _reasons(grouping, joining, evidence, options.threshold, ids)
    return DocAlignment(groups, pairs, reasons, notes)


def _reasons(grouping: Grouping, joining: Joined, evidence: Mapping[tuple[int, int], Mapping[str, float]],
             threshold: float, ids: Sequence[str]) -> dict[tuple[str, str], str]:
    """Why each verified pair whose documents ended in different groups was rejected."""
    group_of = {doc: number for number, group in enumerate(joining.groups) for doc in group}
    reasons = {}
    for (a, b), found in sorted(evidence.items()):
        if a in group_of and group_of.get(a) == group_of.get(b):
            continue
        reason = grouping.rejected.get((a, b))
        if reason is None:  # verified while weighing a document against a group
            reason = (f"score {found['score']:.3f} below threshold {threshold:.3f}" if found["score"] < threshold
                      else "scored only to weigh a document against a group, which it did not join")
        for doc, other in ((a, b), (b, a)):
            if doc in joining.refused and other in joining.refused[doc][0]:
                reason += f"; with the group as a whole: {joining.refused[doc][1]}"
        reasons[(ids[a], ids[b])] = reason
    return reasons


def sentences_to_embed(documents: Sequence[Document], segments: Iterable[Segment],
                       options: DocAlignOptions = DocAlignOptions()) -> list[str]:
    """The sentences :func:`align_documents` embeds, in its order: to encode them ahead (in worker processes).

    Empty when no two documents could be versions of each other (one language only): nothing is embedded.
    """
    sentences = _sentences_by_document(segments)
    eligible, _ = _select(documents, sentences, options.languages,
                          _resolve_known_groups(documents, options.known_groups))
    return [text for document in eligible for text in sentences[document.doc_id]]


def _sentences_by_document(segments: Iterable[Segment]) -> dict[str, list[str]]:
    sentences: dict[str, list[str]] = defaultdict(list)
    for segment in segments:
        sentences[segment.doc_id].append(segment.text)
    return sentences


def candidate_pools(corpus: Corpus, k: int, chunk: int) -> dict[tuple[int, str], tuple[int, ...]]:
    """``(doc, lang) -> candidate documents of that language``: its top ``k`` and those whose top ``k`` it is in.

    A document that many others retrieve (a hub) would get a large pool; pools keep the ``2k`` best
    by key similarity, which bounds verification to ``2k`` documents per document and language.
    """
    keys = document_keys(corpus.embeddings, np.stack([fingerprint_vector(f) for f in corpus.fingerprints])
                         if corpus.fingerprints else np.zeros((0, 1), dtype=np.float32))
    by_lang: dict[str, list[int]] = defaultdict(list)
    for doc, lang in enumerate(corpus.langs):
        by_lang[lang].append(doc)
    found: dict[tuple[int, str], dict[int, float]] = defaultdict(dict)
    for source, queries in sorted(by_lang.items()):
        for target, targets in sorted(by_lang.items()):
            if source == target:
                continue
            indices, scores = top_k(keys[queries], keys[targets], k, chunk)
            for row, doc in enumerate(queries):
                for column, value in zip(indices[row], scores[row]):
                    other = targets[column]
                    found[(doc, target)][other] = float(value)
                    found[(other, source)][doc] = float(value)
    return {
        key: tuple(sorted(sorted(pool, key=lambda d: (-pool[d], d))[:2 * k]))
        for key, pool in sorted(found.items())
    }


def _resolve_known_groups(documents: Sequence[Document], known: Sequence[tuple[str, str]]) -> dict[str, str]:
    """doc_id -> user group; the user may name a document by its id or by its file name."""
    by_name = {d.doc_id: d.doc_id for d in documents} | {d.source_file: d.doc_id for d in documents}
    missing = sorted(doc for _, doc in known if doc not in by_name)
    if missing:
        raise ValueError(f"known groups name documents that are not in the input: {', '.join(missing)}")
    return {by_name[doc]: group for group, doc in known}


def _select(documents: Sequence[Document], sentences: Mapping[str, list[str]], languages: Sequence[str],
            known: Mapping[str, str]) -> tuple[list[Document], dict[str, str]]:
    """The documents that take part in matching (sorted by id), and a note on each one that does not.

    Documents of a single language have nothing to be matched with: none takes part (and none is embedded).
    """
    eligible, notes = [], {}
    for document in documents:
        if document.doc_id in known:
            notes[document.doc_id] = f"known group {known[document.doc_id]} (given by the user): not matched"
        elif document.duplicate_of is not None:
            notes[document.doc_id] = f"duplicate of {document.duplicate_of}: not matched"
        elif document.lang not in languages:
            notes[document.doc_id] = f"language {document.lang} is not among those aligned ({','.join(languages)})"
        elif not sentences.get(document.doc_id):
            notes[document.doc_id] = "no sentences"
        else:
            eligible.append(document)
    if len({document.lang for document in eligible}) < 2:
        notes.update((document.doc_id, "no candidate document in another language") for document in eligible)
        eligible = []
    return sorted(eligible, key=lambda d: d.doc_id), notes


def _embed(documents: Sequence[Document], sentences: Mapping[str, list[str]], embedder: Embedder) -> Corpus:
    """Embed every sentence in one call and lay the documents out as row ranges of one matrix."""
    texts: list[str] = []
    bounds = []
    for document in documents:
        start = len(texts)
        texts.extend(sentences[document.doc_id])
        bounds.append((start, len(texts)))
    vectors = np.asarray(embedder.encode(texts), dtype=np.float32) if texts else np.zeros((0, 1), np.float32)
    langs = tuple(d.lang for d in documents)
    return Corpus(
        doc_ids=tuple(d.doc_id for d in documents),
        langs=langs,
        bounds=tuple(bounds),
        vectors=vectors,
        fingerprints=tuple(fingerprint(texts[s:e], lang) for (s, e), lang in zip(bounds, langs)),
        embeddings=centre_by_language(mean_vectors(vectors, bounds), langs),
    )


def _name_groups(found: Sequence[tuple[str, ...]], known: Mapping[str, str],
                 pairs: Sequence[DocumentPair]) -> tuple[DocumentGroup, ...]:
    """Known groups keep the user's names (score NaN: not measured); found ones are g0001, g0002, ...

    A found group's score is the mean score of its member pairs in different languages.
    """
    members: dict[str, list[str]] = defaultdict(list)
    for doc_id, group in known.items():
        members[group].append(doc_id)
    groups = [DocumentGroup(name, tuple(sorted(docs)), math.nan) for name, docs in sorted(members.items())]
    score = {frozenset((p.doc_a, p.doc_b)): p.score for p in pairs}
    number = 0
    for docs in sorted(tuple(sorted(g)) for g in found):
        number += 1
        while f"g{number:04d}" in members:
            number += 1
        values = [score[frozenset((a, b))] for i, a in enumerate(docs) for b in docs[i + 1:]
                  if frozenset((a, b)) in score]
        groups.append(DocumentGroup(f"g{number:04d}", docs, float(np.mean(values)) if values else math.nan))
    return tuple(sorted(groups, key=lambda g: g.group_id))
