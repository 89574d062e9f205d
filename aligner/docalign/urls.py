"""Address evidence: pages a site itself names as translations of each other (as Bitextor matches URLs).

A document's address is its web archive record's URL, else the page's canonical link. Two signals:

* ``hreflang``: one page lists the other's address as its alternate in the other's language
  (``<link rel="alternate" hreflang="fr" href="…">``, relative links resolved against the page);
* ``url``: the two addresses are the same once the language markers are taken out of them
  (``/en/`` and ``/fr/``, ``?lang=ar``, ``report-fr.html``, ``news.ar.html``): a site's twin pages.

Neither groups two documents on its own: the pair is verified on its sentences like any other, and
a declared pair is accepted from a lower score (:data:`DECLARED_SHARE` of the threshold), because a
site's own statement that two pages translate each other outweighs a translation that is partial.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import regex

from aligner.model import Document

#: A declared pair (``hreflang`` or ``url``) is grouped from this share of the threshold on.
DECLARED_SHARE = 0.5

#: Language markers in a URL path: a whole segment (``en``, ``fr-fr``), or a suffix or prefix of a
#: segment's name set off by ``-``, ``_`` or ``.`` (``report-fr.html``, ``news.ar.html``, ``ar_index``).
_MARKER = r"(?:{langs})(?:[-_][a-z]{{2}})?"


def document_address(document: Document) -> str | None:
    """The page's own address: the archived URL, else its canonical link (None for a plain file)."""
    return document.url or document.hints.get("canonical")


def normalized(url: str) -> str:
    """An address as a site's pages are compared: scheme and host lower-cased, ``https`` as ``http``,
    ``www.``, the default port, the fragment and a trailing slash dropped, the query sorted."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = parts.path.rstrip("/") or "/"
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    scheme = parts.scheme.lower()
    return urlunsplit(("http" if scheme == "https" else scheme, host, path, query, ""))


def language_neutral(url: str, languages: Sequence[str]) -> str | None:
    """``url`` without its language markers, or None when it has none (no evidence to share)."""
    parts = urlsplit(normalized(url))
    codes = "|".join(regex.escape(code) for code in sorted(languages, key=len, reverse=True))
    marker = _MARKER.format(langs=codes)
    segments, found = [], False
    for segment in parts.path.split("/"):
        if regex.fullmatch(marker, segment, flags=regex.I):
            found = True
            continue
        stripped = regex.sub(rf"(?<=[^/])[-_.]{marker}(?=\.[a-z0-9]+$|$)|^{marker}[-_.](?=.)", "", segment,
                             flags=regex.I)
        found |= stripped != segment
        segments.append(stripped)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
             if not (key.lower() in ("lang", "language", "hl", "locale") and value.lower()[:2] in languages)]
    found |= len(query) != len(parse_qsl(parts.query, keep_blank_values=True))
    if not found:
        return None
    return urlunsplit((parts.scheme, parts.netloc, "/".join(segments) or "/", urlencode(query), ""))


def declared_pairs(documents: Sequence[Document], languages: Sequence[str]) -> dict[tuple[str, str], str]:
    """``(doc_id, doc_id) -> "hreflang" | "url"`` for documents of different languages that the addresses
    declare twins (ids in sorted order; ``hreflang`` wins when both hold)."""
    by_address: dict[str, Document] = {}
    for document in documents:
        address = document_address(document)
        if address:
            by_address.setdefault(normalized(address), document)
    found: dict[tuple[str, str], str] = {}

    def add(a: Document, b: Document, kind: str) -> None:
        if a.doc_id != b.doc_id and a.lang != b.lang and a.lang in languages and b.lang in languages:
            key = (min(a.doc_id, b.doc_id), max(a.doc_id, b.doc_id))
            if found.get(key) != "hreflang":
                found[key] = kind

    for address, document in by_address.items():
        for lang, href in document.hints.get("hreflang", {}).items():
            other = by_address.get(normalized(urljoin(document_address(document), href)))
            if other is not None and other.lang == lang.split("-")[0]:
                add(document, other, "hreflang")
    twins: dict[str, list[Document]] = {}
    for address, document in by_address.items():
        neutral = language_neutral(address, languages)
        if neutral is not None:
            twins.setdefault(neutral, []).append(document)
    for members in twins.values():
        for k, a in enumerate(members):
            for b in members[k + 1:]:
                add(a, b, "url")
    return found


def with_declaration(evidence: dict[str, float], kind: str | None, threshold: float) -> dict[str, float]:
    """A pair's evidence with what the addresses declare: ``hreflang`` / ``url`` set to 1, and a declared
    pair scoring at least :data:`DECLARED_SHARE` of ``threshold`` raised to it (``text_score`` keeps
    what the sentences alone gave)."""
    if kind is None:
        return evidence
    evidence = {**evidence, kind: 1.0}
    if DECLARED_SHARE * threshold <= evidence["score"] < threshold:
        evidence["text_score"] = evidence["score"]
        evidence["score"] = threshold
    return evidence
