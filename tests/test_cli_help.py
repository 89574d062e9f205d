"""--help texts come from the registries the code uses: every embedder spec and export format is named."""

from __future__ import annotations

import contextlib
import io

import pytest

from aligner.cli import main
from aligner.embed import EMBEDDERS
from aligner.export import FORMATS


def help_text(*command: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    return "".join(out.getvalue().split())  # argparse wraps lines, breaking at hyphens too


@pytest.mark.parametrize("command", ["build", "align", "score-pairs", "report"])
def test_every_embedder_spec_is_in_the_help_of_every_command_that_takes_one(command):
    text = help_text(command)
    for choice in EMBEDDERS:
        assert f"{choice.name}({''.join(choice.help.split())})" in text, (command, choice.name)


def test_every_export_format_is_in_the_export_help_with_what_it_writes():
    text = help_text("export")
    for choice in FORMATS:
        assert f"{choice.name}:{''.join(choice.help.split())}" in text
    assert all(name in help_text() for name in FORMATS.names())  # the command list names them too
