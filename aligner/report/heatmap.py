"""Inline SVG figures for the report: sentence-similarity heatmaps and the quality histogram.

A heatmap is an SVG holding one PNG (one pixel per sentence pair, written here with zlib: no
plotting library) scaled up with ``image-rendering: pixelated``, the chosen alignment drawn over
it as one outlined rectangle per tuple (``<rect class="bead">``, kept solid, dropped dashed), and
a thin strip along each axis whose cells carry the sentence text as a tooltip.
"""

from __future__ import annotations

import base64
import math
import struct
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from html import escape

import numpy as np
from threadpoolctl import threadpool_limits

#: viridis, sampled at 9 points (perceptually uniform, readable in grey, colour-blind safe)
VIRIDIS = np.array([
    (68, 1, 84), (71, 44, 122), (59, 81, 139), (44, 113, 142), (33, 144, 141),
    (39, 173, 129), (92, 200, 99), (170, 220, 50), (253, 231, 37)], dtype=np.float64)

#: target drawing size of the longer side of a heatmap, in CSS pixels
HEATMAP_SIDE = 420.0
MAX_CELL = 16.0
MIN_CELL = 1.0


@dataclass(frozen=True)
class BeadBox:
    """A tuple projected on a document pair: rows of document A, columns of document B (inclusive)."""

    tuid: str
    row_start: int
    row_end: int
    col_start: int
    col_end: int
    keep: bool = True
    similarity: float | None = None


def colormap(values: np.ndarray) -> np.ndarray:
    """Values in [0, 1] (clipped) -> uint8 RGB of the same shape plus a trailing axis of 3."""
    v = np.clip(np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0), 0.0, 1.0)
    position = v * (len(VIRIDIS) - 1)
    low = np.minimum(np.floor(position).astype(int), len(VIRIDIS) - 2)
    frac = (position - low)[..., None]
    rgb = VIRIDIS[low] * (1 - frac) + VIRIDIS[low + 1] * frac
    return np.rint(rgb).astype(np.uint8)


