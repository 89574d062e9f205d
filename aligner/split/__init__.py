"""Held-out splits: which tuples are ``train``, ``dev`` and ``test``, so evaluation never sees training text.

Splits are sized by the tuples a test or dev set can hold: kept ones with text in every language of
the corpus (:func:`aligner.split.corpus.usable`; "tuples" below). Whole document groups go to one split
each: groups are visited in the order of a hash of the seed and the group id, and each one joins
``test`` (then ``dev``) while that brings the split nearer its share of the corpus's tuples; the rest,
and every group without such a tuple, is ``train``. Groups named in a user's assignment file keep the
split it gives them. A corpus with too few groups for that (a split with a share gets no tuple, as
with one group) is cut instead into contiguous blocks of tuples inside each group (train, then dev,
then test at the end), with a warning: the group sets then overlap.

Training rows whose text, in any language, has the de-duplication key of a dev or test text
(:func:`dedup_key`: the same words, numbers and punctuation aside) become :data:`EXCLUDED`: they
stay in corpus.tsv but are in no export.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import regex

from aligner.errors import InputError
from aligner.fileio import read_two_column_tsv

SPLITS = ("train", "dev", "test")
#: The split of a training row removed because its text is also in dev or test.
EXCLUDED = "excluded"
#: Shares of train, dev and test (any positive scale; tuples kept by the quality rule are counted).
DEFAULT_SIZES = (90.0, 5.0, 5.0)
DEFAULT_SEED = 1

#: A word of a key: a run of letters (digits and punctuation are not part of any).
_WORD = regex.compile(r"\p{L}+")


@dataclass(frozen=True)
class SplitOptions:
    seed: int = DEFAULT_SEED
    #: train, dev, test shares.
    sizes: tuple[float, float, float] = DEFAULT_SIZES
    #: The user's own assignment: group id -> split (:func:`read_assignment`).
    assigned: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.sizes) != 3 or any(not size >= 0 for size in self.sizes) or not self.sizes[0] > 0:
            raise ValueError(f"sizes {list(self.sizes)}: give train, dev and test shares such as 90, 5, 5 "
                             "(each at least 0, train above 0)")
        wrong = sorted(group for group, split in self.assigned.items() if split not in SPLITS)
        if wrong:
            raise ValueError(f"assigned: group {wrong[0]!r} has split {self.assigned[wrong[0]]!r}, "
                             f"not one of {', '.join(SPLITS)}")


@dataclass(frozen=True)
class SplitPlan:
    """Where each row of the corpus goes: by group, or (fallback) by its place among its group's tuples."""

    #: group id -> split, for every group given a whole split.
    groups: dict[str, str]
    #: group id -> (tuples in train, in train + dev, in all), for the groups cut into blocks.
    blocks: dict[str, tuple[int, int, int]]
    warning: str | None = None

    @property
    def method(self) -> str:
        return "blocks" if self.blocks else "groups"

    def split_of(self, group_id: str, before: int) -> str:
        """The split of a row of ``group_id`` that has ``before`` tuples of its group before it (a row that
        is not such a tuple goes with the next one)."""
        if group_id in self.groups:
            return self.groups[group_id]
        train_end, dev_end, kept = self.blocks[group_id]
        place = min(before, kept - 1)  # rows after the last tuple join its block
        return "train" if place < train_end else "dev" if place < dev_end else "test"


def parse_sizes(text: str) -> tuple[float, float, float]:
    """``90,5,5`` (train, dev, test; any scale, each at least 0, train above 0) as numbers."""
    try:
        sizes = tuple(float(part) for part in text.split(","))
    except ValueError:
        sizes = ()
    if len(sizes) != 3 or any(not size >= 0 for size in sizes) or not sizes[0] > 0:
        raise ValueError(f"--split-sizes {text!r}: give train,dev,test shares such as 90,5,5 (train above 0)")
    return sizes  # type: ignore[return-value]


