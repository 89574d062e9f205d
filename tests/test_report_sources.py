"""The report shows each document's source format and lets a reader open the chrome ingest removed."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from aligner.errors import InputError
from aligner.report.sources import MAX_REMOVED_SHOWN, read_document_sources

PAGE = """<html lang="fr"><head><title>Crues dans le nord</title></head><body>
<nav><a href="/">Accueil</a> <a href="/monde">Monde</a> <a href="/sport">Sport</a></nav>
<article><h1>Crues dans le nord</h1><p>La rivière a inondé trois villages lundi soir.</p>
<p>Les secours sont arrivés à l'aube, a déclaré le maire.</p></article>
<div class="cookie-banner">Nous utilisons des cookies pour améliorer votre expérience.</div>
<footer>© 2023 Le Courrier. Tous droits réservés.</footer></body></html>"""


def test_the_report_names_formats_and_lists_removed_chrome_with_reasons(seeds_dir, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(seeds_dir, raw)
    (raw / "page-fr.html").write_text(PAGE, encoding="utf-8")
    out = tmp_path / "out"
    built = subprocess.run([sys.executable, "-m", "aligner", "build", str(raw), "--out", str(out),
                            "--embedder", "lexical", "--workers", "1"], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    page = (out / "report" / "index.html").read_text(encoding="utf-8")
    assert '<span class="format">html</span>' in page and '<span class="format">text</span>' in page
    assert "lines removed as page chrome" in page
    for reason in ("html-navigation", "html-cookie", "html-footer"):
        assert reason in page
    sources = read_document_sources(out / "documents.jsonl")
    html = next(s for s in sources.values() if s.format == "html")
    assert html.title == "Crues dans le nord" and html.removed_count == len(html.removed) >= 3


def test_removed_lines_are_capped_but_counted(tmp_path):
    path = tmp_path / "documents.jsonl"
    removed = [{"text": f"ligne {k}", "reason": "navigation", "source_span": [k, k + 1]} for k in range(100)]
    path.write_text(json.dumps({"doc_id": "d", "removed": removed}) + "\n", encoding="utf-8")
    source = read_document_sources(path)["d"]
    assert source.format == "text" and source.removed_count == 100 and len(source.removed) == MAX_REMOVED_SHOWN


def test_a_damaged_documents_jsonl_names_the_file_and_line(tmp_path):
    path = tmp_path / "documents.jsonl"
    path.write_text('{"doc_id": "d"}\n{not json\n', encoding="utf-8")
    with pytest.raises(InputError, match="line 2"):
        read_document_sources(path)
    assert read_document_sources(tmp_path / "absent.jsonl") == {}
