"""Held-out splits: whole groups by a seeded hash, the user's assignment, the within-group fallback,
near-duplicate removal, and a 40-group news corpus (NTREX documents) split and exported."""

import json
from pathlib import Path

import polars as pl
import pytest
from lxml import etree
from test_export_support import make_corpus, read_lines, tup

from aligner.errors import InputError
from aligner.export import export
from aligner.export.corpus_tsv import CorpusTsv
from aligner.split import SplitOptions, dedup_key, parse_sizes, plan_splits, read_assignment
from aligner.split.corpus import split_corpus

NTREX = Path(__file__).resolve().parent.parent / "benchmarks" / "ntrex-dev"
LANGS = ("ar", "en", "fr")


def forty_groups():
    return {f"doc{k:02d}": 20 + (k * 7) % 13 for k in range(40)}


def test_whole_groups_are_split_by_a_seeded_hash_near_the_requested_shares():
    kept = forty_groups()
    plan = plan_splits(kept, SplitOptions(seed=1))
    assert plan.method == "groups" and plan.warning is None and set(plan.groups) == set(kept)
    share = {s: sum(n for g, n in kept.items() if plan.groups[g] == s) / sum(kept.values()) for s in ("dev", "test")}
    assert 0.02 <= share["test"] <= 0.10 and 0.02 <= share["dev"] <= 0.10
    assert plan_splits(kept, SplitOptions(seed=1)) == plan  # deterministic
    assert plan_splits(kept, SplitOptions(seed=2)).groups != plan.groups  # the seed matters
    bigger = plan_splits(kept, SplitOptions(seed=1, sizes=(60, 20, 20)))
    assert sum(n for g, n in kept.items() if bigger.groups[g] == "test") / sum(kept.values()) > 0.12


def test_the_users_assignment_is_honoured_and_the_rest_assigned_around_it(tmp_path):
    path = tmp_path / "splits.tsv"
    path.write_text("group\tsplit\n# mine\ndoc00\ttest\ndoc01\ttest\ndoc02\tdev\nnot-in-corpus\ttrain\n",
                    encoding="utf-8")
    assigned = read_assignment(path)
    plan = plan_splits(forty_groups(), SplitOptions(assigned=assigned))
    assert [plan.groups[g] for g in ("doc00", "doc01", "doc02")] == ["test", "test", "dev"]
    assert "not-in-corpus" not in plan.groups
    path.write_text("doc00\ttest\ndoc00\ttrain\n", encoding="utf-8")
    with pytest.raises(InputError, match="already in test"):
        read_assignment(path)
    path.write_text("doc00\tvalidation\n", encoding="utf-8")
    with pytest.raises(InputError, match="split must be one of"):
        read_assignment(path)


def test_split_sizes_are_checked():
    assert parse_sizes("80,10,10") == (80, 10, 10)
    for bad in ("90,10", "0,5,5", "90,-5,5", "a,b,c"):
        with pytest.raises(ValueError, match="--split-sizes"):
            parse_sizes(bad)


def test_one_group_falls_back_to_contiguous_blocks_with_a_warning():
    plan = plan_splits({"g1": 40}, SplitOptions())
    assert plan.method == "blocks" and "too few" in plan.warning
    splits = [plan.split_of("g1", k) for k in range(41)]
    assert splits == ["train"] * 36 + ["dev"] * 2 + ["test"] * 3  # row 40 comes after the last kept one
    tiny = plan_splits({"g1": 2}, SplitOptions())
    assert [tiny.split_of("g1", k) for k in range(3)] == ["train"] * 3


def seeds_like_group():
    """One group shaped like the seeds' corpus.tsv: trilingual tuples among one- and two-language rows and
    rows below the quality threshold, and kept two-language rows after the last kept trilingual one."""
    latin, arabic = "abcdefghijklmnopqrstuvwxyz", "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
    rows = []
    for k in range(14):
        a, w = arabic[k], latin[k]  # distinct words: no row is a near-duplicate of another
        rows.append(tup(f"tri{k}", f"جملة عربية {a}", f"English sentence {w}", f"Phrase française {w}"))
        if k % 3 == 0:
            rows.append(tup(f"arfr{k}", ar=f"قطعة {a}", fr=f"Un morceau {w}"))  # kept, two languages
        if k % 4 == 1:
            rows.append(tup(f"low{k}", f"ضعيف {a}", f"Weak {w}", f"Faible {w}", keep=False))
        if k % 5 == 2:
            rows.append(tup(f"en{k}", en=f"Only English {w}", keep=False))
    rows += [tup("tail-aren", ar="ذيل", en="The tail"), tup("tail-enfr", en="Another tail", fr="Une autre queue")]
    return rows


