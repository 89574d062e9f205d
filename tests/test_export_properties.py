"""Property tests: hostile text in, every format reads back what it should, and reports what it did not keep.

Two levels: the whole ``export()`` path (corpus.tsv written, read, exported in every format, each file
read back with the tools researchers use), and each writer on its own with text corpus.tsv could
never hold (raw line breaks, lone surrogates). The expected output restates the documented rules
(test_export_support) independently of the exporter's code.
"""

import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_export_support import (
    LANGS,
    LINE_BREAK_CHARS,
    load_hf,
    make_corpus,
    one_line,
    present,
    read_lines,
    read_tmx_toolkit,
    tmx_props,
    validate_tmx,
    xml_clean,
)

from aligner.errors import InputError
from aligner.export import export
from aligner.export.corpus_tsv import CORPUS_SPLITS, format_score, read_corpus_tsv
from aligner.export.hf import write_hf
from aligner.export.moses import write_parallel
from aligner.export.tmx import write_tmx
from aligner.model import AlignedTuple

HOSTILE = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1c", "\x1d", "\x1e", "\x1f", "\x7f", "\x85", "\x9f",
           "\ufffe", "\uffff", "\ufeff", "\ufdd0", "\U0010ffff", "&", "<", ">", "]]>", "&amp;", "&#0;", "<seg>",
           "<![CDATA[x]]>", "\u200f", "\u200e", "\u202b", "\u202e", "\u061c", "\t", "\n", "\r", "\r\n", "\u2028",
           "\u2029", " ", "  ", "\xa0", "\u3000", '"', "'", "\\", "\U0001f600", "مرحبا", "é", "e\u0301", ":"]
SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff", "\ud83d"]

hostile_text = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=6)), max_size=10).map("".join)
long_text = st.builds(lambda n, tail: "long segment " * n + tail, st.integers(200, 2000), hostile_text)
segment = st.one_of(st.just(""), hostile_text, hostile_text, long_text)
raw_segment = st.one_of(segment, st.lists(st.one_of(st.sampled_from(HOSTILE + SURROGATES), st.text(max_size=4)),
                                          max_size=10).map("".join))
quality = st.one_of(st.none(), st.floats(0, 1).map(lambda x: round(x, 4)))
GROUPS = ("g1", "g2", "000_059e1706b5ec667a")

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                           HealthCheck.data_too_large])


@st.composite
def corpora(draw, text=segment):
    count = draw(st.integers(0, 6))
    tuples = []
    for index in range(count):
        texts = {lang: draw(text) for lang in LANGS}
        ids = {lang: tuple(f"{lang}{index % 2}_doc:{index}:{k}" for k in range(draw(st.integers(1, 2))))
               if texts[lang] else () for lang in LANGS}
        scores = {name: value for name, value in (("quality", draw(quality)), ("align", draw(quality)))
                  if value is not None}
        tuples.append(AlignedTuple(draw(st.sampled_from(GROUPS)), f"t{index}", ids, texts, scores,
                                   draw(st.booleans())))
    return tuples


def expected_tmx(tuples, languages, require_all=False):
    """(units, removed characters, dropped segments) by the documented TMX rules."""
    units, removed, dropped = [], 0, 0
    for item in tuples:
        raw = {lang: item.texts.get(lang, "") for lang in sorted(languages)}
        segs = {lang: xml_clean(text) for lang, text in raw.items() if present(xml_clean(text))}
        if not segs or (require_all and len(segs) < len(languages)):
            continue
        units.append((item.tuid, segs))
        for lang, text in raw.items():
            if present(text):
                removed += len(text) - len(xml_clean(text))
                dropped += lang not in segs
    return units, removed, dropped


def expected_lines(tuples, languages):
    """{lang: lines} of a line-aligned set: tuples having every language after cleaning."""
    chosen = [t for t in tuples if all(present(one_line(t.texts.get(lang, ""))) for lang in languages)]
    return chosen, {lang: [one_line(t.texts[lang]) for t in chosen] for lang in languages}


def expected_skips(tuples, languages, clean, require_all=True):
    """{reason: count} of the tuples a file leaves out: ``no text``, or ``missing LANG`` (first missing)."""
    skips = {}
    for item in tuples:
        have = [lang for lang in sorted(languages) if present(clean(item.texts.get(lang, "")))]
        if not have:
            reason = "no text"
        elif require_all and len(have) < len(languages):
            reason = f"missing {next(lang for lang in sorted(languages) if lang not in have)}"
        else:
            continue
        skips[reason] = skips.get(reason, 0) + 1
    return skips


def breaks(tuples, lang):
    """Line-break characters in ``lang``'s texts (each is replaced: a run becomes one space)."""
    return sum(sum(c in LINE_BREAK_CHARS for c in t.texts[lang]) for t in tuples)


def check_tmx(path, tuples, languages, report, require_all=False):
    validate_tmx(path)
    units, removed, dropped = expected_tmx(tuples, languages, require_all)
    assert read_tmx_toolkit(path, languages) == units
    assert report["rows"] == len(units)
    assert report["skipped"] == expected_skips(tuples, languages, xml_clean, require_all)
    assert report["removed_characters"] == removed and report["dropped_segments"] == dropped
    return units


