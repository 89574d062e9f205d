"""The README's two set-up commands are the ones CI and users run."""

import re


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
