"""Each export format on a small hand-made corpus: layout, content, and the tools that read it."""

import json

import polars as pl
import pytest
from test_export_support import (
    LANGS,
    load_hf,
    make_corpus,
    read_lines,
    read_tmx_toolkit,
    snapshot,
    tmx_props,
    tup,
    validate_tmx,
)

from aligner.errors import InputError
from aligner.export import DEFAULT_FORMATS, FORMATS, export, format_report, parse_formats
from aligner.export.corpus_tsv import read_corpus_tsv
from aligner.export.hf import write_hf
from aligner.export.moses import write_parallel
from aligner.export.selection import parse_pairs

SCORES = {"quality": 0.91, "align": 0.8}

CORPUS = [
    tup(1, "قالت الأمم المتحدة.", "The UN said.", "L'ONU a déclaré.", scores=SCORES),
    tup(2, "العنف & <الاحتجاج>", "Violence & <protest> ]]>", "", scores={"quality": 0.7, "align": 0.6}),
    tup(3, "", "Only English here.", "Seulement ici.", group="g2", scores={"quality": 0.55, "align": 0.5}),
    tup(4, "مرفوض", "Rejected pair.", "Paire rejetée.", keep=False, scores={"quality": 0.2, "align": 0.1}),
    tup(5, "بدون درجة", "No quality score.", "Pas de score.", group="g2", scores={"align": 0.9}),
]


@pytest.fixture
def out(tmp_path):
    make_corpus(tmp_path / "out", CORPUS)
    return tmp_path / "out"


@pytest.fixture
def split_out(tmp_path):
    """CORPUS with tuples 1 and 5 in test, 3 in dev, 2 removed as an overlap."""
    make_corpus(tmp_path / "split", CORPUS, splits=["test", "excluded", "dev", "train", "test"])
    return tmp_path / "split"


def test_default_export_writes_every_format_and_reports_selection(out):
    result = export(out)
    assert result["formats"] == list(DEFAULT_FORMATS) == list(FORMATS.names())
    assert result["languages"] == list(LANGS)
    assert result["selection"] == {"rule": "keep", "tuples": 5, "selected": 4, "dropped": {"not kept": 1}}
    expected = {"corpus.tmx", "corpus.filtered.tsv", "corpus.jsonl", "corpus.parquet",
                "corpus.ar-en.ar", "corpus.ar-en.en", "corpus.ar-fr.ar", "corpus.ar-fr.fr",
                "corpus.en-fr.en", "corpus.en-fr.fr", "corpus.ar-en-fr.ar", "corpus.ar-en-fr.en",
                "corpus.ar-en-fr.fr", "testset/test.ar", "testset/test.en", "testset/test.fr",
                "testset/test.meta.tsv", "devset/dev.ar", "devset/dev.en", "devset/dev.fr", "devset/dev.meta.tsv",
                "data/train.parquet", "data/validation.parquet", "data/test.parquet", "README.md"}
    assert set(result["files"]) == expected
    assert set(snapshot(out)) == expected | {"corpus.tsv"}
    for path, info in result["files"].items():  # every tuple is train: the held-out sets are empty
        held_out = path.startswith(("testset", "devset", "data/validation", "data/test"))
        assert info["rows"] + sum(info["skipped"].values()) == (0 if held_out else 4), path
    assert "4 selected (keep); not kept 1" in format_report(result)
    json.dumps(result)  # JSON-ready for --json


def test_tmx_is_valid_and_reads_back_through_translate_toolkit(out):
    result = export(out, "tmx")
    path = out / "corpus.tmx"
    validate_tmx(path)
    units = read_tmx_toolkit(path)
    assert units == [
        ("1", {"ar": "قالت الأمم المتحدة.", "en": "The UN said.", "fr": "L'ONU a déclaré."}),
        ("2", {"ar": "العنف & <الاحتجاج>", "en": "Violence & <protest> ]]>"}),
        ("3", {"en": "Only English here.", "fr": "Seulement ici."}),
        ("5", {"ar": "بدون درجة", "en": "No quality score.", "fr": "Pas de score."}),
    ]
    assert result["files"]["corpus.tmx"] == {"format": "tmx", "rows": 4, "skipped": {}, "removed_characters": 0,
                                             "replaced_characters": 0, "dropped_segments": 0}
    text = path.read_text(encoding="utf-8")
    assert '<!DOCTYPE tmx SYSTEM "tmx14.dtd">' in text
    for attribute in ('creationtool="aligner"', 'creationtoolversion="0.1.0"', 'segtype="sentence"',
                      'o-tmf="aligner-corpus"', 'adminlang="en"', 'srclang="*all*"', 'datatype="plaintext"'):
        assert attribute in text
    assert "creationdate" not in text and "changedate" not in text
    props = tmx_props(path)
    assert props[0] == {"x-group": "g1", "x-score-quality": "0.9100", "x-score-align": "0.8000",
                        "x-documents-ar": "000_aaaa", "x-segments-ar": "000_aaaa:1:1",
                        "x-documents-en": "002_bbbb", "x-segments-en": "002_bbbb:1:1",
                        "x-documents-fr": "004_cccc", "x-segments-fr": "004_cccc:1:1"}
    assert "x-score-quality" not in props[3] and props[3]["x-score-align"] == "0.9000"
    assert "x-documents-ar" not in props[2]


