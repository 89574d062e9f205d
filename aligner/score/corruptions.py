"""The corrupted lines the quality model's negatives are made of (see :mod:`aligner.score.training`):
a sentence truncated, run on into its neighbour, cut at a misplaced boundary, or with one number
changed, and the document as it reads with such a line in it.

A module of its own because these are plain text edits, each a function of a line and a seeded
random generator, independent of where the lines come from and of how candidates are paired.
"""

from __future__ import annotations

import random

import regex

from aligner.embed.lexical import _DIGITS

from .numbers import _ENUMERATOR

_DIGIT_RUN = regex.compile(r"[0-9]+|[٠-٩]+|[۰-۹]+")
_ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"
_EASTERN = "۰۱۲۳۴۵۶۷۸۹"


def truncate(text: str, rng: random.Random) -> str:
    """30-70% of the words, from the start or the end (at least one word, never all)."""
    words = text.split()
    if len(words) < 2:
        keep = max(1, int(len(text) * rng.uniform(0.3, 0.7)))
        return text[:keep] if rng.random() < 0.5 else text[-keep:]
    keep = min(len(words) - 1, max(1, round(len(words) * rng.uniform(0.3, 0.7))))
    return " ".join(words[:keep] if rng.random() < 0.5 else words[-keep:])


def overlap(text: str, following: str, rng: random.Random) -> str:
    """The end of ``text`` (40-70% of its words) followed by the start of ``following`` (30-60%)."""
    a, b = text.split(), following.split()
    tail = a[len(a) - max(1, round(len(a) * rng.uniform(0.4, 0.7))) :]
    head = b[: max(1, round(len(b) * rng.uniform(0.3, 0.6)))]
    return " ".join(tail + head)


def _digits_like(value: int, template: str) -> str:
    text = str(value)
    if template[0] in _ARABIC_INDIC:
        return text.translate(str.maketrans("0123456789", _ARABIC_INDIC))
    if template[0] in _EASTERN:
        return text.translate(str.maketrans("0123456789", _EASTERN))
    return text


def change_number(text: str, rng: random.Random) -> str | None:
    """``text`` with one run of digits changed to another value (same digit script); None without digits."""
    runs = list(_DIGIT_RUN.finditer(text))
    if not runs:
        return None
    run = rng.choice(runs)
    enumerator = _ENUMERATOR.match(text.translate(_DIGITS))
    if enumerator and run.start() < enumerator.end():  # a list number is layout, not content: use the next
        later = [r for r in runs if r.start() >= enumerator.end()]
        if not later:
            return None
        run = later[0]
    digits = run.group()
    value = int(digits.translate(str.maketrans(_ARABIC_INDIC + _EASTERN, "0123456789" * 2)))
    if 1900 <= value <= 2100 and len(digits) == 4:
        new = value + rng.choice((-3, -2, -1, 1, 2, 3))
    elif value < 10:
        new = rng.choice([v for v in range(2, 13) if v != value])
    else:
        new = value + max(1, round(value * rng.uniform(0.1, 0.9))) * rng.choice((-1, 1))
        if new <= 0 or new == value:
            new = value * 2
    return text[: run.start()] + _digits_like(new, digits) + text[run.end() :]


def line_variant(lines: list[str], i: int, rng: random.Random) -> tuple[str, str, tuple[int, int]]:
    """``(kind, text, (first, last))``: the corrupted version of line ``i`` used by this line's derived
    negatives, and the lines it was made from."""
    text = lines[i]
    has_next = i + 1 < len(lines)
    has_prev = i > 0
    if _DIGIT_RUN.search(text) and rng.random() < 0.35:
        changed = change_number(text, rng)
        if changed is not None and changed != text:
            return "wrong_number", changed, (i, i)
    kinds = ["truncated"]
    if has_next or has_prev:
        kinds += ["concatenated", "overlap"]
    kind = rng.choice(kinds)
    if kind == "truncated":
        return kind, truncate(text, rng), (i, i)
    span = (i, i + 1) if has_next else (i - 1, i)
    if kind == "concatenated":
        return kind, f"{text} {lines[i + 1]}" if has_next else f"{lines[i - 1]} {text}", span
    following = lines[i + 1] if has_next else text
    preceding = text if has_next else lines[i - 1]
    return kind, overlap(preceding, following, rng), span


def substitute(lines: tuple[str, ...], span: tuple[int, int], text: str) -> tuple[str, ...]:
    """``lines`` with lines ``span[0]..span[1]`` replaced by ``text``: the document as it reads if
    ``text`` is what it contains there."""
    first, last = span
    return (*lines[:first], text, *lines[last + 1 :])
