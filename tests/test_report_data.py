"""The report's data preparation and figures, without a browser: JSON blob, word links, SVG, PNG, command."""

from __future__ import annotations

import argparse
import json
import re
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

from aligner.embed import get_embedder
from aligner.errors import InputError
from aligner.export.corpus_tsv import write_corpus_tsv
from aligner.export.tables import write_tsv
from aligner.model import AlignedTuple
from aligner.report import build_report, load_report_data, tuple_records
from aligner.report.command import add_parser
from aligner.report.data import display_quality
from aligner.report.records import delta_offsets, rejected_pairs, token_offsets
from aligner.report.heatmap import (
    VIRIDIS,
    BeadBox,
    colormap,
    cosine_matrix,
    encode_png,
    group_heatmaps,
    heatmap_svg,
    histogram_svg,
    project_beads,
)
from aligner.report.page import script_json

LANGS = ["ar", "en", "fr"]
DOC = {"ar": "d_ar", "en": "d_en", "fr": "d_fr"}
SEGMENTS = {
    "ar": ["قتلت قوات الأمن 12 متظاهرا.", "أصيب 317 شرطيا.", "جملة عربية بلا مقابل."],
    "en": ["Security forces killed 12 protesters.", "317 police officers were injured.", "Almaty is calm.",
           "An English sentence </script><b>with markup</b> & more."],
    "fr": ["Les forces ont tué 12 manifestants.", "317 policiers ont été blessés."],
}


def seg(lang: str, k: int) -> str:
    return f"{DOC[lang]}:{k}:0"


def make_tuples() -> list[AlignedTuple]:
    def tup(n, ids, scores, keep=True):
        texts = {lang: " ".join(SEGMENTS[lang][k] for k in ids.get(lang, ())) for lang in LANGS}
        segment_ids = {lang: tuple(seg(lang, k) for k in ids.get(lang, ())) for lang in LANGS}
        return AlignedTuple("g0001", f"g0001-{n:05d}", segment_ids, texts, scores, keep)

    return [
        tup(1, {"ar": [0], "en": [0], "fr": [0]}, {"cos_ar_en": 0.9, "cos_ar_fr": 0.8, "cos_en_fr": 0.7,
                                                    "consistency": 1.0}),
        tup(2, {"ar": [1], "en": [1, 2], "fr": [1]}, {"cos_ar_en": 0.6, "cos_ar_fr": 0.5, "cos_en_fr": 0.4,
                                                       "consistency": 0.5}, keep=False),
        tup(3, {"en": [3]}, {}),
        tup(4, {"ar": [2]}, {}),
    ]


def write_build(out: Path, tuples: list[AlignedTuple] | None = None, wordalign: bool = True) -> list[AlignedTuple]:
    """A small but complete build folder: corpus, documents (one group, one rejected pair), segments, word links."""
    tuples = tuples if tuples is not None else make_tuples()
    out.mkdir(parents=True, exist_ok=True)
    write_corpus_tsv(out / "corpus.tsv", tuples, LANGS)
    rows = []
    for lang in LANGS:
        for k, text in enumerate(SEGMENTS[lang]):
            rows.append((seg(lang, k), DOC[lang], k, 0, lang, 0, text))
    rows.append(("x_ar:0:0", "x_ar", 0, 0, "ar", 0, "وثيقة أخرى."))
    write_tsv(out / "segments.tsv", ("segment_id", "doc_id", "paragraph", "sentence", "lang", "heading", "text"), rows)
    rejected = {"accepted": False, "score": 0.213, "reason": "score 0.213 below threshold 0.500", "share": 0.2,
                "sentences": [1, 4]}
    evidence = {
        "d_ar": {"pairs": [{"accepted": True, "score": 0.6, "with": "d_en"}, {"accepted": True, "score": 0.6, "with": "d_fr"}]},
        "d_en": {"pairs": [{"accepted": True, "score": 0.6, "with": "d_ar"}, {"accepted": True, "score": 0.8, "with": "d_fr"},
                           {**rejected, "with": "x_ar"}]},
        "d_fr": {"pairs": [{"accepted": True, "score": 0.8, "with": "d_en"}, {"accepted": True, "score": 0.6, "with": "d_ar"}]},
        "x_ar": {"pairs": [{**rejected, "with": "d_en"}], "reason": "best candidate d_en: score 0.213 below threshold 0.500"},
    }
    docs = [(d, f"{d}.txt", d[-2:], "" if d == "x_ar" else "g0001", "0.213" if d == "x_ar" else "0.674",
             json.dumps(evidence[d], sort_keys=True)) for d in ("d_ar", "d_en", "d_fr", "x_ar")]
    write_tsv(out / "documents.tsv", ("doc_id", "file", "lang", "group", "score", "evidence"), docs)
    if wordalign:
        write_word_links(out, tuples)
    return tuples


