"""The docs' reference tables are the code's: stages, registries, the default configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from aligner.reference import DOCS, TABLES, blocks_in, render

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("doc", DOCS)
def test_the_generated_tables_match_the_code(doc):
    text = (REPO / doc).read_text(encoding="utf-8")
    assert render(text) == text, f"{doc} is out of date: run scripts/write_reference.py"


def test_every_table_is_in_a_doc():
    held = {name for doc in DOCS for name in blocks_in((REPO / doc).read_text(encoding="utf-8"))}
    assert held == set(TABLES)


def test_a_changed_registry_shows_in_the_table():
    from aligner.export import FORMATS

    text = "<!-- generated: export-formats -->\nSTALE TABLE\n<!-- end: export-formats -->\n"
    rendered = render(text)
    assert "STALE TABLE" not in rendered and all(f"`{name}`" in rendered for name in FORMATS.names())
