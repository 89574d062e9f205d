"""Unicode and whitespace normalization of one line of scraped text.

The line's position in the decoded file is kept by the caller, so the original stays recoverable;
here we only make the text canonical for segmentation, language ID and embedding.
"""

from __future__ import annotations

import unicodedata

import regex

# Invisible characters that carry no text: zero-width spaces/joiners, word joiner, BOM, soft hyphen.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
# Bidi controls (marks, embeddings, overrides, isolates, Arabic letter mark).
_BIDI_CONTROLS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_TATWEEL = "\u0640"
_DELETE = str.maketrans("", "", _INVISIBLE + _BIDI_CONTROLS + _TATWEEL)
_CONTROLS = regex.compile(r"[\p{Cc}--[\n]]", flags=regex.V1)
_SPACES = regex.compile(r"[\p{Zs}\t]+")
LINE_BREAK = regex.compile(r"\r\n|[\n\r\v\f\x85\u2028\u2029]")


def normalize_line(line: str) -> str:
    """NFC, drop invisible/bidi/tatweel/control characters, fold every space to one ASCII space."""
    text = unicodedata.normalize("NFC", line).translate(_DELETE)
    text = _CONTROLS.sub("", text)
    return _SPACES.sub(" ", text).strip()