def encode_png(rgb: np.ndarray) -> bytes:
    """An 8-bit RGB PNG of an ``(height, width, 3)`` uint8 array (deterministic bytes)."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.shape[0] == 0 or rgb.shape[1] == 0:
        raise ValueError(f"expected a non-empty (height, width, 3) array, got shape {rgb.shape}")
    height, width, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


def cosine_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarity of every row of ``a`` with every row of ``b`` (rows need not be normalised)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    na = np.linalg.norm(a, axis=1, keepdims=True)
    nb = np.linalg.norm(b, axis=1, keepdims=True)
    na[na == 0] = 1.0
    nb[nb == 0] = 1.0
    return (a / na) @ (b / nb).T


def segment_of(unit_id: str) -> str:
    """The segment id of a unit id: ``doc:p:s`` itself, or a piece ``doc:p:s@start-end``."""
    return unit_id.split("@", 1)[0]


def project_beads(tuples, lang_a: str, ids_a: Sequence[str], lang_b: str, ids_b: Sequence[str],
                  matrix: np.ndarray | None = None) -> list[BeadBox]:
    """The tuples that have segments of both documents, as boxes over the (A sentences x B sentences) grid."""
    row_of = {sid: i for i, sid in enumerate(ids_a)}
    col_of = {sid: j for j, sid in enumerate(ids_b)}
    boxes = []
    for item in tuples:
        rows = sorted({row_of[s] for s in map(segment_of, item.segment_ids.get(lang_a, ())) if s in row_of})
        cols = sorted({col_of[s] for s in map(segment_of, item.segment_ids.get(lang_b, ())) if s in col_of})
        if not rows or not cols:
            continue
        similarity = None
        if matrix is not None:
            similarity = float(matrix[np.ix_(rows, cols)].mean())
        boxes.append(BeadBox(item.tuid, min(rows), max(rows), min(cols), max(cols), item.keep, similarity))
    return boxes


def _fmt(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


def _tick_step(count: int, most: int = 10) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if count / step <= most:
            return step
    return max(1, count // most)


def heatmap_svg(matrix: np.ndarray, beads: Sequence[BeadBox], *, label_a: str, label_b: str,
                doc_a: str = "", doc_b: str = "", lang_a: str = "", lang_b: str = "", uid: str = "hm") -> str:
    """An SVG heatmap of ``matrix`` (rows: document A's sentences, columns: B's) with ``beads`` drawn over it.

    Colours are scaled between the matrix's own minimum and maximum (shown on the legend), so that
    the structure stands out whatever the embedder's cosine range. ``doc_a``/``doc_b`` and
    ``lang_a``/``lang_b`` are written as ``data-`` attributes (the page's tooltip shows the sentences);
    ``uid`` makes the gradient id unique in the page.
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] == 0 or matrix.shape[1] == 0:
        raise ValueError(f"expected a non-empty 2-D matrix, got shape {matrix.shape}")
    n, m = matrix.shape
    lo, hi = float(np.nanmin(matrix)), float(np.nanmax(matrix))
    scaled = (matrix - lo) / (hi - lo) if hi - lo > 1e-9 else np.full_like(matrix, 0.5)
    png = base64.b64encode(encode_png(colormap(scaled))).decode("ascii")

    cell = max(MIN_CELL, min(MAX_CELL, HEATMAP_SIDE / max(n, m)))
    left, top, right, bottom = 58.0, 40.0, 12.0, 46.0
    w, h = m * cell, n * cell
    width, height = left + w + right, top + h + bottom
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="heatmap" width="{_fmt(width)}" '
           f'height="{_fmt(height)}" viewBox="0 0 {_fmt(width)} {_fmt(height)}" data-rows="{n}" data-cols="{m}" '
           f'data-beads="{len(beads)}" data-min="{lo:.4f}" data-max="{hi:.4f}" data-doc-a="{escape(doc_a)}" '
           f'data-doc-b="{escape(doc_b)}" data-lang-a="{escape(lang_a)}" data-lang-b="{escape(lang_b)}" '
           f'role="img" aria-label="{escape(label_a)} by {escape(label_b)} '
           f'sentence similarity">']
    out.append(f'<defs><linearGradient id="{uid}-grad" x1="0" x2="1" y1="0" y2="0">'
               + "".join(f'<stop offset="{_fmt(i / (len(VIRIDIS) - 1))}" stop-color="rgb({r:.0f},{g:.0f},{b:.0f})"/>'
                         for i, (r, g, b) in enumerate(VIRIDIS))
               + "</linearGradient></defs>")
    # axis titles
    out.append(f'<text class="axis-title" x="{_fmt(left + w / 2)}" y="12" text-anchor="middle">'
               f'{escape(label_b)} →</text>')
    out.append(f'<text class="axis-title" x="12" y="{_fmt(top + h / 2)}" text-anchor="middle" '
               f'transform="rotate(-90 12 {_fmt(top + h / 2)})">← {escape(label_a)}</text>')
    # ticks
    for j in range(0, m, _tick_step(m)):
        out.append(f'<text class="tick" x="{_fmt(left + (j + 0.5) * cell)}" y="{_fmt(top - 14)}" '
                   f'text-anchor="middle">{j}</text>')
    for i in range(0, n, _tick_step(n)):
        out.append(f'<text class="tick" x="{_fmt(left - 10)}" y="{_fmt(top + (i + 0.5) * cell + 3.5)}" '
                   f'text-anchor="end">{i}</text>')
    # axis strips (hovering them shows one side's sentence)
    out.append(f'<rect class="ax rows" x="{_fmt(left - 7)}" y="{_fmt(top)}" width="6" height="{_fmt(h)}"/>'
               f'<rect class="ax cols" x="{_fmt(left)}" y="{_fmt(top - 7)}" width="{_fmt(w)}" height="6"/>')
    out.append(f'<image class="cells" x="{_fmt(left)}" y="{_fmt(top)}" width="{_fmt(w)}" height="{_fmt(h)}" '
               f'preserveAspectRatio="none" style="image-rendering:pixelated" href="data:image/png;base64,{png}"/>')
    # the alignment
    boxes = []
    for bead in beads:
        x = left + bead.col_start * cell
        y = top + bead.row_start * cell
        bw = (bead.col_end - bead.col_start + 1) * cell
        bh = (bead.row_end - bead.row_start + 1) * cell
        sim = f' data-cos="{bead.similarity:.3f}"' if bead.similarity is not None else ""
        state = "kept" if bead.keep else "dropped"
        boxes.append(f'<rect class="bead {state}" data-tuid="{escape(bead.tuid)}"{sim} x="{_fmt(x)}" y="{_fmt(y)}" '
                     f'width="{_fmt(bw)}" height="{_fmt(bh)}"/>')
    out.append('<g class="beads">' + "".join(boxes) + "</g>")
    # legend
    ly = top + h + 18
    lw = min(160.0, max(80.0, w))
    out.append(f'<rect x="{_fmt(left)}" y="{_fmt(ly)}" width="{_fmt(lw)}" height="8" fill="url(#{uid}-grad)"/>')
    out.append(f'<text class="tick" x="{_fmt(left)}" y="{_fmt(ly + 20)}">cos {lo:.3f}</text>')
    out.append(f'<text class="tick" x="{_fmt(left + lw)}" y="{_fmt(ly + 20)}" text-anchor="end">{hi:.3f}</text>')
    out.append("</svg>")
    return "".join(out)


