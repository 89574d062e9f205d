"""Shared helpers of the export tests (no tests here): corpus fixtures, independent readers, expectations.

The readers are the tools researchers use (lxml with the packaged DTD, translate-toolkit, datasets,
polars), and the expectations restate the documented rules of docs/formats.md from scratch rather
than calling the exporter's own helpers, so a bug shared by both cannot hide.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from aligner.export.corpus_tsv import write_corpus_tsv
from aligner.model import AlignedTuple

LANGS = ("ar", "en", "fr")
PACKAGED_DTD = Path(__file__).resolve().parent.parent / "aligner" / "export" / "data" / "tmx14.dtd"
LINE_BREAK_CHARS = set("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")


def tup(tuid, ar="", en="", fr="", *, group="g1", keep=True, scores=None, ids=None) -> AlignedTuple:
    texts = {"ar": ar, "en": en, "fr": fr}
    if ids is None:
        docs = {"ar": "000_aaaa", "en": "002_bbbb", "fr": "004_cccc"}
        ids = {lang: (f"{docs[lang]}:1:{tuid}",) if texts[lang] else () for lang in LANGS}
    return AlignedTuple(group, str(tuid), ids, texts, dict(scores or {}), keep)


def make_corpus(out_dir: Path, tuples, languages=LANGS, splits=None) -> Path:
    """``splits``: each tuple's split column (default: every one ``train``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    write_corpus_tsv(out_dir / "corpus.tsv", tuples, list(languages), splits=splits)
    return out_dir / "corpus.tsv"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- TMX ------------------------------------------------------------------------------------------

def validate_tmx(path: Path) -> None:
    """Parse with lxml and validate against the DTD shipped in the package; fail with lxml's log."""
    from lxml import etree

    dtd = etree.DTD(str(PACKAGED_DTD))
    tree = etree.parse(str(path), etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False))
    assert dtd.validate(tree), f"{path.name} is not valid TMX 1.4: {dtd.error_log.filter_from_errors()}"


def read_tmx_toolkit(path: Path, languages=LANGS) -> list[tuple[str, dict[str, str]]]:
    """Every unit through translate-toolkit: (tuid, {lang: text}) for the languages it has."""
    from translate.storage.tmx import tmxfile

    with open(path, "rb") as handle:
        store = tmxfile(handle)
    units = []
    for unit in store.units:
        texts = {lang: unit.gettarget(lang) for lang in languages}
        units.append((unit.getid(), {lang: text for lang, text in texts.items() if text is not None}))
    return units


def tmx_props(path: Path) -> list[dict[str, str]]:
    """The ``<prop>``s of each ``<tu>``, in order."""
    from lxml import etree

    tree = etree.parse(str(path))
    return [{prop.get("type"): prop.text or "" for prop in tu.findall("prop")} for tu in tree.iter("tu")]


def xml_char_ok(char: str) -> bool:
    code = ord(char)
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000


def xml_clean(text: str) -> str:
    return "".join(c for c in text if xml_char_ok(c))


def present(text: str) -> bool:
    return text.strip() != ""


# --- plain text (Moses, test set) -----------------------------------------------------------------

def one_line(text: str) -> str:
    """Lone surrogates removed, each run of line-break characters one space."""
    out, in_break = [], False
    for char in text:
        if 0xD800 <= ord(char) <= 0xDFFF:
            continue
        if char in LINE_BREAK_CHARS:
            if not in_break:
                out.append(" ")
            in_break = True
        else:
            out.append(char)
            in_break = False
    return "".join(out)


def read_lines(path: Path) -> list[str]:
    """Lines as a strict reader sees them: split on LF only, and no other line break may appear."""
    text = path.read_text(encoding="utf-8")
    assert text == "" or text.endswith("\n")
    lines = text.split("\n")[:-1]
    assert all(line.splitlines() == [line] for line in lines), "a line holds a character splitlines breaks on"
    return lines


# --- Hugging Face -----------------------------------------------------------------------------------

def load_hf(path: Path, builder: str):
    """``datasets.load_dataset(builder, data_files=path)`` offline, with a throwaway cache."""
    os.environ["HF_DATASETS_OFFLINE"] = "1"
    os.environ["HF_HUB_OFFLINE"] = "1"
    import datasets

    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()
    with tempfile.TemporaryDirectory() as cache:
        dataset = datasets.load_dataset(builder, data_files=str(path), split="train", cache_dir=cache,
                                        keep_in_memory=True)
    return dataset
