"""The build configuration: one tree, read from TOML, printed whole, overridden by flags, signed."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from aligner.config import NOT_SHAPING, BuildConfig
from aligner.config.codec import ConfigError, dump_config, from_table, load_config, to_table, with_value
from aligner.errors import InputError
from aligner.manifest import signature
from aligner.pipeline import GroupJob, GroupSettings
from aligner.shards import ShardStore
from aligner.sentalign import LOOSE


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "aligner", *map(str, args)], capture_output=True, text=True,
                          timeout=600, cwd=cwd)


def knobs(table: dict, prefix: str = "") -> dict[str, object]:
    """Every leaf knob of a table by its dotted key."""
    out = {}
    for name, value in table.items():
        if isinstance(value, dict) and value:
            out.update(knobs(value, f"{prefix}{name}."))
        else:
            out[f"{prefix}{name}"] = value
    return out


def test_the_printed_configuration_reads_back_to_the_same_tree():
    config = with_value(BuildConfig(), "sentalign.score.null_cost", 0.9)
    config = with_value(config, "split.assigned", {"g0001": "test"})
    config = with_value(config, "docalign.known_groups", [["g", "a"], ["g", "b"]])
    text = dump_config(config)
    assert from_table(BuildConfig, tomllib.loads(text)) == config
    assert dump_config(from_table(BuildConfig, tomllib.loads(text))) == text


def test_every_knob_is_printed_and_reachable_by_its_key():
    defaults = BuildConfig()
    for key, value in knobs(to_table(defaults)).items():
        if isinstance(value, bool):
            changed = not value
        elif isinstance(value, (int, float)):
            changed = value + 1 if key != "select.min_quality" else 0.25
        else:
            continue
        try:
            updated = with_value(defaults, key, changed)
        except ConfigError:
            continue  # a value the section refuses (say, a share above 1): still reached by its key
        assert knobs(to_table(updated))[key] == changed, key


@pytest.mark.parametrize("text, problem", [
    ("[sentalign]\nhalfwidth = 'eight'\n", "sentalign.halfwidth: expected an integer"),
    ("[sentalign.score]\nnull_costs = 0.9\n", "unknown key sentalign.score.null_costs"),
    ("[nope]\n", "unknown key nope"),
    ("[select]\nmin_quality = 1.5\n", "min_quality must be between 0 and 1"),
    ("[segment]\nmethod = 'words'\n", "unknown segmentation method"),
    ("[split]\nsizes = [90, 10]\n", "split.sizes: expected a list of 3 values"),
    ("[engine]\nworkers = true\n", "engine.workers: expected an integer, got a boolean"),
    ("[sentalign\n", "not valid TOML"),
])
def test_a_bad_configuration_file_is_refused_naming_the_file_and_the_key(tmp_path, text, problem):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="bad.toml") as caught:
        load_config(path)
    assert problem in str(caught.value)


def test_the_signature_changes_with_a_knob_that_shapes_the_corpus_and_only_then():
    base = signature(BuildConfig())
    for key, value in (("sentalign.score.null_cost", 0.9), ("sentalign.halfwidth", 6), ("score.margin_k", 5),
                       ("refine.min_links", 4), ("select.agreeing_shift", 0.5), ("wordalign.method", "itermax"),
                       ("docalign.candidates", 6)):
        assert signature(with_value(BuildConfig(), key, value)) != base, key
    for key, value in (("engine.workers", 1), ("engine.kind", "ray"), ("export.license", "cc-by-4.0"),
                       ("ingest.raw_dir", "elsewhere"), ("export.out_dir", "there"), ("docalign.chunk_size", 64),
                       ("export.formats", ["tmx"])):
        assert signature(with_value(BuildConfig(), key, value)) == base, key
    assert "|sent:loose|" in signature(dataclasses.replace(BuildConfig(), sentalign=LOOSE))
    assert "|sent:custom|" in signature(with_value(BuildConfig(), "sentalign.halfwidth", 6))
    assert {"engine", "export"} <= NOT_SHAPING


def test_the_group_cache_key_follows_the_group_sections(tmp_path):
    from aligner.model import DocumentGroup, Segment

    segment = Segment("d1", 0, 0, "en", "A sentence.", 0, 11)
    job = GroupJob(DocumentGroup("g1", ("d1",), 1.0), (segment,))
    config = BuildConfig()
    key = ShardStore.key(job, GroupSettings.of(config))
    assert ShardStore.key(job, GroupSettings.of(with_value(config, "engine.workers", 1))) == key
    for changed in ("sentalign.score.skip_cost", "refine.detach_share", "score.margin_k"):
        other = with_value(config, changed, 3 if changed == "score.margin_k" else 0.3)
        assert ShardStore.key(job, GroupSettings.of(other)) != key, changed


def test_config_prints_what_a_build_reads_back_and_the_builds_are_the_same(seeds_dir, tmp_path):
    flags = ("--embedder", "lexical", "--workers", "1", "--split-seed", "3", "--set", "refine.min_links=4")
    printed = run_cli("config", seeds_dir, *flags)
    assert printed.returncode == 0, printed.stderr
    (tmp_path / "build.toml").write_text(printed.stdout, encoding="utf-8")
    config = load_config(tmp_path / "build.toml")
    assert config.embed.spec == "lexical" and config.split.seed == 3 and config.refine.min_links == 4
    again = run_cli("config", "--config", tmp_path / "build.toml")
    assert again.stdout == printed.stdout  # fed back, the same configuration

    with_flags = run_cli("build", seeds_dir, "--out", tmp_path / "flags", *flags)
    assert with_flags.returncode == 0, with_flags.stderr
    from_file = run_cli("build", "--config", tmp_path / "build.toml", "--out", tmp_path / "file")
    assert from_file.returncode == 0, from_file.stderr
    files = {p.relative_to(tmp_path / "flags").as_posix(): p.read_bytes()
             for p in sorted((tmp_path / "flags").rglob("*")) if p.is_file()}
    assert files == {p.relative_to(tmp_path / "file").as_posix(): p.read_bytes()
                     for p in sorted((tmp_path / "file").rglob("*")) if p.is_file()}
    manifest = json.loads(files["build.json"])
    assert manifest["config"]["refine"]["min_links"] == 4 and "raw_dir" not in manifest["config"]["ingest"]
    assert from_table(BuildConfig, manifest["config"]) == dataclasses.replace(
        config, ingest=dataclasses.replace(config.ingest, raw_dir=Path("corpus/raw")))
    assert b"min_links = 4" in files["README.md"]  # the dataset card shows the configuration

    # a flag overrides the file; --set overrides a flag
    overridden = run_cli("config", "--config", tmp_path / "build.toml", "--split-seed", "5",
                         "--min-quality", "0.4", "--set", "select.min_quality=0.3")
    table = tomllib.loads(overridden.stdout)
    assert table["split"]["seed"] == 5 and table["select"]["min_quality"] == 0.3 and table["embed"]["spec"] == "lexical"


def test_build_refuses_a_bad_config_before_touching_anything(seeds_dir, tmp_path):
    (tmp_path / "bad.toml").write_text("[sentalign.score]\nobjective = 'best'\n", encoding="utf-8")
    result = run_cli("build", seeds_dir, "--config", tmp_path / "bad.toml", "--out", tmp_path / "out")
    assert result.returncode == 2 and "bad.toml" in result.stderr and "objective" in result.stderr
    assert not (tmp_path / "out").exists()
    unknown = run_cli("build", seeds_dir, "--set", "sentalign.width=3", "--out", tmp_path / "out")
    assert unknown.returncode == 2 and "unknown key 'sentalign.width'" in unknown.stderr
    missing = run_cli("build", seeds_dir, "--config", tmp_path / "none.toml", "--out", tmp_path / "out")
    assert missing.returncode == 2 and "none.toml: configuration file not found" in missing.stderr


def test_align_reads_set_as_build_reads_sentalign(tmp_path):
    (tmp_path / "src.txt").write_text("Le Conseil s'est réuni.\nIl a adopté le rapport.\n", encoding="utf-8")
    (tmp_path / "tgt.txt").write_text("The Council met.\nIt adopted the report.\n", encoding="utf-8")
    files = (tmp_path / "src.txt", tmp_path / "tgt.txt", "--embedder", "lexical")
    ok = run_cli("align", *files, "--preset", "loose", "--set", "halfwidth=6", "--set", "score.skip_cost=0.2")
    assert ok.returncode == 0, ok.stderr
    lines = ok.stdout.splitlines()
    assert len(lines) == 2 and lines[0].startswith("[0]:[0]") and lines[1].startswith("[1]:[1]")
    bad = run_cli("align", *files, "--set", "score.nul_cost=1")
    assert bad.returncode == 2 and "unknown key 'score.nul_cost'" in bad.stderr


def test_the_ensemble_weights_are_a_knob_of_the_embed_section():
    from aligner.config import EmbedConfig

    config = with_value(BuildConfig(), "embed.weights", {"e5": 0.6, "use": 0.4})
    embedder = config.embed.embedder()
    assert embedder.weights == {"e5": 0.6, "use": 0.4} and list(embedder.parts) == ["e5", "use"]
    assert EmbedConfig().embedder().weights == {"e5": 0.7, "use": 0.3}
    assert signature(config) != signature(BuildConfig())
    with pytest.raises(ConfigError, match="sum to 1"):
        with_value(BuildConfig(), "embed.weights", {"e5": 0.6, "use": 0.6})
    with pytest.raises(ConfigError, match="parts of an ensemble"):
        with_value(with_value(BuildConfig(), "embed.spec", "use"), "embed.weights", {"e5": 1.0})
