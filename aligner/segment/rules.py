"""Rule-based sentence boundaries for Arabic, English and French news text.

A boundary candidate is a run of sentence-final punctuation (``. ! ? … ؟ ؛``) plus any closing
quotes or brackets. It is rejected when what surrounds it says "not the end": a digit on both sides
(``1.000``), a known abbreviation or an initial before a full stop (``Mme``, ``U.S.``, ``J.``), a
lower-case word or a comma after it (``», a déclaré``). A full stop glued to a capitalised word
(``Afghanistan.All``) is a boundary. The Arabic comma is never one.
"""

from __future__ import annotations

from collections.abc import Iterable

import regex

_CANDIDATE = regex.compile(r"(?:\.{3}|[.!?…؟؛])+(?:\s?[»”’\"')\]}])*")
# Searched backwards from the full stop, so finding the word costs its length, not the text's.
_TOKEN_BEFORE = regex.compile(r"(?r)[\w.'’\-]+$")
#: The word before a full stop is read from at most this many characters back: abbreviations and
#: acronyms are short; a longer "word" (a URL, a run of dots) is judged by its last 100 characters.
MAX_TOKEN_CHARS = 100
_SPACE_RUN = regex.compile(r"[\s\x1c-\x1f]*")  # what str.isspace() calls a space
_LAST_TEXT = regex.compile(r"(?r)[\p{L}\p{N}]")
_CONTINUES = regex.compile(r"[\p{Ll},;:)\]]")
# Capitalised acronyms and initials with inner dots (U.S., U.N., J.-P.): the next word decides.
_ACRONYM = regex.compile(r"(?:\p{Lu}\.-?)+\p{Lu}")
_NEXT_WORD = regex.compile(r"[\W_]*(\w+)")
# Words that typically open a sentence; after an acronym they signal a new sentence.
_SENTENCE_OPENERS = {
    "en": {"the", "a", "an", "it", "he", "she", "they", "we", "i", "you", "this", "that", "these", "those",
           "there", "in", "on", "at", "but", "and", "however", "meanwhile", "its", "his", "her", "their", "our",
           "after", "before", "when", "while", "as", "if", "for", "according", "some", "many", "most", "no"},
    "fr": {"le", "la", "les", "l", "un", "une", "il", "elle", "ils", "elles", "on", "nous", "je", "ce", "cette",
           "ces", "dans", "en", "mais", "et", "selon", "depuis", "après", "avant", "lors", "au", "aux", "du",
           "des", "son", "sa", "ses", "leur", "leurs", "cependant", "toutefois", "pour", "par"},
}

# Abbreviations after which a full stop never ends the sentence (lower-cased, without final dot).
_NEVER_FINAL_ANY = {"dr", "st", "cf", "vs", "e.g", "i.e", "prof"}
_NEVER_FINAL = {
    "en": {"mr", "mrs", "ms", "mt", "gen", "col", "lt", "sgt", "capt", "gov", "sen", "rep", "rev", "hon", "pres",
           "messrs", "approx", "viz", "fig", "ft"},
    "fr": {"m", "mm", "mme", "mmes", "mlle", "mlles", "pr", "me", "mgr", "ste", "ex", "av", "env", "chap", "éd",
           "vol", "art", "c.-à-d", "p.ex"},
}
# Abbreviations that are followed by a number (``No. 5``, ``Jan. 5``, ``art. 3``).
_BEFORE_NUMBER = {"no", "nos", "n°", "nº", "art", "p", "pp", "vol", "ch", "fig", "para", "jan", "feb", "mar",
                  "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "janv", "févr", "avr",
                  "juil", "déc"}


def _token_before(text: str, position: int) -> str:
    """The word before a full stop, without an elided article (``l'art`` -> ``art``)."""
    match = _TOKEN_BEFORE.search(text, max(0, position - MAX_TOKEN_CHARS), position)
    return regex.split(r"['’]", match.group(0))[-1].lstrip("-") if match else ""


def _is_abbreviation(token: str, lang: str, next_char: str) -> bool:
    folded = token.casefold()
    if folded in _NEVER_FINAL_ANY or folded in _NEVER_FINAL.get(lang, ()):
        return True
    if next_char.isdigit() and folded in _BEFORE_NUMBER:
        return True
    # a single letter is an initial (J. K. Rowling, M. Dupont) or an Arabic abbreviation (د. for doctor)
    return len(token) == 1 and token.isalpha()


