"""Realistic news groups from NTREX dev, built with the real CLI and scored per pair.

Usage:
    .venv/bin/python scripts/bench_news_hard.py [--seed 7] [--groups 40] [--distractors 14] [--quick]
        [--embedder SPEC] [--workers N] [--keep DIR] [--json]

A development stand-in for the held-out news set (issue 25): every NTREX dev document of 8+
sentences is a candidate group; each of its ar/en/fr versions is rewritten on its own with a
generator seeded by ``(seed, document, language)``: two adjacent sentences merged with a clause
join, a long sentence split at a comma, a line dropped, a line of an unrelated document inserted,
a block of 2-3 lines moved, random paragraphing, and page chrome written per language (byline,
date line, share widget, related links titled with other documents' headlines, cookie and
newsletter notices, copyright line, a repeated lede). Documents not used as groups give the
single-language distractors and the unrelated lines. Tune on this set only, never on NTREX test.

Gold: ``gold.jsonl`` beside the raw folder, one record per file, each output line with its kind
(``sentence``, ``chrome`` or ``inserted``), its perturbation tags and its atoms (the character
span of each NTREX sentence id in the file; a merged line has two, the parts of a split sentence
share one id).

Scoring (``score_build``): a segment of ``segments.tsv`` is located in its file's text by exact
search from its paragraph's start (``documents.jsonl``) or the previous segment's end (the generator writes already-normalized text, so the
toolkit's segments are substrings of it); a piece ``id@start-end`` is that slice of the segment.
A segment or piece covers an atom when their overlap is at least half the shorter of the two, so
a piece that ends a few characters off still lands on one sentence, and a segment holding two
sentences covers both. Per pair, a gold link is two lines sharing an NTREX id and a predicted
link two lines covered by the same ``corpus.tsv`` row; kept P/R uses the rows whose pair is kept
(``<pair>.keep``, what the pair files export), recall against all gold links. An id present in all three languages is an exact tuple when one
row covers all its atoms and no other row covers any, and that row covers nothing else. Chrome
kept is the share of chrome and inserted lines covered by a row in which a pair with that line's
language is kept. Document groups: pairs of
files in one ``documents.tsv`` group against the gold groups.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from aligner.ingest.normalize import normalize_line
from aligner.refine import split_unit_id

LANGS = ("ar", "en", "fr")
PAIRS = list(itertools.combinations(LANGS, 2))
NTREX = Path(__file__).resolve().parent.parent / "benchmarks" / "ntrex-dev"
MIN_SENTENCES = 8

CLAUSE_JOIN = {"en": ", and ", "fr": ", et ", "ar": "، و"}
COMMA = {"en": ",", "fr": ",", "ar": "،"}
LOWER_STARTS = {
    "en": {"The", "A", "An", "It", "He", "She", "They", "We", "This", "That", "There", "These", "Those",
           "In", "On", "At", "But", "His", "Her", "Their", "Its", "Some", "Many", "One", "After", "As"},
    "fr": {"Le", "La", "Les", "L'", "Un", "Une", "Des", "Il", "Elle", "Ils", "Elles", "Nous", "Ce", "Cette",
           "Ces", "Cela", "En", "Dans", "Mais", "Son", "Sa", "Ses", "Leur", "Leurs", "Selon", "Après", "On"},
}

# Page chrome, written by hand per language; "{title}", "{name}", "{date}" are filled in per file.
CHROME = {
    "byline": {
        "en": ["By {name}", "By {name}, Staff Reporter", "{name} | Reuters", "Written by {name}",
               "{name}, Political correspondent"],
        "fr": ["Par {name}", "Par {name}, envoyé spécial", "{name} | AFP", "Rédaction : {name}",
               "{name}, correspondant à Londres"],
        "ar": ["بقلم {name}", "كتب {name}", "{name} - رويترز", "إعداد: {name}", "{name}، مراسل الشؤون السياسية"],
    },
    "date": {
        "en": ["Published {date}", "Updated {date}, 10:42 GMT", "{date}", "Posted on {date}"],
        "fr": ["Publié le {date}", "Mis à jour le {date} à 10h42", "{date}", "Le {date}"],
        "ar": ["نشر في {date}", "آخر تحديث: {date} الساعة 10:42", "{date}", "الخميس {date}"],
    },
    "share": {
        "en": ["Share this: Facebook Twitter", "Share on Facebook | Share on Twitter | Email",
               "Share this article", "Follow us on Twitter and Instagram"],
        "fr": ["Partager : Facebook Twitter", "Partager sur Facebook | Partager sur Twitter | E-mail",
               "Partager cet article", "Suivez-nous sur Twitter et Instagram"],
        "ar": ["شارك: فيسبوك تويتر", "شارك على فيسبوك | شارك على تويتر | البريد الإلكتروني",
               "شارك هذا المقال", "تابعونا على تويتر وإنستغرام"],
    },
    "related": {
        "en": ["Related: {title}", "Read more: {title}", "See also: {title}", "You may also like: {title}"],
        "fr": ["Lire aussi : {title}", "À lire aussi : {title}", "Voir aussi : {title}", "Sur le même sujet : {title}"],
        "ar": ["اقرأ أيضا: {title}", "اقرأ المزيد: {title}", "مواضيع ذات صلة: {title}", "أخبار ذات صلة: {title}"],
    },
    "cookie": {
        "en": ["We use cookies to improve your experience on our website. By continuing to browse, you agree to our use of cookies.",
               "This site uses cookies. Find out more about how we use cookies and how to change your settings.",
               "We and our partners use cookies to personalise content and ads. Accept all cookies?"],
        "fr": ["Nous utilisons des cookies pour améliorer votre expérience sur notre site. En poursuivant votre navigation, vous acceptez l'utilisation des cookies.",
               "Ce site utilise des cookies. En savoir plus sur notre utilisation des cookies et la façon de modifier vos paramètres.",
               "Nos partenaires et nous utilisons des cookies pour personnaliser le contenu et les publicités. Accepter tous les cookies ?"],
        "ar": ["نستخدم ملفات تعريف الارتباط لتحسين تجربتك على موقعنا. بمواصلة التصفح، فإنك توافق على استخدامنا لملفات تعريف الارتباط.",
               "يستخدم هذا الموقع ملفات تعريف الارتباط. اعرف المزيد عن كيفية استخدامنا لها وكيفية تغيير إعداداتك.",
               "نحن وشركاؤنا نستخدم ملفات تعريف الارتباط لتخصيص المحتوى والإعلانات. هل تقبل جميع ملفات تعريف الارتباط؟"],
    },
    "newsletter": {
        "en": ["Sign up for our daily newsletter to get the top stories in your inbox.",
               "Subscribe to our newsletter", "Get the latest news delivered to your inbox every morning."],
        "fr": ["Inscrivez-vous à notre newsletter quotidienne pour recevoir l'essentiel de l'actualité.",
               "Abonnez-vous à notre newsletter", "Recevez chaque matin les dernières informations dans votre boîte mail."],
        "ar": ["اشترك في نشرتنا اليومية لتصلك أهم الأخبار على بريدك الإلكتروني.",
               "اشترك في النشرة البريدية", "احصل على آخر الأخبار في بريدك الإلكتروني كل صباح."],
    },
    "copyright": {
        "en": ["© 2023 Daily Courier. All rights reserved.", "Copyright © 2023 News Network Ltd",
               "All content © 2023 The Evening Post"],
        "fr": ["© 2023 Le Courrier. Tous droits réservés.", "Copyright © 2023 Groupe Presse Info",
               "Tous les contenus © 2023 Le Journal du Soir"],
        "ar": ["© 2023 صحيفة البريد. جميع الحقوق محفوظة.", "حقوق النشر © 2023 شبكة الأخبار",
               "جميع المحتويات © 2023 جريدة المساء"],
    },
}
NAMES = {
    "en": ["Sarah Mitchell", "James O'Connor", "Priya Raman", "David Lee", "Emma Brown"],
    "fr": ["Claire Dubois", "Julien Martin", "Sophie Lefèvre", "Antoine Moreau", "Nadia Benali"],
    "ar": ["سارة الحسن", "محمد العلي", "ليلى منصور", "أحمد يوسف", "نور الدين خليل"],
}
MONTHS = {
    "en": ["January", "March", "May", "July", "September", "November"],
    "fr": ["janvier", "mars", "mai", "juillet", "septembre", "novembre"],
    "ar": ["يناير", "مارس", "مايو", "يوليو", "سبتمبر", "نوفمبر"],
}
# Probability that a language version gets each perturbation (drawn independently per version).
PERTURBATION_ODDS = {"merge": 0.8, "split": 0.6, "drop": 0.5, "insert": 0.5, "move": 0.4}
CHROME_ODDS = {"byline": 0.6, "date": 0.7, "share": 0.5, "related": 0.6, "cookie": 0.3, "newsletter": 0.4,
               "copyright": 0.4, "lede": 0.3}


@dataclass
class Unit:
    """One output line: its text and the NTREX ids inside it, as (id, start, end) within the text."""

    text: str
    kind: str  # sentence, chrome, inserted
    atoms: list[tuple[str, int, int]]
    tags: set[str] = field(default_factory=set)
    label: str = ""  # chrome kind, or the source id of an inserted line
    echo: list[str] = field(default_factory=list)  # the ids a repeated lede repeats


def read_ntrex(folder: Path = NTREX) -> dict[str, dict[str, list[tuple[str, str]]]]:
    """language -> document id (line id before the last dot) -> [(line id, normalized text)]."""
    docs: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for lang in LANGS:
        by_doc: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for line in (folder / f"{lang}.tsv").read_text(encoding="utf-8").splitlines():
            line_id, text = line.split("\t", 1)
            by_doc[line_id.rsplit(".", 1)[0]].append((line_id, normalize_line(text)))
        docs[lang] = dict(by_doc)
    return docs


def sentence_unit(line_id: str, text: str) -> Unit:
    return Unit(text, "sentence", [(line_id, 0, len(text))])


def merge_units(first: Unit, second: Unit, lang: str) -> Unit:
    """``first`` without its final stop, the language's clause join, then ``second`` (lower-cased lead word)."""
    head = first.text.rstrip(" .!؟?")
    tail = second.text
    lead = tail.split(" ", 1)[0]
    if lead in LOWER_STARTS.get(lang, ()):
        tail = tail[0].lower() + tail[1:]
    join = CLAUSE_JOIN[lang]
    offset = len(head) + len(join)
    atoms = [(i, s, min(e, len(head))) for i, s, e in first.atoms]
    atoms += [(i, s + offset, e + offset) for i, s, e in second.atoms]
    return Unit(head + join + tail, "sentence", atoms, first.tags | second.tags | {"merged"})


