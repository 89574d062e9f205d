"""The page's inline CSS and JavaScript (kept here as strings so the report needs no package data)."""

CSS = r"""
:root { --fg: #1d1d1f; --muted: #5f6368; --line: #d9dce1; --bg: #ffffff; --soft: #f5f6f8; --accent: #1a5fb4; }
* { box-sizing: border-box; }
html { scroll-padding-top: 4.5rem; }
body { margin: 0; color: var(--fg); background: var(--bg);
       font: 15px/1.5 system-ui, "Noto Sans", "DejaVu Sans", "Segoe UI", Arial, sans-serif; }
header.top { padding: .8rem 1.2rem .4rem; border-bottom: 1px solid var(--line); background: var(--soft); }
header.top h1 { margin: 0 0 .2rem; font-size: 1.35rem; }
header.top nav a { margin-right: 1rem; color: var(--accent); }
.summary { margin: .2rem 0; color: var(--muted); }
main { padding: 0 1.2rem 2rem; }
h2 { font-size: 1.15rem; margin: 1.4rem 0 .5rem; border-bottom: 2px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1rem; margin: .2rem 0 .4rem; }
.warnings { margin: .6rem 0; padding: .5rem .8rem .5rem 2rem; background: #fff4d6; border: 1px solid #e6c35c; }
.groups { display: grid; gap: .8rem; }
article.group { border: 1px solid var(--line); border-radius: 6px; padding: .6rem .8rem; }
article.group .score { font-weight: normal; color: var(--muted); margin-left: .6rem; }
article.group ul { margin: .2rem 0 .4rem; padding-left: 1.2rem; }
.lang { display: inline-block; min-width: 2.1em; padding: 0 .3em; border-radius: 3px; background: #e8eefc;
        font: 600 .8rem/1.5 ui-monospace, "DejaVu Sans Mono", monospace; text-align: center; }
.mono, .doc { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .85rem; }
.file { color: var(--muted); }
.format { font-size: 0.8em; border: 1px solid var(--muted); border-radius: 3px; padding: 0 0.3em; }
details.removed { margin: 0.2em 0 0.4em 1em; font-size: 0.9em; }
details.removed li { list-style: none; }
button { font: inherit; padding: .15rem .6rem; border: 1px solid #aab; border-radius: 4px; background: #fff; cursor: pointer; }
button:hover { background: #eef; }
button:disabled { opacity: .45; cursor: default; }
details.maps > summary { cursor: pointer; color: var(--accent); margin: .3rem 0; }
.map-grid { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
figure.hm { margin: 0; }
figure.hm figcaption { font-size: .85rem; color: var(--muted); max-width: 540px; }
svg text.tick { font: 10px system-ui, "DejaVu Sans", sans-serif; fill: #444; }
svg text.axis-title { font: 11px system-ui, "DejaVu Sans", sans-serif; fill: #222; }
svg rect.ax { fill: #c9ccd3; }
svg rect.bead { fill: transparent; stroke-width: 2; cursor: pointer; }
svg rect.bead.kept { stroke: #ff2d55; }
svg rect.bead.dropped { stroke: #ffffff; stroke-dasharray: 3 2; }
svg rect.bead:hover { stroke: #00e5ff; stroke-width: 3; }
svg line.axis { stroke: #666; }
svg .bin:hover rect.kept { filter: brightness(1.15); }
#hist-threshold { stroke: #1a5fb4; stroke-width: 2; stroke-dasharray: 4 3; }
table.plain { border-collapse: collapse; margin: .3rem 0 .8rem; font-size: .9rem; }
table.plain th, table.plain td { border-bottom: 1px solid var(--line); padding: .25rem .6rem; text-align: left; vertical-align: top; }
table.plain td.pair { white-space: nowrap; }
table.plain td.num { text-align: right; font-variant-numeric: tabular-nums; }
.reason { color: #a3300b; }
.evidence { color: var(--muted); font-size: .8rem; }
.filters { position: sticky; top: 0; z-index: 5; background: var(--soft); border: 1px solid var(--line);
           border-radius: 6px; padding: .5rem .7rem; display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; align-items: center; }
.filters label { white-space: nowrap; }
.filters input[type=number] { width: 4.8em; }
.filters input[type=range] { width: 9em; vertical-align: middle; }
.filters input[type=search] { width: 14em; }
.pager { margin: .5rem 0; display: flex; gap: .6rem; align-items: center; }
#count { font-weight: 700; }
table.tuples { width: 100%; table-layout: fixed; border-collapse: separate; border-spacing: 0; }
table.tuples th { text-align: start; background: var(--soft); border-bottom: 2px solid var(--line); padding: .3rem .5rem; }
table.tuples td { border-bottom: 1px solid var(--line); padding: .45rem .6rem; vertical-align: top; overflow-wrap: anywhere; }
table.tuples col.meta { width: 14.5rem; }
tr.tuple td.meta { border-left: 7px solid var(--qc, #bbb); font-size: .82rem; }
tr.tuple.dropped td { background: #f7f7f7; }
tr.tuple.dropped td.txt { color: #555; }
.tuid { font: 600 .85rem ui-monospace, "DejaVu Sans Mono", monospace; }
.badge { display: inline-block; border-radius: 3px; padding: 0 .4em; margin: .15rem .2rem .15rem 0; font-size: .78rem; }
.badge.kept { background: #d4f0d9; color: #175b28; }
.badge.dropped { background: #e2e2e2; color: #444; }
.badge.q { font-weight: 700; }
dl.scores { display: grid; grid-template-columns: auto auto; gap: 0 .6rem; margin: .2rem 0 0; }
dl.scores dt { color: var(--muted); overflow-wrap: anywhere; }
dl.scores dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; }
details.more > summary { cursor: pointer; color: var(--accent); }
td.txt { line-height: 1.65; }
td.txt.missing { color: #999; font-style: italic; }
[lang=ar], .lang-ar td.txt, td.txt[lang=ar] { font-family: "Noto Naskh Arabic", "Amiri", "Arial", sans-serif; }
td.txt[lang=ar] { font-size: 1.13em; line-height: 1.85; }
.w { border-radius: 3px; }
.w.lk { text-decoration: underline dotted #9aa3b5; text-underline-offset: 3px; cursor: pointer; }
.w.hl-self { background: #ffd54a; outline: 1px solid #c79a00; }
.w.hl { background: #9fe0ff; outline: 1px solid #2a8ab8; }
.w.pinned { background: #ffb74a; }
#empty { color: var(--muted); font-style: italic; }
.help { color: var(--muted); font-size: .85rem; margin: .3rem 0; }
#hm-tip { position: absolute; z-index: 20; max-width: 420px; background: #fff; border: 1px solid #888; border-radius: 4px;
          box-shadow: 0 2px 8px rgba(0,0,0,.2); padding: .35rem .5rem; font-size: .82rem; pointer-events: none; }
#hm-tip div + div { margin-top: .25rem; }
#hm-tip .tip-bead { color: #b00035; font-weight: 600; }
"""