def read_assignment(path: Path) -> dict[str, str]:
    """A ``group<TAB>split`` file (blank lines and ``#`` comments skipped, a ``group split`` header allowed)."""
    assigned: dict[str, str] = {}
    for number, group, split in read_two_column_tsv(path, "split assignment", ("group", "split")):
        if split not in SPLITS:
            raise InputError(path, f"line {number}: split must be one of {', '.join(SPLITS)}, got {split!r}")
        if assigned.get(group, split) != split:
            raise InputError(path, f"line {number}: group {group} is already in {assigned[group]}")
        assigned[group] = split
    return assigned


def hash_order(group_id: str, seed: int) -> str:
    """The key groups are visited in: a hash of the seed and the group id (the same on every machine)."""
    return hashlib.sha256(f"{seed}\t{group_id}".encode()).hexdigest()


def plan_splits(kept: Mapping[str, int], options: SplitOptions) -> SplitPlan:
    """The plan for groups with ``kept`` tuples each (those a test set can hold; module docstring)."""
    total = sum(kept.values())
    shares = dict(zip(SPLITS, options.sizes))
    targets = {split: total * share / sum(options.sizes) for split, share in shares.items()}
    groups = {group: split for group, split in options.assigned.items() if group in kept}
    counts = dict.fromkeys(SPLITS, 0)
    for group, split in groups.items():
        counts[split] += kept[group]
    free = sorted((g for g in kept if g not in groups), key=lambda g: hash_order(g, options.seed))
    for group in free:
        split = next((s for s in ("test", "dev") if kept[group] and counts[s] + kept[group] / 2 < targets[s]),
                     "train")  # a group with no tuple would give dev or test nothing and take it from train
        groups[group] = split
        counts[split] += kept[group]
    missing = [s for s in ("dev", "test") if shares[s] > 0 and counts[s] == 0]
    if not missing or not free:
        return SplitPlan(groups, {})
    fixed = {group: options.assigned[group] for group in kept if group in options.assigned}
    blocks = {group: _block_ends(kept[group], options.sizes) for group in free}
    warning = (f"{len(kept)} group(s) are too few for whole-group splits ({', '.join(missing)} would be empty): "
               f"{len(free)} group(s) cut into contiguous train/dev/test blocks, so dev and test share groups "
               "with train")
    return SplitPlan(fixed, blocks, warning)


def _block_ends(kept: int, sizes: tuple[float, float, float]) -> tuple[int, int, int]:
    """Where train and dev end among a group's ``kept`` tuples (and ``kept``): each share with a size gets a
    tuple when there are three or more."""
    train, dev, test = sizes
    dev_rows = max(round(kept * dev / sum(sizes)), 1 if dev > 0 and kept >= 3 else 0)
    test_rows = max(round(kept * test / sum(sizes)), 1 if test > 0 and kept >= 3 else 0)
    train_end = max(kept - dev_rows - test_rows, 0)
    return train_end, min(train_end + dev_rows, kept), kept


def dedup_key(text: str) -> str:
    """What counts as the same sentence across splits: its words, NFKC, case-folded, without diacritics
    or tatweel; numbers, punctuation and spacing dropped (a copy with other figures is the same sentence).
    Empty when the text has no letter."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("\u0640", "")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return " ".join(_WORD.findall(text))


def held_out_keys(texts: Iterable[str]) -> set[str]:
    """The de-duplication keys of dev and test texts (every language)."""
    return {key for key in map(dedup_key, texts) if key}


def overlaps(texts: Iterable[str], keys: set[str]) -> bool:
    """Whether any of a training row's texts has the key of a held-out text."""
    return any(dedup_key(text) in keys for text in texts if text)


def assignment_digest(assigned: Mapping[str, str]) -> str | None:
    """A short content id of a user's assignment (build.json and the signature), None without one."""
    if not assigned:
        return None
    text = "".join(f"{group}\t{split}\n" for group, split in sorted(assigned.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:8]
