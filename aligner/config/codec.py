"""The configuration tree to and from TOML, and ``section.key=value`` overrides.

One generic codec over the dataclasses' own type hints, so a knob added to any section is read,
written, overridden and checked without a line here. Reading is strict: an unknown key, a value of
the wrong type or one a section refuses is an error naming the file and the key, never ignored.
TOML has no null: a knob whose value is None (the default of every optional one) is left out.
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w

from aligner.errors import InputError
from aligner.fileio import json_digest

from . import NOT_SHAPING, BuildConfig


class ConfigError(ValueError):
    """A configuration value that cannot be used; the message names the key."""


def to_table(config: Any) -> dict[str, Any]:
    """A section (or the whole tree) as plain TOML values: nested tables, lists, strings, numbers."""
    table: dict[str, Any] = {}
    for item in dataclasses.fields(config):
        value = _plain(getattr(config, item.name))
        if value is not None:
            table[item.name] = value
    return table


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return to_table(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def from_table(cls: type, table: Mapping[str, Any], where: str = "") -> Any:
    """An instance of the dataclass ``cls`` from ``table``; keys it does not name keep their defaults."""
    if not isinstance(table, Mapping):
        raise ConfigError(f"[{where}] must be a table, got {_kind(table)}")
    hints = typing.get_type_hints(cls)
    names = {item.name for item in dataclasses.fields(cls)}
    unknown = sorted(set(table) - names)
    if unknown:
        raise ConfigError(f"unknown key {_dotted(where, unknown[0])} (known in [{where or 'top level'}]: "
                          f"{', '.join(sorted(names))})")
    values = {name: _convert(hints[name], value, _dotted(where, name)) for name, value in table.items()}
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"[{where}]: {exc}") from None


def _convert(hint: Any, value: Any, key: str) -> Any:
    """``value`` as the type ``hint`` names, or :class:`ConfigError` naming ``key``."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (inner,) = [arg for arg in args if arg is not type(None)]
        return _convert(inner, value, key)
    if dataclasses.is_dataclass(hint):
        return value if isinstance(value, hint) else from_table(hint, value, key)
    if hint is bool:
        if isinstance(value, bool):
            return value
    elif hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif hint is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif hint is str:
        if isinstance(value, str):
            return value
    elif hint is Path:
        if isinstance(value, Path) or isinstance(value, str) and value:
            return Path(value)
    elif origin is tuple:
        if isinstance(value, (list, tuple)):
            if len(args) == 2 and args[1] is Ellipsis:
                return tuple(_convert(args[0], v, f"{key}[{k}]") for k, v in enumerate(value))
            if len(value) == len(args):
                return tuple(_convert(arg, v, f"{key}[{k}]") for k, (arg, v) in enumerate(zip(args, value)))
    elif origin in (Mapping, dict, typing.Mapping):
        if isinstance(value, Mapping):
            return {_convert(args[0], k, key): _convert(args[1], v, f"{key}.{k}") for k, v in value.items()}
    else:
        raise ConfigError(f"{key}: no TOML reading for the type {hint!r}")
    raise ConfigError(f"{key}: expected {_type_name(hint)}, got {_kind(value)} {value!r}")


def _type_name(hint: Any) -> str:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is tuple:
        return f"a list of {len(args)} values" if args[-1] is not Ellipsis else "a list"
    if origin in (Mapping, dict, typing.Mapping):
        return "a table"
    return {bool: "true or false", int: "an integer", float: "a number", str: "a string",
            Path: "a path (a non-empty string)"}.get(hint, str(hint))


def _kind(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)


def _dotted(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def load_config(path: Path) -> BuildConfig:
    """The configuration in the TOML file ``path`` (knobs it does not set keep their defaults)."""
    path = Path(path)
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, "configuration file not found") from None
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, f"not valid TOML: {exc}") from None
    try:
        return from_table(BuildConfig, table)
    except ConfigError as exc:
        raise InputError(path, str(exc)) from None


def dump_config(config: BuildConfig) -> str:
    """The whole configuration as TOML: every knob with its value, sections in pipeline order."""
    return tomli_w.dumps(to_table(config))


def with_value(config: Any, key: str, value: Any) -> Any:
    """``config`` with the knob ``key`` (``sentalign.score.null_cost``) set to ``value`` (checked as on load)."""
    return _with_value(config, key.split("."), key, value)


def _with_value(config: Any, parts: list[str], key: str, value: Any) -> Any:
    head, rest = parts[0], parts[1:]
    names = [item.name for item in dataclasses.fields(config)]
    if head not in names:
        where = key[: -len(".".join(parts))].rstrip(".")
        raise ConfigError(f"unknown key {key!r} (known in [{where or 'top level'}]: {', '.join(names)})")
    current = getattr(config, head)
    if rest:
        if not dataclasses.is_dataclass(current):
            raise ConfigError(f"{key}: {head} is a value, not a section")
        new = _with_value(current, rest, key, value)
    else:
        new = _convert(typing.get_type_hints(type(config))[head], value, key)
    try:
        return dataclasses.replace(config, **{head: new})
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{key}: {exc}") from None


def parse_assignment(text: str) -> tuple[str, Any]:
    """``key=value`` as given to ``--set``: the value read as TOML (``0.9``, ``true``, ``["a"]``), else as a string."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"--set {text!r}: give KEY=VALUE, e.g. sentalign.score.null_cost=0.9")
    try:
        value = tomllib.loads(f"value = {raw.strip()}")["value"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return key.strip(), value


def with_assignments(config: Any, assignments: list[str]) -> Any:
    """``config`` (the tree or one section) with each ``KEY=VALUE`` of ``--set`` applied in order."""
    for assignment in assignments:
        key, value = parse_assignment(assignment)
        config = with_value(config, key, value)
    return config


def shaping_table(config: BuildConfig) -> dict[str, Any]:
    """The knobs that shape the corpus: all but :data:`NOT_SHAPING`."""

    def keep(key: str) -> bool:
        return not any(key == name or key.startswith(name + ".") for name in NOT_SHAPING)

    def prune(node: dict[str, Any], prefix: str) -> dict[str, Any]:
        return {name: prune(value, f"{prefix}{name}.") if isinstance(value, dict) else value
                for name, value in node.items() if keep(prefix + name)}

    return prune(to_table(config), "")


def config_digest(table: Mapping[str, Any]) -> str:
    """Eight hex digits naming a configuration table: equal tables, equal digests."""
    return json_digest(table)[:8]
