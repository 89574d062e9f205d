"""Verification of candidate pairs with sentence-level evidence: competing mutual nearest neighbours.

Raw similarities do not tell a translation from a sentence on the same events: with
multilingual-e5 an Arabic sentence and its French version score about 0.90, and the same
sentence against a French article on the same day 0.88. What does hold, for any encoder, is
*rank*, as long as the translation is there to compete:

* the **pool** of document A in language L is all of A's candidate documents in L (the few the
  index retrieved for A, and those that retrieved A);
* a sentence x of A and a sentence y of B are **linked** when they are each other's best match
  between A and B, and B is *competitive* for x in A's pool (no other candidate explains x
  clearly better) and A is competitive for y in B's pool. An article that only shares the topic
  loses most sentences to the version that translates them; two copies of one version tie and
  keep their links (see :meth:`Neighbours.competitive`).

The score of a pair is ``links / (n + 1.5)`` with ``n`` the sentence count of the shorter
document: the share of its sentences that found their counterpart, as if it had 1.5 more
sentences that found none. Without that prior a one-sentence document with one chance link
would score 1.0 and a three-sentence one with two 0.67; with it they score 0.4 and 0.44, while
a 12-sentence version with 8 links scores 0.59. Links are one-to-one, so a sentence split in two
in the other language counts once: normalising by the shorter document keeps different sentence
granularity, and content that only the longer version has (extra paragraphs, page headings), out
of the score.

Where nothing competes (a language with a single document), links are plain mutual nearest
neighbours of the two documents, and sentences without a counterpart may link by chance; the
evidence's ``rivals`` says when that was the case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .fingerprint import Fingerprint, length_ratio, overlap


#: Sentences without a counterpart assumed in the shorter document before looking (see the module doc).
UNLINKED_PRIOR = 1.5

#: How close to the best document a rival must be to tie with it (see :meth:`Neighbours.competitive`).
TIE_TOLERANCE = 0.1


@dataclass(frozen=True)
class Corpus:
    """Documents as contiguous row ranges of one sentence-vector matrix.

    ``bounds[i] = (start, end)`` are document ``i``'s rows in ``vectors``, ``langs[i]`` its
    language, ``embeddings[i]`` its centred mean embedding (see :mod:`aligner.docalign.index`).
    """

    doc_ids: tuple[str, ...]
    langs: tuple[str, ...]
    bounds: tuple[tuple[int, int], ...]
    vectors: np.ndarray
    fingerprints: tuple[Fingerprint, ...]
    embeddings: np.ndarray

    def rows(self, doc: int) -> np.ndarray:
        start, end = self.bounds[doc]
        return self.vectors[start:end]

    def size(self, doc: int) -> int:
        start, end = self.bounds[doc]
        return end - start


@dataclass(frozen=True)
class Neighbours:
    """Where each sentence of one document finds its best match in each document of its pool (one language).

    ``best[x, p]`` is the row (local to document ``pool[p]``) of sentence ``x``'s most similar
    sentence there and ``similarity[x, p]`` their cosine; ``top[x]`` is the best over the whole
    pool and ``base[x]`` the mean over all pool sentences (how alike anything is, for this x).
    """

    pool: tuple[int, ...]
    best: np.ndarray
    similarity: np.ndarray
    top: np.ndarray
    base: np.ndarray

    def column(self, doc: int) -> int:
        return self.pool.index(doc)

    def competitive(self, doc: int, tolerance: float = TIE_TOLERANCE) -> np.ndarray:
        """Per sentence: is ``doc`` its best document in the pool, or within ``tolerance`` of it?

        "Within" is measured on the sentence's own scale, as a fraction of the gap between its best
        match and its average similarity, so it means the same for any encoder. Two versions of
        one text in the same language (a re-posted article) tie and both stay competitive; an
        article that only shares the topic falls far behind the version that translates the
        sentence.
        """
        column = self.similarity[:, self.column(doc)]
        return column >= self.top - tolerance * (self.top - self.base)


#: A sentence is compared with at most this many sentences of another document: those around its own
#: relative position (versions keep their order; a paragraph moved by fewer than half this many
#: sentences is still found), so verifying long documents costs time linear in their length.
#: Documents with fewer sentences are compared whole.
SENTENCE_WINDOW = 2048

#: Sentences of a document compared at once (memory: this many rows by the window or the other document).
BLOCK_ROWS = 1024


def nearest_in_pool(corpus: Corpus, doc: int, pool: Sequence[int]) -> Neighbours:
    """Best matches of every sentence of ``doc`` in every document of ``pool`` (blocks of one product per document).

    Each sentence looks at the other document's sentences within :data:`SENTENCE_WINDOW` of its own relative
    position, and ``base`` is its mean similarity over the sentences it looked at.
    """
    pool = tuple(sorted(pool))
    n = corpus.size(doc)
    best = np.zeros((n, len(pool)), dtype=np.int64)
    similarity = np.full((n, len(pool)), -np.inf, dtype=np.float32)
    total = np.zeros(n, dtype=np.float64)
    looked_at = np.zeros(n, dtype=np.int64)
    rows = corpus.rows(doc)
    for column, other in enumerate(pool):
        other_rows = corpus.rows(other)
        for start, end, low, high in _blocks(n, len(other_rows)):
            block = rows[start:end] @ other_rows[low:high].T
            best[start:end, column] = low + block.argmax(axis=1)  # first maximum: ties go to the earlier sentence
            similarity[start:end, column] = block.max(axis=1)
            total[start:end] += block.sum(axis=1)
            looked_at[start:end] += high - low
    top = similarity.max(axis=1) if pool else np.zeros(n, dtype=np.float32)
    base = (total / np.maximum(looked_at, 1)).astype(np.float32)
    return Neighbours(pool, best, similarity, top, base)


def _blocks(n: int, m: int) -> list[tuple[int, int, int, int]]:
    """``(start, end, low, high)``: rows ``start:end`` of an ``n``-sentence document are compared with rows
    ``low:high`` of an ``m``-sentence one (all of it when ``m`` <= :data:`SENTENCE_WINDOW`)."""
    blocks = []
    for start in range(0, n, BLOCK_ROWS) if m else ():
        end = min(n, start + BLOCK_ROWS)
        if m <= SENTENCE_WINDOW:
            low, high = 0, m
        else:
            low = max(0, start * m // n - SENTENCE_WINDOW // 2)
            high = min(m, -(-end * m // n) + SENTENCE_WINDOW // 2)
        blocks.append((start, end, low, high))
    return blocks


def links(a_in_lang_b: Neighbours, b_in_lang_a: Neighbours, a: int, b: int) -> np.ndarray:
    """Sentence pairs ``(x, y)`` (local indices in A and B) that link the two documents.

    x and y must be each other's best match between A and B, and each must find its document
    competitive in its pool (no other candidate explains it clearly better).
    """
    y = a_in_lang_b.best[:, a_in_lang_b.column(b)]
    back = b_in_lang_a.best[y, b_in_lang_a.column(a)]
    xs = np.arange(len(y))
    keep = (back == xs) & a_in_lang_b.competitive(b) & b_in_lang_a.competitive(a)[y]
    return np.stack([xs[keep], y[keep]], axis=1)


def pair_evidence(corpus: Corpus, a: int, b: int, a_in_lang_b: Neighbours, b_in_lang_a: Neighbours,
                  pairs: np.ndarray | None = None) -> dict[str, float]:
    """Score and evidence of one pair (all numbers, so they can be written and compared).

    * ``score`` - ``links / (n + 1.5)``, n the shorter document's sentence count (see module doc);
    * ``share`` - ``links / n``, the plain share of the shorter document's sentences linked;
    * ``links`` - linked sentence pairs (see :func:`links`); ``sentences_a`` / ``sentences_b``;
    * ``rivals`` - other documents in the two pools (0: nothing competed, the verdict rests on
      the pair alone);
    * ``similarity`` - mean cosine of the linked sentences (in the encoder's own scale);
    * ``length_ratio`` - shorter / longer in English-equivalent characters;
    * ``numbers`` / ``numbers_shared`` - share of the smaller number set found in the other, and
      the count; ``names`` / ``names_shared`` - the same for name skeletons;
    * ``embedding`` - cosine of the two documents' centred mean embeddings.

    ``pairs`` are the pair's :func:`links` when the caller has them already.
    """
    if pairs is None:
        pairs = links(a_in_lang_b, b_in_lang_a, a, b)
    shorter = min(corpus.size(a), corpus.size(b))
    fa, fb = corpus.fingerprints[a], corpus.fingerprints[b]
    linked_similarity = a_in_lang_b.similarity[pairs[:, 0], a_in_lang_b.column(b)]
    return {
        "score": len(pairs) / (shorter + UNLINKED_PRIOR),
        "share": len(pairs) / shorter if shorter else 0.0,
        "links": float(len(pairs)),
        "sentences_a": float(corpus.size(a)),
        "sentences_b": float(corpus.size(b)),
        "rivals": float(len(set(a_in_lang_b.pool) - {b}) + len(set(b_in_lang_a.pool) - {a})),
        "similarity": float(linked_similarity.mean()) if len(pairs) else 0.0,
        "length_ratio": length_ratio(fa, fb),
        "numbers": overlap(fa.numbers, fb.numbers),
        "numbers_shared": float(len(fa.numbers & fb.numbers)),
        "names": overlap(fa.names, fb.names),
        "names_shared": float(len(fa.names & fb.names)),
        "embedding": float(corpus.embeddings[a] @ corpus.embeddings[b]),
    }
