"""Where aligner keeps what it can recompute (embeddings, the built word model): one root for all."""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable: root of aligner's caches (``$ALIGNER_CACHE/<kind>``).
CACHE_ENV = "ALIGNER_CACHE"


def cache_subdir(kind: str) -> Path:
    """``$ALIGNER_CACHE/<kind>`` if set, else ``$XDG_CACHE_HOME/aligner/<kind>`` (``~/.cache/...``)."""
    root = os.environ.get(CACHE_ENV, "").strip()
    if root:
        return Path(root).expanduser() / kind
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "aligner" / kind
