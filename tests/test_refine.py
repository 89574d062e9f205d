"""Sub-sentence refinement of coarse tuples (aligner.refine).

The fast tests build hand-made ar/en/fr cases whose word vectors come from a small lexicon: every
word of the lexicon gets the one-hot vector of its concept and words outside it are marked not
covered, so the real matcher (mutual argmax over the vectors) links the words that translate each
other; the ties between unrelated words (cosine 0 everywhere) are filtered out. Links therefore say
which vector rows a side holds: a wrong slice gives wrong links. The slow test runs the real word
model on a case taken from the seeds.
"""

from __future__ import annotations


from dataclasses import replace

import numpy as np
import pytest

from aligner.model import AlignedTuple, Bead, DocumentGroup, Segment
from aligner.refine import (
    RefineOptions,
    check_text_accounting,
    refine_tuples,
    split_unit_id,
)
from aligner.sentalign import AlignedGroup, GroupAlignment
from aligner.wordalign.align import EncodedSentence, WordAligner, align_vectors
from aligner.wordalign.tokens import tokenize

LANGS = ("ar", "en", "fr")
DOCS = {"ar": "000_ar", "en": "002_en", "fr": "004_fr"}

#: concept -> its words in every language (a word belongs to one concept only)
CONCEPTS = {
    "bachelet": "باشليه Bachelet",
    "call": "دعت called appelé",
    "refrain": "الامتناع بالامتناع restraint renoncer",
    "violence": "العنف violence",
    "demand": "وطالبت demanded exigé",
    "release": "بالإفراج الإفراج release libération",
    "detainee": "المعتقلين detainees détenus",
    "police": "الشرطة police",
    "spokesman": "spokesman porte-parole",
    "almaty": "Almaty",
    "reported": "reported signalé",
    "dozens": "dozens dizaines",
    "deaths": "deaths morts",
}
LEXICON = {word: k for k, words in enumerate(CONCEPTS.values()) for word in words.split()}
DIM = len(CONCEPTS)

AR_TWO_CLAUSES = "دعت باشليه إلى الامتناع عن العنف، وطالبت بالإفراج عن المعتقلين."
AR_ONE_CLAUSE = "دعت باشليه إلى الامتناع عن العنف."
EN = ["Bachelet called for restraint from violence.",
      "She demanded the release of detainees.",
      "A police spokesman in Almaty reported dozens of deaths."]
FR = ["Bachelet a appelé à renoncer à la violence.",
      "Elle a exigé la libération des détenus.",
      "Un porte-parole de la police à Almaty a signalé des dizaines de morts."]
ONE_TO_ONE = [((0,), (0,)), ((1,), (1,)), ((2,), (2,))]


class LexiconWords:
    """Stands in for WordAligner.encode: one-hot concept vectors, words outside the lexicon not covered."""

    layer = 7

    def encode_text(self, text: str, lang: str) -> EncodedSentence:
        tokens = tokenize(text, lang)
        vectors = np.zeros((len(tokens), DIM), dtype=np.float32)
        covered = np.zeros(len(tokens), dtype=bool)
        for k, token in enumerate(tokens.tokens):
            if token in LEXICON:
                vectors[k, LEXICON[token]] = 1.0
                covered[k] = True
        return EncodedSentence(tokens, vectors, self.layer, covered)


class LexiconAligner:
    """WordAligner.align (mutual argmax of the stored vectors) keeping only links between the same concept."""

    layer = 7

    def align(self, src: EncodedSentence, tgt: EncodedSentence) -> list[tuple[int, int]]:
        links = align_vectors(src.vectors, tgt.vectors, "argmax", src.covered, tgt.covered)
        return [(i, j) for i, j in links if float(src.vectors[i] @ tgt.vectors[j]) > 0.5]


ALIGNER = LexiconAligner()


def make_group(texts: dict[str, list[str]], members: list[dict[str, list[int]]],
               beads: dict[tuple[str, str], list[tuple[tuple[int, ...], tuple[int, ...]]]],
               languages=LANGS) -> tuple[AlignedGroup, dict]:
    """A document group with the given sentences, tuples (sentence indices per language) and beads."""
    segments = {lang: [Segment(DOCS[lang], i, 0, lang, text, 0, len(text)) for i, text in enumerate(texts[lang])]
                for lang in languages if lang in texts}
    tuples = []
    for number, member in enumerate(members, start=1):
        ids = {lang: tuple(segments[lang][i].segment_id for i in member.get(lang, ())) for lang in languages}
        joined = {lang: " ".join(segments[lang][i].text for i in member.get(lang, ())) for lang in languages}
        present = [lang for lang in languages if joined[lang]]
        scores = {"consistency": 1.0}
        tuples.append(AlignedTuple("g0001", f"g0001-{number:05d}", ids, joined, scores, keep=len(present) > 1))
    pairs = {pair: [Bead(src, tgt, 0.5) for src, tgt in found] for pair, found in beads.items()}
    group = AlignedGroup(DocumentGroup("g0001", tuple(DOCS[lang] for lang in segments), 1.0), segments,
                         GroupAlignment([], pairs), tuples)
    words = LexiconWords()
    encoded = {(lang, t.texts[lang]): words.encode_text(t.texts[lang], lang)
               for t in tuples if len(t.languages) > 1 for lang in t.languages}
    return group, encoded