def split_unit(unit: Unit, lang: str) -> tuple[Unit, Unit] | None:
    """Cut at the comma nearest the middle (between 30% and 70% of the text): two sentences, one id."""
    text, comma = unit.text, COMMA[lang]
    cuts = [k for k, ch in enumerate(text) if ch == comma and 0.3 * len(text) < k < 0.7 * len(text)]
    if not cuts or len(unit.atoms) != 1:
        return None
    cut = min(cuts, key=lambda k: abs(k - len(text) / 2))
    head = text[:cut] + "."
    tail = text[cut + 1:].lstrip()
    if lang != "ar":
        tail = tail[0].upper() + tail[1:]
    sid = unit.atoms[0][0]
    tags = unit.tags | {"split"}
    return (Unit(head, "sentence", [(sid, 0, cut)], set(tags)),
            Unit(tail, "sentence", [(sid, 0, len(tail))], set(tags)))


def fill(template: str, lang: str, rng: np.random.Generator, titles: list[str]) -> str:
    day = int(rng.integers(1, 29))
    month = MONTHS[lang][int(rng.integers(len(MONTHS[lang])))]
    return template.format(name=NAMES[lang][int(rng.integers(len(NAMES[lang])))], date=f"{day} {month} 2023",
                           title=titles[int(rng.integers(len(titles)))] if titles else "")


