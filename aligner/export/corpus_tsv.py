"""``corpus.tsv``: one row per aligned tuple, the build's main output and the input of ``aligner export``.

Columns: ``group``, ``tuid``, one text column per language (``ar``, ``en``, ``fr``; empty where the
tuple lacks the language), ``<lang>_ids`` (space-separated segment ids), the named scores in a
fixed order, and ``keep`` (1/0). Tab-separated, no quoting; tabs and line breaks inside text
become spaces. Read back with :func:`read_corpus_tsv` or ``polars.read_csv(..., quote_char=None)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from aligner.errors import InputError
from aligner.export.tables import read_tsv_table, write_tsv
from aligner.model import AlignedTuple

ID_SUFFIX = "_ids"


def score_names(tuples: Sequence[AlignedTuple]) -> list[str]:
    """Every score name used by ``tuples``: per-pair scores (``ar-en.cos``) first, pairs in alphabetical order,
    components in order of first appearance; then the tuple scores (``consistency``, ``quality``)."""
    names: dict[str, None] = {}
    for item in tuples:
        names.update(dict.fromkeys(item.scores))
    order = {name: k for k, name in enumerate(names)}
    components = {name.partition(".")[2]: order[name] for name in reversed(names) if "." in name}

    def key(name: str) -> tuple:
        pair, dot, component = name.partition(".")
        return (0, pair, components[component]) if dot else (1, "", order[name])

    return sorted(names, key=key)


def format_score(value: float | None) -> str:
    """Scores with 4 decimals; missing or NaN scores are an empty cell."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:.4f}"


def corpus_header(languages: Sequence[str], scores: Sequence[str]) -> list[str]:
    return ["group", "tuid", *languages, *(f"{lang}{ID_SUFFIX}" for lang in languages), *scores, "keep"]


def write_corpus_tsv(path: Path, tuples: Sequence[AlignedTuple], languages: Sequence[str],
                     scores: Sequence[str] | None = None) -> None:
    """``scores``: the score columns, in order (default: :func:`score_names` of ``tuples``)."""
    scores = list(scores) if scores is not None else score_names(tuples)
    rows = (
        [item.group_id, item.tuid,
         *(item.texts.get(lang, "") for lang in languages),
         *(" ".join(item.segment_ids.get(lang, ())) for lang in languages),
         *(format_score(item.scores.get(name)) for name in scores),
         item.keep]
        for item in tuples
    )
    write_tsv(path, corpus_header(languages, scores), rows)


def read_corpus_tsv(path: Path) -> tuple[list[str], list[AlignedTuple]]:
    """Read a corpus.tsv back: its languages and its tuples (scores as floats, missing ones left out)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "no such file (run `aligner build` first)")
    header, rows = read_tsv_table(path, ("group", "tuid", "keep"), "corpus.tsv")
    if header[:2] != ["group", "tuid"] or header[-1] != "keep":
        raise InputError(path, "not a corpus.tsv: header must start with group, tuid and end with keep")
    languages = [name[: -len(ID_SUFFIX)] for name in header if name.endswith(ID_SUFFIX)]
    n = len(languages)
    scores = header[2 + 2 * n : -1]
    if header[2 : 2 + n] != languages:
        raise InputError(path, "not a corpus.tsv: text columns must precede their _ids columns")
    tuples = []
    for number, cells in rows:
        texts = dict(zip(languages, cells[2 : 2 + n]))
        ids = {lang: tuple(cell.split()) for lang, cell in zip(languages, cells[2 + n : 2 + 2 * n])}
        try:
            values = {name: float(cell) for name, cell in zip(scores, cells[2 + 2 * n : -1]) if cell}
        except ValueError as err:
            raise InputError(path, f"line {number}: {err}") from None
        if cells[-1] not in ("0", "1"):
            raise InputError(path, f"line {number}: keep must be 0 or 1, got {cells[-1]!r}")
        tuples.append(AlignedTuple(cells[0], cells[1], ids, texts, values, cells[-1] == "1"))
    return languages, tuples