def refine(group, encoded, languages=LANGS, options=RefineOptions()):
    tuples, words = refine_tuples([group], languages, ALIGNER, options, encoded)
    check_text_accounting([group], tuples)
    assert len(words) == len(tuples)
    return tuples, words


def ids(item: AlignedTuple) -> dict[str, tuple[str, ...]]:
    return {lang: found for lang, found in item.segment_ids.items() if found}


def piece(text: str, start: int, end: int) -> str:
    return text[start:end].strip()


# --- detach -------------------------------------------------------------------------------------


def test_a_sentence_the_single_sentence_does_not_express_becomes_its_own_tuple():
    texts = {"ar": [AR_ONE_CLAUSE], "en": [EN[0], EN[2]], "fr": [FR[0], FR[2]]}
    group, encoded = make_group(texts, [{"ar": [0], "en": [0, 1], "fr": [0, 1]}],
                                {("ar", "en"): [((0,), (0, 1))], ("ar", "fr"): [((0,), (0, 1))],
                                 ("en", "fr"): ONE_TO_ONE[:2]})
    tuples, words = refine(group, encoded)
    assert [ids(t) for t in tuples] == [
        {"ar": ("000_ar:0:0",), "en": ("002_en:0:0",), "fr": ("004_fr:0:0",)},
        {"en": ("002_en:1:0",), "fr": ("004_fr:1:0",)},
    ]
    assert [t.tuid for t in tuples] == ["g0001-00001", "g0001-00002"]
    assert [t.keep for t in tuples] == [True, True]
    assert tuples[0].texts == {"ar": AR_ONE_CLAUSE, "en": EN[0], "fr": FR[0]}
    assert set(words[0]) == {("ar", "en"), ("ar", "fr"), ("en", "fr")} and set(words[1]) == {("en", "fr")}
    # the police sentence was fully linked between en and fr: coverage of its content words is complete
    assert words[1][("en", "fr")].src_coverage == 1.0
    # new tuples: consistency recomputed (the beads stay inside the tuple); quality comes later
    assert tuples[0].scores == {"ar-en.agreement": 1.0, "ar-fr.agreement": 1.0, "en-fr.agreement": 1.0,
                                "consistency": 1.0}
    assert tuples[0].scores["consistency"] == 1.0 and tuples[1].scores["consistency"] == 1.0


def test_an_unrelated_sentence_of_a_two_language_tuple_is_detached_into_a_one_language_tuple():
    texts = {"ar": [AR_ONE_CLAUSE], "en": [EN[0], EN[2]]}
    group, encoded = make_group(texts, [{"ar": [0], "en": [0, 1]}], {("ar", "en"): [((0,), (0, 1))]}, ("ar", "en"))
    tuples, words = refine(group, encoded, ("ar", "en"))
    assert [ids(t) for t in tuples] == [{"ar": ("000_ar:0:0",), "en": ("002_en:0:0",)}, {"en": ("002_en:1:0",)}]
    assert [t.keep for t in tuples] == [True, False]
    assert words[1] == {}


def test_a_component_is_kept_only_if_each_of_its_languages_links_to_the_sentence():
    # The only French sentence shares words with the Arabic one (unopposed: no other French
    # sentence competes for the links), but its English version shares none: not expressed.
    fr_police = "Un porte-parole de la police à Almaty a appelé à renoncer à la violence."
    texts = {"ar": [AR_ONE_CLAUSE], "en": [EN[0], EN[2]], "fr": [fr_police]}
    group, encoded = make_group(texts, [{"ar": [0], "en": [0, 1], "fr": [0]}],
                                {("ar", "en"): [((0,), (0, 1))], ("ar", "fr"): [((0,), (0,))],
                                 ("en", "fr"): [((1,), (0,))]})
    tuples, _ = refine(group, encoded)
    assert [ids(t) for t in tuples] == [
        {"ar": ("000_ar:0:0",), "en": ("002_en:0:0",)},
        {"en": ("002_en:1:0",), "fr": ("004_fr:0:0",)},
    ]


def test_nothing_is_detached_when_no_component_is_well_linked():
    # neither English sentence shares a word with the Arabic one: the tuple is left as it is
    texts = {"ar": [AR_ONE_CLAUSE], "en": [EN[1], EN[2]]}
    group, encoded = make_group(texts, [{"ar": [0], "en": [0, 1]}], {("ar", "en"): [((0,), (0, 1))]}, ("ar", "en"))
    tuples, _ = refine(group, encoded, ("ar", "en"))
    assert tuples == group.tuples


