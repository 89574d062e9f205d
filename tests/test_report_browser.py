"""The HTML report of the seeds, opened from a file:// URL in headless Chromium and checked through the DOM.

Needs Debian's ``chromium`` and ``chromium-driver`` (``apt-get install -y chromium chromium-driver
fonts-noto-core``) and selenium; skips with the reason when they are missing. The build is the real
``aligner build`` on the seeds with its default embedder, once for the module. If the build does not
write word alignments (``wordalign.A-B.txt`` + ``.src-tgt``), this module writes plausible ones
(shared tokens and a diagonal) and rebuilds the report, so that hover highlighting can be checked.
Leaves screenshots in ``test-artifacts/``.
"""

from __future__ import annotations

import itertools
import math
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import regex

from aligner.export.corpus_tsv import read_corpus_tsv
from aligner.report import build_report

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "corpus" / "raw"
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic", "--window-size=1400,1000")
PAGE_SIZE = 50

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None,
                       reason="headless browser test needs Debian's chromium and chromium-driver "
                              "(apt-get install -y chromium chromium-driver fonts-noto-core); CI installs them"),
]
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install selenium==4.51.0)")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

TOKEN = regex.compile(r"[\p{L}\p{M}\p{N}]+|[^\s\p{L}\p{M}\p{N}]")


def write_plausible_word_links(out: Path) -> None:
    """wordalign.A-B.txt/.src-tgt for every pair: identical tokens (numbers, names) plus a rough diagonal."""
    languages, tuples = read_corpus_tsv(out / "corpus.tsv")
    for a, b in itertools.combinations(sorted(languages), 2):
        links, pairs = [], []
        for item in tuples:
            ta, tb = TOKEN.findall(item.texts[a]), TOKEN.findall(item.texts[b])
            pairs.append(f"{' '.join(ta)} ||| {' '.join(tb)}")
            if not ta or not tb:
                links.append("")
                continue
            found = {(i, j) for i, x in enumerate(ta) for j, y in enumerate(tb)
                     if x.casefold() == y.casefold() and (x[0].isdigit() or len(x) > 3)}
            for i, x in enumerate(ta):
                if len(x) > 3 and not any(i == k for k, _ in found):
                    found.add((i, round(i * (len(tb) - 1) / max(1, len(ta) - 1))))
            links.append(" ".join(f"{i}-{j}" for i, j in sorted(found)))
        (out / f"wordalign.{a}-{b}.txt").write_text("\n".join(links) + "\n", encoding="utf-8")
        (out / f"wordalign.{a}-{b}.src-tgt").write_text("\n".join(pairs) + "\n", encoding="utf-8")


def read_links(out: Path, languages: list[str]) -> dict[str, list[list[tuple[int, int]]]]:
    found = {}
    for a, b in itertools.combinations(sorted(languages), 2):
        lines = (out / f"wordalign.{a}-{b}.txt").read_text(encoding="utf-8").split("\n")
        found[f"{a}-{b}"] = [[tuple(map(int, link.split("-"))) for link in line.split()] for line in lines]
    return found


def quality(scores: dict[str, float]) -> float | None:
    """What the page colours and filters by: quality, else the mean of the cos_* scores."""
    if "quality" in scores:
        return round(scores["quality"], 4)
    cosines = [v for k, v in scores.items() if k.startswith("cos_")]
    return round(sum(cosines) / len(cosines), 4) if cosines else None


def norm(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.category(c).startswith("M")).lower()