def chrome_unit(kind: str, lang: str, rng: np.random.Generator, titles: list[str]) -> Unit:
    variants = CHROME[kind][lang]
    return Unit(fill(variants[int(rng.integers(len(variants)))], lang, rng, titles), "chrome", [], label=kind)


def rewrite_version(sentences: list[tuple[str, str]], lang: str, rng: np.random.Generator,
                    unrelated: list[tuple[str, str]], titles: list[str]) -> list[list[Unit]]:
    """One language version: perturbed body lines, chrome around and inside it, cut into paragraphs."""
    units = [sentence_unit(i, t) for i, t in sentences]
    title, body = units[0], units[1:]
    odds = {name: rng.random() < p for name, p in PERTURBATION_ODDS.items()}
    if odds["merge"] and len(body) > 3:
        k = int(rng.integers(1, len(body) - 1))
        body[k:k + 2] = [merge_units(body[k], body[k + 1], lang)]
    if odds["split"]:
        long_ones = [k for k, u in enumerate(body) if len(u.atoms) == 1 and len(u.text.split()) >= 15
                     and split_unit(u, lang)]
        if long_ones:
            k = long_ones[int(rng.integers(len(long_ones)))]
            body[k:k + 1] = list(split_unit(body[k], lang))
    if odds["drop"] and len(body) > 4:
        k = int(rng.integers(1, len(body)))
        for neighbour in body[k - 1:k] + body[k + 1:k + 2]:
            neighbour.tags.add("near-drop")
        del body[k]
    if odds["insert"] and unrelated:
        line_id, text = unrelated[int(rng.integers(len(unrelated)))]
        k = int(rng.integers(1, len(body) + 1))
        body.insert(k, Unit(text, "inserted", [], label=line_id))
    if odds["move"] and len(body) >= 7:
        size = int(rng.integers(2, 4))
        start = int(rng.integers(0, len(body) - size + 1))
        block, rest = body[start:start + size], body[:start] + body[start + size:]
        targets = [t for t in range(len(rest) + 1) if abs(t - start) >= 3]
        if targets:
            for unit in block:
                unit.tags.add("moved")
            target = targets[int(rng.integers(len(targets)))]
            body = rest[:target] + block + rest[target:]
    return paragraphs_with_chrome(title, body, lang, rng, titles)