def test_a_single_group_is_cut_by_trilingual_kept_tuples_so_dev_and_test_are_not_empty(tmp_path):
    rows = seeds_like_group()
    out = tmp_path / "out"
    make_corpus(out, rows)
    summary = split_corpus(out / "corpus.tsv", SplitOptions())
    assert summary.plan.method == "blocks" and summary.usable == {"g1": 14}
    assert summary.plan.blocks == {"g1": (12, 13, 14)}  # 14 usable tuples: 12 train, 1 dev, 1 test
    split_of = {item.tuid: split for item, (split, _) in zip(CorpusTsv(out / "corpus.tsv"),
                                                              CorpusTsv(out / "corpus.tsv").split_rows())}
    order = [split_of[item.tuid] for item in rows]
    assert order == sorted(order, key=("train", "dev", "test").index)  # contiguous blocks, in that order
    assert split_of["tri12"] == "dev" and split_of["tri13"] == "test"
    assert split_of["tail-aren"] == split_of["tail-enfr"] == "test"  # rows after the last tuple join its block
    trilingual_kept = [t.tuid for t in rows if t.keep and all(t.texts.values())]
    assert summary.kept["train"] + summary.kept["dev"] + summary.kept["test"] == sum(t.keep for t in rows)

    export(out)
    for split in ("dev", "test"):
        meta = pl.read_csv(out / f"{split}set" / f"{split}.meta.tsv", separator="\t", infer_schema=False)
        assert meta.height >= 1 and set(meta["tuid"]) <= set(trilingual_kept)
        assert meta["tuid"].to_list() == [t for t in trilingual_kept if split_of[t] == split]
        for lang in LANGS:
            assert len(read_lines(out / f"{split}set" / f"{split}.{lang}")) == meta.height


def test_blocks_ignore_rows_a_test_set_cannot_hold(tmp_path):
    """Before: blocks were sized by kept rows, so the last two kept rows (two-language ones, as in the seeds)
    were dev and test, and both sets were written empty."""
    rows = [tup(f"t{k}", f"نص {'ابتثج'[k]}", f"text {'abcde'[k]}", f"texte {'abcde'[k]}") for k in range(5)]
    rows += [tup("b1", ar="آخر", en="other"), tup("b2", en="last", fr="dernier")]
    make_corpus(tmp_path / "out", rows)
    split_corpus(tmp_path / "out" / "corpus.tsv", SplitOptions())
    assert [s for s, _ in CorpusTsv(tmp_path / "out" / "corpus.tsv").split_rows()] == \
        ["train", "train", "train", "dev", "test", "test", "test"]


def test_a_group_without_a_trilingual_tuple_is_never_held_out():
    kept = {**forty_groups(), "empty-a": 0, "empty-b": 0}
    for seed in range(1, 6):
        plan = plan_splits(kept, SplitOptions(seed=seed))
        assert plan.method == "groups" and plan.groups["empty-a"] == plan.groups["empty-b"] == "train"
    # one group with tuples and one without: whole groups cannot fill dev and test, so blocks of the first
    plan = plan_splits({"g1": 10, "bilingual-only": 0}, SplitOptions())
    assert plan.method == "blocks" and plan.blocks["g1"] == (8, 9, 10)
    assert [plan.split_of("bilingual-only", k) for k in range(3)] == ["train"] * 3


def test_near_duplicates_share_a_key_and_other_sentences_do_not():
    assert dedup_key("In 2019, 1,500 people came.") == dedup_key("in 2021 -- 12 people came!") == "in people came"
    assert dedup_key("قالَ الرئيسُ إنّ ٣ أشخاص") == dedup_key("قال الرئيس إن 12 أشخاص.")
    assert dedup_key("L'ONU a déclaré") == dedup_key("l’ONU a déclaré.") != dedup_key("L'ONU a refusé")
    assert dedup_key("2019 - 12.5") == ""  # no letter: never a duplicate