def test_tmx_props_list_every_source_document_of_a_merged_tuple(tmp_path):
    item = tup("m", "أ ب", "A B", "", ids={"ar": ("000_x:1:0", "000_x:1:1"), "en": ("002_y:3:0", "009_z:0:0"),
                                          "fr": ()})
    make_corpus(tmp_path, [item])
    export(tmp_path, "tmx")
    validate_tmx(tmp_path / "corpus.tmx")
    props = tmx_props(tmp_path / "corpus.tmx")[0]
    assert props["x-documents-ar"] == "000_x" and props["x-segments-ar"] == "000_x:1:0 000_x:1:1"
    assert props["x-documents-en"] == "002_y 009_z"


def test_per_pair_tmx_only_on_request_and_only_tuples_with_both_languages(out):
    assert not any(".tmx" in name and name != "corpus.tmx" for name in export(out, "tmx")["files"])
    result = export(out, ["tmx"], pairs="fr-en,ar-en,en-ar")
    assert list(result["files"]) == ["corpus.tmx", "corpus.ar-en.tmx", "corpus.en-fr.tmx"]
    for name in ("corpus.ar-en.tmx", "corpus.en-fr.tmx"):
        validate_tmx(out / name)
    ar_en = read_tmx_toolkit(out / "corpus.ar-en.tmx")
    assert [tuid for tuid, _ in ar_en] == ["1", "2", "5"]
    assert all(set(texts) == {"ar", "en"} for _, texts in ar_en)
    assert result["files"]["corpus.ar-en.tmx"]["skipped"] == {"missing ar": 1}
    en_fr = read_tmx_toolkit(out / "corpus.en-fr.tmx")
    assert [tuid for tuid, _ in en_fr] == ["1", "3", "5"]
    assert result["files"]["corpus.en-fr.tmx"]["skipped"] == {"missing fr": 1}


def test_tmx_source_language_is_named_in_the_header_and_present_in_every_unit(out):
    result = export(out, "tmx", pairs="en-fr,ar-fr", srclang="en")
    text = (out / "corpus.tmx").read_text(encoding="utf-8")
    assert 'srclang="en"' in text
    assert 'srclang="*all*"' in (out / "corpus.ar-fr.tmx").read_text(encoding="utf-8")  # en not in the pair
    for name in result["files"]:
        validate_tmx(out / name)
    assert all("en" in texts for _, texts in read_tmx_toolkit(out / "corpus.tmx"))
    from translate.storage.tmx import tmxfile

    with open(out / "corpus.en-fr.tmx", "rb") as handle:
        store = tmxfile(handle)
    assert [unit.source for unit in store.units] == ["The UN said.", "Only English here.", "No quality score."]
    with pytest.raises(ValueError, match="source language 'de'"):
        export(out, "tmx", srclang="de")


def test_tmx_removes_and_counts_characters_xml_cannot_hold(tmp_path):
    items = [tup(1, "a\x00b\x1f", "c\ufffed\uffff", "ok\x0b", scores={"quality": 0.9}),
             tup(2, "\x01\x02", "tab\there\r\nnew", "", scores={"quality": 0.9})]
    make_corpus(tmp_path, items)
    result = export(tmp_path, "tmx", pairs="ar-en")
    for name in result["files"]:
        validate_tmx(tmp_path / name)
    units = read_tmx_toolkit(tmp_path / "corpus.tmx")
    # corpus.tsv already turned tab/CR/LF/VT into spaces; the TMX removed NUL, U+001F, U+FFFE, U+FFFF
    assert units == [("1", {"ar": "ab", "en": "cd", "fr": "ok "}), ("2", {"en": "tab here new"})]
    # counted over the tuples written: 4 above plus tuple 2's Arabic, which had nothing else and is dropped
    assert result["files"]["corpus.tmx"]["removed_characters"] == 6
    assert result["files"]["corpus.tmx"]["dropped_segments"] == 1
    assert result["files"]["corpus.ar-en.tmx"]["skipped"] == {"missing ar": 1}
    assert result["files"]["corpus.ar-en.tmx"]["removed_characters"] == 4


