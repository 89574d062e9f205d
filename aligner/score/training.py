"""Labeled pairs for training and evaluating the quality model (used by ``scripts/train_quality.py``
and ``scripts/bench_quality.py``).

Positives are gold translation pairs; negatives are made the way real alignment errors look. The
data is cut into *blocks* — an NTREX document, 32 consecutive UNPC or Tatoeba lines, one pair of
seed articles — and every candidate pair is built from the texts of one block only, so splitting by
block (``heldout_block``) keeps every held-out pair, and every text in it, out of training.

The margin's context (``Candidate.context``) is the block's sentences of each side *as the
document would read if the error were real*: a variant replaces, in its side's context, the
line(s) it was made from (a truncated sentence stands where the full one stood; a sentence with
a changed number stands in place of the original). Without that substitution the untouched gold
partner would sit in the context and make every derived error trivially easy for the margin.

Negative kinds (``Candidate.kind``), per line ``i`` of a block and language pair ``(a, b)``:

* ``neighbour``: ``(a_i, b_{i+1})`` (``b_{i-1}`` for the last line);
* ``same_block``: ``(a_i, b_j)``, ``j`` a random other line at least 2 away;
* ``truncated`` / ``concatenated`` / ``overlap`` / ``wrong_number``: one side replaced by a variant
  of its line — 30-70% of its words kept from the start or end; the line followed (or preceded) by
  its neighbour; the end of the line followed by the start of the next (a misplaced boundary);
  one number changed (never a list number opening the line). One such variant per line and
  language (shared by the pairs of that language); each pair gets ``(a_i, variant(b_i))`` and
  ``(variant(a_i), b_i)``. Half the lines with digits also get an extra ``wrong_number`` variant
  (``WRONG_NUMBER_SHARE``), used the same way;
* ``wrong_language``: one side (drawn at random) replaced by the same line in the third language
  (a translation, but in the wrong language), 10% of lines of trilingual blocks; ``copy``: one side
  replaced by the other (an untranslated segment), 10% of Tatoeba lines;
* ``same_topic``: the seed articles 001/003 (Arabic, same topic, not translations) against 002 (en)
  and 004 (fr): each sentence with its most similar sentence on the other side (by the embedder)
  and with a random one; the context is the two articles.

The corrupted lines are made in :mod:`aligner.score.corruptions`; the metrics the model is judged
by are in :mod:`aligner.score.metrics`.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .corruptions import change_number, line_variant, substitute

LANGS = ("ar", "en", "fr")
PAIRS = ("ar-en", "ar-fr", "en-fr")
BLOCK_LINES = 32
HELDOUT_PERCENT = 30
#: Share of lines (per language) with digits that also get a changed-number variant of their own.
WRONG_NUMBER_SHARE = 0.5
SEED = 13


@dataclass
class Block:
    """Gold lines of one document or chunk: ``lines[lang][i]`` translates ``lines[other][i]``."""

    source: str
    block_id: str
    lines: dict[str, list[str]]
    #: For the seed articles: sentences that are *not* parallel, lang -> sentences.
    parallel: bool = True

    @property
    def langs(self) -> tuple[str, ...]:
        return tuple(lang for lang in LANGS if lang in self.lines)


@dataclass
class Candidate:
    block_id: str
    source: str
    pair: str
    src: str
    tgt: str
    label: int
    kind: str
    heldout: bool
    #: The margin's context: the sentences of each side's document as they would be if this error
    #: were real (see the module docstring).
    context: tuple[tuple[str, ...], tuple[str, ...]] = field(default=((), ()), repr=False)
    #: The block line the pair was made for (-1 for the seed articles).
    line: int = -1


def heldout_block(block_id: str) -> bool:
    """Deterministic split: CRC-32 of the block id, 30% held out (independent of run, order and seed)."""
    return zlib.crc32(block_id.encode("utf-8")) % 100 < HELDOUT_PERCENT


# -- sources --------------------------------------------------------------------------------------
def _read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def ntrex_blocks(root: Path, max_docs: int | None = None) -> list[Block]:
    """One block per NTREX document (lines regrouped by document id)."""
    docs: dict[str, dict[str, list[str]]] = {}
    order: list[str] = []
    for lang in LANGS:
        for line in _read_lines(root / "ntrex-dev" / f"{lang}.tsv"):
            key, _, text = line.partition("\t")
            doc = key.rsplit(".", 1)[0]
            if doc not in docs:
                docs[doc] = {lang: [] for lang in LANGS}
                order.append(doc)
            docs[doc][lang].append(text.strip())
    blocks = [Block("ntrex", f"ntrex:{doc}", docs[doc]) for doc in order[:max_docs]]
    for block in blocks:
        lengths = {len(lines) for lines in block.lines.values()}
        if len(lengths) != 1:
            raise ValueError(f"{block.block_id}: languages have different line counts {lengths}")
    return blocks


def _chunk(source: str, lines: dict[str, list[str]], n: int, offset: int = 0) -> list[Block]:
    blocks = []
    for start in range(offset, offset + n, BLOCK_LINES):
        stop = min(start + BLOCK_LINES, offset + n)
        chunk = {lang: [t.strip() for t in texts[start:stop]] for lang, texts in lines.items()}
        blocks.append(Block(source, f"{source}:{start}", chunk))
    return blocks


def unpc_blocks(root: Path, n_lines: int, offset: int = 0) -> list[Block]:
    """UNPC dev lines ``offset .. offset+n_lines`` in blocks of 32 (UNPC dev lines are shuffled segments)."""
    lines = {lang: _read_lines(root / "unpc-dev" / f"UNv1.0.devset.{lang}") for lang in LANGS}
    return _chunk("unpc", lines, n_lines, offset)


def tatoeba_blocks(root: Path, n_lines: int) -> list[Block]:
    """Tatoeba ara-eng and fra-eng, first ``n_lines`` pairs of each, in blocks of 32."""
    base = root / "tatoeba"
    ar = {"ar": _read_lines(base / "tatoeba.ara-eng.ara"), "en": _read_lines(base / "tatoeba.ara-eng.eng")}
    fr = {"en": _read_lines(base / "tatoeba.fra-eng.eng"), "fr": _read_lines(base / "tatoeba.fra-eng.fra")}
    return _chunk("tatoeba-ar", ar, n_lines) + _chunk("tatoeba-fr", fr, n_lines)


def seed_blocks(raw_dir: Path) -> list[Block]:
    """The non-parallel seed articles: 001 and 003 (ar) against 002 (en) and 004 (fr)."""
    from aligner.ingest import ingest_file
    from aligner.segment import segment_document

    def sentences(prefix: str) -> list[str]:
        (path,) = sorted(raw_dir.glob(f"{prefix}_*.txt"))
        return [s.text for s in segment_document(ingest_file(path)) if s.text.strip()]

    english, french = sentences("002"), sentences("004")
    blocks = []
    for ar_doc in ("001", "003"):
        arabic = sentences(ar_doc)
        blocks.append(Block("seeds", f"seeds:{ar_doc}-002", {"ar": arabic, "en": english}, parallel=False))
        blocks.append(Block("seeds", f"seeds:{ar_doc}-004", {"ar": arabic, "fr": french}, parallel=False))
    return blocks


# -- candidates -----------------------------------------------------------------------------------
def _pair_langs(pair: str) -> tuple[str, str]:
    src, tgt = pair.split("-")
    return src, tgt


def parallel_candidates(block: Block, rng: random.Random, number_rng: random.Random | None = None) -> list[Candidate]:
    """Positives and negatives of one parallel block (see the module docstring)."""
    held = heldout_block(block.block_id)
    n = len(next(iter(block.lines.values())))
    variants = {lang: [line_variant(block.lines[lang], i, rng) for i in range(n)] for lang in block.langs}
    # extra wrong-number variants, from a generator of their own
    number_rng = number_rng or random.Random(f"{block.block_id}:numbers")
    numbers = {lang: [change_number(text, number_rng) if number_rng.random() < WRONG_NUMBER_SHARE else None
                      for text in block.lines[lang]] for lang in block.langs}
    out: list[Candidate] = []
    pairs = [p for p in PAIRS if set(_pair_langs(p)) <= set(block.langs)]
    for pair in pairs:
        a, b = _pair_langs(pair)
        src_lines, tgt_lines = block.lines[a], block.lines[b]
        src_ctx, tgt_ctx = tuple(src_lines), tuple(tgt_lines)
        third = [lang for lang in block.langs if lang not in (a, b)]

        def add(i: int, src: str, tgt: str, label: int, kind: str, src_span=None, tgt_span=None) -> None:
            if src.strip() and tgt.strip():
                context = (src_ctx if src_span is None else substitute(src_ctx, src_span, src),
                           tgt_ctx if tgt_span is None else substitute(tgt_ctx, tgt_span, tgt))
                out.append(Candidate(block.block_id, block.source, pair, src, tgt, label, kind, held, context, i))

        for i in range(n):
            add(i, src_lines[i], tgt_lines[i], 1, "gold")
            if n > 1:
                j = i + 1 if i + 1 < n else i - 1
                if tgt_lines[j] != tgt_lines[i]:
                    add(i, src_lines[i], tgt_lines[j], 0, "neighbour")
            far = [j for j in range(n) if abs(j - i) >= 2 and tgt_lines[j] != tgt_lines[i]]
            if far:
                add(i, src_lines[i], tgt_lines[rng.choice(far)], 0, "same_block")
            # derived variants: the target side's variant, and the source side's variant
            kind, text, span = variants[b][i]
            if text != tgt_lines[i]:
                add(i, src_lines[i], text, 0, kind, tgt_span=span)
            kind, text, span = variants[a][i]
            if text != src_lines[i]:
                add(i, text, tgt_lines[i], 0, kind, src_span=span)
            if numbers[b][i] and numbers[b][i] != tgt_lines[i]:
                add(i, src_lines[i], numbers[b][i], 0, "wrong_number", tgt_span=(i, i))
            if numbers[a][i] and numbers[a][i] != src_lines[i]:
                add(i, numbers[a][i], tgt_lines[i], 0, "wrong_number", src_span=(i, i))
            # a side in the wrong language: the third language's line, or the other side copied;
            # the side it replaces is drawn at random
            if third and rng.random() < 0.10:
                other = block.lines[third[0]][i]
                if rng.random() < 0.5:
                    add(i, src_lines[i], other, 0, "wrong_language", tgt_span=(i, i))
                else:
                    add(i, other, tgt_lines[i], 0, "wrong_language", src_span=(i, i))
            elif not third and block.source.startswith("tatoeba") and rng.random() < 0.10:
                if rng.random() < 0.5:
                    add(i, src_lines[i], src_lines[i], 0, "copy", tgt_span=(i, i))
                else:
                    add(i, tgt_lines[i], tgt_lines[i], 0, "copy", src_span=(i, i))
    return out


def seed_candidates(block: Block, similarity: Callable[[list[str], list[str]], np.ndarray],
                    rng: random.Random) -> list[Candidate]:
    """Same-topic negatives: every sentence with its most similar sentence of the other article and a random one."""
    held = block.block_id.startswith("seeds:003")  # 001 trains, 003 is held out
    a, b = block.langs
    pair = f"{a}-{b}"
    src_lines, tgt_lines = block.lines[a], block.lines[b]
    context = (tuple(src_lines), tuple(tgt_lines))
    sims = similarity(src_lines, tgt_lines)
    chosen: set[tuple[int, int]] = set()
    for i in range(len(src_lines)):
        chosen.add((i, int(np.argmax(sims[i]))))
        chosen.add((i, rng.randrange(len(tgt_lines))))
    for j in range(len(tgt_lines)):
        chosen.add((int(np.argmax(sims[:, j])), j))
    return [Candidate(block.block_id, block.source, pair, src_lines[i], tgt_lines[j], 0, "same_topic", held, context)
            for i, j in sorted(chosen)]


def build_candidates(blocks: Sequence[Block], similarity: Callable[[list[str], list[str]], np.ndarray],
                     seed: int = SEED) -> list[Candidate]:
    """All candidates of all blocks, deterministic for a given ``seed`` and block list."""
    out: list[Candidate] = []
    for block in blocks:
        rng = random.Random(f"{seed}:{block.block_id}")
        if block.parallel:
            out.extend(parallel_candidates(block, rng, random.Random(f"{seed}:{block.block_id}:numbers")))
        else:
            out.extend(seed_candidates(block, similarity, rng))
    return out


def default_blocks(bench_dir: Path, raw_dir: Path, unpc_lines: int = 480, tatoeba_lines: int = 1000,
                   ntrex_docs: int | None = None) -> list[Block]:
    """The standard data set: all NTREX documents, 480 UNPC lines, 1,000 Tatoeba pairs per pair, the seeds."""
    return (ntrex_blocks(bench_dir, ntrex_docs) + unpc_blocks(bench_dir, unpc_lines)
            + tatoeba_blocks(bench_dir, tatoeba_lines) + seed_blocks(raw_dir))


# -- features -------------------------------------------------------------------------------------
def embed_all(candidates: Sequence[Candidate], embedder) -> dict[str, np.ndarray]:
    """text -> vector for every text the candidates and their contexts use (one encode call)."""
    texts: dict[str, None] = {}
    for c in candidates:
        texts.setdefault(c.src)
        texts.setdefault(c.tgt)
        for side in c.context:
            for line in side:
                texts.setdefault(line)
    ordered = [t for t in texts if t.strip()]
    vecs = np.asarray(embedder.encode(ordered), dtype=np.float32)
    return dict(zip(ordered, vecs))


def expected_log_ratios(candidates: Sequence[Candidate]) -> dict[str, float]:
    """Median ``log(len(tgt)/len(src))`` of the *training* gold pairs of each language pair."""
    from .components import log_length_ratio

    out = {}
    for pair in PAIRS:
        ratios = [log_length_ratio(c.src, c.tgt) for c in candidates if c.pair == pair and c.label == 1 and not c.heldout]
        if ratios:
            out[pair] = float(np.median(ratios))
    return out


def featurize(candidates: Sequence[Candidate], vectors: dict[str, np.ndarray],
              expected: dict[str, float]) -> list[dict[str, float]]:
    """The components of every candidate, computed with the candidate's own context (its block's
    sentences, with the error substituted in) through :func:`aligner.score.pair_components`."""
    from . import pair_components

    groups: dict[tuple, list[int]] = {}
    for index, c in enumerate(candidates):
        groups.setdefault((c.pair, c.context), []).append(index)
    out: list[dict[str, float] | None] = [None] * len(candidates)
    for (pair, context), indexes in groups.items():
        src_lang, tgt_lang = _pair_langs(pair)
        src_ctx = np.stack([vectors[t] for t in dict.fromkeys(context[0]) if t.strip()])
        tgt_ctx = np.stack([vectors[t] for t in dict.fromkeys(context[1]) if t.strip()])
        src = [candidates[i].src for i in indexes]
        tgt = [candidates[i].tgt for i in indexes]
        rows = pair_components(src, tgt, src_lang, tgt_lang, src_vecs=np.stack([vectors[t] for t in src]),
                               tgt_vecs=np.stack([vectors[t] for t in tgt]), src_context=src_ctx,
                               tgt_context=tgt_ctx, expected_log_ratio=expected[pair])
        for i, row in zip(indexes, rows):
            out[i] = row
    return out  # type: ignore[return-value]
