"""The output folder as a Hugging Face dataset: split files, the README.md card, per-pair columns."""

import json
import os
import subprocess
import sys
import tempfile

import polars as pl
import pytest
import yaml
from test_export_support import make_corpus, tup

from aligner.errors import InputError
from aligner.export import export
from aligner.ingest.discover import OUTPUT_MARKER

PAIR_SCORES = {"ar-en.cos": 0.8, "ar-fr.cos": 0.7, "en-fr.cos": 0.9, "consistency": 1.0, "quality": 0.9}
CORPUS = [
    tup(1, "جملة أولى.", "First sentence.", "Première phrase.", scores=PAIR_SCORES),
    tup(2, "", "Second sentence.", "Deuxième phrase.", scores=PAIR_SCORES),
    tup(3, "جملة ثالثة.", "Third sentence.", "", scores=PAIR_SCORES),
    tup(4, "مرفوض", "Rejected.", "Rejetée.", keep=False, scores=PAIR_SCORES),
    tup(5, "جملة خامسة.", "Fifth sentence.", "Cinquième phrase.", group="g2", scores=PAIR_SCORES),
    tup(6, "", "Sixth sentence.", "Sixième phrase.", group="g3", scores=PAIR_SCORES),
    tup(7, "جملة سابعة.", "Seventh sentence.", "Septième phrase.", group="g3", scores=PAIR_SCORES),
    tup(8, "مستبعد", "Excluded overlap.", "Recouvrement exclu.", scores=PAIR_SCORES),
]
SPLITS = ["train", "train", "train", "train", "dev", "test", "test", "excluded"]


def load_folder(folder):
    """``datasets.load_dataset(folder)`` offline, with a throwaway cache."""
    os.environ["HF_DATASETS_OFFLINE"] = "1"
    os.environ["HF_HUB_OFFLINE"] = "1"
    import datasets

    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()
    with tempfile.TemporaryDirectory() as cache:
        return datasets.load_dataset(str(folder), cache_dir=cache, keep_in_memory=True)


def card_header(folder) -> dict:
    text = (folder / "README.md").read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n")[1])


@pytest.fixture
def out(tmp_path):
    make_corpus(tmp_path / "out", CORPUS, splits=SPLITS)
    return tmp_path / "out"


def test_load_dataset_on_the_folder_gives_train_validation_test_from_the_card(out):
    result = export(out)
    assert {"data/train.parquet", "data/validation.parquet", "data/test.parquet", "README.md"} <= set(result["files"])
    dataset = load_folder(out)  # corpus.jsonl, corpus.parquet, testset/ and devset/ are beside it
    assert {name: split.num_rows for name, split in dataset.items()} == {"train": 3, "validation": 1, "test": 2}
    train = dataset["train"]
    assert train.column_names == ["id", "group", "translation", "consistency", "quality"]
    assert type(train.features["translation"]).__name__ == "Translation"
    assert train["id"] == ["1", "2", "3"]
    assert train[1]["translation"] == {"ar": None, "en": "Second sentence.", "fr": "Deuxième phrase."}
    assert dataset["test"]["id"] == ["6", "7"]


def test_card_header_names_languages_task_license_size_and_one_file_per_split(out):
    export(out)
    header = card_header(out)
    assert header["language"] == ["ar", "en", "fr"]
    assert header["task_categories"] == ["translation"]
    assert header["license"] == "unknown"
    assert header["size_categories"] == ["n<1K"]
    assert header["configs"] == [{"config_name": "default", "data_files": [
        {"split": "train", "path": "data/train.parquet"}, {"split": "validation", "path": "data/validation.parquet"},
        {"split": "test", "path": "data/test.parquet"}]}]
    export(out, "hf", license="cc-by-4.0")
    assert card_header(out)["license"] == "cc-by-4.0"