# --- split --------------------------------------------------------------------------------------


def test_a_long_arabic_sentence_is_split_at_the_comma_into_two_pieces_matching_two_sentences():
    texts = {"ar": [AR_TWO_CLAUSES], "en": EN[:2], "fr": FR[:2]}
    group, encoded = make_group(texts, [{"ar": [0], "en": [0, 1], "fr": [0, 1]}],
                                {("ar", "en"): [((0,), (0, 1))], ("ar", "fr"): [((0,), (0, 1))],
                                 ("en", "fr"): ONE_TO_ONE[:2]})
    tuples, words = refine(group, encoded)
    cut = AR_TWO_CLAUSES.index("وطالبت")
    n = len(AR_TWO_CLAUSES)
    assert [ids(t) for t in tuples] == [
        {"ar": (f"000_ar:0:0@0-{cut}",), "en": ("002_en:0:0",), "fr": ("004_fr:0:0",)},
        {"ar": (f"000_ar:0:0@{cut}-{n}",), "en": ("002_en:1:0",), "fr": ("004_fr:1:0",)},
    ]
    assert tuples[0].texts["ar"] == "دعت باشليه إلى الامتناع عن العنف،"
    assert tuples[1].texts["ar"] == "وطالبت بالإفراج عن المعتقلين."
    # whitespace between the pieces stays with the first one; the pieces give back the sentence
    assert AR_TWO_CLAUSES[:cut].endswith("، ")
    assert AR_TWO_CLAUSES[:cut] + AR_TWO_CLAUSES[cut:] == AR_TWO_CLAUSES
    # the word links of each piece come from the sliced vectors: indices into the piece's own tokens
    first = words[0][("ar", "en")]
    assert first.src_tokens == tokenize(tuples[0].texts["ar"], "ar").tokens
    assert [(first.src_tokens[i], first.tgt_tokens[j]) for i, j in first.links] == [
        ("دعت", "called"), ("باشليه", "Bachelet"), ("الامتناع", "restraint"), ("العنف", "violence")]
    second = words[1][("ar", "fr")]
    assert [(second.src_tokens[i], second.tgt_tokens[j]) for i, j in second.links] == [
        ("وطالبت", "exigé"), ("بالإفراج", "libération"), ("المعتقلين", "détenus")]
    assert second.src_coverage == 1.0
    # the ar-en bead stays inside the tuple the sentence was shared out from: the pairs still agree
    assert [t.scores["consistency"] for t in tuples] == [1.0, 1.0]


def test_detach_and_split_together_in_reading_order():
    texts = {"ar": [AR_TWO_CLAUSES], "en": EN, "fr": FR}
    group, encoded = make_group(texts, [{"ar": [0], "en": [0, 1, 2], "fr": [0, 1, 2]}],
                                {("ar", "en"): [((0,), (0, 1, 2))], ("ar", "fr"): [((0,), (0, 1, 2))],
                                 ("en", "fr"): ONE_TO_ONE})
    tuples, _ = refine(group, encoded)
    assert [(t.segment_ids["ar"], t.segment_ids["en"]) for t in tuples] == [
        ((f"000_ar:0:0@0-{AR_TWO_CLAUSES.index('وطالبت')}",), ("002_en:0:0",)),
        ((f"000_ar:0:0@{AR_TWO_CLAUSES.index('وطالبت')}-{len(AR_TWO_CLAUSES)}",), ("002_en:1:0",)),
        ((), ("002_en:2:0",)),
    ]
    assert [t.tuid for t in tuples] == ["g0001-00001", "g0001-00002", "g0001-00003"]


def test_a_glued_many_to_many_bead_of_the_other_languages_is_told_apart_by_its_words():
    # The en-fr sentence aligner glued three English sentences to two French ones (a 3-2 bead:
    # the third English sentence has no French). Its members pair up by their word links, so the
    # Arabic sentence is still cut in two, and the unlinked sentence leaves.
    texts = {"ar": [AR_TWO_CLAUSES], "en": EN, "fr": FR[:2]}
    group, encoded = make_group(texts, [{"ar": [0], "en": [0, 1, 2], "fr": [0, 1]}],
                                {("ar", "en"): [((0,), (0, 1, 2))], ("ar", "fr"): [((0,), (0, 1))],
                                 ("en", "fr"): [((0, 1, 2), (0, 1))]})
    tuples, _ = refine(group, encoded)
    cut = AR_TWO_CLAUSES.index("وطالبت")
    assert [ids(t) for t in tuples] == [
        {"ar": (f"000_ar:0:0@0-{cut}",), "en": ("002_en:0:0",), "fr": ("004_fr:0:0",)},
        {"ar": (f"000_ar:0:0@{cut}-{len(AR_TWO_CLAUSES)}",), "en": ("002_en:1:0",), "fr": ("004_fr:1:0",)},
        {"en": ("002_en:2:0",)},
    ]