def test_filtered_tsv_holds_the_selected_tuples_and_reads_with_polars(out):
    export(out, "tsv")
    path = out / "corpus.filtered.tsv"
    languages, tuples = read_corpus_tsv(path)
    assert languages == list(LANGS) and [t.tuid for t in tuples] == ["1", "2", "3", "5"]
    assert tuples == [t for t in read_corpus_tsv(out / "corpus.tsv")[1] if t.keep]
    frame = pl.read_csv(path, separator="\t", schema_overrides={"tuid": pl.String})
    assert frame.height == 4 and frame["en"].to_list()[1] == "Violence & <protest> ]]>"
    assert frame.columns[:5] == ["group", "tuid", "ar", "en", "fr"] and frame.columns[-1] == "keep"


def test_moses_files_are_line_aligned_without_empty_lines(out):
    result = export(out, "moses")
    assert read_lines(out / "corpus.ar-en.ar") == ["قالت الأمم المتحدة.", "العنف & <الاحتجاج>", "بدون درجة"]
    assert read_lines(out / "corpus.ar-en.en") == ["The UN said.", "Violence & <protest> ]]>", "No quality score."]
    assert read_lines(out / "corpus.en-fr.fr") == ["L'ONU a déclaré.", "Seulement ici.", "Pas de score."]
    assert read_lines(out / "corpus.ar-en-fr.en") == ["The UN said.", "No quality score."]
    assert result["files"]["corpus.ar-en-fr.fr"]["skipped"] == {"missing fr": 1, "missing ar": 1}
    for name in result["files"]:
        assert "" not in read_lines(out / name)


def test_moses_with_pairs_writes_only_those_pairs_and_the_three_way_set(out):
    files = export(out, "moses", pairs=["fr-ar"])["files"]
    assert list(files) == ["corpus.ar-fr.ar", "corpus.ar-fr.fr", "corpus.ar-en-fr.ar", "corpus.ar-en-fr.en",
                           "corpus.ar-en-fr.fr"]


def test_moses_turns_line_breaks_inside_a_segment_into_one_space(tmp_path):
    # corpus.tsv itself turns every line break (FS, GS, RS included) into a space, so nothing is left here
    make_corpus(tmp_path, [tup(1, "a\x1cb", "c\x1d\x1ed", "e")])
    result = export(tmp_path, "moses")
    assert read_lines(tmp_path / "corpus.ar-en-fr.ar") == ["a b"]
    assert read_lines(tmp_path / "corpus.ar-en-fr.en") == ["c d"]
    assert [result["files"][f"corpus.ar-en-fr.{lang}"]["replaced_characters"] for lang in ("ar", "en", "fr")] == [0] * 3

    # the writer on its own, given every kind of line break and a lone surrogate
    files = write_parallel(tmp_path / "direct", "c", [tup(1, "a\r\nb\u2028\u2029c", "d\x85e\ud800", "f\vg\fh")],
                           ["en", "ar"])
    assert list(files) == ["c.ar-en.ar", "c.ar-en.en"]
    assert read_lines(tmp_path / "direct" / "c.ar-en.ar") == ["a b c"]
    assert read_lines(tmp_path / "direct" / "c.ar-en.en") == ["d e"]
    assert files["c.ar-en.ar"].replaced_characters == 4
    assert (files["c.ar-en.en"].replaced_characters, files["c.ar-en.en"].removed_characters) == (1, 1)