def test_card_body_counts_rows_per_split_and_pair_and_the_selection(out):
    export(out, "hf", min_quality=0.5)
    body = (out / "README.md").read_text(encoding="utf-8").split("---\n", 2)[2]
    assert "| split | file | rows | ar-en | ar-fr | en-fr | ar-en-fr |" in body
    assert "| train | `data/train.parquet` | 4 | 3 | 2 | 3 | 2 |" in body  # the quality rule also takes tuple 4
    assert "| validation | `data/validation.parquet` | 1 | 1 | 1 | 1 | 1 |" in body
    assert "| test | `data/test.parquet` | 2 | 1 | 1 | 2 | 1 |" in body
    assert "`quality >= 0.5`" in body
    assert "no build.json" in body and "@software{aligner," in body


def test_an_empty_split_is_written_but_left_out_of_the_configs(tmp_path):
    make_corpus(tmp_path, CORPUS[:3], splits=["train", "train", "test"])
    export(tmp_path, "hf")
    assert [item["split"] for item in card_header(tmp_path)["configs"][0]["data_files"]] == ["train", "test"]
    assert pl.read_parquet(tmp_path / "data/validation.parquet").height == 0
    assert {name: split.num_rows for name, split in load_folder(tmp_path).items()} == {"train": 2, "test": 1}


def test_an_unreadable_build_json_is_an_error_before_anything_is_written(out):
    (out / "build.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="build.json"):
        export(out)
    assert sorted(path.name for path in out.iterdir()) == ["build.json", "corpus.tsv"]


def test_per_pair_files_carry_only_their_pairs_scores(out):
    export(out, ["jsonl", "parquet"], pairs="ar-en,en-fr")
    expected = {"ar-en": ["id", "group", "translation", "ar-en.cos", "consistency", "quality"],
                "en-fr": ["id", "group", "translation", "en-fr.cos", "consistency", "quality"]}
    for pair, columns in expected.items():
        assert pl.read_parquet(out / f"corpus.{pair}.parquet").columns == columns
        rows = [json.loads(line) for line in (out / f"corpus.{pair}.jsonl").read_text(encoding="utf-8").splitlines()]
        assert rows and all(list(row) == columns for row in rows)
    assert {"ar-en.cos", "ar-fr.cos", "en-fr.cos"} <= set(pl.read_parquet(out / "corpus.parquet").columns)


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "aligner", *map(str, args)], capture_output=True, text=True,
                          timeout=300)


def test_build_filter_and_export_write_the_card_from_build_json(seeds_dir, tmp_path):
    out = tmp_path / "out"
    built = run_cli("build", seeds_dir, "--out", out, "--embedder", "lexical", "--workers", "1",
                    "--license", "cc-by-4.0")
    assert built.returncode == 0, built.stderr
    manifest = json.loads((out / "build.json").read_text(encoding="utf-8"))
    assert manifest["config"]["export"]["license"] == "cc-by-4.0" and "cc-by" not in manifest["signature"]
    card = (out / "README.md").read_text(encoding="utf-8")
    assert card_header(out)["license"] == "cc-by-4.0"
    assert f"Signature: `{manifest['signature']}`" in card
    assert all(row["sha256"] in card for row in manifest["inputs"])
    counts = manifest["counts"]
    dataset = load_folder(out)
    # a split with no rows is left out of the card's configs (datasets cannot load one): with the
    # lexical embedder the seeds' group has no trilingual tuple, so dev and test are empty here
    sizes = {"train": counts["tuples_train"], "validation": counts["tuples_dev"], "test": counts["tuples_test"]}
    assert {name: split.num_rows for name, split in dataset.items()} == {k: n for k, n in sizes.items() if n}

    assert run_cli("filter", out, "--min-quality", "0.05").returncode == 0
    filtered = json.loads((out / "build.json").read_text(encoding="utf-8"))
    card = (out / "README.md").read_text(encoding="utf-8")
    assert f"Signature: `{filtered['signature']}`" in card and "at least 0.05" in card
    assert card_header(out)["license"] == "cc-by-4.0"

    exported = run_cli("export", out, "--format", "hf", "--license", "mit")
    assert exported.returncode == 0, exported.stderr
    assert card_header(out)["license"] == "mit"
    marker = json.loads((out / OUTPUT_MARKER).read_text(encoding="utf-8"))
    listed = {entry["path"]: entry["size"] for entry in marker["files"]}
    for name in ("README.md", "data/train.parquet", "data/validation.parquet", "data/test.parquet"):
        assert listed[name] == (out / name).stat().st_size, name
