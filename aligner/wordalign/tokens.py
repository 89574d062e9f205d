"""Word tokenization for alignment, with character offsets into the original text.

English and French go through sacremoses (``MosesTokenizer(lang).tokenize(text,
escape=False)``), as does Arabic (Moses keeps Arabic letters, harakat and
tatweel together and splits off ``،`` ``؛`` ``؟`` and the other punctuation).
Moses only decides where tokens start and end: every token is the exact slice
of the original text at its offsets, so ``tokens[i] == text[start:end]``
always holds, offsets increase and never overlap, and no token contains
whitespace.

Arabic proclitics can optionally be split off (``arabic_clitics``):

* ``"none"`` - whole words (the default: splitting did not help alignment on
  the hand-aligned seed set, see docs/wordalign.md);
* ``"cluster"`` - a word carrying the article is cut into its prefix cluster
  and stem: ``والمتظاهرين`` -> ``وال`` + ``متظاهرين``;
* ``"each"`` - each proclitic is its own token: ``و`` + ``ال`` + ``متظاهرين``,
  ``بالأمم`` -> ``ب`` + ``ال`` + ``أمم``, ``للمواطنين`` -> ``ل`` + ``ل`` +
  ``مواطنين`` (the article's alif is elided after the preposition ل).

Only words with the article are touched: the article anchors the analysis,
so ``وزارة`` (ministry) or ``وقت`` (time) are never mistaken for و + stem. The
price is that a conjunction before a verb (``وقالت``) stays attached.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

LANGUAGES = ("ar", "en", "fr")
CLITIC_MODES = ("none", "cluster", "each")
DEFAULT_ARABIC_CLITICS = "none"

Span = tuple[int, int]


@dataclass(frozen=True)
class Tokens:
    """A text, its tokens and each token's ``(start, end)`` character offsets into ``text``."""

    text: str
    tokens: tuple[str, ...]
    offsets: tuple[Span, ...]

    def __post_init__(self) -> None:
        if len(self.tokens) != len(self.offsets):
            raise ValueError(f"{len(self.tokens)} tokens but {len(self.offsets)} offsets")
        end = 0
        for token, (s, e) in zip(self.tokens, self.offsets):
            if s < end or e <= s or e > len(self.text):
                raise ValueError(f"offsets ({s}, {e}) of {token!r} overlap, are empty or fall outside the text")
            end = e

    def __len__(self) -> int:
        return len(self.tokens)

    @classmethod
    def from_spans(cls, text: str, spans: Sequence[Span]) -> Tokens:
        """Tokens that are the slices of ``text`` at ``spans``."""
        spans = tuple((int(s), int(e)) for s, e in spans)
        return cls(text, tuple(text[s:e] for s, e in spans), spans)

    @classmethod
    def from_pretokenized(cls, tokens: Sequence[str]) -> Tokens:
        """Already tokenized words (e.g. one side of a ``src ||| tgt`` line): text = the words joined by spaces."""
        words = [str(t) for t in tokens]
        for word in words:
            if not word or any(ch.isspace() for ch in word):
                raise ValueError(f"a pretokenized word must be non-empty and contain no whitespace, got {word!r}")
        spans, pos = [], 0
        for word in words:
            spans.append((pos, pos + len(word)))
            pos += len(word) + 1
        return cls(" ".join(words), tuple(words), tuple(spans))


@lru_cache(maxsize=8)
def _moses(lang: str):
    from sacremoses import MosesTokenizer

    return MosesTokenizer(lang=lang)


def _locate(text: str, pieces: Sequence[str]) -> list[Span] | None:
    """Spans of ``pieces`` found in order in ``text`` (only whitespace between them), else None."""
    spans, pos = [], 0
    for piece in pieces:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if not text.startswith(piece, pos):
            return None
        spans.append((pos, pos + len(piece)))
        pos += len(piece)
    return spans


def _align_by_characters(text: str, pieces: Sequence[str]) -> list[Span]:
    """Spans for pieces that Moses altered: align their characters to the text's non-space characters.

    Moses deletes control characters and may rewrite a few sequences; the
    characters that still match tell where each piece sits in the original.
    A piece with no matching character is dropped.
    """
    positions = [i for i, ch in enumerate(text) if not ch.isspace()]
    visible = "".join(text[i] for i in positions)
    joined = "".join(pieces)
    owner = [k for k, piece in enumerate(pieces) for _ in piece]  # char of `joined` -> piece index
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, joined, visible, autojunk=False)
    for block in matcher.get_matching_blocks():
        for d in range(block.size):
            k, at = owner[block.a + d], positions[block.b + d]
            first.setdefault(k, at)
            last[k] = at + 1
    spans, end = [], 0
    for k in sorted(first):
        s, e = max(first[k], end), last[k]
        if e > s:
            spans.append((s, e))
            end = e
    return spans


def _split_whitespace(text: str, spans: list[Span]) -> list[Span]:
    """Cut any span that contains whitespace into its non-space runs."""
    out = []
    for s, e in spans:
        chunk = text[s:e]
        if any(ch.isspace() for ch in chunk):
            out.extend((s + m.start(), s + m.end()) for m in re.finditer(r"\S+", chunk))
        else:
            out.append((s, e))
    return out