def paragraphs_with_chrome(title: Unit, body: list[Unit], lang: str, rng: np.random.Generator,
                           titles: list[str]) -> list[list[Unit]]:
    """Title, header chrome, body in paragraphs of 1-4 lines (related links between them), footer chrome."""
    wants = {name for name, p in CHROME_ODDS.items() if rng.random() < p}
    head = [[title]]
    for kind in ("byline", "date", "share"):
        if kind in wants and (kind != "share" or rng.random() < 0.5):
            head.append([chrome_unit(kind, lang, rng, titles)])
    if "lede" in wants and body:
        head.append([Unit(body[0].text, "chrome", [], label="lede", echo=[a[0] for a in body[0].atoms])])
    paragraphs: list[list[Unit]] = []
    k = 0
    while k < len(body):
        size = int(rng.integers(1, 5))
        paragraphs.append(body[k:k + size])
        k += size
    if "related" in wants and len(paragraphs) > 2:
        paragraphs.insert(int(rng.integers(1, len(paragraphs))), [chrome_unit("related", lang, rng, titles)])
    foot = [[chrome_unit(kind, lang, rng, titles)] for kind in ("share", "related", "newsletter", "cookie", "copyright")
            if kind in wants and (kind not in ("share", "related") or rng.random() < 0.5)]
    if "cookie" in wants and rng.random() < 0.5:
        head.insert(0, [chrome_unit("cookie", lang, rng, titles)])
    return head + paragraphs + foot


@dataclass
class GoldFile:
    """One generated file: its text, language, gold group (None for a distractor) and lines with spans."""

    file: str
    lang: str
    group: str | None
    text: str
    lines: list[dict]


