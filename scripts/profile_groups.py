"""Where the align stage of ``aligner build`` spends its time: every document group in one process, profiled.

Usage:
    .venv/bin/python scripts/profile_groups.py RAW_DIR [--cache DIR] [--threads 2] [--top 30]

Runs ingest, segmentation and document alignment like the build (their embeddings go into the
cache), then :func:`aligner.pipeline.process_group` for every group in this process under cProfile,
without the group shards, so each group is computed. Prints how many texts the model read during
the groups (pass-2 groups and joined tuple sides; the segments were embedded by document
alignment), the seconds they took, and the functions with the most cumulative time. With a cache
that already holds the group texts, the model reads nothing and the profile shows the pure
alignment, refinement and scoring cost.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aligner.build import _group_jobs  # noqa: E402
from aligner.config import BuildConfig  # noqa: E402
from aligner.docalign import align_documents  # noqa: E402
from aligner.embed import get_embedder  # noqa: E402
from aligner.pipeline import GroupSettings, group_models, process_group  # noqa: E402
from aligner.ingest import discover_inputs, ingest_directory  # noqa: E402
from aligner.segment import segment_documents  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("raw_dir", type=Path)
    parser.add_argument("--cache", type=Path, default=None, help="embedding cache folder (default: aligner's)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative", help="pstats order: cumulative (default) or tottime")
    args = parser.parse_args()

    config = BuildConfig()
    documents, _ = ingest_directory(args.raw_dir, discover_inputs(args.raw_dir).files)
    segments = segment_documents([d for d in documents if d.duplicate_of is None], config.segment.method)
    embedder = get_embedder(config.embed.spec, cache_dir=args.cache, threads=args.threads)
    jobs = _group_jobs(align_documents(documents, segments, embedder, config.docalign), segments)
    settings = GroupSettings(config.languages, config.embed, args.cache, threads=args.threads)
    group_embedder, _ = group_models(settings)
    before = group_embedder.texts_encoded
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for job in jobs:
        process_group(job, settings)
    profile.disable()
    seconds = time.perf_counter() - started
    print(f"{len(jobs)} groups, {len(segments)} segments: {seconds:.1f} s; "
          f"texts the model read during the groups: {group_embedder.texts_encoded - before}")
    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
