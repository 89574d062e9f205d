"""Compare sentence segmenters on the hand-made gold; prints the Markdown table of docs/segmentation.md.

Usage: .venv/bin/python scripts/compare_segmenters.py [GOLD_DIR]
GOLD_DIR defaults to tests/data/segmentation (seeds/ and tricky/ inside it).
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from pathlib import Path

from aligner.evaluate.segmentation import GoldParagraph, boundary_counts, read_gold
from aligner.ingest.langid import document_language
from aligner.segment import METHODS, punkt_splitter, sentence_spans, srx_spans


def gold_sets(gold_dir: Path) -> dict[tuple[str, str], list[GoldParagraph]]:
    """(set name, language) -> gold paragraphs; seed languages come from language ID, tricky from file names."""
    sets: dict[tuple[str, str], list[GoldParagraph]] = defaultdict(list)
    for path in sorted((gold_dir / "seeds").glob("*.txt")):
        paragraphs = read_gold(path)
        sets[("seeds", document_language([p.text for p in paragraphs])[0])] += paragraphs
    for path in sorted((gold_dir / "tricky").glob("*.txt")):
        sets[("tricky", path.stem)] += read_gold(path)
    return dict(sorted(sets.items()))


def splitter_for(method: str, paragraphs: list[GoldParagraph], lang: str):
    if method == "rules":
        return sentence_spans
    if method == "srx":
        return srx_spans
    # Punkt learns abbreviations and collocations, unsupervised, from the very text it segments.
    return punkt_splitter({lang: "\n\n".join(p.text for p in paragraphs)})


def main() -> None:
    gold_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("tests/data/segmentation")
    sets = gold_sets(gold_dir)
    print("| method | set | lang | gold boundaries | precision | recall | F1 | ms |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for method in METHODS:
        for (name, lang), paragraphs in sets.items():
            started = time.perf_counter()
            counts = boundary_counts(paragraphs, splitter_for(method, paragraphs, lang), lang)
            elapsed = (time.perf_counter() - started) * 1000
            gold = counts.true_positives + counts.false_negatives
            print(f"| {method} | {name} | {lang} | {gold} | {counts.precision:.3f} | {counts.recall:.3f} "
                  f"| {counts.f1:.3f} | {elapsed:.0f} |")


if __name__ == "__main__":
    main()