JS = r"""
(function () {
  'use strict';
  const timings = { scriptStart: performance.now() };
  const DATA = JSON.parse(document.getElementById('report-data').textContent);
  timings.dataParsed = performance.now();
  const LANGS = DATA.languages, RTL = new Set(DATA.rtl), TUPLES = DATA.tuples;
  const $ = (id) => document.getElementById(id);
  const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ESC[c]);
  const norm = (s) => s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  const hue = (q) => 120 * Math.min(1, Math.max(0, q));
  const fmt = (v) => (v === null || v === undefined) ? '–' : v.toFixed(3);
  TUPLES.forEach((t, i) => { t.i = i; t.n = LANGS.filter((l) => t.t[l]).length; });

  const state = { minQ: 0, coverage: '2', keep: 'any', group: '', needle: '', sort: 'corpus', page: 0, size: 50 };
  let view = [];

  function haystack(t) {
    if (t.h === undefined) t.h = norm([t.id].concat(LANGS.map((l) => t.t[l])).join('\n'));
    return t.h;
  }
  function passes(t) {
    const need = state.coverage === 'all' ? LANGS.length : +state.coverage;
    if (t.n < need) return false;
    if (state.minQ > 0 && (t.q === null || t.q < state.minQ)) return false;
    if (state.keep === 'kept' && !t.k) return false;
    if (state.keep === 'dropped' && t.k) return false;
    if (state.group && t.g !== state.group) return false;
    if (state.needle && !haystack(t).includes(state.needle)) return false;
    return true;
  }
  function refilter() {
    view = TUPLES.filter(passes);
    if (state.sort !== 'corpus') {
      const dir = state.sort === 'q-asc' ? 1 : -1;
      view.sort((a, b) => {
        const qa = a.q === null ? -1 : a.q, qb = b.q === null ? -1 : b.q;
        return qa === qb ? a.i - b.i : dir * (qa - qb);
      });
    }
    state.page = 0;
    render();
  }

  function textCell(t, lang) {
    const text = t.t[lang];
    const attrs = ' data-lang="' + lang + '" lang="' + lang + '" dir="' + (RTL.has(lang) ? 'rtl' : 'ltr') + '"';
    if (!text) return '<td class="txt lang-' + lang + ' missing"' + attrs + '>no ' + lang + '</td>';
    const offs = t.o && t.o[lang];
    if (!offs) return '<td class="txt lang-' + lang + '"' + attrs + '>' + esc(text) + '</td>';
    const linked = new Set();
    for (const pair in (t.a || {})) {
      const [la, lb] = pair.split('-'), flat = t.a[pair];
      if (la === lang) for (let k = 0; k < flat.length; k += 2) linked.add(flat[k]);
      if (lb === lang) for (let k = 1; k < flat.length; k += 2) linked.add(flat[k]);
    }
    let out = '', pos = 0;
    for (let k = 0; k < offs.length; k += 2) {  // offs: [gap, length, gap, length, ...]
      const i = k / 2, start = pos + offs[k], end = start + offs[k + 1];
      out += esc(text.slice(pos, start)) + '<span class="w' + (linked.has(i) ? ' lk' : '') + '" data-i="' + i + '">'
        + esc(text.slice(start, end)) + '</span>';
      pos = end;
    }
    return '<td class="txt lang-' + lang + '"' + attrs + '>' + out + esc(text.slice(pos)) + '</td>';
  }
  function metaCell(t) {
    const q = t.q === null ? null : t.q;
    const qStyle = q === null ? '' : ' style="background:hsl(' + hue(q).toFixed(0) + ',70%,86%)"';
    let scores = '';
    DATA.scoreNames.forEach((name, j) => {
      scores += '<dt>' + esc(name) + '</dt><dd>' + fmt(t.s[j]) + '</dd>';
    });
    const dl = '<dl class="scores">' + scores + '</dl>';
    const comps = DATA.scoreNames.length > 6
      ? '<details class="more"><summary>' + DATA.scoreNames.length + ' scores</summary>' + dl + '</details>' : dl;
    return '<td class="meta"><div class="tuid">' + esc(t.id) + '</div>'
      + '<span class="badge state ' + (t.k ? 'kept">kept' : 'dropped">dropped') + '</span>'
      + '<span class="badge q"' + qStyle + ' title="' + esc(DATA.qualityLabel) + '">' + esc(DATA.qualityShort) + ' '
      + fmt(q) + '</span>' + comps + '</td>';
  }
  function rowHTML(t) {
    const colour = t.q === null ? '#bbb' : 'hsl(' + hue(t.q).toFixed(0) + ',65%,45%)';
    return '<tr class="tuple ' + (t.k ? 'kept' : 'dropped') + '" data-i="' + t.i + '" data-tuid="' + esc(t.id)
      + '" data-q="' + (t.q === null ? '' : t.q) + '" data-langs="' + t.n
      + '" style="--qc:' + colour + '">' + metaCell(t) + LANGS.map((l) => textCell(t, l)).join('') + '</tr>';
  }
  function render() {
    const pages = Math.max(1, Math.ceil(view.length / state.size));
    state.page = Math.min(state.page, pages - 1);
    const start = state.page * state.size, rows = view.slice(start, start + state.size);
    pinned = null;
    $('tuple-rows').innerHTML = rows.map(rowHTML).join('');
    $('count').textContent = view.length;
    $('count').dataset.count = view.length;
    $('empty').hidden = view.length > 0;
    const info = view.length ? (start + 1) + '–' + (start + rows.length) + ' of ' + view.length + ' · page '
      + (state.page + 1) + ' of ' + pages : 'nothing to show';
    document.querySelectorAll('.page-info').forEach((el) => { el.textContent = info; });
    document.querySelectorAll('.prev').forEach((b) => { b.disabled = state.page === 0; });
    document.querySelectorAll('.next').forEach((b) => { b.disabled = state.page >= pages - 1; });
    const line = document.getElementById('hist-threshold');
    if (line) {
      const svg = line.ownerSVGElement, x0 = +svg.dataset.x0, x1 = +svg.dataset.x1;
      const x = x0 + (x1 - x0) * Math.min(1, Math.max(0, state.minQ));
      line.setAttribute('x1', x); line.setAttribute('x2', x);
    }
  }

  // word alignment highlighting: hover shows, click pins (click again or elsewhere to unpin)
  let pinned = null;
  function clearMarks() {
    document.querySelectorAll('#tuple-rows .hl, #tuple-rows .hl-self, #tuple-rows .pinned')
      .forEach((el) => el.classList.remove('hl', 'hl-self', 'pinned'));
  }
  function mark(w) {
    const row = w.closest('tr'), t = TUPLES[+row.dataset.i], lang = w.closest('td').dataset.lang, i = +w.dataset.i;
    w.classList.add('hl-self');
    const word = (l, j) => row.querySelector('td[data-lang="' + l + '"] .w[data-i="' + j + '"]');
    for (const pair in (t.a || {})) {
      const [la, lb] = pair.split('-'), flat = t.a[pair];
      for (let k = 0; k < flat.length; k += 2) {
        let other = null;
        if (la === lang && flat[k] === i) other = word(lb, flat[k + 1]);
        else if (lb === lang && flat[k + 1] === i) other = word(la, flat[k]);
        if (other) other.classList.add('hl');
      }
    }
  }
  const body = $('tuple-rows');
  body.addEventListener('mouseover', (e) => {
    const w = e.target.closest('.w');
    if (w && !pinned) { clearMarks(); mark(w); }
  });
  body.addEventListener('mouseout', (e) => {
    const w = e.target.closest('.w');
    if (w && !pinned) clearMarks();
  });
  document.addEventListener('click', (e) => {
    const w = e.target.closest ? e.target.closest('#tuple-rows .w') : null;
    if (!w) { if (pinned) { pinned = null; clearMarks(); } return; }
    const again = pinned === w;
    pinned = null; clearMarks();
    if (!again) { mark(w); w.classList.add('pinned'); pinned = w; }
  });

  // filters
  function setMinQ(value, from) {
    let v = parseFloat(value);
    if (!isFinite(v)) v = 0;
    state.minQ = Math.min(1, Math.max(0, v));
    if (from !== 'range') $('min-quality').value = state.minQ;
    if (from !== 'num') $('min-quality-num').value = state.minQ;
    refilter();
  }
  $('min-quality').addEventListener('input', (e) => setMinQ(e.target.value, 'range'));
  $('min-quality-num').addEventListener('input', (e) => setMinQ(e.target.value, 'num'));
  $('min-quality-num').addEventListener('change', (e) => setMinQ(e.target.value, 'num'));
  $('coverage').addEventListener('change', (e) => { state.coverage = e.target.value; refilter(); });
  $('state').addEventListener('change', (e) => { state.keep = e.target.value; refilter(); });
  $('group').addEventListener('change', (e) => { state.group = e.target.value; refilter(); });
  $('sort').addEventListener('change', (e) => { state.sort = e.target.value; refilter(); });
  $('search').addEventListener('input', (e) => { state.needle = norm(e.target.value.trim()); refilter(); });
  $('page-size').addEventListener('change', (e) => { state.size = +e.target.value; state.page = 0; render(); });
  document.querySelectorAll('.prev').forEach((b) => b.addEventListener('click', () => { state.page--; render(); }));
  document.querySelectorAll('.next').forEach((b) => b.addEventListener('click', () => {
    state.page++; render(); $('tuples').scrollIntoView();
  }));

  function showTuple(tuid) {
    $('search').value = tuid; state.needle = norm(tuid);
    $('coverage').value = state.coverage = '1';
    $('state').value = state.keep = 'any';
    $('group').value = state.group = '';
    state.minQ = 0; $('min-quality').value = 0; $('min-quality-num').value = 0;
    refilter();
    $('tuples').scrollIntoView();
  }
  document.querySelectorAll('button.show-group').forEach((b) => b.addEventListener('click', () => {
    $('group').value = state.group = b.dataset.group;
    refilter();
    $('tuples').scrollIntoView();
  }));

  // heatmaps: inserted when their group is opened (keeps the first load light)
  const tip = document.createElement('div');
  tip.id = 'hm-tip'; tip.hidden = true; document.body.appendChild(tip);
  function mapTip(e, svg, texts) {
    const box = svg.querySelector('image.cells').getBoundingClientRect();
    const n = +svg.dataset.rows, m = +svg.dataset.cols;
    const i = Math.floor((e.clientY - box.top) / box.height * n), j = Math.floor((e.clientX - box.left) / box.width * m);
    const row = i >= 0 && i < n && e.clientX <= box.right, col = j >= 0 && j < m && e.clientY <= box.bottom;
    if (!row && !col) { tip.hidden = true; return; }
    const ta = texts[svg.dataset.docA] || [], tb = texts[svg.dataset.docB] || [];
    let html = '';
    const bead = e.target.closest('rect.bead');
    if (bead) html += '<div class="tip-bead">tuple ' + esc(bead.dataset.tuid) + ' (' + (bead.classList.contains('kept')
      ? 'kept' : 'dropped') + (bead.dataset.cos ? ', mean cos ' + bead.dataset.cos : '') + ') · click to show it</div>';
    const line = (lang, k, text) => '<div><b>' + esc(lang) + ' #' + k + '</b> <bdi lang="' + esc(lang) + '">'
      + esc(text || '') + '</bdi></div>';
    if (row) html += line(svg.dataset.langA, i, ta[i]);
    if (col) html += line(svg.dataset.langB, j, tb[j]);
    tip.innerHTML = html;
    tip.style.left = Math.min(e.pageX + 14, window.scrollX + document.documentElement.clientWidth - 440) + 'px';
    tip.style.top = (e.pageY + 16) + 'px';
    tip.hidden = false;
  }
  document.querySelectorAll('details.maps').forEach((d) => d.addEventListener('toggle', () => {
    const grid = d.querySelector('.map-grid');
    if (!d.open || grid.dataset.filled) return;
    const script = document.querySelector('script.heatmap-src[data-group="' + CSS.escape(d.dataset.group) + '"]');
    const src = script ? JSON.parse(script.textContent) : { texts: {}, html: '<p class="help">No heatmap.</p>' };
    grid.innerHTML = src.html;
    grid.dataset.filled = '1';
    grid.querySelectorAll('svg.heatmap').forEach((svg) => {
      svg.addEventListener('mousemove', (e) => mapTip(e, svg, src.texts));
      svg.addEventListener('mouseleave', () => { tip.hidden = true; });
    });
    grid.querySelectorAll('rect.bead').forEach((r) => r.addEventListener('click', () => {
      tip.hidden = true; showTuple(r.dataset.tuid);
    }));
  }));

  refilter();
  window.reportReadyMs = timings.rendered = performance.now();
  window.reportTimings = timings;
  requestAnimationFrame(() => setTimeout(() => { window.reportPaintedMs = performance.now(); }, 0));
  // prepare the search text while the reader looks at the page (the first search is then instant)
  const idle = window.requestIdleCallback || ((f) => setTimeout(f, 200));
  idle(() => TUPLES.forEach(haystack));
  document.documentElement.dataset.ready = '1';
})();
"""