def layout(paragraphs: list[list[Unit]]) -> tuple[str, list[dict]]:
    """Paragraph lines joined by spaces, paragraphs by blank lines; every line's and atom's span in the file."""
    text, lines = "", []
    for p, paragraph in enumerate(paragraphs):
        if p:
            text += "\n\n"
        for k, unit in enumerate(paragraph):
            if k:
                text += " "
            start = len(text)
            text += unit.text
            lines.append({"text": unit.text, "kind": unit.kind, "label": unit.label, "tags": sorted(unit.tags), "echo": unit.echo,
                          "start": start, "end": len(text),
                          "atoms": [[i, start + s, start + e] for i, s, e in unit.atoms]})
    return text + "\n", lines


def generate(seed: int, groups: int, distractors: int, docs: dict | None = None) -> list[GoldFile]:
    """The benchmark's files: ``groups`` ar/en/fr groups and ``distractors`` single-language documents."""
    docs = docs or read_ntrex()
    rng = np.random.default_rng([seed, 0])
    ids = sorted(docs["en"])
    eligible = [d for d in ids if len(docs["en"][d]) >= MIN_SENTENCES]
    if groups > len(eligible):
        raise SystemExit(f"only {len(eligible)} NTREX dev documents have {MIN_SENTENCES}+ sentences; asked {groups}")
    order = list(rng.permutation(eligible))
    chosen = order[:groups]
    spare = order[groups:] + [d for d in ids if d not in eligible]
    if distractors > len(spare):
        raise SystemExit(f"only {len(spare)} documents left for distractors; asked {distractors}")
    names = iter(f"{n:016x}.txt" for n in rng.choice(2**62, size=3 * groups + distractors, replace=False))
    files = []
    for g, doc_id in enumerate(chosen):
        others = [d for d in ids if d != doc_id]
        sources = rng.permutation(others)[:len(LANGS)]  # a different unrelated document per language
        for k, lang in enumerate(LANGS):
            vrng = np.random.default_rng([seed, g + 1, k])
            unrelated = docs[lang][sources[k]][1:]
            titles = [docs[lang][d][0][1] for d in rng.permutation(others)[:3]]
            text, lines = layout(rewrite_version(docs[lang][doc_id], lang, vrng, unrelated, titles))
            files.append(GoldFile(next(names), lang, f"{doc_id}", text, lines))
    for n, doc_id in enumerate(spare[:distractors]):
        lang = LANGS[int(rng.integers(len(LANGS)))]
        vrng = np.random.default_rng([seed, 10_000 + n])
        titles = [docs[lang][d][0][1] for d in rng.permutation(ids)[:3]]
        text, lines = layout(rewrite_version(docs[lang][doc_id], lang, vrng, [], titles))
        for line in lines:  # a distractor's sentences have no counterpart: no gold links
            line["kind"] = "distractor" if line["kind"] == "sentence" else line["kind"]
            line["atoms"] = line["echo"] = []
        files.append(GoldFile(next(names), lang, None, text, lines))
    return files


def write_benchmark(files: list[GoldFile], root: Path) -> Path:
    """``root/raw/*.txt`` and ``root/gold.jsonl``; returns the raw folder."""
    raw = root / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    with open(root / "gold.jsonl", "w", encoding="utf-8") as gold:
        for f in files:
            (raw / f.file).write_text(f.text, encoding="utf-8")
            gold.write(json.dumps({"file": f.file, "lang": f.lang, "group": f.group, "lines": f.lines},
                                  ensure_ascii=False) + "\n")
    return raw


# Scoring. Atoms and lines are keyed (file, line index[, atom index]).