def quality_hue(q: float) -> float:
    """Hue (degrees) for a quality: 0 red at 0, 120 green at 1."""
    return 120.0 * min(1.0, max(0.0, q))


def histogram_svg(values: Sequence[tuple[float | None, bool]], *, label: str = "quality", bins: int = 20,
                  width: float = 560.0, height: float = 190.0) -> str:
    """Stacked histogram of display quality over [0, 1]: kept tuples coloured, dropped ones grey.

    ``values`` holds ``(quality or None, keep)`` per tuple; None is left out (and counted in the
    caption). The root carries ``data-x0``/``data-x1`` (x of quality 0 and 1) so the page can move
    the ``#hist-threshold`` line with the minimum-quality filter.
    """
    kept = [0] * bins
    dropped = [0] * bins
    missing = 0
    for q, keep in values:
        if q is None or (isinstance(q, float) and math.isnan(q)):
            missing += 1
            continue
        index = min(bins - 1, max(0, int(math.floor(min(1.0, max(0.0, q)) * bins))))
        (kept if keep else dropped)[index] += 1
    left, right, top, bottom = 44.0, 12.0, 12.0, 40.0
    pw, ph = width - left - right, height - top - bottom
    peak = max([k + d for k, d in zip(kept, dropped)] + [1])
    bw = pw / bins
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="histogram" width="{_fmt(width)}" height="{_fmt(height)}" '
           f'viewBox="0 0 {_fmt(width)} {_fmt(height)}" data-x0="{_fmt(left)}" data-x1="{_fmt(left + pw)}" '
           f'data-missing="{missing}" role="img" aria-label="histogram of {escape(label)}">']
    out.append(f'<line class="axis" x1="{_fmt(left)}" y1="{_fmt(top + ph)}" x2="{_fmt(left + pw)}" y2="{_fmt(top + ph)}"/>')
    out.append(f'<line class="axis" x1="{_fmt(left)}" y1="{_fmt(top)}" x2="{_fmt(left)}" y2="{_fmt(top + ph)}"/>')
    for t in range(6):
        x = left + pw * t / 5
        out.append(f'<text class="tick" x="{_fmt(x)}" y="{_fmt(top + ph + 14)}" text-anchor="middle">{t / 5:.1f}</text>')
    out.append(f'<text class="tick" x="{_fmt(left - 6)}" y="{_fmt(top + 4)}" text-anchor="end">{peak}</text>')
    out.append(f'<text class="tick" x="{_fmt(left - 6)}" y="{_fmt(top + ph)}" text-anchor="end">0</text>')
    out.append(f'<text class="axis-title" x="{_fmt(left + pw / 2)}" y="{_fmt(height - 6)}" text-anchor="middle">'
               f'{escape(label)} (tuples per bin of {1 / bins:.2f})</text>')
    for i in range(bins):
        lo_edge, hi_edge = i / bins, (i + 1) / bins
        x = left + i * bw
        k, d = kept[i], dropped[i]
        kh, dh = ph * k / peak, ph * d / peak
        hue = quality_hue((lo_edge + hi_edge) / 2)
        out.append(f'<g class="bin" data-lo="{lo_edge:.2f}" data-hi="{hi_edge:.2f}" data-kept="{k}" data-dropped="{d}">'
                   f'<title>{label} {lo_edge:.2f}–{hi_edge:.2f}: {k} kept, {d} dropped</title>'
                   f'<rect x="{_fmt(x + 1)}" y="{_fmt(top)}" width="{_fmt(bw - 2)}" height="{_fmt(ph)}" fill="transparent"/>'
                   f'<rect class="kept" x="{_fmt(x + 1)}" y="{_fmt(top + ph - kh)}" width="{_fmt(bw - 2)}" '
                   f'height="{_fmt(kh)}" fill="hsl({hue:.0f},60%,45%)"/>'
                   f'<rect class="dropped" x="{_fmt(x + 1)}" y="{_fmt(top + ph - kh - dh)}" width="{_fmt(bw - 2)}" '
                   f'height="{_fmt(dh)}" fill="#b8b8b8"/></g>')
    out.append(f'<line id="hist-threshold" x1="{_fmt(left)}" x2="{_fmt(left)}" y1="{_fmt(top)}" '
               f'y2="{_fmt(top + ph)}"/>')
    out.append("</svg>")
    return "".join(out)


