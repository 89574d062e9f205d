"""A local COMET-style model as a sacrebleu metric (``aligner evaluate --metric comet:PATH``).

COMET (Rei et al., 2020) embeds the source, the hypothesis and the reference with a pretrained
encoder, pools each into one vector and feeds the estimator features
``[h, r, h*r, |h-r|, h*s, |h-s|]`` to a small feed-forward regressor that predicts a quality score
per segment; the system score is the mean of the segment scores. This module loads such a model
from a folder in a simple on-disk format (docs/evaluation.md, "COMET"), nothing downloaded:

    MODEL_DIR/
      comet.json         {"format": "aligner-comet", "version": 1, "inputs": ["src", "mt", "ref"],
                          "pooling": "mean", "activation": "tanh", ...}  (see :class:`CometConfig`)
      encoder/           a transformers encoder and its tokenizer, as written by ``save_pretrained``
      head.safetensors   the regressor: ``layers.0.weight`` [out, in], ``layers.0.bias`` [out], ``layers.1.*``
                         ...; the first layer takes ``len(features) * hidden_size`` inputs, the last has 1 output

``inputs`` may also be ``["mt", "ref"]`` (features ``[h, r, h*r, |h-r|]``) or ``["src", "mt"]``
(reference-free, COMET-QE style: ``[h, s, h*s, |h-s|]``). The unbabel-comet checkpoint layout
(``checkpoints/model.ckpt`` + ``hparams.yaml``) is recognised and refused with the reason: the
``unbabel-comet`` package (2.2.7) cannot be installed beside this project's pins (it downgrades
numpy to 1.x and transformers to 4.x) and its checkpoints name an encoder to fetch from the Hub.

:class:`CometMetric` is a :class:`sacrebleu.metrics.base.Metric` whose segment statistics are
``[score, 1]``, so sacrebleu's own paired bootstrap and approximate randomization tests run on it
unchanged. Every distinct text is encoded once and every (src, mt, ref) triple scored once per
process, so breakdowns and paired tests re-use the segment scores.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sacrebleu.metrics.base import Metric, Score, Signature

from aligner.errors import InputError

FORMAT = "aligner-comet"
FORMAT_VERSION = 1
CONFIG_FILE = "comet.json"
ENCODER_DIR = "encoder"
HEAD_FILE = "head.safetensors"

FEATURES = {
    ("src", "mt", "ref"): ("h", "r", "h*r", "|h-r|", "h*s", "|h-s|"),
    ("mt", "ref"): ("h", "r", "h*r", "|h-r|"),
    ("src", "mt"): ("h", "s", "h*s", "|h-s|"),
}
"""Estimator features per ``inputs`` (h: hypothesis, r: reference, s: source), in concatenation order."""

ACTIVATIONS = ("tanh", "relu", "gelu", "sigmoid")
FINAL_ACTIVATIONS = (None, "sigmoid")
POOLINGS = ("mean", "cls")


@dataclass(frozen=True)
class CometConfig:
    """The settings in ``comet.json`` (``format`` and ``version`` are required, the rest has defaults)."""

    name: str
    inputs: tuple[str, ...] = ("src", "mt", "ref")
    pooling: str = "mean"  # masked mean of the token vectors, or the first ([CLS]) token's
    layer: int = -1  # encoder layer to pool (hidden_states index; -1 the last)
    activation: str = "tanh"  # between the head's layers
    final_activation: str | None = None  # on the output: none, or sigmoid for scores in (0, 1)
    max_length: int = 512  # tokens per text (longer ones are truncated)
    batch_size: int = 16


def read_config(folder: Path) -> CometConfig:
    """``folder/comet.json`` checked; InputError naming the file for any problem."""
    path = folder / CONFIG_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise InputError(path, f"not valid JSON ({err})") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise InputError(path, f"not an {FORMAT} model: 'format' must be {FORMAT!r}")
    if raw.get("version") != FORMAT_VERSION:
        raise InputError(path, f"format version {raw.get('version')!r}; this aligner reads version {FORMAT_VERSION}")
    known = {"format", "version", *CometConfig.__dataclass_fields__}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise InputError(path, f"unknown setting(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    settings = {key: value for key, value in raw.items() if key not in ("format", "version")}
    settings.setdefault("name", folder.resolve().name)
    if "inputs" in settings:
        settings["inputs"] = tuple(settings["inputs"]) if isinstance(settings["inputs"], list) else None
    config = CometConfig(**settings)
    checks = [
        (config.inputs in FEATURES, f"'inputs' must be one of {', '.join(map(str, map(list, FEATURES)))}"),
        (config.pooling in POOLINGS, f"'pooling' must be one of {', '.join(POOLINGS)}"),
        (config.activation in ACTIVATIONS, f"'activation' must be one of {', '.join(ACTIVATIONS)}"),
        (config.final_activation in FINAL_ACTIVATIONS, "'final_activation' must be null or 'sigmoid'"),
        (isinstance(config.layer, int), "'layer' must be an integer"),
        (isinstance(config.max_length, int) and config.max_length > 1, "'max_length' must be an integer > 1"),
        (isinstance(config.batch_size, int) and config.batch_size > 0, "'batch_size' must be a positive integer"),
        (isinstance(config.name, str) and config.name.strip() != "", "'name' must be a non-empty string"),
    ]
    for ok, problem in checks:
        if not ok:
            raise InputError(path, problem)
    return config


def fingerprint(folder: Path) -> str:
    """sha256 over the names and bytes of every file in the model folder (first 12 hex digits)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        with open(path, "rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()[:12]


def _head_layers(path: Path, in_features: int) -> list[tuple]:
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        tensors = load_file(str(path))
    except (SafetensorError, OSError) as err:
        raise InputError(path, f"cannot read the regression head ({err})") from None
    layers, index = [], 0
    while f"layers.{index}.weight" in tensors:
        weight, bias = tensors.pop(f"layers.{index}.weight"), tensors.pop(f"layers.{index}.bias", None)
        if weight.ndim != 2 or bias is None or tuple(bias.shape) != (weight.shape[0],):
            raise InputError(path, f"layers.{index}: expected weight [out, in] and bias [out]")
        expected = in_features if index == 0 else layers[-1][0].shape[0]
        if weight.shape[1] != expected:
            raise InputError(path, f"layers.{index}.weight takes {weight.shape[1]} inputs, expected {expected}"
                                   + (" (features x encoder hidden size)" if index == 0 else ""))
        layers.append((weight.float(), bias.float()))
        index += 1
    if not layers:
        raise InputError(path, "no 'layers.0.weight': not a regression head")
    if tensors:
        raise InputError(path, f"unexpected tensors {', '.join(sorted(tensors))}")
    if layers[-1][0].shape[0] != 1:
        raise InputError(path, f"the last layer has {layers[-1][0].shape[0]} outputs, expected 1 (a score)")
    return layers


class CometModel:
    """A COMET-style model loaded from a folder (:func:`load_comet`); :meth:`score` gives segment scores."""

    def __init__(self, folder: Path, config: CometConfig, tokenizer, encoder, layers: list[tuple], sha: str):
        self.folder, self.config, self.sha = folder, config, sha
        self.tokenizer, self.encoder, self.layers = tokenizer, encoder, layers
        self._vectors: dict[str, np.ndarray] = {}
        self._scores: dict[tuple[str, ...], float] = {}

    @property
    def name(self) -> str:
        return self.config.name

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Pooled encoder vectors of ``texts`` (one row each); each distinct text is encoded once."""
        import torch

        # longest first, so each batch pads to similar lengths (as COMET's own length batching)
        missing = sorted((text for text in dict.fromkeys(texts) if text not in self._vectors), key=len, reverse=True)
        size = self.config.batch_size
        for start in range(0, len(missing), size):
            batch = missing[start:start + size]
            encoded = self.tokenizer(batch, padding=True, truncation=True, max_length=self.config.max_length,
                                     return_tensors="pt")
            with torch.no_grad():
                out = self.encoder(**encoded, output_hidden_states=self.config.layer != -1)
            hidden = out.last_hidden_state if self.config.layer == -1 else out.hidden_states[self.config.layer]
            if self.config.pooling == "cls":
                pooled = hidden[:, 0]
            else:
                mask = encoded["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
            for text, vector in zip(batch, pooled.float().numpy()):
                self._vectors[text] = vector
        return np.stack([self._vectors[text] for text in texts])

    def score(self, sources: Sequence[str], hypotheses: Sequence[str], references: Sequence[str]) -> list[float]:
        """One score per segment (each triple computed once per process)."""
        import torch

        if not len(sources) == len(hypotheses) == len(references):
            raise ValueError(f"COMET needs as many sources ({len(sources)}), hypotheses ({len(hypotheses)}) "
                             f"and references ({len(references)})")
        used = self.config.inputs
        triples = [tuple(dict(src=s, mt=h, ref=r)[name] for name in used)
                   for s, h, r in zip(sources, hypotheses, references)]
        missing = list(dict.fromkeys(t for t in triples if t not in self._scores))
        if missing:
            columns = {name: torch.from_numpy(self.embed([t[i] for t in missing])) for i, name in enumerate(used)}
            h, r, s = columns["mt"], columns.get("ref"), columns.get("src")
            values = {"h": h, "r": r, "s": s}
            parts = []
            for feature in FEATURES[used]:
                if feature in values:
                    parts.append(values[feature])
                elif feature.startswith("|"):
                    parts.append((h - values[feature[3]]).abs())
                else:
                    parts.append(h * values[feature[2]])
            x = torch.cat(parts, dim=1)
            activation = {"tanh": torch.tanh, "relu": torch.relu, "gelu": torch.nn.functional.gelu,
                          "sigmoid": torch.sigmoid}[self.config.activation]
            for index, (weight, bias) in enumerate(self.layers):
                x = x @ weight.T + bias
                if index < len(self.layers) - 1:
                    x = activation(x)
            if self.config.final_activation == "sigmoid":
                x = torch.sigmoid(x)
            for triple, value in zip(missing, x[:, 0].tolist()):
                self._scores[triple] = float(value)
        return [self._scores[t] for t in triples]


def load_comet(path: Path | str) -> CometModel:
    """Load the model folder ``path`` (format in the module docstring); InputError naming the path otherwise."""
    folder = Path(path)
    if not folder.is_dir():
        raise InputError(folder, "no such COMET model folder (expected a folder with comet.json, encoder/ "
                                 "and head.safetensors; docs/evaluation.md 'COMET')")
    if not (folder / CONFIG_FILE).exists():
        if (folder / "checkpoints" / "model.ckpt").exists() or (folder / "hparams.yaml").exists():
            raise InputError(folder, "an unbabel-comet checkpoint, which this aligner cannot load (the unbabel-comet "
                                     "package does not install beside its numpy/transformers pins); convert it to the "
                                     f"{FORMAT} folder format (docs/evaluation.md 'COMET')")
        raise InputError(folder, f"not a COMET model folder: no {CONFIG_FILE} (docs/evaluation.md 'COMET')")
    config = read_config(folder)
    encoder_dir = folder / ENCODER_DIR
    if not (encoder_dir / "config.json").exists():
        raise InputError(encoder_dir, "no encoder here: expected a transformers model saved with save_pretrained "
                                      "(config.json, weights and tokenizer files)")
    if not (folder / HEAD_FILE).exists():
        raise InputError(folder / HEAD_FILE, "regression head not found")

    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(encoder_dir), local_files_only=True)
        encoder = AutoModel.from_pretrained(str(encoder_dir), local_files_only=True).eval()
    except (OSError, ValueError, KeyError) as err:
        raise InputError(encoder_dir, f"cannot load the encoder or its tokenizer ({err})") from None
    hidden = int(getattr(encoder.config, "hidden_size", 0))
    if config.layer != -1 and not -1 <= config.layer <= int(getattr(encoder.config, "num_hidden_layers", 0)):
        raise InputError(folder / CONFIG_FILE, f"'layer' {config.layer} out of range for the encoder")
    layers = _head_layers(folder / HEAD_FILE, len(FEATURES[config.inputs]) * hidden)
    return CometModel(folder, config, tokenizer, encoder, layers, fingerprint(folder))


class CometSignature(Signature):
    """sacrebleu-style signature plus the model:
    ``nrefs:1|...|model:NAME|sha:HEX|inputs:src+mt+ref|format:aligner-comet-1|version:V``."""

    def __init__(self, args: dict):
        super().__init__(args)
        model: CometModel = args["model"]
        self._abbr.update({"model": "m", "sha": "h", "inputs": "i", "format": "f"})
        self.info.update({"model": model.name, "sha": model.sha, "inputs": "+".join(model.config.inputs),
                          "format": f"{FORMAT}-{FORMAT_VERSION}"})


class CometMetric(Metric):
    """The mean segment score of a :class:`CometModel` as a sacrebleu metric.

    The statistics of a segment are ``[score, 1]``: summed over any subset (a bootstrap resample,
    an approximate-randomization shuffle) they give that subset's mean, which is how sacrebleu's
    :mod:`sacrebleu.significance` tests compute a corpus score from statistics.
    """

    _SIGNATURE_TYPE = CometSignature

    def __init__(self, model: CometModel, sources: Sequence[str], references: Sequence[str], name: str = "COMET"):
        super().__init__()
        if len(sources) != len(references):
            raise ValueError(f"{len(sources)} sources for {len(references)} references")
        self.model, self.name, self.num_refs = model, name, 1
        self.sources, self.references = list(sources), list(references)

    def _extract_corpus_statistics(self, hypotheses, references) -> list[list[float]]:
        refs = self.references if not references else list(references[0])
        if len(hypotheses) != len(refs):
            raise ValueError(f"{self.name}: {len(hypotheses)} hypotheses for {len(refs)} references")
        return [[value, 1.0] for value in self.model.score(self.sources, list(hypotheses), refs)]

    def _compute_score_from_stats(self, stats) -> Score:
        return Score(self.name, float(stats[0]) / float(stats[1]) if stats[1] else 0.0)

    def _aggregate_and_compute(self, stats) -> Score:
        return self._compute_score_from_stats(np.asarray(stats, dtype=float).sum(0))

    def _preprocess_segment(self, sent: str) -> str:
        return sent

    def _extract_reference_info(self, refs: Sequence[str]) -> dict:
        return {"refs": list(refs)}

    def _compute_segment_statistics(self, hypothesis: str, ref_kwargs: dict) -> list[float]:
        raise NotImplementedError("CometMetric scores whole corpora (_extract_corpus_statistics)")


@dataclass(frozen=True)
class CometSpec:
    """A requested ``comet:PATH`` metric: its column name and the loaded model."""

    name: str
    model: CometModel

    def make(self, sources: Sequence[str], references: Sequence[str]) -> CometMetric:
        return CometMetric(self.model, sources, references, self.name)


def comet_specs(paths: Sequence[Path | str]) -> list[CometSpec]:
    """Load every ``comet:PATH`` model; the column is ``COMET``, or ``COMET:NAME`` when there are several."""
    models = [load_comet(path) for path in paths]
    if len(models) == 1:
        return [CometSpec("COMET", models[0])]
    names = [f"COMET:{model.name}" for model in models]
    if len(set(names)) != len(names):
        names = [f"COMET:{model.name}:{model.sha[:6]}" for model in models]
    return [CometSpec(name, model) for name, model in zip(names, models)]


__all__ = ["CONFIG_FILE", "CometConfig", "CometMetric", "CometModel", "CometSpec", "ENCODER_DIR", "FEATURES",
           "FORMAT", "FORMAT_VERSION", "HEAD_FILE", "comet_specs", "fingerprint", "load_comet", "read_config"]