@pytest.mark.parametrize(("fmt", "builder"), [("parquet", "parquet"), ("jsonl", "json")])
def test_hf_files_load_with_datasets_and_cast_to_translation(out, fmt, builder):
    import datasets

    result = export(out, fmt, pairs="ar-en")
    dataset = load_hf(out / f"corpus.{fmt}", builder)
    assert dataset.column_names == ["id", "group", "translation", "quality", "align"]
    dataset = dataset.cast_column("translation", datasets.Translation(languages=list(LANGS)))
    rows = dataset.to_list()
    assert [row["id"] for row in rows] == ["1", "2", "3", "5"]
    assert rows[0] == {"id": "1", "group": "g1", "quality": 0.91, "align": 0.8,
                       "translation": {"ar": "قالت الأمم المتحدة.", "en": "The UN said.", "fr": "L'ONU a déclaré."}}
    assert rows[1]["translation"] == {"ar": "العنف & <الاحتجاج>", "en": "Violence & <protest> ]]>", "fr": None}
    assert rows[3]["quality"] is None and rows[3]["align"] == 0.9
    assert len(dataset.filter(lambda row: all(row["translation"].values()))) == 2

    pair = load_hf(out / f"corpus.ar-en.{fmt}", builder)
    pair = pair.cast_column("translation", datasets.Translation(languages=["ar", "en"]))
    assert [row["translation"] for row in pair.to_list()] == [
        {"ar": "قالت الأمم المتحدة.", "en": "The UN said."},
        {"ar": "العنف & <الاحتجاج>", "en": "Violence & <protest> ]]>"},
        {"ar": "بدون درجة", "en": "No quality score."}]
    assert result["files"][f"corpus.ar-en.{fmt}"]["skipped"] == {"missing ar": 1}


def test_jsonl_escapes_unicode_line_separators(tmp_path):
    write_hf(tmp_path / "corpus.jsonl", "jsonl", [tup(1, "a\u2028b", "c\x85d", "e\u2029f")], LANGS)
    text = (tmp_path / "corpus.jsonl").read_text(encoding="utf-8")
    assert text.splitlines() == text.split("\n")[:-1] and len(text.splitlines()) == 1
    assert json.loads(text)["translation"] == {"ar": "a\u2028b", "en": "c\x85d", "fr": "e\u2029f"}


def test_testset_has_only_complete_test_tuples_and_a_meta_table(split_out):
    out = split_out
    result = export(out, "testset")
    assert result["held_out"]["test"] == {"rule": "keep", "tuples": 2, "selected": 2, "dropped": {}}
    assert read_lines(out / "testset" / "test.ar") == ["قالت الأمم المتحدة.", "بدون درجة"]
    assert read_lines(out / "testset" / "test.en") == ["The UN said.", "No quality score."]
    assert read_lines(out / "testset" / "test.fr") == ["L'ONU a déclaré.", "Pas de score."]
    meta = pl.read_csv(out / "testset" / "test.meta.tsv", separator="\t",
                       schema_overrides={"tuid": pl.String})
    assert meta.columns == ["line", "tuid", "group", "ar_documents", "en_documents", "fr_documents",
                            "ar_segments", "en_segments", "fr_segments", "quality", "align"]
    assert meta.rows() == [(1, "1", "g1", "000_aaaa", "002_bbbb", "004_cccc", "000_aaaa:1:1", "002_bbbb:1:1",
                            "004_cccc:1:1", 0.91, 0.8),
                           (2, "5", "g2", "000_aaaa", "002_bbbb", "004_cccc", "000_aaaa:1:5", "002_bbbb:1:5",
                            "004_cccc:1:5", None, 0.9)]
    assert result["files"]["testset/test.meta.tsv"]["skipped"] == {}


def test_each_split_goes_to_its_own_files_and_excluded_rows_to_none(split_out):
    out = split_out
    result = export(out)
    assert result["selection"] == {"rule": "keep", "tuples": 1, "selected": 0, "dropped": {"not kept": 1}}
    assert result["held_out"]["dev"]["selected"] == 1
    assert read_lines(out / "devset" / "dev.en") == []  # tuple 3 lacks Arabic
    assert result["files"]["devset/dev.meta.tsv"]["skipped"] == {"missing ar": 1}
    assert read_lines(out / "corpus.en-fr.en") == []
    assert read_corpus_tsv(out / "corpus.filtered.tsv")[1] == []
    exports = {path: data for path, data in snapshot(out).items() if path != "corpus.tsv"}
    assert not [path for path, data in exports.items() if "Violence".encode() in data]  # tuple 2 is excluded
    assert export(out, ["testset", "moses"], min_quality=0.6)["held_out"]["test"]["selected"] == 1
    assert read_lines(out / "testset" / "test.en") == ["The UN said."]


