"""The split stage on a written corpus.tsv: plan the splits, find the overlaps, write the ``split`` column.

Three streaming passes (usable tuples per group, the held-out texts' keys, the rewrite), so memory
holds one count per group and the keys of dev and test, never the corpus. The splits are sized by the
tuples a test or dev set can hold (:func:`usable`: kept, with text in every language of the corpus), so a
group cut into blocks gives dev and test such tuples, not one-language or two-language rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from aligner.export.corpus_tsv import CorpusTsv, write_corpus_tsv
from aligner.export.selection import has_text, one_line
from aligner.model import AlignedTuple
from aligner.split import EXCLUDED, SplitOptions, SplitPlan, held_out_keys, overlaps, plan_splits


@dataclass
class SplitSummary:
    """What the split stage did: its plan, rows and kept rows per split value, the overlaps removed."""

    plan: SplitPlan
    #: group id -> the tuples the plan was sized by (:func:`usable`).
    usable: dict[str, int] = field(default_factory=dict)
    rows: Counter = field(default_factory=Counter)
    kept: Counter = field(default_factory=Counter)

    @property
    def removed(self) -> int:
        """Training rows removed because their text is also in dev or test."""
        return self.rows[EXCLUDED]

    def counts(self) -> dict[str, int]:
        """build.json's split counts: kept tuples of each split, and the training rows removed."""
        return {"tuples_train": self.kept["train"], "tuples_dev": self.kept["dev"], "tuples_test": self.kept["test"],
                "train_overlaps_removed": self.removed}


def split_corpus(path: Path, options: SplitOptions) -> SplitSummary:
    """Give every row of ``path`` (a corpus.tsv) its split, rewriting the file atomically."""
    corpus = CorpusTsv(path)
    languages = corpus.languages
    counts: Counter = Counter()
    for item in corpus:
        counts[item.group_id] += usable(item, languages)
    summary = SplitSummary(plan_splits(dict(counts), options), dict(counts))
    keys = held_out_keys(text for item, split in _planned(corpus, summary.plan, languages) if split != "train"
                         for text in item.texts.values())

    def final_splits() -> Iterator[str]:
        for item, split in _planned(corpus, summary.plan, languages):
            if split == "train" and overlaps(item.texts.values(), keys):
                split = EXCLUDED
            summary.rows[split] += 1
            summary.kept[split] += item.keep
            yield split

    write_corpus_tsv(path, corpus, corpus.languages, corpus.scores, final_splits())
    return summary


def usable(item: AlignedTuple, languages) -> bool:
    """Whether a test or dev set can hold ``item``: kept, and a line of text in every one of ``languages``
    (what :func:`aligner.export.moses.aligned_lines` requires of a held-out tuple)."""
    return bool(item.keep) and all(has_text(one_line(item.texts.get(lang, ""))[0]) for lang in languages)


def _planned(corpus: CorpusTsv, plan: SplitPlan, languages) -> Iterator[tuple]:
    """Each tuple with its planned split (before the overlaps are removed); in a group cut into blocks, a
    row's place is the number of usable tuples of its group before it."""
    usable_before: Counter = Counter()
    for item in corpus:
        yield item, plan.split_of(item.group_id, usable_before[item.group_id])
        usable_before[item.group_id] += usable(item, languages)
