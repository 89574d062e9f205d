"""Rules that find scraped page chrome among a document's lines, each with a stated reason.

The rules look at shape, position and repetition, never at the exact strings of particular pages:
a line is *body text* when it reads as a sentence (ends in sentence punctuation) and *chrome
candidate* when it is short and unpunctuated. Small multilingual lexicons (navigation phrases,
byline words, month names) are generic web vocabulary, not lists of known pages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import islice

import regex

from aligner.model import Span

# A line of at most this many words without sentence punctuation can be page furniture.
SHORT_LINE_WORDS = 6
# Headings are unpunctuated lines up to this long; longer unpunctuated lines are treated as text.
HEADING_MAX_WORDS = 20
# A line this short is judged by the date/agency/reading-time rules at all.
DATELINE_MAX_WORDS = 12

_WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+(?:['’\-][\p{L}\p{M}\p{N}]+)*")
_LETTER = regex.compile(r"\p{L}")
# Both read backwards from the end of a line, so a long line costs only its last characters.
_SENTENCE_END = regex.compile(r"(?r)[.!?…؟؛:][\s\"'»”’)\]|*]*")
_TRAILING_JUNK = regex.compile(r"(?r)[\s|•·*_\-–—]*")


@dataclass(frozen=True)
class Line:
    """One normalized, non-empty line of a document and where it came from."""

    line_number: int  # 1-based, in the decoded file
    text: str
    source: Span


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def at_most_words(text: str, limit: int) -> bool:
    """Whether ``text`` has at most ``limit`` words, reading no further than word ``limit + 1``."""
    return sum(1 for _ in islice(_WORD.finditer(text), limit + 1)) <= limit


def is_sentence_like(text: str) -> bool:
    """Ends like a sentence (trailing quotes, brackets and separators such as ``|`` ignored)."""
    return bool(_SENTENCE_END.match(text, 0, _TRAILING_JUNK.match(text).start()))


def is_chrome_shaped(text: str, max_words: int = SHORT_LINE_WORDS) -> bool:
    return not is_sentence_like(text) and at_most_words(text, max_words)


def _fold(text: str) -> str:
    """Case-, diacritic- and hamza-insensitive form for lexicon matching."""
    text = regex.sub(r"[\u064b-\u065f\u0670]", "", text.casefold())
    text = regex.sub(r"[إأآٱ]", "ا", text)
    text = text.replace("ى", "ي").replace("ة", "ه")
    return " ".join(words(text))


def _lexicon(*phrases: str) -> regex.Pattern:
    alternatives = "|".join(regex.escape(_fold(p)) for p in phrases)
    return regex.compile(rf"^(?:{alternatives})\b")


_NAVIGATION = _lexicon(
    "similar posts", "related posts", "related articles", "related stories", "related", "read more",
    "read also", "see also", "more from", "more stories", "you may also like", "recommended", "share",
    "share this", "tags", "comments", "leave a comment", "advertisement", "subscribe", "follow us",
    "articles similaires", "lire aussi", "à lire aussi", "lire la suite", "voir aussi", "partager",
    "sur le même sujet", "publicité", "abonnez-vous", "commentaires",
    "اقرأ المزيد", "اقرأ أيضا", "اقرأ ايضا", "مواضيع ذات صلة", "أخبار ذات صلة", "مقالات ذات صلة",
    "شارك", "شارك هذا", "تابعونا", "الوسوم", "التعليقات", "إعلان",
)
_BYLINE_START = _lexicon(
    "by", "written by", "posted by", "author", "authors", "editor", "staff", "reporter", "correspondent",
    "par", "auteur", "rédaction", "rédacteur", "correspondant", "envoyé spécial",
    "بقلم", "كتب", "كتبت", "إعداد", "تحرير", "المحرر", "محرر", "مراسل", "مراسلة",
)
_DESK = _lexicon(
    "متابعة", "وكالات", "خاص", "رويترز", "أ ف ب", "afp", "reuters", "ap", "ansa", "xinhua", "wam", "مواقع",
)
_SEPARATED = regex.compile(r"^(?P<left>[^-–—|]+)\s[-–—|]\s(?P<right>[^-–—|]+)$")

_READING_TIME = regex.compile(
    r"(?:\d+\s*(?:min(?:ute)?s?|sec(?:ond)?s?|mn|دقائق|دقيقة|دقيقتان|ثوان\w*|ثانية)\W*)+"
    r"(?:read(?:ing)?(?:\s+time)?|de\s+lecture|lecture|للقراءة|قراءة)"
    r"|(?:read(?:ing)?\s+time|temps\s+de\s+lecture|مدة\s+القراءة|وقت\s+القراءة)\W*\d+",
    flags=regex.IGNORECASE,
)
_DATE_WORDS = _lexicon(
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "am", "pm",
    "gmt", "utc", "updated", "published", "posted", "on", "at", "janvier", "février", "mars", "avril",
    "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre", "lundi", "mardi",
    "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "le", "à", "h", "mis à jour", "publié",
    "يناير", "فبراير", "مارس", "أبريل", "ابريل", "مايو", "يونيو", "يوليو", "أغسطس", "اغسطس", "سبتمبر",
    "أكتوبر", "اكتوبر", "نوفمبر", "ديسمبر", "كانون", "الثاني", "الأول", "شباط", "آذار", "نيسان", "أيار",
    "حزيران", "تموز", "آب", "أيلول", "تشرين", "الأحد", "الاثنين", "الإثنين", "الثلاثاء", "الأربعاء",
    "الخميس", "الجمعة", "السبت", "الساعة", "صباحا", "صباحاً", "مساء", "مساءً", "ص", "م", "نشر", "في",
    "آخر", "تحديث", "بتوقيت",
)


def _is_dateline(text: str) -> bool:
    if not at_most_words(text, DATELINE_MAX_WORDS) or not regex.search(r"\p{Nd}", text):
        return False
    tokens = words(text)
    if not tokens:
        return False
    leftover = [t for t in tokens if not regex.fullmatch(r"\p{Nd}+(?:st|nd|rd|th|er)?", t)
                and not _DATE_WORDS.match(_fold(t))]
    return len(leftover) <= 1 and len(leftover) < len(tokens) / 2


def _is_byline(text: str) -> bool:
    if not is_chrome_shaped(text):
        return False
    folded = _fold(text)
    if _BYLINE_START.match(folded):
        return True
    parts = _SEPARATED.match(text)
    return bool(parts) and any(_DESK.match(_fold(parts[side])) and len(words(parts[side])) <= 2
                               for side in ("left", "right"))


_SITE_SUFFIX = regex.compile(r"^(?P<main>.+?)\s+[|–—-]\s+(?P<site>[^|–—-]+)$")


def _page_title(text: str) -> str | None:
    """The headline part of a ``Headline | Site name`` page title, if ``text`` has that shape."""
    match = _SITE_SUFFIX.match(text)
    if match and len(words(match["site"])) <= 3 and len(words(match["main"])) > 3:
        return match["main"]
    return None


def duplicate_key(text: str) -> str:
    """Key under which repeated titles/ledes collide: a trailing ``| Site name`` and edge punctuation dropped."""
    return " ".join(words((_page_title(text) or text).casefold()))


Verdicts = dict[int, str]  # line position -> reason it is chrome
Rule = Callable[[Sequence[Line], Verdicts], Verdicts]


def rule_no_letters(lines: Sequence[Line], removed: Verdicts) -> Verdicts:
    return {i: "no-letters: separator or symbol line" for i, line in enumerate(lines)
            if not _LETTER.search(line.text)}


def rule_reading_time(lines: Sequence[Line], removed: Verdicts) -> Verdicts:
    return {i: "reading-time: estimated reading time" for i, line in enumerate(lines)
            if at_most_words(line.text, DATELINE_MAX_WORDS) and _READING_TIME.search(line.text)}


def rule_dateline(lines: Sequence[Line], removed: Verdicts) -> Verdicts:
    return {i: "dateline: date/time stamp" for i, line in enumerate(lines)
            if not is_sentence_like(line.text) and _is_dateline(line.text)}


def rule_byline(lines: Sequence[Line], removed: Verdicts) -> Verdicts:
    return {i: "byline: author or agency line" for i, line in enumerate(lines) if _is_byline(line.text)}


# "Read more: <a headline>": a label, a separator, the link text.
_LABELLED_LINK = regex.compile(r"^\s*(?P<label>[^:|»›\n]{1,40}?)\s*[:|»›]\s*\S")


def _is_labelled_link(text: str) -> bool:
    """A related-links or sharing line of any length: the whole label before the separator is
    navigation vocabulary ("Read more:", "À lire aussi :", "اقرأ أيضا:"), the rest a linked title."""
    match = _LABELLED_LINK.match(text)
    if not match:
        return False
    label = _fold(match["label"])
    found = _NAVIGATION.match(label)
    return bool(found) and found.end() == len(label)


def rule_navigation(lines: Sequence[Line], removed: Verdicts) -> Verdicts:
    return {i: "navigation: related-links or sharing widget" for i, line in enumerate(lines)
            if (is_chrome_shaped(line.text) and _NAVIGATION.match(_fold(line.text))) or _is_labelled_link(line.text)}


def rule_repeated(lines: Sequence[Line], removed: Verdicts) -> Verdicts:
    """Short repeated lines are captions/furniture (all go); long repeats keep their last copy.

    A short line repeated as a ``Headline | Site`` page title is the headline, so it keeps a copy too.
    """
    groups: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        if i not in removed:
            groups.setdefault(duplicate_key(line.text), []).append(i)
    verdicts: Verdicts = {}
    for positions in groups.values():
        if len(positions) < 2:
            continue
        is_title = any(_page_title(lines[i].text) for i in positions)
        if not is_title and all(is_chrome_shaped(lines[i].text) for i in positions):
            for i in positions:
                verdicts[i] = f"repeated-caption: short line repeated {len(positions)} times (image caption or furniture)"
        else:
            kept = positions[-1]
            for i in positions[:-1]:
                verdicts[i] = f"repeated-text: repeats line {lines[kept].line_number} (repeated headline or lede)"
    return verdicts


#: A repeated lede is looked for among the first lines only (it sits above the article).
LEDE_LINES = 8
LEDE_MIN_WORDS = 5


def rule_repeated_lede(lines: Sequence[Line], removed: Verdicts) -> Verdicts:
    """A line near the top that recurs as a sentence inside a later paragraph: a lede repeated
    above the article. The copy inside the text stays, so the sentence appears once.

    Only the first :data:`LEDE_LINES` lines are candidates, each searched once through the rest of
    the page: linear in the page's length.
    """
    verdicts: Verdicts = {}
    for i in range(min(LEDE_LINES, len(lines))):
        text = lines[i].text
        if i in removed or not is_sentence_like(text) or at_most_words(text, LEDE_MIN_WORDS - 1):
            continue
        for later in range(i + 1, len(lines)):
            other = lines[later].text
            at = other.find(text) if later not in removed and len(other) > len(text) else -1
            if at == 0 or (at > 0 and other[at - 1].isspace() and is_sentence_like(other[:at].rstrip())):
                verdicts[i] = f"repeated-text: repeats a sentence of line {lines[later].line_number} (repeated lede)"
                break
    return verdicts


def _body_positions(lines: Sequence[Line], removed: Verdicts) -> list[int]:
    return [i for i, line in enumerate(lines) if i not in removed and is_sentence_like(line.text)]


def rule_trailing(lines: Sequence[Line], removed: Verdicts) -> Verdicts:
    """Unpunctuated lines after the last body paragraph introduce nothing: footer or navigation."""
    body = _body_positions(lines, removed)
    if not body:
        return {}
    return {i: "trailing-furniture: unpunctuated line after the last paragraph of text"
            for i in range(body[-1] + 1, len(lines)) if i not in removed}


def rule_header(lines: Sequence[Line], removed: Verdicts) -> Verdicts:
    """Before the first body paragraph only the title survives: the longest unpunctuated line there."""
    body = _body_positions(lines, removed)
    end = body[0] if body else len(lines)
    header = [i for i in range(end) if i not in removed]
    if len(header) < 2:
        return {}
    title = max(header, key=lambda i: (len(words(lines[i].text)), i))
    return {i: f"header-furniture: line before the title (line {lines[title].line_number})"
            for i in header if i != title}


RULES: tuple[Rule, ...] = (
    rule_no_letters,
    rule_reading_time,
    rule_dateline,
    rule_byline,
    rule_navigation,
    rule_repeated,
    rule_repeated_lede,
    rule_trailing,
    rule_header,
)


#: The rules that judge a line by itself, without the rest of its page.
LINE_RULES: tuple[Rule, ...] = (rule_no_letters, rule_reading_time, rule_dateline, rule_byline, rule_navigation)


def furniture_reason(text: str) -> str | None:
    """Why ``text``, read on its own, is page furniture (a byline, a dateline, a sharing widget ...), or None."""
    line = [Line(0, text, Span(0, len(text)))]
    for rule in LINE_RULES:
        found = rule(line, {})
        if found:
            return found[0]
    return None


def find_boilerplate(lines: Sequence[Line]) -> Verdicts:
    """Apply every rule in order; a line removed by an earlier rule is not judged again."""
    removed: Verdicts = {}
    for rule in RULES:
        for position, reason in rule(lines, removed).items():
            removed.setdefault(position, reason)
    return removed


def is_heading(text: str) -> bool:
    return not is_sentence_like(text) and not at_most_words(text, 0) and at_most_words(text, HEADING_MAX_WORDS)
