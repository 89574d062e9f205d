"""One codec for a group's result (tuples and word links) as JSON: group shards and Ray use it.

Scores that are NaN (a component that could not be computed) are written as null and read back as
NaN, so a result read back equals the one written.
"""

from __future__ import annotations

import math
from dataclasses import asdict

from aligner.fileio import json_digest
from aligner.model import AlignedTuple
from aligner.pipeline import GroupResult
from aligner.wordalign.corpus import PairWords


def result_to_json(result: GroupResult) -> dict:
    def clean(scores: dict[str, float]) -> dict[str, float | None]:
        return {name: (None if isinstance(v, float) and math.isnan(v) else v) for name, v in scores.items()}

    return {
        "tuples": [dict(asdict(t), scores=clean(t.scores)) for t in result.tuples],
        "words": [[{"pair": list(pair), **asdict(w)} for pair, w in words.items()] for words in result.words],
    }


def result_from_json(data: dict) -> GroupResult:
    tuples = [
        AlignedTuple(t["group_id"], t["tuid"], {k: tuple(v) for k, v in t["segment_ids"].items()}, t["texts"],
                     {k: (float("nan") if v is None else v) for k, v in t["scores"].items()}, t["keep"])
        for t in data["tuples"]
    ]
    words = [
        {tuple(w["pair"]): PairWords(tuple(w["src_tokens"]), tuple(w["tgt_tokens"]),
                                     [tuple(link) for link in w["links"]], w["src_coverage"], w["tgt_coverage"])
         for w in entry}
        for entry in data["words"]
    ]
    return GroupResult(tuples, words)