@pytest.fixture(scope="module")
def seeds_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "out"
    result = subprocess.run([sys.executable, "-m", "aligner", "build", str(SEEDS), "--out", str(out)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    languages, _ = read_corpus_tsv(out / "corpus.tsv")
    pairs = [f"{a}-{b}" for a, b in itertools.combinations(sorted(languages), 2)]
    if not all((out / f"wordalign.{p}.txt").exists() for p in pairs):
        write_plausible_word_links(out)
        build_report(out)  # default embedder: a cache hit after the build
    elif not (out / "report" / "index.html").exists():
        build_report(out)
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chrome-profile')}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture
def page(browser, seeds_build):
    browser.get((seeds_build / "report" / "index.html").resolve().as_uri())
    WebDriverWait(browser, 30).until(lambda d: d.execute_script("return document.documentElement.dataset.ready"))
    return browser


@pytest.fixture(scope="module")
def corpus(seeds_build):
    return read_corpus_tsv(seeds_build / "corpus.tsv")


def count(driver) -> int:
    return int(driver.find_element(By.ID, "count").get_attribute("data-count"))


def shown_tuids(driver) -> list[str]:
    return driver.execute_script("return [...document.querySelectorAll('#tuple-rows tr')].map(r => r.dataset.tuid)")


def expected_first_page(rows) -> list[str]:
    return [t.tuid for t in rows][:PAGE_SIZE]


def set_input(driver, element_id: str, value: str) -> None:
    element = driver.find_element(By.ID, element_id)
    element.clear()
    if value:
        element.send_keys(value)
    driver.execute_script("arguments[0].dispatchEvent(new Event('input'))", element)


def test_every_tuple_of_the_default_view_is_rendered(page, corpus):
    languages, tuples = corpus
    default = [t for t in tuples if len(t.languages) >= 2]
    assert 0 < len(default) < len(tuples)  # the seeds have one-language rows, hidden by default
    assert count(page) == len(default)
    assert shown_tuids(page) == expected_first_page(default)
    cells = page.execute_script(
        "return [...document.querySelectorAll('#tuple-rows tr')].map(r => [...r.querySelectorAll('td.txt')]"
        ".map(td => td.classList.contains('missing') ? '' : td.textContent))")
    for row, item in zip(cells, default):
        assert row == [item.texts[lang] for lang in languages]
    summary = page.find_element(By.ID, "summary").text
    assert f"{len(tuples)} tuples" in summary
    # nothing was fetched: the page is self-contained
    assert page.execute_script(
        "return performance.getEntriesByType('resource').filter(e => !e.name.startsWith('data:')).length") == 0


def test_arabic_is_right_to_left_in_an_arabic_font(page):
    cells = page.find_elements(By.CSS_SELECTOR, "#tuple-rows td.lang-ar")
    assert cells
    for cell in cells:
        assert cell.get_attribute("dir") == "rtl" and cell.get_attribute("lang") == "ar"
        assert cell.value_of_css_property("direction") == "rtl"
    assert "Noto Naskh Arabic" in cells[0].value_of_css_property("font-family")
    english = page.find_element(By.CSS_SELECTOR, "#tuple-rows td.lang-en")
    assert english.value_of_css_property("direction") == "ltr"
    header = page.find_element(By.CSS_SELECTOR, "#tuple-table th[lang=ar]")
    assert header.value_of_css_property("direction") == "rtl"


def test_minimum_quality_filter(page, corpus):
    _, tuples = corpus
    default = [t for t in tuples if len(t.languages) >= 2]
    values = sorted({quality(t.scores) for t in default if quality(t.scores) is not None})
    assert len(values) >= 2
    middle = len(values) // 2
    threshold = round((values[middle - 1] + values[middle]) / 2, 4)
    expected = [t for t in default if quality(t.scores) is not None and quality(t.scores) >= threshold]
    assert 0 < len(expected) < len(default)
    set_input(page, "min-quality-num", str(threshold))
    assert count(page) == len(expected)
    assert shown_tuids(page) == expected_first_page(expected)
    shown_q = page.execute_script("return [...document.querySelectorAll('#tuple-rows tr')].map(r => +r.dataset.q)")
    assert min(shown_q) >= threshold
    # the histogram's threshold line moved with it
    x = float(page.find_element(By.ID, "hist-threshold").get_attribute("x1"))
    svg = page.find_element(By.CSS_SELECTOR, "svg.histogram")
    x0, x1 = float(svg.get_attribute("data-x0")), float(svg.get_attribute("data-x1"))
    assert x == pytest.approx(x0 + (x1 - x0) * threshold, abs=0.01)
    # above every tuple: nothing left, and the page says so
    set_input(page, "min-quality-num", "1")
    if all(q < 1 for q in values):
        assert count(page) == 0 and page.find_element(By.ID, "empty").is_displayed()
    set_input(page, "min-quality-num", "0")
    assert count(page) == len(default)


def test_text_search(page, corpus):
    languages, tuples = corpus
    default = [t for t in tuples if len(t.languages) >= 2]

    def matching(word):
        needle = norm(word)
        return [t for t in default if needle in norm("\n".join([t.tuid, *(t.texts[l] for l in languages)]))]

    for lang in ("en", "ar"):
        words = (w for t in default for w in TOKEN.findall(t.texts[lang]) if len(w) >= 5 and not w.isdigit())
        word = next(w for w in words if 0 < len(matching(w)) < len(default))
        set_input(page, "search", word)
        assert count(page) == len(matching(word)), word
        assert shown_tuids(page) == expected_first_page(matching(word))
    set_input(page, "search", "zzzqqq-no-such-text")
    assert count(page) == 0 and shown_tuids(page) == []
    assert page.find_element(By.ID, "empty").is_displayed()
    set_input(page, "search", "")
    assert count(page) == len(default)


def test_language_coverage_and_state_filters(page, corpus):
    languages, tuples = corpus
    coverage = Select(page.find_element(By.ID, "coverage"))
    coverage.select_by_value("all")
    every = [t for t in tuples if len(t.languages) == len(languages)]
    assert count(page) == len(every) and shown_tuids(page) == expected_first_page(every)
    coverage.select_by_value("1")
    assert count(page) == len(tuples) and shown_tuids(page) == expected_first_page(tuples)
    one_language = page.find_elements(By.CSS_SELECTOR, '#tuple-rows tr[data-langs="1"]')
    assert len(one_language) == sum(len(t.languages) == 1 for t in tuples[:PAGE_SIZE]) > 0
    assert all(row.find_elements(By.CSS_SELECTOR, "td.missing") for row in one_language)
    Select(page.find_element(By.ID, "state")).select_by_value("dropped")
    dropped = [t for t in tuples if not t.keep]
    assert count(page) == len(dropped) and shown_tuids(page) == expected_first_page(dropped)
    Select(page.find_element(By.ID, "state")).select_by_value("any")
    coverage.select_by_value("2")
    assert count(page) == sum(len(t.languages) >= 2 for t in tuples)


def _linked_words(links, index: int, lang: str, i: int) -> set[tuple[str, int]]:
    expected = set()
    for pair, rows in links.items():
        a, b = pair.split("-")
        for x, y in rows[index]:
            if a == lang and x == i:
                expected.add((b, y))
            if b == lang and y == i:
                expected.add((a, x))
    return expected


def _highlighted(driver, tuid: str, cls: str) -> set[tuple[str, int]]:
    return {tuple(pair) for pair in driver.execute_script(
        "return [...document.querySelectorAll('#tuple-rows tr[data-tuid=\"' + arguments[0] + '\"] .w.' + arguments[1])]"
        ".map(w => [w.closest('td').dataset.lang, +w.dataset.i])", tuid, cls)}


def test_hovering_or_clicking_a_word_highlights_its_linked_words(page, corpus, seeds_build):
    languages, tuples = corpus
    links = read_links(seeds_build, languages)
    default = [t for t in tuples if len(t.languages) >= 2][:PAGE_SIZE]
    index_of = {t.tuid: k for k, t in enumerate(tuples)}
    checked = []
    for lang in ("en", "ar"):  # en is the second side of ar-en and the first of en-fr; ar the first of both
        target = next(((t, i) for t in default for i in range(200)
                       if len({l for l, _ in _linked_words(links, index_of[t.tuid], lang, i)}) >= 2), None)
        assert target is not None, f"no {lang} word linked to two languages on the first page"
        item, i = target
        expected = _linked_words(links, index_of[item.tuid], lang, i)
        word = page.find_element(By.CSS_SELECTOR, f'#tuple-rows tr[data-tuid="{item.tuid}"] td[data-lang="{lang}"] '
                                                  f'.w[data-i="{i}"]')
        page.execute_script("arguments[0].scrollIntoView({block: 'center'})", word)
        ActionChains(page).move_to_element(word).perform()
        assert _highlighted(page, item.tuid, "hl-self") == {(lang, i)}
        assert _highlighted(page, item.tuid, "hl") == expected
        # the highlighted words are shown in a different colour
        colour = page.find_element(By.CSS_SELECTOR, ".w.hl").value_of_css_property("background-color")
        assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
        ActionChains(page).move_to_element(page.find_element(By.CSS_SELECTOR, "#tuples h2")).perform()
        assert _highlighted(page, item.tuid, "hl") == set()
        checked.append((item.tuid, lang, i, expected))
    # click pins the highlight; it stays when the mouse leaves; a second click clears it
    tuid, lang, i, expected = checked[0]
    word = page.find_element(By.CSS_SELECTOR, f'#tuple-rows tr[data-tuid="{tuid}"] td[data-lang="{lang}"] .w[data-i="{i}"]')
    page.execute_script("arguments[0].scrollIntoView({block: 'center'})", word)
    word.click()
    ActionChains(page).move_to_element(page.find_element(By.CSS_SELECTOR, "#tuples h2")).perform()
    assert _highlighted(page, tuid, "hl") == expected and _highlighted(page, tuid, "pinned") == {(lang, i)}
    word.click()
    assert _highlighted(page, tuid, "hl") == set() and _highlighted(page, tuid, "pinned") == set()


def test_heatmaps_draw_the_alignment_over_each_document_pair(page, corpus, seeds_build):
    languages, tuples = corpus
    details = page.find_elements(By.CSS_SELECTOR, "details.maps")
    assert details
    details[0].find_element(By.TAG_NAME, "summary").click()
    WebDriverWait(page, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "svg.heatmap"))
    group = details[0].get_attribute("data-group")
    maps = page.find_elements(By.CSS_SELECTOR, f'details.maps[data-group="{group}"] figure.hm')
    pairs = [m.get_attribute("data-pair") for m in maps]
    assert sorted(pairs) == [f"{a}-{b}" for a, b in itertools.combinations(sorted(languages), 2)]
    members = [t for t in tuples if t.group_id == group]
    for figure, pair in zip(maps, pairs):
        a, b = pair.split("-")
        svg = figure.find_element(By.CSS_SELECTOR, "svg.heatmap")
        beads = svg.find_elements(By.CSS_SELECTOR, "rect.bead")
        expected = [t for t in members if t.segment_ids[a] and t.segment_ids[b]]
        assert len(beads) == int(svg.get_attribute("data-beads")) == len(expected) > 0
        assert [r.get_attribute("data-tuid") for r in beads] == [t.tuid for t in expected]
        image = svg.find_element(By.CSS_SELECTOR, "image.cells")
        assert image.size["width"] > 50 and image.size["height"] > 20
    # hovering a box names its tuple; clicking it shows that tuple
    bead = maps[0].find_element(By.CSS_SELECTOR, "rect.bead")
    page.execute_script("arguments[0].scrollIntoView({block: 'center'})", bead)
    ActionChains(page).move_to_element(bead).perform()
    tip = page.find_element(By.ID, "hm-tip")
    assert tip.is_displayed() and bead.get_attribute("data-tuid") in tip.text
    ARTIFACTS.mkdir(exist_ok=True)
    page.save_screenshot(str(ARTIFACTS / "report-seeds-heatmaps.png"))
    tuid = bead.get_attribute("data-tuid")
    bead.click()
    assert shown_tuids(page) == [tuid]


def test_screenshot_of_the_tuples(page, corpus):
    """A picture for a person to look at: the tuples, with one word's links highlighted."""
    word = page.find_element(By.CSS_SELECTOR, '#tuple-rows td[data-lang="en"] .w.lk')
    page.execute_script("document.getElementById('quality').scrollIntoView()")
    word.click()
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "report-seeds.png"
    page.save_screenshot(str(path))
    assert path.stat().st_size > 10_000
    assert page.find_elements(By.CSS_SELECTOR, "#tuple-rows .w.hl")
    assert not math.isnan(page.execute_script("return window.reportReadyMs"))