def locate_segments(files: dict[str, GoldFile], segments: list[dict], doc_files: dict[str, str],
                    paragraph_starts: dict[tuple[str, int], int] | None = None
                    ) -> tuple[dict[str, tuple[str, int]], list[str]]:
    """segment id -> (file, start in the file's text); also the ids that could not be found.

    ``paragraph_starts`` ((doc id, paragraph index) -> its start in the file, from documents.jsonl):
    a segment is looked for from its paragraph's start, so a sentence whose text also occurs in a
    line ingest removed earlier in the file (a repeated lede) is found where it was kept.
    """
    spans, missing, cursor = {}, [], defaultdict(int)
    for seg in segments:
        file = doc_files.get(seg["doc_id"])
        if file not in files:
            missing.append(seg["segment_id"])
            continue
        text = files[file].text
        start = paragraph_starts.get((seg["doc_id"], int(seg["paragraph"]))) if paragraph_starts else None
        at = text.find(seg["text"], max(cursor[file], start or 0))
        if at < 0:
            at = text.find(seg["text"])
        if at < 0:
            missing.append(seg["segment_id"])
            continue
        spans[seg["segment_id"]] = (file, at)
        cursor[file] = at + len(seg["text"])
    return spans, missing


def covered(file: GoldFile, start: int, end: int) -> tuple[set[int], set[tuple[int, int]]]:
    """Lines and atoms a span covers: overlap at least half the shorter of span and line (or atom)."""
    def covers(s: int, e: int) -> bool:
        return min(end, e) - max(start, s) >= 0.5 * max(1, min(end - start, e - s))
    lines, atoms = set(), set()
    for n, line in enumerate(file.lines):
        if line["atoms"]:
            hit = {(n, a) for a, (_, s, e) in enumerate(line["atoms"]) if covers(s, e)}
            atoms |= hit
            if hit:
                lines.add(n)
        elif covers(line["start"], line["end"]):
            lines.add(n)
    return lines, atoms


def row_keeps(row: dict) -> dict[str, bool]:
    """Whether each pair of a corpus.tsv row is kept: its ``<pair>.keep`` (what the pair files
    export), or the row's ``keep`` in a corpus without that column."""
    whole = str(row.get("keep")) == "1"
    out = {}
    for a, b in PAIRS:
        value = row.get(f"{a}-{b}.keep")
        out[f"{a}-{b}"] = whole if value in (None, "") else float(value) == 1.0
    return out


