"""The CLI behaves like its peers: ranges checked up front, the build's own settings reused (issue: researcher data)."""

from __future__ import annotations

from test_safety_output import FAST, english_folder, run_cli


def test_a_quality_threshold_out_of_range_is_refused_with_the_range(tmp_path):
    raw = english_folder(tmp_path / "raw")
    for args in (("build", raw, "--out", tmp_path / "out", "--min-quality", "1.5"),
                 ("filter", tmp_path, "--min-quality", "-0.1")):
        result = run_cli(*args)
        assert result.returncode == 2 and "must be between 0 and 1" in result.stderr
    assert not (tmp_path / "out").exists()


def test_report_uses_the_embedder_of_the_build(tmp_path):
    from aligner.report.command import build_embed_config

    raw = english_folder(tmp_path / "raw")
    out = tmp_path / "out"
    assert run_cli("build", raw, "--out", out, *FAST).returncode == 0
    assert build_embed_config(out).spec == "lexical"
    assert build_embed_config(tmp_path).spec == "e5+use"  # no build.json: the default
    assert run_cli("report", out).returncode == 0  # lexical, as built: no model is loaded