def test_a_two_language_tuple_is_split_too():
    texts = {"ar": [AR_TWO_CLAUSES], "en": EN[:2]}
    group, encoded = make_group(texts, [{"ar": [0], "en": [0, 1]}], {("ar", "en"): [((0,), (0, 1))]}, ("ar", "en"))
    tuples, _ = refine(group, encoded, ("ar", "en"))
    assert [t.texts for t in tuples] == [
        {"ar": "دعت باشليه إلى الامتناع عن العنف،", "en": EN[0]},
        {"ar": "وطالبت بالإفراج عن المعتقلين.", "en": EN[1]},
    ]


def test_no_split_when_each_clause_links_to_both_sentences():
    # clause 1 holds "call" (en 0) and "release, detainees" (en 1); clause 2 "demand" (en 1) and
    # "refrain, violence" (en 0): no cut gives pieces whose links mostly go to one sentence
    mixed = "دعت باشليه إلى الإفراج عن المعتقلين، وطالبت بالامتناع عن العنف."
    texts = {"ar": [mixed], "en": EN[:2], "fr": FR[:2]}
    group, encoded = make_group(texts, [{"ar": [0], "en": [0, 1], "fr": [0, 1]}],
                                {("ar", "en"): [((0,), (0, 1))], ("ar", "fr"): [((0,), (0, 1))],
                                 ("en", "fr"): ONE_TO_ONE[:2]})
    tuples, words = refine(group, encoded)
    assert tuples == group.tuples  # untouched: same ids, texts, scores and tuid
    assert len(words) == 1 and set(words[0]) == {("ar", "en"), ("ar", "fr"), ("en", "fr")}
    # even when a single link per piece would do, half of each piece's links go to the other sentence
    tuples, _ = refine(group, encoded, options=RefineOptions(min_links=1))
    assert tuples == group.tuples
    # ... which a purity of 0.3 accepts (piece 2: 2 of its 6 links go to its sentence)
    tuples, _ = refine(group, encoded, options=RefineOptions(min_links=1, min_purity=0.3))
    assert [t.texts["en"] for t in tuples] == EN[:2]


def test_no_split_without_a_clause_boundary():
    no_comma = "دعت باشليه إلى الامتناع عن العنف وطالبت بالإفراج عن المعتقلين."
    texts = {"ar": [no_comma], "en": EN[:2]}
    group, encoded = make_group(texts, [{"ar": [0], "en": [0, 1]}], {("ar", "en"): [((0,), (0, 1))]}, ("ar", "en"))
    tuples, _ = refine(group, encoded, ("ar", "en"))
    assert tuples == group.tuples


def test_a_split_needs_a_few_links_per_piece():
    texts = {"ar": [AR_TWO_CLAUSES], "en": EN[:2]}
    group, encoded = make_group(texts, [{"ar": [0], "en": [0, 1]}], {("ar", "en"): [((0,), (0, 1))]}, ("ar", "en"))
    strict = RefineOptions(min_links=4)  # the second clause has 3 links
    tuples, _ = refine(group, encoded, ("ar", "en"), strict)
    assert tuples == group.tuples


# --- several sentences on every side ----------------------------------------------------------------

AR_SENTENCES = ["دعت باشليه إلى الامتناع عن العنف.", "وطالبت بالإفراج عن المعتقلين."]


def test_a_two_to_two_tuple_of_two_translations_is_cut_between_the_sentences():
    texts = {"ar": AR_SENTENCES, "en": EN[:2]}
    group, encoded = make_group(texts, [{"ar": [0, 1], "en": [0, 1]}], {("ar", "en"): [((0, 1), (0, 1))]},
                                ("ar", "en"))
    tuples, words = refine(group, encoded, ("ar", "en"))
    assert [t.texts for t in tuples] == [{"ar": AR_SENTENCES[0], "en": EN[0]}, {"ar": AR_SENTENCES[1], "en": EN[1]}]
    assert [ids(t) for t in tuples] == [{"ar": ("000_ar:0:0",), "en": ("002_en:0:0",)},
                                        {"ar": ("000_ar:1:0",), "en": ("002_en:1:0",)}]  # whole sentences, no pieces
    assert [len(w[("ar", "en")].links) for w in words] == [4, 3]