def prf(hits: int, predicted: int, gold: int) -> tuple[float, float, float]:
    p, r = hits / predicted if predicted else 1.0, hits / gold if gold else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score_build(files: list[GoldFile], rows: list[dict], segments: list[dict], documents: list[dict],
                paragraph_starts: dict[tuple[str, int], int] | None = None) -> dict:
    """Figures of one build against the gold (see the module docstring for the definitions).

    ``rows``: corpus.tsv rows (``ar_ids``, ``en_ids``, ``fr_ids``, ``keep``); ``segments``:
    ``segment_id``, ``doc_id``, ``text``; ``documents``: ``doc_id``, ``file``, ``group``.
    """
    by_file = {f.file: f for f in files}
    doc_files = {d["doc_id"]: d["file"] for d in documents}
    seg_text = {s["segment_id"]: s["text"] for s in segments}
    spans, missing = locate_segments(by_file, segments, doc_files, paragraph_starts)

    # Gold: per language, NTREX id -> lines and atoms holding it.
    id_lines: dict[str, dict[str, set]] = {lang: defaultdict(set) for lang in LANGS}
    id_atoms: dict[str, set] = defaultdict(set)
    id_tags: dict[str, set] = defaultdict(set)
    for f in files:
        for n, line in enumerate(f.lines):
            for a, (sid, _, _) in enumerate(line["atoms"]):
                id_lines[f.lang][sid].add((f.file, n))
                id_atoms[sid].add((f.file, n, a))
                id_tags[sid].update(line["tags"])
    line_ids = {(f.file, n): {a[0] for a in line["atoms"]} | set(line.get("echo", ()))
                for f in files for n, line in enumerate(f.lines)}
    gold_links = {pair: {(x, y) for sid in id_lines[pair[0]] for x in id_lines[pair[0]][sid]
                         for y in id_lines[pair[1]].get(sid, ())} for pair in PAIRS}

    # Predictions: each row's covered lines per language and atoms.
    row_lines, row_atoms, row_keep = [], [], []
    for row in rows:
        lines_by_lang, atoms = {}, set()
        for lang in LANGS:
            got = set()
            for unit_id in (row.get(f"{lang}_ids") or "").split():
                sid, s, e = split_unit_id(unit_id)
                if sid not in spans:
                    continue
                file, at = spans[sid]
                text = seg_text[sid]
                s, e = (0, len(text)) if s is None else (s, e)
                piece = text[s:e]
                s += len(piece) - len(piece.lstrip())
                e -= len(piece) - len(piece.rstrip())
                lines, hit = covered(by_file[file], at + s, at + e)
                got |= {(file, n) for n in lines}
                atoms |= {(file, n, a) for n, a in hit}
                atoms |= {(file, n, -1) for n in lines if not by_file[file].lines[n]["atoms"]}  # chrome
            lines_by_lang[lang] = got
        row_lines.append(lines_by_lang)
        row_atoms.append(atoms)
        row_keep.append(row_keeps(row))

    result: dict = {"pairs": {}, "unlocated_segments": len(missing)}
    for a, b in PAIRS:
        gold = gold_links[(a, b)]
        def neutral(x, y) -> bool:
            """A repeated lede beside the sentence it repeats: a true translation, but no gold link."""
            return (x, y) not in gold and bool(line_ids[x] & line_ids[y])
        predicted = {(x, y) for lines in row_lines for x in lines[a] for y in lines[b] if not neutral(x, y)}
        kept = {(x, y) for lines, keep in zip(row_lines, row_keep) if keep[f"{a}-{b}"]
                for x in lines[a] for y in lines[b] if not neutral(x, y)}
        p, r, f1 = prf(len(predicted & gold), len(predicted), len(gold))
        kp, kr, _ = prf(len(kept & gold), len(kept), len(gold))
        result["pairs"][f"{a}-{b}"] = {"gold": len(gold), "precision": p, "recall": r, "f1": f1,
                                       "kept_precision": kp, "kept_recall": kr}

    trilingual = [sid for sid in id_atoms if all(id_lines[lang].get(sid) for lang in LANGS)]
    rows_of_atom: dict = defaultdict(set)
    for r_index, atoms in enumerate(row_atoms):
        for atom in atoms:  # chrome markers (atom -1) are never an id's atom, so only make a row impure
            rows_of_atom[atom].add(r_index)
    exact_ids = set()
    for sid in trilingual:
        holding = set().union(*(rows_of_atom[atom] for atom in id_atoms[sid]))
        if len(holding) == 1 and row_atoms[next(iter(holding))] == id_atoms[sid]:
            exact_ids.add(sid)
    by_tag: dict = defaultdict(lambda: [0, 0])
    for sid in trilingual:
        for tag in id_tags[sid] or {"untouched"}:
            by_tag[tag][0] += sid in exact_ids
            by_tag[tag][1] += 1
    result["exact"] = {"ids": len(trilingual), "share": len(exact_ids) / max(len(trilingual), 1),
                       "by_tag": {tag: {"ids": n, "share": k / n} for tag, (k, n) in sorted(by_tag.items())}}

    kept_lines = {line for lines, keep in zip(row_lines, row_keep) for lang, got in lines.items()
                  if any(kept for pair, kept in keep.items() if lang in pair.split("-")) for line in got}
    chrome_total: dict = defaultdict(int)
    chrome_kept: dict = defaultdict(int)
    for f in files:
        for n, line in enumerate(f.lines):
            if line["kind"] in ("chrome", "inserted"):
                kind = line["label"] if line["kind"] == "chrome" else "inserted"
                chrome_total[kind] += 1
                chrome_kept[kind] += (f.file, n) in kept_lines
    result["chrome_kept"] = {"lines": sum(chrome_total.values()),
                             "share": sum(chrome_kept.values()) / max(sum(chrome_total.values()), 1),
                             "by_kind": {k: {"lines": chrome_total[k], "kept": chrome_kept[k]}
                                         for k in sorted(chrome_total)}}

    def doc_pairs(groups: dict[str, str | None]) -> set[tuple[str, str]]:
        members: dict = defaultdict(list)
        for file, group in groups.items():
            if group:
                members[group].append(file)
        return {tuple(sorted(p)) for m in members.values() for p in itertools.combinations(m, 2)}
    gold_pairs = doc_pairs({f.file: f.group for f in files})
    predicted_pairs = doc_pairs({d["file"]: d.get("group") or None for d in documents})
    gp, gr, _ = prf(len(gold_pairs & predicted_pairs), len(predicted_pairs), len(gold_pairs))
    result["document_groups"] = {"precision": gp, "recall": gr, "gold_pairs": len(gold_pairs)}
    return result


