"""Word alignment: tokenize with offsets, word vectors from the shared encoder pass, match stored vectors.

Importing this package is cheap: torch and transformers are imported only
when a model is first used. See docs/wordalign.md and docs/word-model.md.
"""

from .align import (
    DEFAULT_LAYER,
    DEFAULT_METHOD,
    STOPWORDS,
    EncodedSentence,
    WordAligner,
    align_pretokenized_lines,
    align_vectors,
    content_coverage,
    format_pharaoh,
    is_content_word,
    similarity_matrix,
    word_aligner_for,
)
from .match import METHODS, argmax, get_matcher, itermax, match
from .tokens import CLITIC_MODES, Tokens, arabic_clitic_spans, containing_tokens, tokenize

__all__ = [
    "CLITIC_MODES",
    "DEFAULT_LAYER",
    "DEFAULT_METHOD",
    "METHODS",
    "STOPWORDS",
    "EncodedSentence",
    "Tokens",
    "WordAligner",
    "align_pretokenized_lines",
    "align_vectors",
    "arabic_clitic_spans",
    "argmax",
    "containing_tokens",
    "content_coverage",
    "format_pharaoh",
    "get_matcher",
    "is_content_word",
    "itermax",
    "match",
    "similarity_matrix",
    "tokenize",
    "word_aligner_for",
]
