"""`aligner evaluate --metric comet:PATH`: a COMET-style model folder built here from a tiny random
transformers BertModel (saved with save_pretrained) and a regression head in safetensors, loaded
through the real path, scored, recomputed by hand, and refused with a clear error when the folder
is not a model. A real model is also scored when ALIGNER_TEST_COMET names one (skipped otherwise).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_evaluate_mt import N, drop_words, make_testset, run_evaluate, systems_for, write

from aligner.errors import InputError
from aligner.evaluate import comet
from aligner.evaluate.mt import load_testset, read_hypothesis, score_systems

HIDDEN = 16
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def build_tiny_comet(folder: Path, texts: list[str], *, head: dict | None = None, seed: int = 0,
                     **settings) -> Path:
    """A model folder in the documented format: comet.json, encoder/ (save_pretrained), head.safetensors.

    The encoder is a 2-layer random BERT whose word pieces are the characters of ``texts``; the head
    is ``head`` (tensor name -> tensor) or a random 2-layer regressor over the six COMET features.
    """
    import torch
    from safetensors.torch import save_file
    from transformers import BertConfig, BertModel, BertTokenizerFast

    chars = sorted({c for text in texts for c in text.lower() if not c.isspace()})
    vocab = {piece: i for i, piece in enumerate(SPECIALS + chars + [f"##{c}" for c in chars])}
    tokenizer = BertTokenizerFast(vocab=vocab, strip_accents=False)
    torch.manual_seed(seed)
    encoder = BertModel(BertConfig(vocab_size=len(vocab), hidden_size=HIDDEN, num_hidden_layers=2,
                                   num_attention_heads=2, intermediate_size=32, max_position_embeddings=128))
    folder.mkdir(parents=True)
    encoder.save_pretrained(folder / "encoder")
    tokenizer.save_pretrained(folder / "encoder")
    inputs = settings.get("inputs", ["src", "mt", "ref"])
    if head is None:
        width = len(comet.FEATURES[tuple(inputs)]) * HIDDEN
        head = {"layers.0.weight": torch.randn(8, width) * 0.1, "layers.0.bias": torch.zeros(8),
                "layers.1.weight": torch.randn(1, 8), "layers.1.bias": torch.tensor([0.5])}
    save_file({name: tensor.contiguous() for name, tensor in head.items()}, str(folder / "head.safetensors"))
    config = {"format": "aligner-comet", "version": 1, "name": "tiny", "max_length": 128, **settings}
    (folder / "comet.json").write_text(json.dumps(config), encoding="utf-8")
    return folder


def distance_head(block: int, n_blocks: int = 6):
    """A one-layer head scoring ``1 - sum(feature block)``: block 3 is |h-r|, block 5 is |h-s|."""
    import torch

    weight = torch.zeros(1, n_blocks * HIDDEN)
    weight[0, block * HIDDEN:(block + 1) * HIDDEN] = -1.0
    return {"layers.0.weight": weight, "layers.0.bias": torch.tensor([1.0])}


@pytest.fixture(scope="module")
def testset_dir(tmp_path_factory) -> Path:
    return make_testset(tmp_path_factory.mktemp("comet") / "testset")


def all_texts(testset_dir: Path) -> list[str]:
    return [line for lang in ("ar", "en", "fr")
            for line in (testset_dir / f"test.{lang}").read_text("utf-8").split("\n")]


def test_a_tiny_model_loads_and_scores_like_the_hand_computation(testset_dir, tmp_path):
    import torch
    from safetensors.torch import load_file
    from transformers import AutoModel, AutoTokenizer

    folder = build_tiny_comet(tmp_path / "tiny", all_texts(testset_dir))
    model = comet.load_comet(folder)
    assert (model.name, model.config.inputs, model.config.pooling) == ("tiny", ("src", "mt", "ref"), "mean")
    assert len(model.sha) == 12 and model.sha == comet.fingerprint(folder)
    testset = load_testset(testset_dir, "en-fr")
    hyps = drop_words(testset.references, 3)
    scores = model.score(testset.sources, hyps, testset.references)
    assert len(scores) == N and len(set(scores)) > N // 2  # the segments get different scores

    # the same numbers from the files, without aligner: mean-pooled BERT, COMET features, two linear layers
    tokenizer = AutoTokenizer.from_pretrained(folder / "encoder")
    encoder = AutoModel.from_pretrained(folder / "encoder").eval()
    head = load_file(str(folder / "head.safetensors"))

    def pooled(texts):
        batch = tokenizer(texts, padding=True, truncation=True, max_length=128, return_tensors="pt")
        with torch.no_grad():
            hidden = encoder(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        return (hidden * mask).sum(1) / mask.sum(1)

    s, h, r = pooled(testset.sources[:5]), pooled(hyps[:5]), pooled(testset.references[:5])
    x = torch.cat([h, r, h * r, (h - r).abs(), h * s, (h - s).abs()], dim=1)
    x = torch.tanh(x @ head["layers.0.weight"].T + head["layers.0.bias"])
    expected = (x @ head["layers.1.weight"].T + head["layers.1.bias"])[:, 0].tolist()
    assert scores[:5] == pytest.approx(expected, abs=1e-5)


def test_the_features_are_in_the_documented_order(testset_dir, tmp_path):
    testset = load_testset(testset_dir, "ar-en")
    texts = all_texts(testset_dir)
    ref_distance = comet.load_comet(build_tiny_comet(tmp_path / "ref", texts, head=distance_head(3)))
    src_distance = comet.load_comet(build_tiny_comet(tmp_path / "src", texts, head=distance_head(5)))
    refs, srcs = testset.references, testset.sources
    # block 3 is |h - r|: the reference itself scores exactly 1, anything else less
    assert ref_distance.score(srcs, refs, refs) == pytest.approx([1.0] * N, abs=1e-6)
    assert max(ref_distance.score(srcs, drop_words(refs, 2), refs)) < 1.0
    # block 5 is |h - s|: the source copied as the hypothesis scores 1
    assert src_distance.score(srcs, srcs, refs) == pytest.approx([1.0] * N, abs=1e-6)
    assert max(src_distance.score(srcs, refs, refs)) < 1.0
    # a reference-free model (inputs src, mt): features [h, s, h*s, |h-s|], the reference is not read
    qe = comet.load_comet(build_tiny_comet(tmp_path / "qe", texts, head=distance_head(3, 4), inputs=["src", "mt"],
                                           pooling="cls", final_activation="sigmoid"))
    assert qe.score(srcs, srcs, ["anything"] * N) == pytest.approx([1 / (1 + 2.718281828459045 ** -1)] * N, abs=1e-6)


def test_evaluate_with_comet_scores_tests_and_breaks_down(testset_dir, tmp_path, capsys):
    folder = build_tiny_comet(tmp_path / "tiny", all_texts(testset_dir), head=distance_head(3))
    files = systems_for(testset_dir, "ar-en", tmp_path)
    run_evaluate(["--testset", str(testset_dir), "-d", "ar-en", "--hyp", str(files["drop4"]), str(files["drop2"]),
                  "--system-names", "drop4", "drop2", "--metric", f"comet:{folder}", "--json",
                  "--bootstrap", "200", "--randomization", "500"])
    data = json.loads(capsys.readouterr().out)
    assert data["metrics"] == ["BLEU", "chrF2", "chrF2++", "TER", "COMET"]
    model = comet.load_comet(folder)
    testset = load_testset(testset_dir, "ar-en")
    hyps = {name: read_hypothesis(files[name], testset)[0] for name in ("drop4", "drop2")}
    for system in data["systems"]:
        segments = model.score(testset.sources, hyps[system["name"]], testset.references)
        assert system["scores"]["COMET"] == pytest.approx(round(sum(segments) / N, 4), abs=1e-9)
    drop4, drop2 = data["systems"]
    assert drop2["scores"]["COMET"] < drop4["scores"]["COMET"] < 1.0  # more words dropped, further from the ref
    assert drop2["significance"]["COMET"]["p_value"] is not None and drop2["randomization"]["COMET"]["p_value"] > 0
    signature = data["signatures"]["COMET"]
    assert signature.startswith("nrefs:1|bs:200|seed:12345|") and f"model:tiny|sha:{model.sha}|" in signature
    assert "inputs:src+mt+ref|format:aligner-comet-1" in signature
    assert "ar:500" in data["paired_randomization"]["signatures"]["COMET"]
    groups = data["breakdowns"]["group"]["rows"]
    # a group's COMET is the mean of its lines' segment scores
    index = [i for i, row in enumerate(testset.meta) if row["group"] == groups[1]["key"]]
    segments = model.score([testset.sources[i] for i in index], [hyps["drop2"][i] for i in index],
                           [testset.references[i] for i in index])
    assert groups[1]["scores"]["drop2"]["COMET"] == pytest.approx(round(sum(segments) / len(index), 4), abs=1e-9)
    assert "COMET" in data["breakdowns"]["quality"]["rows"][0]["scores"]["drop4"]

    run_evaluate(["--testset", str(testset_dir), "-d", "ar-en", "--hyp", str(files["drop4"]),
                  "--metric", f"comet:{folder}", "--breakdown", "quality"])
    text = capsys.readouterr().out
    assert re.search(r"^  COMET +nrefs:1\|model:tiny\|", text, re.M) and f"{drop4['scores']['COMET']:.4f}" in text
    assert text.count("COMET") >= 3  # table header, signature, breakdown header


def test_without_a_model_there_is_no_comet(testset_dir, tmp_path, capsys):
    hyp = write(tmp_path / "hyp.en", drop_words(load_testset(testset_dir, "ar-en").references, 3))
    run_evaluate(["--testset", str(testset_dir), "-d", "ar-en", "--hyp", str(hyp), "--json", "--breakdown", "none"])
    data = json.loads(capsys.readouterr().out)
    assert data["metrics"] == ["BLEU", "chrF2", "chrF2++", "TER"] and "COMET" not in data["signatures"]
    # and nothing about COMET is imported by a plain evaluation
    code = ("import sys; from aligner.cli import main; "
            f"main(['evaluate', '--testset', {str(testset_dir)!r}, '-d', 'ar-en', '--hyp', {str(hyp)!r}, "
            "'--breakdown', 'none']); print('torch' in sys.modules, 'aligner.evaluate.comet' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False False"


def refused(*argv) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aligner", "evaluate", *map(str, argv)],
                          capture_output=True, text=True)


def test_a_bad_model_path_is_a_clear_error(testset_dir, tmp_path):
    hyp = write(tmp_path / "hyp.en", drop_words(load_testset(testset_dir, "ar-en").references, 3))
    base = ["--testset", testset_dir, "-d", "ar-en", "--hyp", hyp, "--breakdown", "none"]
    missing = tmp_path / "no-such-model"
    done = refused(*base, "--metric", f"comet:{missing}")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"aligner: error: {missing}: no such COMET model folder")

    empty = tmp_path / "empty"
    empty.mkdir()
    done = refused(*base, "--metric", f"comet:{empty}")
    assert done.returncode == 2 and f"{empty}: not a COMET model folder: no comet.json" in done.stderr

    unbabel = tmp_path / "wmt22-comet-da"
    (unbabel / "checkpoints").mkdir(parents=True)
    (unbabel / "checkpoints" / "model.ckpt").write_bytes(b"")
    (unbabel / "hparams.yaml").write_text("pretrained_model: xlm-roberta-large\n", encoding="utf-8")
    done = refused(*base, "--metric", f"comet:{unbabel}")
    assert done.returncode == 2 and f"{unbabel}: an unbabel-comet checkpoint" in done.stderr

    done = refused(*base, "--metric", "bleurt:/x")
    assert done.returncode == 2 and "unknown metric 'bleurt:/x': give comet:PATH" in done.stderr


def test_broken_model_folders_name_the_file(testset_dir, tmp_path):
    import torch

    texts = all_texts(testset_dir)
    wrong_width = build_tiny_comet(tmp_path / "width", texts,
                                   head={"layers.0.weight": torch.zeros(1, 5), "layers.0.bias": torch.zeros(1)})
    with pytest.raises(InputError, match=r"layers.0.weight takes 5 inputs, expected 96") as caught:
        comet.load_comet(wrong_width)
    assert caught.value.path == str(wrong_width / "head.safetensors")
    two_outputs = build_tiny_comet(tmp_path / "two", texts, head={"layers.0.weight": torch.zeros(2, 96),
                                                                  "layers.0.bias": torch.zeros(2)})
    with pytest.raises(InputError, match="2 outputs, expected 1"):
        comet.load_comet(two_outputs)
    bad_config = build_tiny_comet(tmp_path / "cfg", texts, pooling="max")
    with pytest.raises(InputError, match="'pooling' must be one of mean, cls") as caught:
        comet.load_comet(bad_config)
    assert caught.value.path == str(bad_config / "comet.json")
    (bad_config / "comet.json").write_text('{"format": "aligner-comet", "version": 1, "dropout": 0.1}', "utf-8")
    with pytest.raises(InputError, match="unknown setting"):
        comet.load_comet(bad_config)
    (bad_config / "head.safetensors").write_bytes(b"not safetensors")
    (bad_config / "comet.json").write_text('{"format": "aligner-comet", "version": 1}', "utf-8")
    with pytest.raises(InputError, match="cannot read the regression head"):
        comet.load_comet(bad_config)
    (bad_config / "encoder" / "config.json").unlink()
    with pytest.raises(InputError, match="no encoder here"):
        comet.load_comet(bad_config)


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("ALIGNER_TEST_COMET"), reason="set ALIGNER_TEST_COMET to a COMET model folder")
def test_a_real_model_when_one_is_given(testset_dir):
    model = comet.load_comet(os.environ["ALIGNER_TEST_COMET"])
    testset = load_testset(testset_dir, "fr-en")
    spec = comet.CometSpec("COMET", model)
    result = score_systems(testset.references, {"ref": testset.references, "drop": drop_words(testset.references, 2)},
                           "en", sources=testset.sources, extra=[spec], bootstrap=0, randomization=0)
    assert result.systems[0].scores["COMET"] > result.systems[1].scores["COMET"]