def _is_invisible(ch: str) -> bool:
    """Control and format characters (e.g. U+007F, a zero-width space): never a token on their own."""
    return unicodedata.category(ch) in ("Cc", "Cf")


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M")


def _glue_marks(text: str, spans: list[Span]) -> list[Span]:
    """Re-attach combining marks that Moses split off a letter (``e`` + U+0301 + ``te`` -> ``été``).

    A span made only of combining marks joins the span it touches on the left,
    and the span touching it on the right joins too when that one starts with
    a letter or digit (Moses had padded the mark on both sides).
    """
    out: list[Span] = []
    previous_is_mark = False
    for s, e in spans:
        is_mark = all(_is_mark(c) for c in text[s:e])
        touching = bool(out) and out[-1][1] == s
        if touching and (is_mark or (previous_is_mark and text[s].isalnum())):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
        previous_is_mark = is_mark
    return out


def moses_spans(text: str, lang: str) -> list[Span]:
    """Token spans of ``text`` as cut by sacremoses for ``lang``."""
    # Moses knows elision only with ASCII apostrophes (l'homme, don't); news text often has
    # U+2019.  Replacing one character by one keeps every offset valid for the original.
    plain = text.replace("\u2019", "'") if lang in ("en", "fr") else text
    pieces = [p for p in _moses(lang).tokenize(plain, escape=False) if p]
    spans = _locate(plain, pieces)
    if spans is None:
        spans = _align_by_characters(plain, pieces)
    spans = _glue_marks(text, _split_whitespace(text, spans))
    return [(s, e) for s, e in spans if not all(_is_invisible(c) for c in text[s:e])]


# --- Arabic proclitics -----------------------------------------------------------------

_ARABIC_LETTER = r"[\u0621-\u064A\u066E-\u06D3\u06FA-\u06FF]"
_PROCLITICS = re.compile(
    rf"^(?P<conj>[وف])?(?:(?P<prep>[بك])?(?P<art>ال)|(?P<lam>ل)(?P<lart>ل))(?P<stem>{_ARABIC_LETTER}.*)$"
)
# Words whose initial و/ال/لل is part of the word, not a clitic.
_NOT_ARTICLE = frozenset(
    "الذي التي الذين اللذان اللذين اللتان اللتين اللاتي اللواتي اللائي الله اللهم الى الا الآن".split()
)
_NOT_CONJ_PREFIXES = ("والد", "والي")  # والد father, والي governor
_MIN_STEM = 2  # one more after a preposition: وكالات is "agencies", not و+ك+ال+ات


def arabic_clitic_spans(word: str, mode: str = "each") -> list[Span]:
    """Spans (relative to ``word``) of the proclitics and stem of an Arabic word, per ``mode``.

    Only words carrying the article (``ال``, or ``لل`` after the preposition
    ل) are split; anything else comes back whole.
    """
    if mode not in CLITIC_MODES:
        raise ValueError(f"arabic_clitics must be one of {CLITIC_MODES}, got {mode!r}")
    whole = [(0, len(word))]
    if mode == "none" or word in _NOT_ARTICLE:
        return whole
    m = _PROCLITICS.match(word)
    if m is None or len(m["stem"]) < _MIN_STEM + bool(m["prep"] or m["lam"]):
        return whole
    if m["conj"] and (word.startswith(_NOT_CONJ_PREFIXES) or word[1:] in _NOT_ARTICLE):
        return whole
    stem = m.start("stem")
    if mode == "cluster":
        return [(0, stem), (stem, len(word))]
    parts = [m.span(g) for g in ("conj", "prep", "art", "lam", "lart") if m[g]]
    return [*parts, (stem, len(word))]


def tokenize(text: str, lang: str, *, arabic_clitics: str = DEFAULT_ARABIC_CLITICS) -> Tokens:
    """Tokens of ``text`` in ``lang`` (``ar``, ``en`` or ``fr``) with their character offsets."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; expected one of {LANGUAGES}")
    if arabic_clitics not in CLITIC_MODES:
        raise ValueError(f"arabic_clitics must be one of {CLITIC_MODES}, got {arabic_clitics!r}")
    spans = moses_spans(text, lang)
    if lang == "ar" and arabic_clitics != "none":
        spans = [(s + a, s + b) for s, e in spans for a, b in arabic_clitic_spans(text[s:e], arabic_clitics)]
    return Tokens.from_spans(text, spans)


def containing_tokens(fine: Tokens, coarse: Tokens) -> list[int]:
    """For each token of ``fine``, the index of the ``coarse`` token that contains it.

    Both must tokenize the same text, ``coarse`` into units no smaller than
    ``fine``'s (e.g. clitics split vs whole words). Used to move links from
    clitic tokens onto whole words.
    """
    if fine.text != coarse.text:
        raise ValueError("the two tokenizations are of different texts")
    out, k = [], 0
    for s, e in fine.offsets:
        while k < len(coarse) and coarse.offsets[k][1] <= s:
            k += 1
        if k == len(coarse) or not (coarse.offsets[k][0] <= s and e <= coarse.offsets[k][1]):
            raise ValueError(f"token {fine.text[s:e]!r} at {s}-{e} is not inside a single coarser token")
        out.append(k)
    return out