def test_three_languages_with_two_sentences_each_are_cut_too():
    texts = {"ar": AR_SENTENCES, "en": EN[:2], "fr": FR[:2]}
    group, encoded = make_group(texts, [{"ar": [0, 1], "en": [0, 1], "fr": [0, 1]}],
                                {("ar", "en"): [((0, 1), (0, 1))], ("ar", "fr"): [((0, 1), (0, 1))],
                                 ("en", "fr"): ONE_TO_ONE[:2]})
    tuples, _ = refine(group, encoded)
    assert [t.texts for t in tuples] == [{"ar": AR_SENTENCES[0], "en": EN[0], "fr": FR[0]},
                                         {"ar": AR_SENTENCES[1], "en": EN[1], "fr": FR[1]}]


def test_a_true_two_to_two_whose_sentence_boundaries_cross_is_left_alone():
    # ar 0 says the call and the demand, ar 1 the detainees and the restraint: each Arabic sentence
    # links half to each English one, so no cut between sentences gives pure blocks
    crossing = ["دعت باشليه، وطالبت بالإفراج", "عن المعتقلين و الامتناع عن العنف."]
    texts = {"ar": crossing, "en": EN[:2]}
    group, encoded = make_group(texts, [{"ar": [0, 1], "en": [0, 1]}], {("ar", "en"): [((0, 1), (0, 1))]},
                                ("ar", "en"))
    tuples, _ = refine(group, encoded, ("ar", "en"))
    assert tuples == group.tuples


def test_after_the_cut_between_sentences_the_one_sentence_rules_detach_what_is_left():
    # en 2 (the police) is not in the two Arabic sentences. A side of several sentences is only cut
    # between them (nothing is detached from it); the cut leaves ar 1 alone with en 1 + en 2, and
    # then the rules for one sentence detach en 2
    texts = {"ar": AR_SENTENCES, "en": EN}
    group, encoded = make_group(texts, [{"ar": [0, 1], "en": [0, 1, 2]}], {("ar", "en"): [((0, 1), (0, 1, 2))]},
                                ("ar", "en"))
    tuples, _ = refine(group, encoded, ("ar", "en"))
    assert [t.texts for t in tuples] == [{"ar": AR_SENTENCES[0], "en": EN[0]},
                                         {"ar": AR_SENTENCES[1], "en": EN[1]},
                                         {"ar": "", "en": EN[2]}]


def test_tuples_with_one_sentence_per_language_are_never_touched():
    # one sentence a language, and the French one unrelated: still left alone
    texts = {"ar": [AR_ONE_CLAUSE, AR_TWO_CLAUSES], "en": [EN[0], EN[0]], "fr": [FR[2], FR[0]]}
    members = [{"ar": [0], "en": [0], "fr": [0]}, {"ar": [1], "en": [1], "fr": [1]}]
    # (the en-fr pair left the first tuple's sentences unaligned, so they are not one component)
    group, encoded = make_group(texts, members, {("ar", "en"): ONE_TO_ONE[:2], ("ar", "fr"): ONE_TO_ONE[:2],
                                                 ("en", "fr"): ONE_TO_ONE[1:2]})
    tuples, words = refine(group, encoded)
    assert tuples == group.tuples
    for item, found in zip(tuples, words):
        for (a, b), pair in found.items():
            src, tgt = encoded[(a, item.texts[a])], encoded[(b, item.texts[b])]
            assert pair.links == ALIGNER.align(src, tgt)
            assert pair.src_tokens == src.tokens.tokens and pair.tgt_tokens == tgt.tokens.tokens


# --- a clause that a neighbouring tuple without L expresses ----------------------------------------

#: en/fr sentence order: the call (0), the police (1), the demand (2); ar says the call and the demand in one sentence
EN_APART = [EN[0], EN[2], EN[1]]
FR_APART = [FR[0], FR[2], FR[1]]
APART_BEADS = {("ar", "en"): [((0,), (0,))], ("ar", "fr"): [((0,), (0,))], ("en", "fr"): ONE_TO_ONE}


def test_a_clause_of_the_long_sentence_goes_to_a_later_tuple_that_lacks_arabic():
    texts = {"ar": [AR_TWO_CLAUSES], "en": EN_APART, "fr": FR_APART}
    members = [{"ar": [0], "en": [0], "fr": [0]}, {"en": [1], "fr": [1]}, {"en": [2], "fr": [2]}]
    group, encoded = make_group(texts, members, APART_BEADS)
    tuples, words = refine(group, encoded)
    cut, n = AR_TWO_CLAUSES.index("وطالبت"), len(AR_TWO_CLAUSES)
    assert [ids(t) for t in tuples] == [
        {"ar": (f"000_ar:0:0@0-{cut}",), "en": ("002_en:0:0",), "fr": ("004_fr:0:0",)},
        {"en": ("002_en:1:0",), "fr": ("004_fr:1:0",)},
        {"ar": (f"000_ar:0:0@{cut}-{n}",), "en": ("002_en:2:0",), "fr": ("004_fr:2:0",)},
    ]
    assert tuples[1] == replace(group.tuples[1], tuid="g0001-00002")  # the tuple in between is untouched
    assert tuples[2].texts["ar"] == "وطالبت بالإفراج عن المعتقلين." and tuples[2].keep
    last = words[2][("ar", "en")]
    assert [(last.src_tokens[i], last.tgt_tokens[j]) for i, j in last.links] == [
        ("وطالبت", "demanded"), ("بالإفراج", "release"), ("المعتقلين", "detainees")]
    # the ar beads stay inside the two tuples taken together: the pairs agree
    assert tuples[0].scores["consistency"] == tuples[2].scores["consistency"] == 1.0