@SETTINGS
@given(corpora(), st.sampled_from([None, 0.0, 0.5, 1.0]), st.data())
def test_every_format_round_trips_a_hostile_corpus(tuples, min_quality, data):
    splits = data.draw(st.lists(st.sampled_from(CORPUS_SPLITS), min_size=len(tuples), max_size=len(tuples)))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        make_corpus(out, tuples, splits=splits)
        _, every = read_corpus_tsv(out / "corpus.tsv")  # what the exporter sees
        by_split = {name: [t for t, split in zip(every, splits) if split == name] for name in CORPUS_SPLITS}
        source = by_split["train"]
        header = (out / "corpus.tsv").read_text(encoding="utf-8").split("\n", 1)[0].split("\t")
        if min_quality is not None and "quality" not in header:
            with pytest.raises(InputError, match="no quality column"):
                export(out, "all", min_quality=min_quality)
            assert [p.name for p in out.iterdir()] == ["corpus.tsv"]
            return

        def select(tuples):
            if min_quality is None:
                return [t for t in tuples if t.keep]
            # the build's rule on a row scored as a whole: two languages or more, quality reached
            return [t for t in tuples if len(t.languages) >= 2 and t.scores.get("quality", -1) >= min_quality]

        selected = select(source)
        result = export(out, "all", pairs="ar-en,ar-fr,en-fr", min_quality=min_quality)
        files = result["files"]
        assert result["selection"]["selected"] == len(selected)
        assert sum(result["selection"]["dropped"].values()) == len(source) - len(selected)

        # TMX: every file valid, every unit back through translate-toolkit, every removal counted
        units = check_tmx(out / "corpus.tmx", selected, LANGS, files["corpus.tmx"])
        by_id = {t.tuid: t for t in selected}
        for (tuid, segs), props in zip(units, tmx_props(out / "corpus.tmx")):
            item = by_id[tuid]
            assert props["x-group"] == item.group_id
            assert {k: v for k, v in props.items() if k.startswith("x-score-")} == {
                f"x-score-{name}": format_score(value) for name, value in item.scores.items()}
            for lang in segs:
                assert props[f"x-segments-{lang}"] == " ".join(item.segment_ids[lang])
                assert props[f"x-documents-{lang}"] == " ".join(
                    dict.fromkeys(segment_id.split(":")[0] for segment_id in item.segment_ids[lang]))
        for pair in (("ar", "en"), ("ar", "fr"), ("en", "fr")):
            name = f"corpus.{pair[0]}-{pair[1]}.tmx"
            check_tmx(out / name, selected, pair, files[name], require_all=True)

        # filtered TSV: exactly the selected tuples, readable by polars without quoting
        assert read_corpus_tsv(out / "corpus.filtered.tsv")[1] == selected
        frame = pl.read_csv(out / "corpus.filtered.tsv", separator="\t",
                            infer_schema=False, empty_string_is_null=False)
        assert frame.height == len(selected)
        for lang in LANGS:
            assert frame[lang].to_list() == [t.texts[lang] for t in selected]

        # Moses and the test set: line-aligned, no empty line, nothing that splits a line
        for languages in (("ar", "en"), ("ar", "fr"), ("en", "fr"), LANGS):
            chosen, lines = expected_lines(selected, languages)
            for lang in languages:
                name = f"corpus.{'-'.join(languages)}.{lang}"
                assert read_lines(out / name) == lines[lang]
                assert files[name]["rows"] == len(chosen)
                assert files[name]["skipped"] == expected_skips(selected, languages, one_line)
                assert files[name]["replaced_characters"] == breaks(chosen, lang)
        for split in ("test", "dev"):  # each held-out set holds its split only
            chosen, lines = expected_lines(select(by_split[split]), LANGS)
            for lang in LANGS:
                assert read_lines(out / f"{split}set" / f"{split}.{lang}") == lines[lang]
            meta = pl.read_csv(out / f"{split}set" / f"{split}.meta.tsv", separator="\t", infer_schema=False)
            assert meta["tuid"].to_list() == [t.tuid for t in chosen]
            assert meta["line"].to_list() == [str(n) for n in range(1, len(chosen) + 1)]

        # Hugging Face: through datasets, null where a language is missing
        for fmt, builder in (("parquet", "parquet"), ("jsonl", "json")):
            written = [t for t in selected if any(present(t.texts[lang]) for lang in LANGS)]
            assert files[f"corpus.{fmt}"]["rows"] == len(written)
            assert files[f"corpus.{fmt}"]["skipped"] == expected_skips(selected, LANGS, str, require_all=False)
            for pair in (("ar", "en"), ("ar", "fr"), ("en", "fr")):
                pair_file = files[f"corpus.{pair[0]}-{pair[1]}.{fmt}"]
                assert pair_file["skipped"] == expected_skips(selected, pair, str)
                both = [t for t in selected if all(present(t.texts[lang]) for lang in pair)]
                assert pair_file["rows"] == len(both)
                if fmt == "parquet":
                    frame = pl.read_parquet(out / f"corpus.{pair[0]}-{pair[1]}.parquet")
                    assert frame["translation"].to_list() == [{lang: t.texts[lang] for lang in pair} for t in both]
            if not written:
                assert pl.read_parquet(out / "corpus.parquet").height == 0 if fmt == "parquet" else \
                    (out / "corpus.jsonl").read_text(encoding="utf-8") == ""
                continue
            rows = load_hf(out / f"corpus.{fmt}", builder).to_list()
            assert [row["id"] for row in rows] == [t.tuid for t in written]
            assert [row["group"] for row in rows] == [t.group_id for t in written]
            assert [row["translation"] for row in rows] == [
                {lang: t.texts[lang] if present(t.texts[lang]) else None for lang in LANGS} for t in written]
            if "quality" in rows[0]:
                assert [row["quality"] for row in rows] == [t.scores.get("quality") for t in written]


