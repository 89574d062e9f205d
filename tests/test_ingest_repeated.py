"""Page chrome found by repetition: across the documents of a folder, and a lede repeated above its article."""

from __future__ import annotations

from aligner.ingest import ingest_directory, ingest_text

COOKIE = {
    "en": "We use cookies to improve your experience. By continuing to browse, you accept them.",
    "fr": "Nous utilisons des cookies pour améliorer votre expérience. En poursuivant, vous les acceptez.",
    "ar": "نستخدم ملفات تعريف الارتباط لتحسين تجربتك. بمواصلة التصفح، فإنك توافق على ذلك.",
}
ARTICLES = {
    "en": ["The river flooded three villages on Monday night.", "Rescue teams reached the area at dawn.",
           "The mayor said the dam had held.", "Schools will reopen next week."],
    "fr": ["Le maire a inauguré la nouvelle bibliothèque samedi.", "Elle compte vingt mille livres.",
           "Les habitants ont salué le projet.", "Les travaux ont duré deux ans."],
    "ar": ["افتتح الوزير المستشفى الجديد يوم الأحد.", "يضم المستشفى مئتي سرير.",
           "قال الأطباء إن المعدات حديثة.", "سيبدأ العمل فيه الشهر المقبل."],
}


def _write(folder, name, lines):
    (folder / name).write_text("\n\n".join(lines) + "\n", encoding="utf-8")


def test_a_notice_on_three_unrelated_pages_is_removed_in_every_language(tmp_path):
    for lang, sentences in ARTICLES.items():
        _write(tmp_path, f"{lang}-a.txt", [sentences[0], sentences[1], COOKIE[lang]])
        _write(tmp_path, f"{lang}-b.txt", [sentences[2], COOKIE[lang]])
        _write(tmp_path, f"{lang}-c.txt", [sentences[3], COOKIE[lang]])
    documents, skipped = ingest_directory(tmp_path)
    assert not skipped
    for document in documents:
        texts = [p.text for p in document.paragraphs]
        assert all(text not in COOKIE.values() for text in texts), document.source_file
        assert [p.index for p in document.paragraphs] == list(range(len(texts)))
        reasons = [r.reason for r in document.removed if r.text in COOKIE.values()]
        assert reasons and reasons[0].startswith("repeated-across-documents")


def test_a_short_widget_on_two_pages_is_removed_but_a_sentence_two_articles_quote_stays(tmp_path):
    quote = "Five weeks away from one of the most important elections in our lifetimes."
    _write(tmp_path, "a.txt", [ARTICLES["en"][0], quote, "Share this article"])
    _write(tmp_path, "b.txt", [ARTICLES["en"][2], quote, "Share this article"])
    documents, _ = ingest_directory(tmp_path)
    for document in documents:
        assert quote in [p.text for p in document.paragraphs]
        assert [r.text for r in document.removed] == ["Share this article"]


def test_versions_of_one_article_keep_the_text_they_share(tmp_path):
    # an updated edition repeats most of its lines: that is one article, not site furniture
    first = ARTICLES["en"]
    _write(tmp_path, "edition-1.txt", first)
    _write(tmp_path, "edition-2.txt", first[:3] + ["The dam will be inspected on Friday."])
    documents, _ = ingest_directory(tmp_path)
    for document in documents:
        assert not document.removed
        assert document.paragraphs[0].text == first[0]


def test_a_line_in_one_document_only_stays(tmp_path):
    _write(tmp_path, "a.txt", ARTICLES["fr"])
    _write(tmp_path, "b.txt", ARTICLES["en"])
    documents, _ = ingest_directory(tmp_path)
    assert [len(d.paragraphs) for d in documents] == [4, 4]


def test_a_document_made_only_of_repeated_chrome_is_skipped_with_its_reason(tmp_path):
    _write(tmp_path, "a.txt", [ARTICLES["en"][0], COOKIE["en"]])
    _write(tmp_path, "b.txt", [ARTICLES["en"][1], COOKIE["en"]])
    _write(tmp_path, "c.txt", [ARTICLES["en"][2], COOKIE["en"]])
    _write(tmp_path, "d.txt", [COOKIE["en"]])
    documents, skipped = ingest_directory(tmp_path)
    assert [d.source_file for d in documents] == ["a.txt", "b.txt", "c.txt"]
    assert [s.source_file for s in skipped] == ["d.txt"]
    assert "repeat" in skipped[0].reason


def test_a_lede_repeated_above_the_article_appears_once():
    for lang, sentences in ARTICLES.items():
        lede = sentences[0]
        text = "\n\n".join(["Headline of the day", lede, " ".join(sentences), sentences[1]])
        document = ingest_text(text, "d", "d.txt")
        texts = [p.text for p in document.paragraphs]
        assert lede not in texts, lang
        assert " ".join(sentences) in texts
        assert any(r.text == lede and "repeated lede" in r.reason for r in document.removed)


def test_a_sentence_quoted_later_is_not_a_lede_unless_it_starts_a_sentence_there():
    text = "\n\n".join(["The council met on Tuesday.", "Members noted that the council met on Tuesday."])
    document = ingest_text(text, "d", "d.txt")
    assert len(document.paragraphs) == 2