def test_a_clause_goes_to_an_earlier_tuple_too():
    demand_first = "وطالبت بالإفراج عن المعتقلين، دعت باشليه إلى الامتناع عن العنف."
    texts = {"ar": [demand_first], "en": EN_APART[::-1], "fr": FR_APART[::-1]}
    members = [{"en": [0], "fr": [0]}, {"en": [1], "fr": [1]}, {"ar": [0], "en": [2], "fr": [2]}]
    group, encoded = make_group(texts, members, {("ar", "en"): [((0,), (2,))], ("ar", "fr"): [((0,), (2,))],
                                                 ("en", "fr"): ONE_TO_ONE})
    tuples, _ = refine(group, encoded)
    assert [t.texts["ar"] for t in tuples] == ["وطالبت بالإفراج عن المعتقلين،", "", "دعت باشليه إلى الامتناع عن العنف."]


def test_no_clause_moves_past_another_arabic_sentence_or_to_a_tuple_it_does_not_express():
    # a tuple with Arabic in between: the demand tuple is out of reach
    texts = {"ar": [AR_TWO_CLAUSES, "ذكرت الشرطة."], "en": EN_APART, "fr": FR_APART}
    members = [{"ar": [0], "en": [0], "fr": [0]}, {"ar": [1], "en": [1], "fr": [1]}, {"en": [2], "fr": [2]}]
    group, encoded = make_group(texts, members, {("ar", "en"): ONE_TO_ONE[:2], ("ar", "fr"): ONE_TO_ONE[:2],
                                                 ("en", "fr"): ONE_TO_ONE})
    tuples, _ = refine(group, encoded)
    assert [ids(t) for t in tuples] == [ids(t) for t in group.tuples]
    # the only tuple without Arabic is the police one, which the sentence does not express
    texts = {"ar": [AR_TWO_CLAUSES], "en": EN[:1] + EN[2:], "fr": FR[:1] + FR[2:]}
    group, encoded = make_group(texts, [{"ar": [0], "en": [0], "fr": [0]}, {"en": [1], "fr": [1]}],
                                {("ar", "en"): ONE_TO_ONE[:1], ("ar", "fr"): ONE_TO_ONE[:1],
                                 ("en", "fr"): ONE_TO_ONE[:2]})
    tuples, _ = refine(group, encoded)
    assert [ids(t) for t in tuples] == [ids(t) for t in group.tuples]


def test_no_clause_moves_when_a_sentence_bead_joins_the_two_tuples():
    # the en-fr pair aligned the call and the demand together: the two tuples are not separable
    texts = {"ar": [AR_TWO_CLAUSES], "en": EN_APART, "fr": FR_APART}
    members = [{"ar": [0], "en": [0], "fr": [0]}, {"en": [1], "fr": [1]}, {"en": [2], "fr": [2]}]
    group, encoded = make_group(texts, members, {**APART_BEADS, ("en", "fr"): [((0,), (0, 2)), ((1,), (1,))]})
    tuples, _ = refine(group, encoded)
    assert [ids(t) for t in tuples] == [ids(t) for t in group.tuples]


# --- text accounting, ids, determinism ----------------------------------------------------------


def refine_with_arabic_in_the_middle_tuple(arabic: str, en: list[str], fr: list[str]):
    """Three one-to-one en-fr tuples; the sentence aligner put the one Arabic sentence in the middle one."""
    members = [{"en": [0], "fr": [0]}, {"ar": [0], "en": [1], "fr": [1]}, {"en": [2], "fr": [2]}]
    middle = [((0,), (1,))]
    group, encoded = make_group({"ar": [arabic], "en": en, "fr": fr}, members,
                                {("ar", "en"): middle, ("ar", "fr"): middle, ("en", "fr"): ONE_TO_ONE})
    tuples, _ = refine(group, encoded)
    return tuples