def read_tsv(path: Path) -> list[dict]:
    return pl.read_csv(path, separator="\t", infer_schema=False).to_dicts()


def read_paragraph_starts(path: Path) -> dict[tuple[str, int], int]:
    """(doc id, paragraph index) -> where the paragraph starts in its file, from documents.jsonl."""
    starts = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)
            for paragraph in doc["paragraphs"]:
                starts[(doc["doc_id"], paragraph["index"])] = paragraph["source_span"][0]
    return starts


def print_table(result: dict) -> None:
    print("| pair | gold links | link P | link R | link F1 | kept P | kept R |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for pair, s in result["pairs"].items():
        print(f"| {pair} | {s['gold']} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} "
              f"| {s['kept_precision']:.3f} | {s['kept_recall']:.3f} |")
    exact = result["exact"]
    print(f"\nexact trilingual tuples: {exact['share']:.3f} of {exact['ids']} ids; by perturbation: "
          + ", ".join(f"{t} {v['share']:.2f} ({v['ids']})" for t, v in exact["by_tag"].items()))
    chrome = result["chrome_kept"]
    print(f"chrome and inserted lines kept: {chrome['share']:.4f} of {chrome['lines']}; by kind: "
          + ", ".join(f"{k} {v['kept']}/{v['lines']}" for k, v in chrome["by_kind"].items()))
    g = result["document_groups"]
    print(f"document groups: pair precision {g['precision']:.3f}, recall {g['recall']:.3f} ({g['gold_pairs']} gold pairs)")
    if result["unlocated_segments"]:
        print(f"warning: {result['unlocated_segments']} segments not found in their file's text (scored as nothing)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--groups", type=int, default=40)
    parser.add_argument("--distractors", type=int, default=14)
    parser.add_argument("--quick", action="store_true", help="10 groups and 4 distractors")
    parser.add_argument("--embedder", default=None, help="passed to aligner build (default: the build's)")
    parser.add_argument("--workers", type=int, default=None, help="passed to aligner build")
    parser.add_argument("--keep", type=Path, default=None, help="write raw/, gold.jsonl and out/ here")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    groups, distractors = (10, 4) if args.quick else (args.groups, args.distractors)

    root = args.keep or Path(tempfile.mkdtemp(prefix="bench_news_hard_"))
    files = generate(args.seed, groups, distractors)
    raw = write_benchmark(files, root)
    out = root / "out"
    command = [sys.executable, "-m", "aligner", "build", str(raw), "--out", str(out)]
    if args.embedder:
        command += ["--embedder", args.embedder]
    if args.workers:
        command += ["--workers", str(args.workers)]
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=sys.stderr, env={**os.environ})
    seconds = time.perf_counter() - started
    result = score_build(files, read_tsv(out / "corpus.tsv"), read_tsv(out / "segments.tsv"),
                         read_tsv(out / "documents.tsv"), read_paragraph_starts(out / "documents.jsonl"))
    result.update({"seed": args.seed, "group_count": groups, "distractor_count": distractors,
                   "embedder": args.embedder or "default", "build_seconds": round(seconds, 1), "folder": str(root)})
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(f"seed {args.seed}; {groups} groups, {distractors} distractors; embedder {result['embedder']}; "
              f"build {seconds:.0f} s; files in {root}")
        print_table(result)


if __name__ == "__main__":
    main()
