"""Rewrite the docs' generated reference tables from the code (stages, registries, default configuration).

Usage:
    .venv/bin/python scripts/write_reference.py

Prints the docs it changed; ``tests/test_reference_docs.py`` fails until this has been run after
a change to a registry, the stage list or a default.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aligner.reference import write_docs  # noqa: E402

if __name__ == "__main__":
    for name in write_docs(ROOT):
        print(f"rewrote {name}")