def test_min_quality_selects_by_the_quality_score_instead_of_keep(out):
    result = export(out, ["testset", "moses"], min_quality=0.6)
    assert result["selection"] == {"rule": "quality >= 0.6", "tuples": 5, "selected": 2,
                                   "dropped": {"no quality score": 1, "quality below minimum": 2}}
    assert read_lines(out / "corpus.ar-en.en") == ["The UN said.", "Violence & <protest> ]]>"]
    # the minimum itself passes (0.7 is tuple 2's quality)
    assert export(out, "moses", min_quality=0.7)["selection"]["selected"] == 2
    # a tuple the build did not keep is exported when its quality passes
    assert export(out, "moses", min_quality=0.1)["selection"]["selected"] == 4
    assert "Rejected pair." in read_lines(out / "corpus.ar-en.en")


def test_min_quality_without_a_quality_column_is_an_error_before_any_output(tmp_path):
    make_corpus(tmp_path, [tup(1, "أ", "a", "b", scores={"align": 0.9})])
    with pytest.raises(InputError, match="no quality column"):
        export(tmp_path, "all", min_quality=0.5)
    assert set(snapshot(tmp_path)) == {"corpus.tsv"}


def test_two_exports_are_byte_identical(tmp_path, out):
    export(out, "all", pairs="ar-en,en-fr", srclang="en")
    first = snapshot(out)
    other = tmp_path / "again"
    make_corpus(other, CORPUS)
    export(other, "all", pairs="en-fr,ar-en", srclang="en")
    assert snapshot(other) == first
    assert not [name for name in first if name.startswith(".") or "/." in name]  # no temp files left


def test_an_empty_selection_still_writes_valid_empty_files(tmp_path):
    make_corpus(tmp_path, [tup(1, "أ", "a", "b", keep=False)])
    result = export(tmp_path, "all", pairs="ar-en")
    assert result["selection"]["selected"] == 0
    assert all(info["rows"] == 0 for info in result["files"].values())
    validate_tmx(tmp_path / "corpus.tmx")
    validate_tmx(tmp_path / "corpus.ar-en.tmx")
    assert read_lines(tmp_path / "corpus.ar-en.ar") == []
    frame = pl.read_parquet(tmp_path / "corpus.parquet")
    assert frame.height == 0 and frame.columns == ["id", "group", "translation"]


def test_parse_formats_and_pairs():
    assert parse_formats("moses, TMX") == ("tmx", "moses")
    assert parse_formats(["tsv", "jsonl,parquet"]) == ("tsv", "jsonl", "parquet")
    assert parse_formats("all") == FORMATS.names()
    with pytest.raises(ValueError, match="unknown export format xml"):
        parse_formats("tmx,xml")
    with pytest.raises(ValueError, match="no export format"):
        parse_formats(",")
    assert parse_pairs("fr-ar, en-ar ,ar-fr", LANGS) == [("ar", "en"), ("ar", "fr")]
    assert parse_pairs([("en", "fr")], LANGS) == [("en", "fr")]
    assert parse_pairs(None, LANGS) is None
    for bad, message in (("ar-de", "de not in the corpus"), ("ar-ar", "must differ"), ("ar", "two language codes"),
                         ("ar-en-fr", "two language codes"), ("", "no language pair")):
        with pytest.raises(ValueError, match=message):
            parse_pairs(bad, LANGS)


@pytest.mark.parametrize("name", ["", ".hidden", "a/b", "..", "a\\b"])
def test_bad_output_names_are_refused(out, name):
    with pytest.raises(ValueError, match="output name"):
        export(out, "tmx", name=name)


def test_output_name_changes_the_file_stem(out):
    files = export(out, ["tmx", "moses", "jsonl", "tsv"], name="kz2022", pairs="ar-en")["files"]
    assert set(files) == {"kz2022.tmx", "kz2022.ar-en.tmx", "kz2022.ar-en.ar", "kz2022.ar-en.en",
                          "kz2022.ar-en-fr.ar", "kz2022.ar-en-fr.en", "kz2022.ar-en-fr.fr", "kz2022.jsonl",
                          "kz2022.ar-en.jsonl", "kz2022.filtered.tsv"}


def test_the_tmx_excerpt_in_the_docs_is_valid_tmx(repo, tmp_path):
    docs = (repo / "docs" / "formats.md").read_text(encoding="utf-8")
    excerpt = docs.split("```xml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "excerpt.tmx"
    path.write_text("".join(line for line in excerpt.splitlines(keepends=True) if line.strip() != "…"),
                    encoding="utf-8")
    validate_tmx(path)
    assert [tuid for tuid, _ in read_tmx_toolkit(path)] == ["g0001-00012", "g0001-00026"]