def test_a_sentence_in_a_tuple_that_does_not_express_it_is_spread_over_the_tuples_that_do():
    # the sentence aligner put the Arabic sentence with the police sentences; its two clauses are
    # the call (en/fr 0) and the demand (en/fr 2)
    tuples = refine_with_arabic_in_the_middle_tuple(AR_TWO_CLAUSES, EN_APART, FR_APART)
    cut, n = AR_TWO_CLAUSES.index("وطالبت"), len(AR_TWO_CLAUSES)
    assert [ids(t) for t in tuples] == [
        {"ar": (f"000_ar:0:0@0-{cut}",), "en": ("002_en:0:0",), "fr": ("004_fr:0:0",)},
        {"en": ("002_en:1:0",), "fr": ("004_fr:1:0",)},
        {"ar": (f"000_ar:0:0@{cut}-{n}",), "en": ("002_en:2:0",), "fr": ("004_fr:2:0",)},
    ]
    assert [t.texts["ar"] for t in tuples] == [AR_TWO_CLAUSES[:cut].strip(), "", AR_TWO_CLAUSES[cut:]]


def test_a_clause_no_tuple_expresses_stays_alone_when_the_rest_of_the_sentence_moves():
    # the last clause ("and she spoke about the weather") has no word in the lexicon
    three = "دعت باشليه إلى الامتناع عن العنف، وطالبت بالإفراج عن المعتقلين، وتحدثت عن الطقس الجميل اليوم."
    tuples = refine_with_arabic_in_the_middle_tuple(three, EN_APART, FR_APART)
    first, last, n = three.index("وطالبت"), three.index("وتحدثت"), len(three)
    assert [ids(t) for t in tuples] == [
        {"ar": (f"000_ar:0:0@0-{first}",), "en": ("002_en:0:0",), "fr": ("004_fr:0:0",)},
        {"en": ("002_en:1:0",), "fr": ("004_fr:1:0",)},
        {"ar": (f"000_ar:0:0@{first}-{last}",), "en": ("002_en:2:0",), "fr": ("004_fr:2:0",)},
        {"ar": (f"000_ar:0:0@{last}-{n}",)},
    ]
    assert tuples[3].texts == {"ar": "وتحدثت عن الطقس الجميل اليوم.", "en": "", "fr": ""} and not tuples[3].keep


def test_a_sentence_its_tuple_expresses_does_not_leave_it():
    # the same neighbours, but the Arabic sentence's own tuple is the call: only the demand moves
    tuples = refine_with_arabic_in_the_middle_tuple(AR_TWO_CLAUSES, [EN[2], EN[0], EN[1]], [FR[2], FR[0], FR[1]])
    cut = AR_TWO_CLAUSES.index("وطالبت")
    assert [t.texts["ar"] for t in tuples] == ["", AR_TWO_CLAUSES[:cut].strip(), AR_TWO_CLAUSES[cut:]]


def test_pieces_cover_the_sentence_exactly_and_the_check_catches_lost_text():
    texts = {"ar": [AR_TWO_CLAUSES], "en": EN, "fr": FR}
    group, encoded = make_group(texts, [{"ar": [0], "en": [0, 1, 2], "fr": [0, 1, 2]}],
                                {("ar", "en"): [((0,), (0, 1, 2))], ("ar", "fr"): [((0,), (0, 1, 2))],
                                 ("en", "fr"): ONE_TO_ONE})
    tuples, _ = refine(group, encoded)
    spans = [split_unit_id(i) for t in tuples for i in t.segment_ids["ar"]]
    assert [sid for sid, _, _ in spans] == ["000_ar:0:0", "000_ar:0:0"]
    assert "".join(AR_TWO_CLAUSES[s:e] for _, s, e in spans) == AR_TWO_CLAUSES
    assert [piece(AR_TWO_CLAUSES, s, e) for _, s, e in spans] == [t.texts["ar"] for t in tuples if t.texts["ar"]]
    # every English and French sentence is in exactly one tuple
    for lang in ("en", "fr"):
        assert sorted(i for t in tuples for i in t.segment_ids[lang]) == [s.segment_id for s in group.segments[lang]]
    # the check fails on a lost piece, a duplicated sentence and a text that is not the piece's
    with pytest.raises(ValueError, match="cover"):
        check_text_accounting([group], tuples[1:])
    with pytest.raises(ValueError, match="cover"):
        check_text_accounting([group], tuples + tuples[2:])
    tampered = AlignedTuple(**{**tuples[0].__dict__, "texts": {**tuples[0].texts, "ar": "دعت باشليه"}})
    with pytest.raises(ValueError, match="text"):
        check_text_accounting([group], [tampered, *tuples[1:]])


def test_split_unit_id():
    assert split_unit_id("000_x:3:0@0-57") == ("000_x:3:0", 0, 57)
    assert split_unit_id("000_x:3:0") == ("000_x:3:0", None, None)