def ntrex_groups(count=40):
    """The first ``count`` NTREX documents as groups: one trilingual tuple per line."""
    lines = {lang: (NTREX / f"{lang}.tsv").read_text(encoding="utf-8").splitlines() for lang in LANGS}
    groups: dict[str, list] = {}
    for number, rows in enumerate(zip(*(lines[lang] for lang in LANGS))):
        key = rows[0].split("\t")[0]
        doc = key.rsplit(".", 1)[0]
        if doc not in groups and len(groups) == count:
            break
        texts = dict(zip(LANGS, (row.split("\t", 1)[1] for row in rows)))
        groups.setdefault(doc, []).append(tup(f"t{number}", **texts, group=doc, scores={"quality": 0.9}))
    return groups


def words(text):
    """A from-scratch normalisation: lower case, letters only, numbers and punctuation dropped."""
    cleaned = "".join(c.lower() if c.isalpha() else " " for c in text)
    return " ".join(cleaned.split())


def test_a_forty_group_news_corpus_keeps_dev_and_test_out_of_every_training_export(tmp_path):
    groups = ntrex_groups()
    assert len(groups) == 40
    plan = plan_splits({g: len(rows) for g, rows in groups.items()}, SplitOptions())
    held_out = [t for g, rows in groups.items() if plan.groups[g] != "train" for t in rows]
    # near-copies of held-out sentences planted in training groups: other numbers, other punctuation
    train_groups = [g for g in groups if plan.groups[g] == "train"]
    planted = []
    for k, item in enumerate(held_out[:12]):
        texts = {lang: item.texts[lang].replace(".", "!").rstrip("!") + f" ({k + 1990})" for lang in LANGS}
        planted.append(tup(f"copy{k}", **texts, group=train_groups[k], scores={"quality": 0.9}))
    tuples = [t for rows in groups.values() for t in rows] + planted
    out = tmp_path / "out"
    make_corpus(out, tuples)

    summary = split_corpus(out / "corpus.tsv", SplitOptions())
    assert summary.plan.groups == plan.groups and summary.removed >= len(planted)
    split_of = dict(zip((t.tuid for t in CorpusTsv(out / "corpus.tsv")),
                        (s for s, _ in CorpusTsv(out / "corpus.tsv").split_rows())))
    assert all(split_of[item.tuid] == "excluded" for item in planted)
    result = export(out)
    assert result["selection"]["tuples"] == summary.rows["train"]

    test_meta = pl.read_csv(out / "testset" / "test.meta.tsv", separator="\t", infer_schema=False)
    dev_meta = pl.read_csv(out / "devset" / "dev.meta.tsv", separator="\t", infer_schema=False)
    train = pl.read_csv(out / "corpus.filtered.tsv", separator="\t", infer_schema=False)
    test_groups, dev_groups = set(test_meta["group"]), set(dev_meta["group"])
    assert test_groups and dev_groups and not (test_groups & dev_groups) and not (set(train["group"]) & (test_groups | dev_groups))
    share = test_meta.height / (test_meta.height + dev_meta.height + train.height)
    assert 0.02 <= share <= 0.35

    held_out_words = {words(line) for split in ("test", "dev") for lang in LANGS
                      for line in read_lines(out / f"{split}set" / f"{split}.{lang}") if len(line.split()) >= 4}
    training_lines = [line for name in ("corpus.ar-en-fr", "corpus.ar-en", "corpus.ar-fr", "corpus.en-fr")
                      for lang in name.split(".")[1].split("-") for line in read_lines(out / f"{name}.{lang}")]
    training_lines += [text for line in (out / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
                       for text in json.loads(line)["translation"].values()]
    training_lines += [text for lang in LANGS for text in train[lang].to_list() if text]
    training_lines += [seg.text or "" for seg in etree.parse(str(out / "corpus.tmx")).iter("seg")]
    assert training_lines and not [line for line in training_lines if words(line) in held_out_words]
    print(f"40 groups: test share {share:.3f}, dev {dev_meta.height}, test {test_meta.height}, "
          f"train {train.height}, overlaps removed {summary.removed}")
