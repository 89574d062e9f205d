"""The split stage on a written corpus.tsv: plan the splits, find the overlaps, write the ``split`` column.

Three streaming passes (kept tuples per group, the held-out texts' keys, the rewrite), so memory
holds one count per group and the keys of dev and test, never the corpus.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from aligner.export.corpus_tsv import CorpusTsv, write_corpus_tsv
from aligner.split import EXCLUDED, SplitOptions, SplitPlan, held_out_keys, overlaps, plan_splits


@dataclass
class SplitSummary:
    """What the split stage did: its plan, rows and kept rows per split value, the overlaps removed."""

    plan: SplitPlan
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
    kept: Counter = Counter()
    for item in corpus:
        kept[item.group_id] += item.keep
    summary = SplitSummary(plan_splits(dict(kept), options))
    keys = held_out_keys(text for item, split in _planned(corpus, summary.plan) if split != "train"
                         for text in item.texts.values())

    def final_splits() -> Iterator[str]:
        for item, split in _planned(corpus, summary.plan):
            if split == "train" and overlaps(item.texts.values(), keys):
                split = EXCLUDED
            summary.rows[split] += 1
            summary.kept[split] += item.keep
            yield split

    write_corpus_tsv(path, corpus, corpus.languages, corpus.scores, final_splits())
    return summary


def _planned(corpus: CorpusTsv, plan: SplitPlan) -> Iterator[tuple]:
    """Each tuple with its planned split (before the overlaps are removed)."""
    kept_before: Counter = Counter()
    for item in corpus:
        yield item, plan.split_of(item.group_id, kept_before[item.group_id])
        kept_before[item.group_id] += item.keep
