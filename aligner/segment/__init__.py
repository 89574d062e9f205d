"""Segment: cleaned paragraphs -> sentences (:class:`~aligner.model.Segment`), per language.

Three interchangeable methods, compared on a hand-made gold in ``docs/segmentation.md``:
``rules`` (this project's rules, the default), ``srx`` (LanguageTool's SRX rules through
choppa-srx) and ``punkt`` (nltk's unsupervised Punkt, trained on the input text of each language).
Headings are never split by a method. Text without sentence punctuation (a document whose sentences
are about three ordinary ones long or more, or any "sentence" over 800 characters) is cut at line breaks and
clause cues into pieces of ordinary sentence length (:mod:`aligner.segment.clauses`); any segment still
longer than ``rules.MAX_SEGMENT_CHARS`` is cut at a clause mark or a space
(:func:`~aligner.segment.rules.bound_spans`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

from aligner.model import Document, Segment
from aligner.registry import Registry
from aligner.segment.clauses import cut_long_spans, is_unpunctuated
from aligner.segment.rules import bound_spans, sentence_spans, trim_spans

SpanSplitter = Callable[[str, str], list[tuple[int, int]]]


@lru_cache(maxsize=1)
def _srx_document():
    from choppa import DEFAULT_SRX_RULESET, SrxDocument

    return SrxDocument(ruleset=DEFAULT_SRX_RULESET)


def srx_spans(text: str, lang: str) -> list[tuple[int, int]]:
    """LanguageTool SRX rules (``<lang>_one``: every line is a paragraph)."""
    from choppa.iterators import SrxTextIterator

    pieces, start = [], 0
    for piece in SrxTextIterator(_srx_document(), f"{lang}_one", text):
        pieces.append((start, start + len(piece)))
        start += len(piece)
    return trim_spans(text, pieces)


def punkt_splitter(training_texts: dict[str, str]) -> SpanSplitter:
    """nltk Punkt trained, unsupervised, on the given text of each language (no model download)."""
    from nltk.tokenize.punkt import PunktSentenceTokenizer

    tokenizers = {lang: PunktSentenceTokenizer(text) for lang, text in training_texts.items()}

    def spans(text: str, lang: str) -> list[tuple[int, int]]:
        tokenizer = tokenizers.get(lang) or PunktSentenceTokenizer()
        return trim_spans(text, list(tokenizer.span_tokenize(text)))

    return spans


def _punkt_for(documents: Sequence[Document]) -> SpanSplitter:
    texts: dict[str, list[str]] = {}
    for document in documents:
        texts.setdefault(document.lang, []).append(document.text)
    return punkt_splitter({lang: "\n\n".join(parts) for lang, parts in texts.items()})


#: The segmentation methods: each makes a splitter from the documents it will split (docs/segmentation.md).
SEGMENTERS: Registry[Callable[[Sequence[Document]], SpanSplitter]] = Registry("segmentation method")
SEGMENTERS.add("rules", "the toolkit's own rules for ar, en, fr (abbreviations, numbers, quotes)",
               lambda documents: sentence_spans)
SEGMENTERS.add("srx", "LanguageTool's SRX rules (choppa)", lambda documents: srx_spans)
SEGMENTERS.add("punkt", "nltk Punkt trained, unsupervised, on the input's own text of each language", _punkt_for)
METHODS = SEGMENTERS.names()


def get_splitter(method: str, documents: Sequence[Document] = ()) -> SpanSplitter:
    return SEGMENTERS[method].make(documents)


def segment_document(document: Document, splitter: SpanSplitter = sentence_spans) -> list[Segment]:
    """Sentences of every paragraph, in order; a heading is one segment.

    The document's body decides whether it was written without sentence punctuation
    (:func:`~aligner.segment.clauses.is_unpunctuated`); run-on spans are then cut at clause cues.
    """
    found = []
    for paragraph in document.paragraphs:
        if paragraph.is_heading:
            spans = [(0, len(paragraph.text))]
        else:
            spans = splitter(paragraph.text, paragraph.lang) or [(0, len(paragraph.text))]
        found.append(spans)
    body = [end - start for paragraph, spans in zip(document.paragraphs, found) if not paragraph.is_heading
            for start, end in spans]
    unpunctuated = is_unpunctuated(body, document.lang)
    segments = []
    for paragraph, spans in zip(document.paragraphs, found):
        if not paragraph.is_heading:
            spans = cut_long_spans(paragraph.text, spans, paragraph.lang, unpunctuated)
        spans = bound_spans(paragraph.text, spans)
        for index, (start, end) in enumerate(spans):
            segments.append(Segment(doc_id=document.doc_id, paragraph=paragraph.index, index=index,
                                    lang=paragraph.lang, text=paragraph.text[start:end], start=start, end=end,
                                    is_heading=paragraph.is_heading))
    return segments


def segment_documents(documents: Sequence[Document], method: str = "rules") -> list[Segment]:
    splitter = get_splitter(method, documents)
    return [segment for document in documents for segment in segment_document(document, splitter)]
