"""The report's data shaped for the page: one JSON record per tuple, the quality histogram's input,
the group table, the rejected document pairs and the documents left out of every group.

A module of its own because this is the page's side of the data (:mod:`aligner.report.data`
reads the build folder): compact records, read from corpus.tsv as the page is written.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from aligner.report.data import DocumentRow, ReportData, _number
from aligner.report.word_links import word_alignment_rows


def token_offsets(text: str, tokens: tuple[str, ...]) -> list[int] | None:
    """Flat ``[start0, end0, start1, end1, ...]`` of each token found in order in ``text``, or None.

    Tokens are expected to be slices of the text (the word aligner's tokenizer guarantees it);
    if one is not found after the previous one, the text and the tokens disagree and None is returned.
    """
    flat: list[int] = []
    position = 0
    for token in tokens:
        start = text.find(token, position)
        if start < 0 or text[position:start].strip():
            return None
        flat += [start, start + len(token)]
        position = start + len(token)
    return flat


def delta_offsets(flat: list[int]) -> list[int]:
    """``[start0, end0, start1, end1, ...]`` -> ``[gap0, length0, gap1, length1, ...]``."""
    out, end = [], 0
    for k in range(0, len(flat), 2):
        out += [flat[k] - end, flat[k + 1] - flat[k]]
        end = flat[k + 1]
    return out


def tuple_records(data: ReportData) -> Iterator[dict]:
    """One JSON object per tuple, in corpus order, read from the build folder as they are asked for:
    what the page renders.

    ``id`` tuid, ``g`` group, ``k`` keep (1/0), ``q`` display quality, ``s`` scores (in
    ``score_names`` order, null where missing), ``t`` language -> text, and where word alignments
    exist ``o`` language -> the tokens' places in ``t`` as ``[gap0, length0, gap1, length1, ...]``
    (``gap`` counts the characters since the previous token's end: small numbers, a compact blob)
    and ``a`` pair -> flat links ``[i0, j0, i1, j1, ...]``.
    """
    for item, rows in word_alignment_rows(data):
        texts = {lang: item.texts.get(lang, "") for lang in data.languages}
        record: dict = {
            "id": item.tuid, "g": item.group_id, "k": 1 if item.keep else 0,
            "q": _number(data.quality_of(item)),
            "s": [_number(item.scores.get(name)) for name in data.score_names],
            "t": texts,
        }
        tokens: dict[str, tuple[str, ...]] = {}
        offsets: dict[str, list[int]] = {}
        links: dict[str, list[int]] = {}
        for pair, row in rows.items():
            alignment = row.alignment
            if alignment is None:
                continue
            a, b = pair.split("-")
            usable = True
            for lang, toks in ((a, alignment.tokens_a), (b, alignment.tokens_b)):
                if lang in tokens:
                    usable &= tokens[lang] == toks
                    continue
                flat = token_offsets(texts[lang], toks)
                if flat is None:  # tokens are not slices of the text: show the tokens themselves
                    texts[lang] = " ".join(toks)
                    flat = token_offsets(texts[lang], toks)
                tokens[lang] = toks
                offsets[lang] = flat
            if usable and alignment.links:
                links[pair] = [n for link in alignment.links for n in link]
        if offsets:
            record["o"] = {lang: delta_offsets(flat) for lang, flat in offsets.items()}
        if links:
            record["a"] = links
        yield record


def quality_values(data: ReportData) -> Iterator[tuple[float | None, bool]]:
    """``(display quality as the page shows it, keep)`` of each tuple, read from corpus.tsv (the histogram's input)."""
    return ((_number(data.quality_of(item)), item.keep) for item in data.corpus)


def groups_summary(data: ReportData) -> list[dict]:
    """One record per group (in first-seen order): id, score, member documents, tuple counts."""
    groups: dict[str, dict] = {}
    for row in data.documents:
        if row.group:
            entry = groups.setdefault(row.group, {"id": row.group, "score": row.score, "docs": [],
                                                  "tuples": 0, "kept": 0})
            entry["docs"].append({"doc_id": row.doc_id, "lang": row.lang, "file": row.file})
            if entry["score"] is None:
                entry["score"] = row.score
    for group_id, counts in data.summary.groups.items():
        entry = groups.setdefault(group_id, {"id": group_id, "score": None, "docs": [], "tuples": 0, "kept": 0})
        entry["tuples"], entry["kept"] = counts.tuples, counts.kept
        # no documents.tsv: members from the tuples' segment ids
        entry["docs"] += [{"doc_id": doc, "lang": lang, "file": ""} for doc, lang in counts.docs.items()]
    for entry in groups.values():
        entry["docs"].sort(key=lambda d: (d["lang"], d["doc_id"]))
    return list(groups.values())


def rejected_pairs(data: ReportData) -> list[dict]:
    """Every rejected candidate pair once (from either side), best score first, with its reason."""
    lang = {row.doc_id: row.lang for row in data.documents}
    seen: dict[tuple[str, str], dict] = {}
    for row in data.documents:
        for pair in row.pairs:
            if pair.get("accepted", False):
                continue
            other = str(pair.get("with", ""))
            key = tuple(sorted((row.doc_id, other)))
            if key in seen:
                continue
            score = pair.get("score")
            details = {k: v for k, v in pair.items()
                       if k not in ("with", "accepted", "reason", "score") and not isinstance(v, (list, dict))}
            seen[key] = {"a": key[0], "b": key[1], "lang_a": lang.get(key[0], ""), "lang_b": lang.get(key[1], ""),
                         "score": score if isinstance(score, (int, float)) else None,
                         "reason": str(pair.get("reason", "")), "details": details}
    return sorted(seen.values(), key=lambda p: (-(p["score"] if p["score"] is not None else -math.inf),
                                                p["a"], p["b"]))


def ungrouped_documents(data: ReportData) -> list[DocumentRow]:
    return [row for row in data.documents if not row.group]
