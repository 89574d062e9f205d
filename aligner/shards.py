"""Finished document groups on disk, so a rerun after a crash, or a rebuild of an unchanged group,
loads them instead of computing them again.

A shard is keyed by the group's segments, the configuration sections its result depends on and a
fingerprint of the toolkit's code and data files; it is written atomically, its existence the
completion marker, and it carries its key and a checksum, both checked on load.
"""

from __future__ import annotations

import functools
import hashlib
import json
import warnings
from pathlib import Path

from aligner import __version__
from aligner.cachedir import cache_subdir
from aligner.codec import result_from_json, result_to_json
from aligner.config.codec import to_table
from aligner.fileio import json_digest, remove_stale_temps, write_text_atomic
from aligner.pipeline import GroupJob, GroupResult, GroupSettings


class ShardStore:
    """Finished groups: ``<root>/<key>.json`` holding ``{"key": ..., "sha256": ..., "result": ...}``.

    The key it was made for and the digest of its result are checked on load, so a shard that was
    edited, damaged, copied under another key's name or written before shards carried them is
    computed again, never trusted.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        remove_stale_temps(self.root)

    @staticmethod
    def key(job: GroupJob, settings: GroupSettings) -> str:
        digest = hashlib.sha256()
        shaping = {name: to_table(getattr(settings, name)) for name in ("embed", "sentalign", "refine", "wordalign",
                                                                        "score")}
        fields = (code_fingerprint(), settings.languages, shaping, job.group.group_id)
        digest.update(json.dumps(fields, default=str, sort_keys=True).encode())
        for segment in job.segments:
            digest.update(f"\0{segment.segment_id}\0{segment.lang}\0{segment.text}".encode("utf-8", "surrogatepass"))
        return digest.hexdigest()[:32]

    def load(self, key: str) -> GroupResult | None:
        """The stored result of ``key``; None if there is none, or, with a warning, if its shard cannot be trusted."""
        path = self.root / f"{key}.json"
        try:
            return _verified_result(json.loads(path.read_text(encoding="utf-8")), key)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, UnicodeDecodeError, KeyError, TypeError) as exc:
            warnings.warn(f"group cache: {path}: {exc}; the group is aligned again", stacklevel=2)
            return None

    def save(self, key: str, result: GroupResult) -> None:
        body = result_to_json(result)
        shard = {"key": key, "sha256": json_digest(body), "result": body}
        write_text_atomic(self.root / f"{key}.json", json.dumps(shard, ensure_ascii=False))


def _verified_result(shard, key: str) -> GroupResult:
    """The result a group shard holds; ``ValueError`` naming the problem unless it was made for ``key``, unchanged."""
    if not isinstance(shard, dict) or set(shard) != {"key", "sha256", "result"}:
        raise ValueError("not a group shard with its key and checksum (damaged, or written by an older aligner)")
    if shard["key"] != key:
        raise ValueError(f"made for another group ({shard['key']})")
    if shard["sha256"] != json_digest(shard["result"]):
        raise ValueError("content does not match its checksum (changed since written)")
    return result_from_json(shard["result"])


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """The toolkit's version plus a hash of its code and data files: a changed aligner never reuses old shards."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(p for p in package.rglob("*") if p.suffix in (".py", ".json", ".dtd") and p.is_file()):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def default_shard_root(cache_dir: Path | None) -> Path:
    return Path(cache_dir) / "groups" if cache_dir is not None else cache_subdir("groups")
