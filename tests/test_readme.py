"""The README's two set-up commands are the ones CI and users run; its Python API snippet runs."""

import json
import os
import re
import shutil
import subprocess
import sys


def _commands(readme: str) -> list[str]:
    return re.findall(r"```sh\n(.+?)\n```", readme)


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_test_one(repo):
    readme = (repo / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    build_command, test_command = _commands(setup)
    assert "aligner build" in build_command and ".venv" in build_command
    assert "pytest" in test_command
    ci_lines = [line for line in (repo / ".ci" / "run").read_text().splitlines()
                if line and not line.startswith(("#", "set ", "cd "))]
    assert ci_lines[-1] == test_command
    assert all("apt-get install" in line for line in ci_lines[:-1])  # only the report test's browser


def test_readme_python_api_runs_on_the_seeds(repo, seeds_dir, tmp_path):
    """The README's "Python API" snippet, run as written from a folder holding the seeds as corpus/raw."""
    readme = (repo / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python API", 1)[1].split("\n## ", 1)[0]
    (snippet,) = re.findall(r"```python\n(.+?)\n```", section, flags=re.S)
    assert '"lexical"' in snippet  # the fast embedder: no model to load
    for name in ("ingest_directory", "segment_documents", "align_documents", "align_corpus", "align_texts",
                 "score_pairs", "score_tuples", "run_build", "BuildConfig", "export("):
        assert name in snippet, name
    shutil.copytree(seeds_dir, tmp_path / "corpus" / "raw")
    (tmp_path / "snippet.py").write_text(snippet, encoding="utf-8")
    ran = subprocess.run([sys.executable, "snippet.py"], cwd=tmp_path, capture_output=True, text=True, timeout=900,
                         env=dict(os.environ, ALIGNER_THREADS="1"))
    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()
    assert lines[0].startswith("g0001 (") and "tuples; best:" in ran.stdout
    assert "[((0,), (0,)), ((1,), (1,))]" in lines  # the beads the comment promises
    out = tmp_path / "corpus" / "out"
    assert (out / "corpus.tsv").is_file() and (out / "seeds.tmx").is_file()
    assert sorted((out / "seeds.testset").iterdir()) == [out / "seeds.testset" / f"test.{name}"
                                                          for name in ("ar", "en", "fr", "meta.tsv")]
    marker = json.loads((out / ".aligner-output").read_text(encoding="utf-8"))
    assert "seeds.ar-en.tmx" in {entry["path"] for entry in marker["files"]}  # recorded: the folder stays replaceable
