"""The docs' reference tables, made from the code: the stages, every registry, the default configuration.

Each table sits in a doc between ``<!-- generated: NAME -->`` and ``<!-- end: NAME -->``;
``scripts/write_reference.py`` rewrites them and ``tests/test_reference_docs.py`` fails when a doc
no longer matches the code, so the pages cannot drift from what they describe.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from pathlib import Path

#: The docs holding generated blocks, relative to the repository root.
DOCS = ("docs/architecture.md", "docs/configuration.md")


def _stages() -> str:
    from aligner.pipeline import STAGES

    rows = ["| # | stage | runs | config section | function | what it does |", "|---|---|---|---|---|---|"]
    rows += [f"| {k} | {stage.name} | {'per group' if stage.scope == 'group' else 'once'} | "
             f"{f'`[{stage.section}]`' if stage.section else '—'} | `{stage.where}` | {stage.summary} |"
             for k, stage in enumerate(STAGES, 1)]
    return "\n".join(rows)


def _registry(module: str, name: str, heading: str) -> Callable[[], str]:
    """The table of the registry ``module.name`` (imported when the table is made)."""
    return lambda: getattr(importlib.import_module(module), name).markdown_table(heading)


def _input_formats() -> str:
    from aligner.ingest.formats import INPUT_FORMATS

    rows = ["| format | claimed by | what it reads |", "|---|---|---|"]
    rows += [f"| `{choice.name}` | {', '.join(f'`{suffix}`' for suffix in choice.extra['suffixes']) or 'anything else'}"
             f"{' or its first bytes' if choice.extra['suffixes'] else ''} | {choice.help} |" for choice in INPUT_FORMATS]
    return "\n".join(rows)


def _default_config() -> str:
    from aligner.config import BuildConfig
    from aligner.config.codec import dump_config

    return "```toml\n" + dump_config(BuildConfig()) + "```"


TABLES: dict[str, Callable[[], str]] = {
    "stages": _stages,
    "embedders": _registry("aligner.embed", "EMBEDDERS", "spec"),
    "segmenters": _registry("aligner.segment", "SEGMENTERS", "method"),
    "input-formats": _input_formats,
    "export-formats": _registry("aligner.export", "FORMATS", "format"),
    "score-components": _registry("aligner.score", "COMPONENTS", "component"),
    "default-config": _default_config,
}


def _block(name: str) -> re.Pattern:
    return re.compile(rf"(<!-- generated: {re.escape(name)} -->\n)(.*?)(<!-- end: {re.escape(name)} -->)", re.S)


def render(text: str) -> str:
    """``text`` with every generated block it holds made anew from the code."""
    for name, table in TABLES.items():
        pattern = _block(name)
        if pattern.search(text):
            body = table()
            text = pattern.sub(lambda match: match.group(1) + body + "\n" + match.group(3), text)
    return text


def blocks_in(text: str) -> list[str]:
    """The names of the generated blocks ``text`` holds."""
    return re.findall(r"<!-- generated: ([\w-]+) -->", text)


def write_docs(root: Path) -> list[str]:
    """Rewrite the generated blocks of :data:`DOCS` under ``root``; the docs that changed."""
    changed = []
    for name in DOCS:
        path = Path(root) / name
        text = path.read_text(encoding="utf-8")
        new = render(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(name)
    return changed
