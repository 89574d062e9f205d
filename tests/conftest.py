import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def fresh_cache(tmp_path_factory) -> Path:
    """One fresh cache per test session (embeddings, word model, group shards), as on a clean CI machine.

    Set ALIGNER_TEST_CACHE to a folder to keep the cache between local runs.
    """
    keep = os.environ.get("ALIGNER_TEST_CACHE")
    root = Path(keep) if keep else tmp_path_factory.mktemp("aligner-cache")
    os.environ["ALIGNER_CACHE"] = str(root)
    return root


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def seeds_dir() -> Path:
    return REPO / "corpus" / "raw"
