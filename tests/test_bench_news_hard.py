"""The news benchmark's generator and scorer (scripts/bench_news_hard.py) as pure functions, no model."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "bench_news_hard.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_news_hard", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_news_hard"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def files(bench):
    return bench.generate(seed=3, groups=6, distractors=3)


def test_generation_is_seeded(bench, files):
    again = bench.generate(seed=3, groups=6, distractors=3)
    assert [(f.file, f.text) for f in again] == [(f.file, f.text) for f in files]
    assert [f.text for f in bench.generate(seed=4, groups=6, distractors=3)] != [f.text for f in files]


def test_gold_is_consistent_with_the_text(bench, files):
    docs = bench.read_ntrex()
    assert len(files) == 6 * 3 + 3
    assert sum(f.group is None for f in files) == 3
    for f in files:
        kept_ids = set()
        for line in f.lines:
            assert f.text[line["start"]:line["end"]] == line["text"]
            for sid, start, end in line["atoms"]:
                assert line["start"] <= start < end <= line["end"]
                kept_ids.add(sid)
        if f.group is None:
            assert not kept_ids
            continue
        source = dict(docs[f.lang][f.group])
        # every id the gold records belongs to the group's document, and each atom is its text (a merged
        # sentence without its final stop, a split one in parts)
        assert kept_ids <= set(source)
        for line in f.lines:
            for sid, start, end in line["atoms"]:
                piece = f.text[start:end]
                assert piece[1:].rstrip(".") in source[sid] or "split" in line["tags"]
        # only dropped lines are missing
        assert len(source) - len(kept_ids) <= 1


def test_perturbations_and_chrome_occur(files):
    tags = {t for f in files for line in f.lines for t in line["tags"]}
    kinds = {line["label"] for f in files for line in f.lines if line["kind"] == "chrome"}
    assert {"merged", "split"} <= tags
    assert {"byline", "date", "related"} <= kinds
    assert any(line["kind"] == "inserted" for f in files for line in f.lines)


def perfect_prediction(files):
    """corpus/segments/documents tables of a build that found every gold tuple, one sentence per segment."""
    segments, documents, rows = [], [], []
    by_id: dict[str, dict[str, list[str]]] = {}
    for d, f in enumerate(files):
        documents.append({"doc_id": f"d{d}", "file": f.file, "group": f.group})
        for n, line in enumerate(f.lines):
            segment_id = f"d{d}:{n}:0"
            segments.append({"segment_id": segment_id, "doc_id": f"d{d}", "text": line["text"]})
            for atom, (sid, start, end) in enumerate(line["atoms"]):
                if len(line["atoms"]) > 1:  # a merged line: one piece per sentence
                    unit = f"{segment_id}@{start - line['start']}-{end - line['start']}"
                else:
                    unit = segment_id
                by_id.setdefault(sid, {}).setdefault(f.lang, []).append(unit)
    for sid, units in by_id.items():
        rows.append({f"{lang}_ids": " ".join(units.get(lang, [])) for lang in ("ar", "en", "fr")} | {"keep": "1"})
    return rows, segments, documents


def test_perfect_prediction_scores_one(bench, files):
    rows, segments, documents = perfect_prediction(files)
    result = bench.score_build(files, rows, segments, documents)
    assert result["unlocated_segments"] == 0
    for pair in result["pairs"].values():
        assert pair["f1"] == pair["kept_precision"] == pair["kept_recall"] == 1.0
    assert result["exact"]["share"] == 1.0
    assert result["chrome_kept"]["share"] == 0.0
    assert result["document_groups"]["precision"] == result["document_groups"]["recall"] == 1.0


def test_one_wrong_row_scores_less(bench, files):
    rows, segments, documents = perfect_prediction(files)
    # glue a chrome line to the first tuple and keep another chrome line in a row of its own
    chrome = [(d, n) for d, f in enumerate(files) for n, line in enumerate(f.lines) if line["kind"] == "chrome"]
    (d1, n1), (d2, n2) = chrome[0], chrome[1]
    lang1 = files[d1].lang
    rows[0][f"{lang1}_ids"] = f"{rows[0][f'{lang1}_ids']} d{d1}:{n1}:0".strip()
    rows.append({"ar_ids": "", "en_ids": "", "fr_ids": "", files[d2].lang + "_ids": f"d{d2}:{n2}:0", "keep": "1"})
    # and put two groups in one
    grouped = [d for d in documents if d["group"]]
    documents = [dict(d, group=grouped[0]["group"]) if d["group"] == grouped[-1]["group"] else d for d in documents]
    result = bench.score_build(files, rows, segments, documents)
    precisions = [p["precision"] for p in result["pairs"].values()]
    assert min(precisions) < 1.0
    assert all(p["recall"] == 1.0 for p in result["pairs"].values())
    assert result["exact"]["share"] < 1.0
    assert result["chrome_kept"]["share"] > 0.0
    assert result["document_groups"]["precision"] < 1.0 and result["document_groups"]["recall"] == 1.0


def test_unkept_rows_count_for_links_not_for_kept(bench, files):
    rows, segments, documents = perfect_prediction(files)
    rows = [dict(row, keep="0") for row in rows]
    result = bench.score_build(files, rows, segments, documents)
    for pair in result["pairs"].values():
        assert pair["f1"] == 1.0 and pair["kept_recall"] == 0.0


def test_gold_links_join_lines_sharing_an_id(bench):
    """English merges sentences 1 and 2, French has them apart, Arabic keeps them in one line (two ids)."""
    def gold_file(name, lang, parts):
        text, lines = bench.layout([[bench.Unit(t, "sentence", atoms) for t, atoms in parts]])
        return bench.GoldFile(name, lang, "doc", text, lines)
    files = [gold_file("en.txt", "en", [("One, and two.", [("d.1", 0, 3), ("d.2", 9, 13)])]),
             gold_file("fr.txt", "fr", [("Un.", [("d.1", 0, 3)]), ("Deux.", [("d.2", 0, 5)])]),
             gold_file("ar.txt", "ar", [("واحد، واثنان.", [("d.1", 0, 4), ("d.2", 6, 13)])])]
    segments = [{"segment_id": "e:0:0", "doc_id": "e", "text": "One, and two."},
                {"segment_id": "f:0:0", "doc_id": "f", "text": "Un."},
                {"segment_id": "f:0:1", "doc_id": "f", "text": "Deux."},
                {"segment_id": "a:0:0", "doc_id": "a", "text": "واحد، واثنان."}]
    documents = [{"doc_id": d, "file": f"{lang}.txt", "group": "g"} for d, lang in (("e", "en"), ("f", "fr"), ("a", "ar"))]
    one_row = [{"ar_ids": "a:0:0", "en_ids": "e:0:0", "fr_ids": "f:0:0 f:0:1", "keep": "1"}]
    result = bench.score_build(files, one_row, segments, documents)
    assert {pair: s["gold"] for pair, s in result["pairs"].items()} == {"ar-en": 1, "ar-fr": 2, "en-fr": 2}
    assert all(s["f1"] == 1.0 for s in result["pairs"].values())
    assert result["exact"]["share"] == 0.0  # both ids share one row: neither is a tuple of its own
    pieces = [{"ar_ids": "a:0:0@0-5", "en_ids": "e:0:0@0-4", "fr_ids": "f:0:0", "keep": "1"},
              {"ar_ids": "a:0:0@5-13", "en_ids": "e:0:0@4-13", "fr_ids": "f:0:1", "keep": "1"}]
    result = bench.score_build(files, pieces, segments, documents)
    assert result["exact"]["share"] == 1.0
    assert all(s["f1"] == 1.0 for s in result["pairs"].values())
