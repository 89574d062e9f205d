"""Text without sentence punctuation: run-on spans cut at line breaks, then at clause cues.

A document written without full stops (a transcript, a scraped page that lost them, Arabic typed
with commas only) comes out of any sentence splitter as one "sentence" per paragraph, and one
segment cannot be aligned with the twenty sentences of its translation. Such spans are cut here
into pieces of the length of ordinary sentences. Two cases, measured in English-equivalent
characters (:data:`CHARS_PER_ENGLISH_CHAR`):

* a **document without sentence punctuation**: its character-weighted mean sentence length (the
  length of the sentence an average character is in) is over :data:`UNPUNCTUATED_MEAN` (400:
  about three ordinary sentences; 137-239 median and at most 325 per document in NTREX dev, the UN
  dev set by blocks of 20 lines, the seeds and the news_hard benchmark). Every non-heading span of
  it longer than :data:`MAX_PIECE` is cut;
* a **very long sentence** in any document: a span over :data:`LONG_SENTENCE` (800, above the
  longest sentence of those sets: 636 in the UN dev set) is cut.

Ordinary punctuated text meets neither and segments exactly as before.

A span is cut at its line breaks first, then at every strong cue (below) that leaves at least
:data:`MIN_PIECE` characters on both sides, then each piece still longer than :data:`MAX_PIECE` at the
strongest clause cue between :data:`MIN_PIECE` and :data:`MAX_PIECE` characters from the piece's
start (ties: the one nearest :data:`TARGET_PIECE`). Cues, strongest first:

1. a semicolon; a sentence opener with a capital after a lower-case word or a number (``... in
   Geneva The envoy said``, ``... lundi Le conseil``), or an Arabic sentence-opening word (``وقال``,
   ``وأضاف``, ``من جهته``...): where a full stop was;
2. a clause join after a comma (``, and`` ``, but`` ``, et`` ``, mais`` ``، و``): the cut goes after the comma;
3. any other comma (``,`` ``،``) or colon before a space;
4. a bare conjunction (``and`` ``but`` ``et`` ``mais``, an Arabic word beginning with ``و``: most
   Arabic sentences do, and so do some nouns, hence the low rank);
5. failing all, the space nearest the target (or a hard cut in a "word" of :data:`MAX_PIECE` characters).

Cues are found in one pass over the span and each is weighed a bounded number of times, so the
cost is linear in the span's length.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import regex

from aligner.segment.rules import trim_spans

#: Characters per character of English for the same content (the figures of
#: :data:`aligner.docalign.fingerprint.CHARS_PER_ENGLISH_CHAR`, measured on NTREX-128).
CHARS_PER_ENGLISH_CHAR = {"ar": 0.93, "en": 1.0, "fr": 1.17}

#: Pieces of a cut span: at least this long (a cue closer to the start is ignored)...
MIN_PIECE = 50
#: ...aimed at this length (an ordinary news sentence: medians 106-125 characters in NTREX dev)...
TARGET_PIECE = 120
#: ...and at most this long (about the 75th percentile of ordinary sentences; the 95th is 227-305).
MAX_PIECE = 160
#: A document whose character-weighted mean sentence length exceeds this has no sentence punctuation.
UNPUNCTUATED_MEAN = 400
#: A span longer than this is cut in any document.
LONG_SENTENCE = 800

_EN_OPENERS = ("The|A|An|It|He|She|They|We|You|This|That|These|Those|There|In|On|At|But|However|Meanwhile|"
               "Its|His|Her|Their|Our|After|Before|When|While|According|Some|Many|Most|Officials|Police")
_FR_OPENERS = ("Le|La|Les|L['’]|Un|Une|Il|Elle|Ils|Elles|On|Nous|Je|Ce|Cette|Ces|Cela|Dans|Mais|Selon|Depuis|"
               "Après|Avant|Lors|Au|Aux|Du|Des|Son|Sa|Ses|Leur|Leurs|Cependant|Toutefois|Pour|Par")
_AR_OPENERS = ("وقال|وقالت|وأضاف|وأضافت|وأكد|وأكدت|وأشار|وأشارت|وأوضح|وأوضحت|وتابع|وتابعت|وذكر|وذكرت|"
               "وأعلن|وأعلنت|وأفاد|وأفادت|ويقول|وتقول|ويذكر|وكان|وكانت|ولكن|لكن|غير أن|إلا أن|"
               "من جهته|من جهتها|ومن جهته|ومن جهتها|في المقابل|وفي المقابل|في غضون ذلك|وفي غضون ذلك|"
               "وبحسب|ووفقا")
_OPENER = {
    "en": regex.compile(rf"(?<=[\p{{Ll}}\p{{M}}\d])\s+(?=(?:{_EN_OPENERS})\b)"),
    "fr": regex.compile(rf"(?<=[\p{{Ll}}\p{{M}}\d])\s+(?=(?:{_FR_OPENERS})(?:\b|(?<=['’])))"),
    "ar": regex.compile(rf"(?<=\p{{Arabic}}|\d)\s+(?=(?:{_AR_OPENERS})(?!\p{{L}}))"),
}
_SEMICOLON = regex.compile(r"[;؛](?=\s)")
_JOIN = regex.compile(r"[,،](?=\s*(?:(?:and|but|or|while|et|mais|ou|tandis|puis)\b|و\p{Arabic}))")
_COMMA = regex.compile(r"[,،:](?=\s)")
_CONJUNCTION = {  # a bare conjunction, no comma before it: the cut goes before the space
    "en": regex.compile(r"\s+(?=(?:and|but|while|whereas)\b)"),
    "fr": regex.compile(r"\s+(?=(?:et|mais|tandis|alors)\b)"),
    "ar": regex.compile(r"(?<=\p{Arabic})\s+(?=و\p{Arabic})"),
}
_SPACE = regex.compile(r"\s+")

#: Cue strengths (higher wins inside the window).
_STRONG, _JOINED, _CLAUSE, _BARE = 4, 3, 2, 1


def _scale(lang: str) -> float:
    return CHARS_PER_ENGLISH_CHAR.get(lang, 1.0)


def is_unpunctuated(lengths: Iterable[int], lang: str) -> bool:
    """Whether sentences of these lengths (characters) come from text without sentence punctuation."""
    lengths = list(lengths)
    total = sum(lengths)
    return bool(total) and sum(n * n for n in lengths) / total > UNPUNCTUATED_MEAN * _scale(lang)


def _cues(text: str, start: int, end: int, lang: str) -> list[tuple[int, int]]:
    """``(cut position, strength)`` of every clause cue in ``text[start:end]``, in order of position."""
    found: dict[int, int] = {}
    opener = _OPENER.get(lang)
    for pattern, strength, at_end in ((_CONJUNCTION.get(lang), _BARE, False), (_COMMA, _CLAUSE, True),
                                      (_JOIN, _JOINED, True), (_SEMICOLON, _STRONG, True), (opener, _STRONG, False)):
        if pattern is None:
            continue
        for match in pattern.finditer(text, start, end):
            position = match.end() if at_end else match.start()
            if start < position < end:
                found[position] = max(found.get(position, 0), strength)
    return sorted(found.items())


def _cut_line(text: str, start: int, end: int, lang: str) -> list[tuple[int, int]]:
    """Pieces of ``text[start:end]`` (one line): cut at its strong cues, then to :data:`MAX_PIECE` (scaled)."""
    low = round(MIN_PIECE * _scale(lang))
    cues = _cues(text, start, end, lang)
    pieces: list[tuple[int, int]] = []
    begin, first = start, 0
    for index, (position, strength) in enumerate(cues):
        if strength == _STRONG and position - begin >= low and end - position >= low:
            pieces.extend(_cut_to_length(text, begin, position, cues[first:index], lang))
            begin, first = position, index + 1
    pieces.extend(_cut_to_length(text, begin, end, cues[first:], lang))
    return pieces


def _cut_to_length(text: str, start: int, end: int, cues: Sequence[tuple[int, int]], lang: str) -> list[tuple[int, int]]:
    """``text[start:end]`` in pieces of at most :data:`MAX_PIECE` (scaled), cut at the best of ``cues`` (inside it)."""
    scale = _scale(lang)
    low, target, high = round(MIN_PIECE * scale), round(TARGET_PIECE * scale), round(MAX_PIECE * scale)
    pieces: list[tuple[int, int]] = []
    first = 0  # index of the first cue not behind the current piece's start
    while end - start > high:
        while first < len(cues) and cues[first][0] < start + low:
            first += 1
        best, best_key = 0, None
        index = first
        while index < len(cues) and cues[index][0] <= start + high:
            position, strength = cues[index]
            if end - position >= low:  # no tiny tail
                key = (strength, -abs(position - start - target))
                if best_key is None or key > best_key:
                    best, best_key = position, key
            index += 1
        if not best:
            spaces = [m.start() for m in _SPACE.finditer(text, start + low, start + high)]
            best = min(spaces, key=lambda p: (abs(p - start - target), p)) if spaces else start + high
        pieces.append((start, best))
        start = best
    pieces.append((start, end))
    return pieces


def cut_run_on(text: str, start: int, end: int, lang: str) -> list[tuple[int, int]]:
    """``text[start:end]`` cut at its line breaks, then every line at clause cues (see the module doc)."""
    pieces: list[tuple[int, int]] = []
    line_start = start
    for match in regex.finditer(r"[\n\r\u2028\u2029\x0b\x0c\x1c-\x1e\x85]+", text[start:end]):
        pieces.extend(_cut_line(text, line_start, start + match.start(), lang))
        line_start = start + match.end()
    pieces.extend(_cut_line(text, line_start, end, lang))
    return trim_spans(text, pieces)


def cut_long_spans(text: str, spans: Sequence[tuple[int, int]], lang: str, unpunctuated: bool) -> list[tuple[int, int]]:
    """``spans`` of one paragraph with the run-on ones cut: over :data:`MAX_PIECE` in a document without
    sentence punctuation (``unpunctuated``), over :data:`LONG_SENTENCE` in any."""
    limit = (MAX_PIECE if unpunctuated else LONG_SENTENCE) * _scale(lang)
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if end - start > limit:
            out.extend(cut_run_on(text, start, end, lang))
        else:
            out.append((start, end))
    return out