TOKEN = re.compile(r"\w+|[^\w\s]")


def write_word_links(out: Path, tuples: list[AlignedTuple], extra: dict[str, str] | None = None) -> None:
    """ar-en links: identical tokens (numbers), whitespace-free tokens from a regex tokenizer."""
    links, pairs = [], []
    for item in tuples:
        ta, tb = TOKEN.findall(item.texts["ar"]), TOKEN.findall(item.texts["en"])
        pairs.append(f"{' '.join(ta)} ||| {' '.join(tb)}")
        found = [f"{i}-{j}" for i, x in enumerate(ta) for j, y in enumerate(tb) if x == y] if ta and tb else []
        links.append(" ".join(found))
    for index, line in (extra or {}).items():
        links[int(index)] = (links[int(index)] + " " + line).strip()
    (out / "wordalign.ar-en.txt").write_text("\n".join(links) + "\n", encoding="utf-8")
    (out / "wordalign.ar-en.src-tgt").write_text("\n".join(pairs) + "\n", encoding="utf-8")


def decode_png(data: bytes) -> np.ndarray:
    """A minimal PNG reader for what encode_png writes (8-bit RGB, filter 0), checking every CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        chunks[kind] = chunks.get(kind, b"") + body
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 2)
    raw = zlib.decompress(chunks[b"IDAT"])
    rows = [raw[y * (1 + 3 * width):(y + 1) * (1 + 3 * width)] for y in range(height)]
    assert all(r[0] == 0 for r in rows)
    return np.frombuffer(b"".join(r[1:] for r in rows), dtype=np.uint8).reshape(height, width, 3)


def blob_of(data) -> list[dict]:
    return list(tuple_records(data))


def undelta(deltas: list[int]) -> list[tuple[int, int]]:
    spans, end = [], 0
    for k in range(0, len(deltas), 2):
        start = end + deltas[k]
        end = start + deltas[k + 1]
        spans.append((start, end))
    return spans


# ----------------------------------------------------------------------------- data


def test_display_quality_prefers_quality_then_mean_cos():
    assert display_quality({"quality": 0.25, "cos_ar_en": 0.9}) == 0.25
    assert display_quality({"cos_ar_en": 0.9, "cos_en_fr": 0.7, "consistency": 0.1}) == pytest.approx(0.8)
    assert display_quality({"consistency": 1.0}) is None


def test_blob_has_every_tuple_with_scores_and_mean_cos_quality(tmp_path):
    write_build(tmp_path)
    data = load_report_data(tmp_path)
    blob = blob_of(data)
    assert [t["id"] for t in blob] == ["g0001-00001", "g0001-00002", "g0001-00003", "g0001-00004"]
    assert data.quality_label == "mean cos"
    assert blob[0]["q"] == pytest.approx(0.8) and blob[1]["q"] == pytest.approx(0.5) and blob[2]["q"] is None
    assert [t["k"] for t in blob] == [1, 0, 1, 1]
    assert data.score_names == ["cos_ar_en", "cos_ar_fr", "cos_en_fr", "consistency"]
    assert blob[1]["s"] == [0.6, 0.5, 0.4, 0.5]
    assert blob[2]["s"] == [None, None, None, None] and blob[2]["t"]["ar"] == ""
    assert blob[1]["t"]["en"] == SEGMENTS["en"][1] + " " + SEGMENTS["en"][2]


def test_quality_column_wins_over_cosines(tmp_path):
    tuples = make_tuples()
    tuples[0] = AlignedTuple(tuples[0].group_id, tuples[0].tuid, tuples[0].segment_ids, tuples[0].texts,
                             {**tuples[0].scores, "quality": 0.125, "ar-en.len_ratio": 0.9})
    write_build(tmp_path, tuples)
    data = load_report_data(tmp_path)
    assert data.quality_label == "quality"
    blob = blob_of(data)
    assert blob[0]["q"] == 0.125
    assert "ar-en.len_ratio" in data.score_names
    assert blob[1]["q"] == pytest.approx(0.5)  # no quality on that row: its mean cos


def test_word_links_map_tokens_back_onto_the_text(tmp_path):
    write_build(tmp_path)
    data = load_report_data(tmp_path)
    assert list(data.word_alignments) == ["ar-en"]
    first = blob_of(data)[0]
    for lang in ("ar", "en"):
        text = first["t"][lang]
        tokens = [text[s:e] for s, e in undelta(first["o"][lang])]
        assert tokens == TOKEN.findall(text)
    # "12" is linked to "12", "." to "."
    links = first["a"]["ar-en"]
    pairs = [(links[k], links[k + 1]) for k in range(0, len(links), 2)]
    ar_tokens, en_tokens = TOKEN.findall(first["t"]["ar"]), TOKEN.findall(first["t"]["en"])
    assert (ar_tokens.index("12"), en_tokens.index("12")) in pairs
    assert all(ar_tokens[i] == en_tokens[j] for i, j in pairs)
    assert "fr" not in first["o"] and "ar-fr" not in first["a"]
    # rows without both languages have no links
    assert "a" not in blob_of(data)[2]


def test_out_of_range_links_are_dropped_with_a_warning(tmp_path):
    tuples = write_build(tmp_path, wordalign=False)
    write_word_links(tmp_path, tuples, extra={"0": "0-999 999-0"})
    data = load_report_data(tmp_path)
    assert any("2 link(s) outside the token lists dropped" in w for w in data.warnings)
    links = blob_of(data)[0]["a"]["ar-en"]
    assert max(links) < 999


def test_word_link_file_with_wrong_line_count_is_ignored(tmp_path):
    write_build(tmp_path)
    (tmp_path / "wordalign.ar-en.txt").write_text("0-0\n", encoding="utf-8")
    data = load_report_data(tmp_path)
    assert data.word_alignments == {}
    assert any("1 lines but corpus.tsv has 4 rows" in w for w in data.warnings)
    assert all("a" not in t and "o" not in t for t in blob_of(data))


def test_malformed_links_are_reported(tmp_path):
    tuples = write_build(tmp_path, wordalign=False)
    write_word_links(tmp_path, tuples, extra={"1": "x-y"})
    data = load_report_data(tmp_path)
    assert any("wordalign.ar-en.txt line 2: malformed link 'x-y'" in w for w in data.warnings)
    assert "a" not in blob_of(data)[1] and "a" in blob_of(data)[0]


def test_no_word_alignment_files_means_no_links(tmp_path):
    write_build(tmp_path, wordalign=False)
    data = load_report_data(tmp_path)
    assert data.word_alignments == {} and data.warnings == []
    assert all("a" not in t and "o" not in t for t in blob_of(data))


def test_tokens_that_are_not_slices_of_the_text_replace_it():
    assert token_offsets("a, b", ("a", ",", "b")) == [0, 1, 1, 2, 3, 4]
    assert token_offsets("a b", ("a", "c")) is None
    assert token_offsets("a x b", ("a", "b")) is None  # text between tokens is not whitespace
    assert delta_offsets([0, 1, 1, 2, 3, 4]) == [0, 1, 0, 1, 1, 1]


def test_tokenization_mismatch_shows_the_tokens(tmp_path):
    tuples = write_build(tmp_path, wordalign=False)
    lines = ["" for _ in tuples]
    lines[0] = "0-0"
    (tmp_path / "wordalign.ar-en.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    pairs = [" ||| " for _ in tuples]
    pairs[0] = "TOKEN1 TOKEN2 ||| other words"
    (tmp_path / "wordalign.ar-en.src-tgt").write_text("\n".join(pairs) + "\n", encoding="utf-8")
    first = blob_of(load_report_data(tmp_path))[0]
    assert first["t"]["ar"] == "TOKEN1 TOKEN2" and first["t"]["en"] == "other words"
    assert first["a"] == {"ar-en": [0, 0]}


def test_rejected_pairs_are_listed_once_with_their_reason(tmp_path):
    write_build(tmp_path)
    pairs = rejected_pairs(load_report_data(tmp_path))
    assert len(pairs) == 1
    assert {pairs[0]["a"], pairs[0]["b"]} == {"d_en", "x_ar"}
    assert pairs[0]["reason"] == "score 0.213 below threshold 0.500" and pairs[0]["score"] == 0.213


def test_script_json_cannot_close_its_script():
    value = {"t": "</script><script>alert(1)</script> <!-- \u2028"}
    text = script_json(value)
    assert "<" not in text and "\u2028" not in text
    assert json.loads(text) == value


def test_missing_folder_or_corpus_asks_for_a_build(tmp_path):
    with pytest.raises(InputError, match="run aligner build first"):
        load_report_data(tmp_path)
    with pytest.raises(InputError, match="run aligner build first"):
        load_report_data(tmp_path / "nope")


# ----------------------------------------------------------------------------- figures


def test_png_round_trips():
    rgb = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3) * 7
    assert np.array_equal(decode_png(encode_png(rgb)), rgb)
    with pytest.raises(ValueError):
        encode_png(np.zeros((0, 3, 3), np.uint8))


def test_colormap_ends_and_clipping():
    ends = colormap(np.array([-1.0, 0.0, 0.5, 1.0, 2.0]))
    assert ends[0].tolist() == ends[1].tolist() == VIRIDIS[0].tolist()
    assert ends[3].tolist() == ends[4].tolist() == VIRIDIS[-1].tolist()
    assert ends[2].tolist() == VIRIDIS[4].tolist()


def test_cosine_matrix():
    a = np.array([[1.0, 0.0], [0.0, 2.0]])
    b = np.array([[3.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    expected = np.array([[1.0, 2 ** -0.5, 0.0], [0.0, 2 ** -0.5, 0.0]])
    assert np.allclose(cosine_matrix(a, b), expected)


def test_project_beads_spans_and_skips_tuples_without_both_documents():
    tuples = make_tuples()
    ids_a = [seg("ar", k) for k in range(3)]
    ids_b = [seg("en", k) for k in range(4)]
    matrix = np.arange(12, dtype=float).reshape(3, 4)
    boxes = project_beads(tuples, "ar", ids_a, "en", ids_b, matrix)
    assert [(b.tuid, b.row_start, b.row_end, b.col_start, b.col_end, b.keep) for b in boxes] == [
        ("g0001-00001", 0, 0, 0, 0, True), ("g0001-00002", 1, 1, 1, 2, False)]
    assert boxes[1].similarity == pytest.approx((5 + 6) / 2)


def test_heatmap_svg_draws_cells_and_beads_where_they_belong():
    matrix = np.array([[0.2, 0.9, 0.5, 0.5], [0.5, 0.5, 0.1, 0.5], [0.5, 0.5, 0.5, 0.3]])
    beads = [BeadBox("t1", 0, 0, 1, 1, True, 0.9), BeadBox("t2", 1, 2, 2, 3, False, 0.3)]
    svg = heatmap_svg(matrix, beads, label_a="ar sentences", label_b="en sentences", doc_a="A", doc_b="B",
                      lang_a="ar", lang_b="en", uid="x")
    root = re.search(r"<svg [^>]*>", svg).group(0)
    assert 'data-rows="3"' in root and 'data-cols="4"' in root and 'data-beads="2"' in root
    assert 'data-min="0.1000"' in root and 'data-max="0.9000"' in root and 'data-doc-a="A"' in root
    image = re.search(r'<image class="cells" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"[^>]*'
                      r'base64,([^"]+)"', svg)
    left, top, width, height = map(float, image.groups()[:4])
    cell = width / 4
    assert height == pytest.approx(3 * cell)
    pixels = decode_png(__import__("base64").b64decode(image.group(5)))
    assert pixels.shape == (3, 4, 3)
    assert pixels[0, 1].tolist() == VIRIDIS[-1].tolist()  # the maximum is the brightest
    assert pixels[1, 2].tolist() == VIRIDIS[0].tolist()  # the minimum the darkest
    rects = re.findall(r'<rect class="bead (kept|dropped)" data-tuid="(\w+)" data-cos="([\d.]+)" x="([\d.]+)" '
                       r'y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/>', svg)
    assert [(r[0], r[1], r[2]) for r in rects] == [("kept", "t1", "0.900"), ("dropped", "t2", "0.300")]
    x, y, w, h = map(float, rects[1][3:])
    assert (x, y, w, h) == pytest.approx((left + 2 * cell, top + 1 * cell, 2 * cell, 2 * cell), abs=0.01)
    assert 'id="x-grad"' in svg and "url(#x-grad)" in svg


def test_heatmap_of_a_constant_matrix_is_uniform():
    svg = heatmap_svg(np.full((2, 2), 0.7), [], label_a="a", label_b="b")
    png = re.search(r"base64,([^\"]+)", svg).group(1)
    pixels = decode_png(__import__("base64").b64decode(png))
    assert (pixels == pixels[0, 0]).all()


def test_histogram_counts_kept_and_dropped_per_bin():
    svg = histogram_svg([(0.0, True), (0.04, False), (0.51, True), (0.99, True), (1.0, False), (None, True)],
                        label="quality", bins=10)
    bins = re.findall(r'<g class="bin" data-lo="([\d.]+)" data-hi="[\d.]+" data-kept="(\d+)" data-dropped="(\d+)">', svg)
    counts = {lo: (int(k), int(d)) for lo, k, d in bins}
    assert len(bins) == 10
    assert counts["0.00"] == (1, 1) and counts["0.50"] == (1, 0) and counts["0.90"] == (1, 1)
    assert sum(k + d for k, d in counts.values()) == 5
    assert 'data-missing="1"' in svg and 'id="hist-threshold"' in svg


def test_group_heatmaps_cover_each_document_pair(tmp_path):
    write_build(tmp_path)
    data = load_report_data(tmp_path)
    maps = dict(group_heatmaps(data, get_embedder("lexical")))
    assert list(maps) == ["g0001"]
    entries = {m["pair"]: m for m in maps["g0001"]}
    assert set(entries) == {"ar-en", "ar-fr", "en-fr"}
    assert (entries["ar-en"]["rows"], entries["ar-en"]["cols"], entries["ar-en"]["beads"]) == (3, 4, 2)
    assert (entries["en-fr"]["rows"], entries["en-fr"]["cols"], entries["en-fr"]["beads"]) == (4, 2, 2)
    assert entries["ar-en"]["svg"].count('class="bead ') == 2


def test_a_groups_tuples_are_found_when_groups_are_interleaved(tmp_path):
    tuples = make_tuples()
    other = AlignedTuple("g0002", "g0002-00001", {"ar": (), "en": ("x_en:0:0",), "fr": ()},
                         {"ar": "", "en": "Elsewhere.", "fr": ""}, {})
    write_build(tmp_path, [tuples[0], other, *tuples[1:]], wordalign=False)
    data = load_report_data(tmp_path)
    assert [len(data.summary.groups[g].runs) for g in ("g0001", "g0002")] == [2, 1]
    assert [t.tuid for t in data.group_tuples("g0001")] == [t.tuid for t in tuples]
    maps = dict(group_heatmaps(data, get_embedder("lexical")))
    assert maps["g0002"] == [] and {m["pair"]: m["beads"] for m in maps["g0001"]}["ar-en"] == 2


# ----------------------------------------------------------------------------- page and command


def test_build_report_writes_a_self_contained_page(tmp_path):
    write_build(tmp_path)
    path = build_report(tmp_path, get_embedder("lexical"))
    assert path == tmp_path / "report" / "index.html"
    html = path.read_text(encoding="utf-8")
    assert [p.name for p in path.parent.iterdir()] == ["index.html"]  # no temporary file left behind
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert "<link" not in html and "@import" not in html
    assert re.findall(r"https?://[^\s\"'<>\\]+", html) == ["http://www.w3.org/2000/svg"] * html.count("xmlns=")
    assert '<th lang="ar" dir="rtl">ar</th>' in html and '<th lang="en" dir="ltr">en</th>' in html
    assert "score 0.213 below threshold 0.500" in html  # the rejected pair and the ungrouped document
    assert "best candidate d_en" in html
    blob = json.loads(re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S)
                      .group(1))
    assert len(blob["tuples"]) == 4 and blob["rtl"] == ["ar"] and blob["qualityLabel"] == "mean cos"
    assert "</script><b>" in blob["tuples"][2]["t"]["en"]  # text survives, escaped in the page
    maps = json.loads(re.search(r'<script type="application/json" class="heatmap-src" data-group="g0001">(.*?)</script>',
                                html, re.S).group(1))
    assert maps["html"].count('<svg xmlns="http://www.w3.org/2000/svg" class="heatmap"') == 3
    assert maps["texts"]["d_en"][3] == SEGMENTS["en"][3]


def test_build_report_replaces_the_previous_page(tmp_path):
    write_build(tmp_path, wordalign=False)
    first = build_report(tmp_path, get_embedder("lexical")).read_text(encoding="utf-8")
    write_word_links(tmp_path, make_tuples())
    second = build_report(tmp_path, get_embedder("lexical")).read_text(encoding="utf-8")
    assert "word links: none" in first and "word links: ar-en" in second


def test_build_report_without_documents_or_segments_still_works(tmp_path):
    write_build(tmp_path, wordalign=False)
    (tmp_path / "documents.tsv").unlink()
    (tmp_path / "segments.tsv").unlink()
    html = build_report(tmp_path, get_embedder("lexical")).read_text(encoding="utf-8")
    assert "No heatmap: no segments.tsv rows" in html and "No rejected candidate pair." in html


def _parse(argv):
    parser = argparse.ArgumentParser(prog="aligner")
    add_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def test_report_command_writes_the_page(tmp_path, capsys):
    write_build(tmp_path)
    args = _parse(["report", str(tmp_path), "--embedder", "lexical"])
    assert args.embedder == "lexical" and args.out_dir == tmp_path
    assert args.run(args) == 0
    assert (tmp_path / "report" / "index.html").is_file()
    assert "report written to" in capsys.readouterr().err
    assert _parse(["report", str(tmp_path)]).embedder is None  # then the build's own, from build.json


def test_report_command_on_a_folder_without_corpus_asks_for_a_build(tmp_path):
    args = _parse(["report", str(tmp_path), "--embedder", "lexical"])
    with pytest.raises(InputError) as err:
        args.run(args)
    assert err.value.path == str(tmp_path) and "run aligner build first" in str(err.value)
    assert not (tmp_path / "report").exists()


def test_empty_corpus_and_two_languages(tmp_path):
    write_corpus_tsv(tmp_path / "empty" / "corpus.tsv", [], LANGS)
    html = build_report(tmp_path / "empty", get_embedder("lexical")).read_text(encoding="utf-8")
    assert "0 tuples (0 kept, 0 dropped) in 0 group(s)" in html and "No document group" in html
    two = [AlignedTuple("g1", "g1-1", {"en": ("e:0:0",), "fr": ("f:0:0",)}, {"en": "Hello.", "fr": "Bonjour."},
                        {"cos_en_fr": 0.9})]
    write_corpus_tsv(tmp_path / "two" / "corpus.tsv", two, ["en", "fr"])
    html = build_report(tmp_path / "two", get_embedder("lexical")).read_text(encoding="utf-8")
    assert '<option value="all">all 2 languages</option>' in html and 'dir="rtl"' not in html


def test_the_page_does_not_depend_on_the_folder(tmp_path):
    pages = []
    for name in ("first", "second"):
        write_build(tmp_path / name)
        pages.append(build_report(tmp_path / name, get_embedder("lexical")).read_bytes())
    assert pages[0] == pages[1]