def test_output_is_deterministic():
    texts = {"ar": [AR_TWO_CLAUSES, AR_ONE_CLAUSE], "en": EN + [EN[0]], "fr": FR + [FR[0]]}
    members = [{"ar": [0], "en": [0, 1, 2], "fr": [0, 1, 2]}, {"ar": [1], "en": [3], "fr": [3]}]
    beads = {("ar", "en"): [((0,), (0, 1, 2)), ((1,), (3,))], ("ar", "fr"): [((0,), (0, 1, 2)), ((1,), (3,))],
             ("en", "fr"): ONE_TO_ONE + [((3,), (3,))]}

    def run():
        group, encoded = make_group(texts, members, beads)
        tuples, words = refine_tuples([group], LANGS, ALIGNER, encoded=encoded)
        return [(t.tuid, t.segment_ids, t.texts, repr(t.scores), t.keep) for t in tuples], words

    first, second = run(), run()
    assert first == second
    assert [row[0] for row in first[0]] == [f"g0001-{k:05d}" for k in range(1, 5)]
    assert first[0][3][1]["ar"] == ("000_ar:1:0",)  # the untouched tuple keeps its plain ids, renumbered


# --- the real word model on a case from the seeds -------------------------------------------------

SEED_AR = ("وقالت المفوضة السامية إنها لاحظت أن الحكومة في كازاخستان أعربت عن أملها في أن يكون هناك حوار شامل "
           "وبناء مع المحتجين، داعية الجميع إلى اتخاذ جميع الخطوات لضمان إمكانية تعزيز الحوار، وأن يظل احترام "
           "حقوق الإنسان وحمايتها أمرا أساسيا خلال حالة الطوارئ وما بعدها .")
SEED_EN = ("She urged the authorities of Kazakhstan to ensure the immediate and full restoration of Internet services, "
           "which are vital to the provision of emergency medical care during the COVID-19 pandemic.")
SEED_FR = ["« J'exhorte les autorités kazakhes à garantir que les services Internet, qui sont également vitaux pour "
           "les services de santé d'urgence pendant la pandémie de Covid-19, soient immédiatement et complètement "
           "rétablis », a déclaré la Haute-Commissaire.",
           "« Je note que le gouvernement kazakh a exprimé son espoir qu'il puisse y avoir un dialogue inclusif et "
           "constructif avec les manifestants.",
           "Je les exhorte à prendre toutes les mesures pour garantir que le dialogue puisse être encouragé et que le "
           "respect et la protection des droits humains restent primordiaux pendant l'état d'urgence et au-delà », "
           "a-t-elle déclaré."]
SEED_ONE = {"ar": "وشددت على ضرورة استمرار تطبيق بعض الحقوق، بما في ذلك الحق في الحياة وحظر التعذيب.",
            "en": "Some rights, including the right to life and the prohibition of torture, continue to apply.",
            "fr": "Certains droits, dont le droit à la vie et l'interdiction de la torture, continuent de s'appliquer."}


@pytest.mark.slow
def test_real_word_model_detaches_and_splits_a_seed_tuple():
    from aligner.wordalign.corpus import align_tuples

    from aligner.embed.transformer import TransformerEncoder

    aligner = WordAligner(encoder=TransformerEncoder(threads=1, piece_dir=False))
    texts = {"ar": [SEED_AR, SEED_ONE["ar"]], "en": [SEED_EN, SEED_ONE["en"]], "fr": [*SEED_FR, SEED_ONE["fr"]]}
    members = [{"ar": [0], "en": [0], "fr": [0, 1, 2]}, {"ar": [1], "en": [1], "fr": [3]}]
    beads = {("ar", "en"): [((0,), (0,)), ((1,), (1,))], ("ar", "fr"): [((0,), (1, 2)), ((1,), (3,))],
             ("en", "fr"): [((0,), (0,)), ((1,), (3,))]}
    group, _ = make_group(texts, members, beads)
    tuples, words = refine_tuples([group], LANGS, aligner)
    assert aligner.encoder.texts_encoded == 8  # one model pass per segment, none for tuple sides or pieces
    check_text_accounting([group], tuples)
    cut = SEED_AR.index("داعية")
    assert [ids(t) for t in tuples] == [
        {"en": ("002_en:0:0",), "fr": ("004_fr:0:0",)},
        {"ar": (f"000_ar:0:0@0-{cut}",), "fr": ("004_fr:1:0",)},
        {"ar": (f"000_ar:0:0@{cut}-{len(SEED_AR)}",), "fr": ("004_fr:2:0",)},
        {"ar": ("000_ar:1:0",), "en": ("002_en:1:0",), "fr": ("004_fr:3:0",)},
    ]
    assert all(w[("ar", "fr")].src_coverage > 0.5 for w in words[1:3])
    # the untouched tuple gets exactly the word alignment align_tuples gives
    segment_texts = {s.segment_id: s.text for segs in group.segments.values() for s in segs}
    assert words[3] == align_tuples(group.tuples[1:], LANGS, aligner, segment_texts)[0]
    assert aligner.encoder.texts_encoded == 8
