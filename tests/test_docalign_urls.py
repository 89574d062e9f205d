"""Address evidence in document alignment: hreflang alternates and URLs equal but for a language marker."""

from __future__ import annotations

import dataclasses

import pytest

from aligner.docalign.urls import declared_pairs, language_neutral, with_declaration
from test_docalign import World, group_sets

LANGS = ("ar", "en", "fr")


@pytest.mark.parametrize("one, other", [
    ("https://www.un.org/en/news/story-1", "http://un.org/fr/news/story-1/"),
    ("https://example.org/press/report-en.html", "https://example.org/press/report-fr.html"),
    ("https://example.org/press/report.ar.html", "https://example.org/press/report.en.html"),
    ("https://example.org/article?id=7&lang=ar", "https://example.org/article?lang=fr&id=7"),
    ("https://example.org/en-gb/item/3", "https://example.org/fr-fr/item/3"),
])
def test_twin_addresses_have_one_language_neutral_form(one, other):
    assert language_neutral(one, LANGS) == language_neutral(other, LANGS) is not None


@pytest.mark.parametrize("url", ["https://example.org/news/france-votes", "https://example.org/enfants/a",
                                 "https://example.org/article?id=7", "https://example.org/arts/1"])
def test_an_address_without_a_language_marker_declares_nothing(url):
    assert language_neutral(url, LANGS) is None


def test_hreflang_alternates_resolve_against_the_page_and_pair_pages_of_those_languages():
    world = World(seed=3)
    meanings = world.meanings(4)
    english = world.document("en-page", "en", meanings)
    french = world.document("fr-page", "fr", meanings)
    arabic = world.document("ar-page", "ar", meanings)
    pages = [dataclasses.replace(english, url="https://site.example/news/story",
                                 hints={"hreflang": {"fr": "/actualites/histoire", "ar": "https://other.example/x"}}),
             dataclasses.replace(french, hints={"canonical": "https://site.example/actualites/histoire"}),
             dataclasses.replace(arabic, url="https://other.example/x")]
    assert declared_pairs(pages, LANGS) == {("en-page", "fr-page"): "hreflang", ("ar-page", "en-page"): "hreflang"}
    # an alternate that names another language than the page it points to declares nothing
    wrong = [pages[0], dataclasses.replace(pages[2], lang="fr")]
    assert declared_pairs(wrong, LANGS) == {}


def test_a_declared_pair_is_accepted_from_half_the_threshold_and_says_so():
    assert with_declaration({"score": 0.3}, "url", 0.5) == {"score": 0.5, "text_score": 0.3, "url": 1.0}
    assert with_declaration({"score": 0.2}, "hreflang", 0.5) == {"score": 0.2, "hreflang": 1.0}
    assert with_declaration({"score": 0.3}, None, 0.5) == {"score": 0.3}


def partial_pair(world: World, declared: bool):
    """An English page and a French page of 7 sentences, 2 of them translating the English (score < 0.5)."""
    meanings = world.meanings(8)
    english = world.document("en-story", "en", meanings)
    french = world.document("fr-story", "fr", meanings[:2] + world.meanings(5))
    if declared:
        world.documents[world.documents.index(english)] = dataclasses.replace(
            english, url="https://news.example/en/2024/story")
        world.documents[world.documents.index(french)] = dataclasses.replace(
            french, url="https://news.example/fr/2024/story")
    return world


def test_pages_a_site_declares_twins_are_grouped_though_the_translation_is_partial():
    undeclared = partial_pair(World(seed=5, noise=0.05), declared=False).align()
    assert group_sets(undeclared) == set()
    result = partial_pair(World(seed=5, noise=0.05), declared=True).align()
    assert group_sets(result) == {frozenset({"en-story", "fr-story"})}
    (pair,) = [p for p in result.pairs if {p.doc_a, p.doc_b} == {"en-story", "fr-story"}]
    assert pair.evidence["url"] == 1.0 and pair.evidence["text_score"] < 0.5 <= pair.score