def group_heatmaps(data, embedder) -> Iterator[tuple[str, list[dict]]]:
    """Per group, in :func:`~aligner.report.records.groups_summary` order, one heatmap per pair of
    member documents in different languages (:func:`heatmap_pairs`).

    ``data`` is a :class:`~aligner.report.data.ReportData`; ``embedder`` encodes the sentences, one
    group at a time (cache hits after a build), and each group's tuples are read when it is drawn,
    so only one group is ever in memory. Yields ``(group id, [{"pair", "a", "b", "rows", "cols",
    "beads", "svg"}])``; a group whose documents have no segments in segments.tsv gets an empty list.
    """
    from .records import groups_summary

    for number, group in enumerate(groups_summary(data)):
        pairs = heatmap_pairs(group, data.segments)
        if not pairs:
            yield group["id"], []
            continue
        docs = dict.fromkeys(d["doc_id"] for pair in pairs for d in pair)
        unique = list(dict.fromkeys(s.text for doc in docs for s in data.segments[doc]))
        vectors = np.asarray(embedder.encode(unique), dtype=np.float32)
        row_of = {text: i for i, text in enumerate(unique)}
        tuples = list(data.group_tuples(group["id"]))
        # small matrices: one BLAS thread (several threads on a busy 2-core machine are ~100x slower)
        with threadpool_limits(1):
            entries = _group_maps(pairs, data.segments, vectors, row_of, tuples, uid=f"hm{number}")
        yield group["id"], entries


def heatmap_pairs(group: dict, segments: dict) -> list[tuple[dict, dict]]:
    """The member documents of ``group`` (a :func:`~aligner.report.records.groups_summary` record) that
    get a heatmap: each pair in different languages with segments, the alphabetically first language first."""
    docs = [d for d in group["docs"] if segments.get(d["doc_id"])]
    return [(da, db) if da["lang"] < db["lang"] else (db, da)
            for i, da in enumerate(docs) for db in docs[i + 1:] if da["lang"] != db["lang"]]


def _group_maps(pairs: list[tuple[dict, dict]], segments: dict, vectors: np.ndarray, row_of: dict[str, int],
                tuples: list, uid: str) -> list[dict]:
    """The heatmaps of one group (see :func:`group_heatmaps`)."""
    entries = []
    for da, db in pairs:
        seg_a, seg_b = segments[da["doc_id"]], segments[db["doc_id"]]
        matrix = cosine_matrix(vectors[[row_of[s.text] for s in seg_a]], vectors[[row_of[s.text] for s in seg_b]])
        beads = project_beads(tuples, da["lang"], [s.segment_id for s in seg_a],
                              db["lang"], [s.segment_id for s in seg_b], matrix)
        svg = heatmap_svg(matrix, beads, label_a=f"{da['lang']} sentences · {da['doc_id']}",
                          label_b=f"{db['lang']} sentences · {db['doc_id']}",
                          doc_a=da["doc_id"], doc_b=db["doc_id"], lang_a=da["lang"], lang_b=db["lang"],
                          uid=f"{uid}-{len(entries)}")
        entries.append({"pair": f"{da['lang']}-{db['lang']}", "a": da["doc_id"], "b": db["doc_id"],
                        "rows": len(seg_a), "cols": len(seg_b), "beads": len(beads), "svg": svg})
    return entries