def with_hostile_ids(tuples, suffixes):
    """The same tuples with tuid, group and segment ids carrying hostile characters too."""
    return [AlignedTuple(f"{t.group_id}{suffix}", f"{t.tuid}{suffix}",
                         {lang: tuple(f"{i}{suffix}" for i in ids) for lang, ids in t.segment_ids.items()},
                         t.texts, t.scores, t.keep)
            for t, suffix in zip(tuples, suffixes)]


def removed_from_ids(item, languages):
    ids = [item.tuid, item.group_id, *(i for lang in languages for i in item.segment_ids[lang])]
    return sum(len(i) - len(xml_clean(i)) for i in ids)


@SETTINGS
@given(corpora(text=raw_segment), st.sampled_from([None, "ar", "fr"]),
       st.lists(st.lists(st.sampled_from(HOSTILE + SURROGATES), max_size=3).map("".join), min_size=6, max_size=6))
def test_tmx_writer_round_trips_any_string(tuples, srclang, suffixes):
    tuples = with_hostile_ids(tuples, suffixes)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.tmx"
        report = write_tmx(path, tuples, LANGS, ["quality", "align"], srclang=srclang).as_dict()
        chosen = [t for t in tuples if srclang is None or present(xml_clean(t.texts[srclang]))]
        validate_tmx(path)
        units, removed, dropped = expected_tmx(chosen, LANGS)
        by_id = {xml_clean(t.tuid): t for t in chosen}
        # tuids read back are the cleaned ones: map them to the originals to compare with `units`
        assert [(by_id[tuid].tuid, segs) for tuid, segs in read_tmx_toolkit(path)] == units
        for unit_props, (tuid, segs) in zip(tmx_props(path), units):
            item = next(t for t in chosen if t.tuid == tuid)
            assert unit_props["x-group"] == xml_clean(item.group_id)
            removed += removed_from_ids(item, segs)
        assert report["removed_characters"] == removed and report["dropped_segments"] == dropped
        assert report["rows"] + sum(report["skipped"].values()) == len(tuples)


@SETTINGS
@given(corpora(text=raw_segment))
def test_moses_writer_keeps_one_segment_per_line(tuples):
    with tempfile.TemporaryDirectory() as tmp:
        files = write_parallel(Path(tmp), "c", tuples, ["fr", "ar"])
        chosen, lines = expected_lines(tuples, ("ar", "fr"))
        for lang in ("ar", "fr"):
            assert read_lines(Path(tmp) / f"c.ar-fr.{lang}") == lines[lang]
            report = files[f"c.ar-fr.{lang}"]
            assert report.rows == len(chosen) and sum(report.skipped.values()) == len(tuples) - len(chosen)
            assert report.removed_characters == sum(
                sum(0xD800 <= ord(c) <= 0xDFFF for c in t.texts[lang]) for t in chosen)
            assert report.replaced_characters == breaks(chosen, lang)


@SETTINGS
@given(corpora(text=raw_segment))
def test_hf_writer_keeps_text_exactly_but_surrogates(tuples):
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("parquet", "jsonl"):
            path = Path(tmp) / f"x.{fmt}"
            report = write_hf(path, fmt, tuples, LANGS, ["quality", "align"])
            frame = pl.read_parquet(path) if fmt == "parquet" else (
                pl.read_ndjson(path, schema=pl.read_parquet(Path(tmp) / "x.parquet").schema)
                if path.stat().st_size else pl.DataFrame())

            def clean(text):
                return "".join(c for c in text if not 0xD800 <= ord(c) <= 0xDFFF)

            written = [t for t in tuples if any(present(clean(t.texts[lang])) for lang in LANGS)]
            assert report.rows == len(written) == frame.height
            assert sum(report.skipped.values()) == len(tuples) - len(written)
            if written:
                assert frame["translation"].to_list() == [
                    {lang: clean(t.texts[lang]) if present(clean(t.texts[lang])) else None for lang in LANGS}
                    for t in written]
            removed = sum(len(t.texts[lang]) - len(clean(t.texts[lang]))
                          for t in written for lang in LANGS if present(t.texts[lang]))
            assert report.removed_characters == removed