def _full_stop_ends_sentence(text: str, stop: int, next_pos: int, spaced: bool, lang: str) -> bool:
    """Decide for a single ``.`` at ``stop`` whose next non-space character is at ``next_pos``."""
    before = text[stop - 1] if stop else ""
    after = text[next_pos]
    token = _token_before(text, stop)
    if not spaced:
        if before.isdigit() and after.isdigit():
            return False  # 1.000, 3.5
        glued = after.isupper() and next_pos + 1 < len(text) and text[next_pos + 1].islower()
        arabic = regex.match(r"\p{Arabic}", after) and regex.match(r"\p{Arabic}", before or " ")
        plain_word = len(token) >= 2 and "." not in token and not _is_abbreviation(token, lang, after)
        return bool((glued or arabic) and plain_word)
    if _is_abbreviation(token, lang, after):
        return False
    if _ACRONYM.fullmatch(token):
        next_word = _NEXT_WORD.match(text, next_pos)
        return bool(next_word) and next_word.group(1).casefold() in _SENTENCE_OPENERS.get(lang, ())
    return True


def sentence_spans(text: str, lang: str) -> list[tuple[int, int]]:
    """Spans ``[start, end)`` of the sentences of one paragraph, whitespace excluded.

    Each candidate looks only at its own neighbourhood (never copies or scans the rest of the
    paragraph), so the cost is linear in the paragraph's length however long it is.
    """
    starts = [0]
    last_text = _LAST_TEXT.search(text)
    text_ends_at = last_text.start() if last_text else -1
    for match in _CANDIDATE.finditer(text):
        end = match.end()
        next_pos = _SPACE_RUN.match(text, end).end()
        if next_pos == len(text):
            break
        spaced = next_pos > end
        punctuation = match.group(0).rstrip("»”’\"')]} ")
        if _CONTINUES.match(text, next_pos) or next_pos > text_ends_at:
            continue  # lower case or a comma after it (reporting clause, abbreviation), or only symbols left
        if lang == "ar" and punctuation in ("...", "…"):
            continue  # Arabic has no case to tell a pause from a sentence end; the pause is far more common
        if punctuation == ".":
            if not _full_stop_ends_sentence(text, match.start(), next_pos, spaced, lang):
                continue
        elif not spaced and not (text[next_pos].isalpha() or text[next_pos] in "«“\"'"):
            continue
        starts.append(next_pos)
    return trim_spans(text, zip(starts, [*starts[1:], len(text)]))


def trim_spans(text: str, pieces: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans without surrounding whitespace; empty pieces dropped."""
    spans = []
    for start, end in pieces:
        piece = text[start:end]
        left = len(piece) - len(piece.lstrip())
        right = len(piece.rstrip())
        if right > left:
            spans.append((start + left, start + right))
    return spans


#: Longest segment kept whole (characters): the encoders read about 512 subwords, and a run-on
#: "sentence" longer than this is a scraping accident or a text without punctuation.
MAX_SEGMENT_CHARS = 1500

_CLAUSE_END = regex.compile(r"[,;:\u060c\u061b)\]»”](?=\s)")
_SPACE = regex.compile(r"\s")


def bound_spans(text: str, spans: Iterable[tuple[int, int]], max_chars: int = MAX_SEGMENT_CHARS) -> list[tuple[int, int]]:
    """Spans no longer than ``max_chars``: longer ones are cut after the last clause mark, else at the last
    space, else hard, within the limit (never losing a character: pieces are then trimmed of whitespace)."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        while end - start > max_chars:
            window = text[start : start + max_chars]
            floor = max_chars // 3
            cut = max((m.end() for m in _CLAUSE_END.finditer(window, floor)), default=0)
            if not cut:
                cut = max((m.start() for m in _SPACE.finditer(window, floor)), default=0)
            cut = cut or max_chars
            out.extend(trim_spans(text, [(start, start + cut)]))
            start += cut
        out.extend(trim_spans(text, [(start, end)]))
    return out
