"""A word-by-word gloss "translation system" learnt from the corpus itself: a floor for MT scores.

Method (deliberately simple, fully offline):

1. **Tokens.** Each side is cut with :func:`aligner.wordalign.tokens.tokenize` (sacremoses for ar,
   en, fr). Arabic *source* words also lose their proclitics (``arabic_clitics="each"``:
   ``والمتظاهرين`` -> ``و`` ``ال`` ``متظاهرين``) so that "and" and "the" can be glossed; Arabic
   *target* words stay whole so that the output is made of real words. Tokens are lowercased for
   learning and lookup.
2. **Dictionary.** IBM Model 1 (Brown et al. 1993), :data:`IBM1_ITERATIONS` EM iterations from a
   uniform start, with a NULL source word: ``t(tgt | src)`` is the expected share of the
   co-occurrences of ``src`` with ``tgt`` that the model explains by ``src``. The gloss of a source
   word is its most probable target word of the same kind (word -> word, punctuation or number ->
   punctuation or number), kept when ``t >= MIN_PROBABILITY`` and the source word occurs in at
   least ``MIN_COUNT`` pairs (IBM-1 pairs a word seen once with an arbitrary word of its sentence).
3. **Gloss.** Every source token is replaced by its gloss, in source order. A token without a gloss
   is copied when the two languages share a script (en<->fr: names, numbers) and when it has no
   letter (numbers, punctuation); otherwise (an Arabic word in English output, or the reverse) it
   is dropped. A gloss into en/fr is capitalised when its source word is (names keep their
   capital) and so is the first word; tokens are joined with
   sacremoses' detokenizer for the target (plus no space before Arabic punctuation).

The dictionary must not see the references it is scored against, or the baseline measures
memorisation: :func:`gloss_held_out` learns one dictionary per fold, each from every training pair
outside the fold (see scripts/baseline_systems.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

IBM1_ITERATIONS = 5
MIN_PROBABILITY = 0.05
MIN_COUNT = 2
NULL = "\0NULL"

_ARABIC_SPACE_BEFORE = re.compile(r"\s+([،؛؟!:.)\]»])")
_ARABIC_SPACE_AFTER = re.compile(r"([(\[«])\s+")


def _has_letter(token: str) -> bool:
    return any(unicodedata.category(ch).startswith("L") for ch in token)


def _is_arabic(token: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" for ch in token)


def words(text: str, lang: str, *, side: str) -> list[str]:
    """Tokens of ``text`` for learning or glossing (``side`` "src" or "tgt", see the module doc)."""
    from aligner.wordalign.tokens import tokenize

    clitics = "each" if lang == "ar" and side == "src" else "none"
    return list(tokenize(text, lang, arabic_clitics=clitics).tokens)


@dataclass(frozen=True)
class GlossDictionary:
    """``src word -> (best target word, t(tgt | src))``, lowercased, learnt by :func:`learn_dictionary`."""

    source_lang: str
    target_lang: str
    entries: dict[str, tuple[str, float]]
    pairs: int  # sentence pairs it was learnt from

    def __len__(self) -> int:
        return len(self.entries)


def ibm1(pairs: Sequence[tuple[Sequence[str], Sequence[str]]], iterations: int = IBM1_ITERATIONS
         ) -> dict[str, dict[str, float]]:
    """IBM Model 1 translation table ``t[src][tgt]`` by EM; every source sentence gets a NULL word."""
    t: dict[str, dict[str, float]] = defaultdict(dict)
    for src, tgt in pairs:
        for s in (NULL, *src):
            row = t[s]
            for w in tgt:
                row[w] = 1.0
    for row in t.values():  # uniform start over the words each source word co-occurs with
        share = 1.0 / len(row)
        for w in row:
            row[w] = share
    for _ in range(iterations):
        counts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for src, tgt in pairs:
            sources = (NULL, *src)
            rows = [t[s] for s in sources]
            for w in tgt:
                probs = [row[w] for row in rows]
                total = sum(probs)
                if total <= 0.0:
                    continue
                for s, p in zip(sources, probs):
                    counts[s][w] += p / total
        for s, row in counts.items():
            norm = sum(row.values())
            t[s] = {w: c / norm for w, c in row.items()}
    return t


def tokenize_pairs(sources: Iterable[str], targets: Iterable[str], source_lang: str, target_lang: str
                   ) -> list[tuple[list[str], list[str]]]:
    """Lowercased tokens of each sentence pair (``sources[i]`` translates ``targets[i]``)."""
    return [([w.lower() for w in words(src, source_lang, side="src")],
             [w.lower() for w in words(tgt, target_lang, side="tgt")])
            for src, tgt in zip(sources, targets, strict=True)]


def dictionary_from_pairs(pairs: Sequence[tuple[Sequence[str], Sequence[str]]], source_lang: str,
                          target_lang: str, *, iterations: int = IBM1_ITERATIONS,
                          min_probability: float = MIN_PROBABILITY, min_count: int = MIN_COUNT) -> GlossDictionary:
    """A gloss dictionary from tokenized pairs by IBM Model 1.

    The gloss of ``src`` is its most probable translation ``tgt`` among the target words of the
    same kind (a word with a letter glosses to a word with a letter; punctuation and numbers to
    punctuation or numbers, e.g. ``،`` -> ``,``), kept when ``t(tgt | src) >= min_probability``
    and ``src`` occurs in at least ``min_count`` pairs: a word seen once co-occurs with a whole
    sentence and IBM-1 gives it an arbitrary partner (the "garbage collector" effect).
    """
    pairs = [(list(s), list(t)) for s, t in pairs if s and t]
    table = ibm1(pairs, iterations)
    seen: dict[str, int] = defaultdict(int)
    for src, _ in pairs:
        for w in set(src):
            seen[w] += 1
    entries = {}
    for s, row in table.items():
        if s == NULL or seen[s] < min_count:
            continue
        kind = _has_letter(s)
        candidates = [(p, w) for w, p in row.items() if _has_letter(w) == kind]
        if not candidates:
            continue
        p, w = max(candidates)
        if p >= min_probability:
            entries[s] = (w, p)
    return GlossDictionary(source_lang, target_lang, entries, len(pairs))


def learn_dictionary(sources: Iterable[str], targets: Iterable[str], source_lang: str, target_lang: str,
                     **options) -> GlossDictionary:
    """A gloss dictionary from parallel sentences (``sources[i]`` translates ``targets[i]``)."""
    return dictionary_from_pairs(tokenize_pairs(sources, targets, source_lang, target_lang), source_lang,
                                 target_lang, **options)


@lru_cache(maxsize=4)
def _detokenizer(lang: str):
    from sacremoses import MosesDetokenizer

    return MosesDetokenizer(lang=lang)


def _same_script(a: str, b: str) -> bool:
    return (a == "ar") == (b == "ar")


def gloss_line(text: str, dictionary: GlossDictionary) -> str:
    """The word-by-word gloss of one source line."""
    src_lang, tgt_lang = dictionary.source_lang, dictionary.target_lang
    out = []
    for token in words(text, src_lang, side="src"):
        entry = dictionary.entries.get(token.lower())
        if entry is not None:
            word = entry[0]
            if tgt_lang != "ar" and token[:1].isupper() and token[1:].islower() and word[:1].islower():
                word = word[:1].upper() + word[1:]
            out.append(word)
        elif not _has_letter(token) or (_same_script(src_lang, tgt_lang) and not _is_arabic(token)):
            out.append(token)
    if not out:
        return ""
    if tgt_lang != "ar" and out[0][:1].islower():
        out[0] = out[0][:1].upper() + out[0][1:]
    line = _detokenizer(tgt_lang).detokenize(out)
    if tgt_lang == "ar":
        line = _ARABIC_SPACE_AFTER.sub(r"\1", _ARABIC_SPACE_BEFORE.sub(r"\1", line))
    return line


def fold_of(keys: Sequence[str], folds: int) -> list[int]:
    """Fold number of each line: whole groups go to one fold (round-robin in order of first
    appearance) when there are at least ``folds`` groups, otherwise lines are dealt round-robin."""
    order = list(dict.fromkeys(keys))
    if len(order) >= folds:
        fold = {key: i % folds for i, key in enumerate(order)}
        return [fold[key] for key in keys]
    return [i % folds for i in range(len(keys))]


def gloss_held_out(sources: Sequence[str], references: Sequence[str], source_lang: str, target_lang: str, *,
                   groups: Sequence[str] | None = None, folds: int = 5,
                   extra: Sequence[tuple[str, str]] = ()) -> tuple[list[str], list[GlossDictionary]]:
    """Gloss every test line with a dictionary that never saw its reference.

    The test lines are split into ``folds`` folds (by ``groups`` when given, see :func:`fold_of`);
    the lines of fold *k* are glossed with a dictionary learnt from the test lines of the other
    folds plus ``extra`` (``(source, target)`` pairs that are not in the test set). ``folds=1``
    learns from ``extra`` alone; ``folds=0`` learns one dictionary from every test line and
    ``extra``: the references leak, so it is an optimistic bound, not a baseline.
    """
    n = len(sources)
    if len(references) != n:
        raise ValueError(f"{n} sources but {len(references)} references")
    test_pairs = tokenize_pairs(sources, references, source_lang, target_lang)
    extra_pairs = tokenize_pairs([s for s, _ in extra], [t for _, t in extra], source_lang, target_lang)
    if folds == 0:
        dictionary = dictionary_from_pairs(test_pairs + extra_pairs, source_lang, target_lang)
        return [gloss_line(line, dictionary) for line in sources], [dictionary]
    if folds < 0:
        raise ValueError(f"folds must be >= 0, got {folds}")
    assignment = fold_of(list(groups) if groups is not None else [str(i) for i in range(n)], folds)
    out = [""] * n
    dictionaries = []
    for k in range(folds):
        train = [test_pairs[i] for i in range(n) if assignment[i] != k]
        dictionary = dictionary_from_pairs(train + extra_pairs, source_lang, target_lang)
        dictionaries.append(dictionary)
        for i in range(n):
            if assignment[i] == k:
                out[i] = gloss_line(sources[i], dictionary)
    return out, dictionaries


__all__ = ["GlossDictionary", "IBM1_ITERATIONS", "MIN_COUNT", "MIN_PROBABILITY", "dictionary_from_pairs", "fold_of",
           "gloss_held_out", "gloss_line", "ibm1", "learn_dictionary", "tokenize_pairs", "words"]
