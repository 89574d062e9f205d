"""Print the tuples of a build's corpus.tsv as Markdown, one block per tuple (used for docs/seed-tuples.md).

Usage:
    .venv/bin/python scripts/show_tuples.py corpus/out/corpus.tsv > docs/seed-tuples.md
"""

from __future__ import annotations

import argparse
from pathlib import Path

from aligner.export.corpus_tsv import read_corpus_tsv


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    args = parser.parse_args()
    languages, tuples = read_corpus_tsv(args.corpus)
    multi = [t for t in tuples if len(t.languages) > 1]
    print("# Seed tuples\n")
    print(f"Made by `.venv/bin/aligner build corpus/raw --out corpus/out` and "
          f"`.venv/bin/python scripts/show_tuples.py corpus/out/corpus.tsv`: {len(tuples)} rows, "
          f"{len(multi)} with two or more languages, {sum(len(t.languages) == len(languages) for t in tuples)} "
          f"with all of {', '.join(languages)}. Scores: see docs/scores.md.\n")
    for item in tuples:
        scores = ", ".join(f"{name} {value:.2f}" for name, value in item.scores.items()
                           if name.endswith("quality") or name == "consistency")
        state = "kept" if item.keep else "dropped"
        print(f"### {item.tuid} ({'+'.join(item.languages)}; {state})\n")
        print(f"<sub>{scores}</sub>\n")
        for lang in languages:
            if item.texts.get(lang):
                ids = " ".join(item.segment_ids[lang])
                direction = ' dir="rtl"' if lang == "ar" else ""
                print(f"* **{lang}** <span{direction}>{item.texts[lang]}</span> <sub>{ids}</sub>")
        print()


if __name__ == "__main__":
    main()
