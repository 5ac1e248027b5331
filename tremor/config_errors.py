"""Settings mistakes as one line each: where the value came from (file, environment variable, argument), the
dotted key, the value, and what is allowed. Pure: the settings model, the environment and the file are arguments."""

from __future__ import annotations

import difflib
import json
import re
import tomllib
import types
import typing
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

ENV_PREFIX, ENV_DELIMITER = "TREMOR_", "__"


class ConfigError(ValueError):
    """The settings cannot be used; the message is one line naming the key, the value and the file or variable."""

    def __init__(self, message: str):
        super().__init__(message.replace("\r", "\\r").replace("\n", "\\n"))


class ConfigFileMissing(ConfigError, FileNotFoundError):
    """An explicitly named settings file does not exist."""


def toml_error(path: Path, exc: tomllib.TOMLDecodeError) -> ConfigError:
    """`path: invalid TOML at line L, column C: reason` (Python 3.11's error has the position in its text only)."""
    match = re.fullmatch(r"(.*) \(at (?:line (\d+), column (\d+)|(end of document))\)", str(exc))
    if match is None:
        return ConfigError(f"{path}: invalid TOML: {exc}")
    where = "the end of the file" if match[4] else f"line {match[2]}, column {match[3]}"
    return ConfigError(f"{path}: invalid TOML at {where}: {match[1]}")


def explain(exc: ValidationError, root: type[BaseModel], file: str, environ: Mapping[str, str],
            arguments: Iterable[str] = ()) -> ConfigError:
    """One line for all the problems of a failed validation (several are joined with '; ')."""
    problems: dict[tuple, tuple[str, str, list[str]]] = {}  # clean path -> (source, value, what is wrong)
    for error in exc.errors(include_url=False):
        path, parent, at = _clean(error["loc"], root)
        value, problem = _value(error), _problem(error, parent, path, at)
        if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
            path = (*path, error["ctx"]["discriminator"].strip("'"))
        source = _source(path, file, environ, set(arguments))
        if path in problems:  # one failure per member of a plain union (str | list[str]): merge them
            problems[path][2].append(problem.removeprefix("should be "))
        else:
            problems[path] = (source, value, [problem])
    lines = [f"{source}: {dotted(path) or 'the settings'}{'' if value is None else ' = ' + value}: {' or '.join(what)}"
             for path, (source, value, what) in problems.items()]
    return ConfigError(("; ".join(lines)) if len(lines) == 1 else f"{len(lines)} problems: " + "; ".join(lines))


def env_error(exc: Exception, root: type[BaseModel], environ: Mapping[str, str]) -> ConfigError:
    """A TREMOR_* variable of a list or table field whose value is not JSON (pydantic-settings names only the
    section); the first such variable is named."""
    for name, value in sorted(environ.items()):
        path = env_path(name)
        field = _annotation(path, root) if path else None
        if field is not None and _complex(field):
            try:
                json.loads(value)
            except ValueError as bad:
                return ConfigError(f"environment variable {name}: {dotted(path)} = {_literal(value)}: should be "
                                   f"JSON (a list or a table, e.g. '[\"en\"]'): {bad}")
    return ConfigError(f"environment: {exc}")


def unknown_env(root: type[BaseModel], environ: Mapping[str, str]) -> ConfigError | None:
    """TREMOR_SECTION__KEY variables naming no setting (pydantic-settings ignores them silently)."""
    for name in sorted(environ):
        path = env_path(name)
        if path and len(path) > 1 and path[0] in root.model_fields and _annotation(path, root) is None:
            parent = _annotation(path[:-1], root)
            parent = parent if is_model(parent) else None
            return ConfigError(f"environment variable {name}: {dotted(path)}: "
                               f"{_unknown(path[-1], parent)}")
    return None


def env_path(name: str) -> tuple[str, ...] | None:
    """('sources', 'fetch', 'enabled') for TREMOR_SOURCES__FETCH__ENABLED (names are case-insensitive)."""
    if not name.upper().startswith(ENV_PREFIX) or name.upper() == ENV_PREFIX:
        return None
    return tuple(name[len(ENV_PREFIX):].lower().split(ENV_DELIMITER))


def dotted(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else str(part)
    return out


def _clean(loc: tuple, root: type[BaseModel]) -> tuple[tuple, type[BaseModel] | None, Any]:
    """The error location as the user wrote it (union member tags dropped), the model holding its last key, and
    the type found there."""
    path: list = []
    kind: Any = root
    parent = None
    for element in loc:
        kind = unwrap(kind)
        if is_union(kind):  # a tag pydantic adds: the discriminator value or the member type's name
            kind = next((m for m in typing.get_args(kind) if is_model(m) and any(
                typing.get_origin(f.annotation) is typing.Literal and element in typing.get_args(f.annotation)
                for f in m.model_fields.values())), None)
            continue
        if kind is None and isinstance(element, str):  # past a leaf: more member tags
            continue
        path.append(element)
        if isinstance(element, int):
            kind = typing.get_args(kind)[0] if typing.get_origin(kind) in (list, tuple) else None
        elif is_model(kind):
            parent = kind
            field = kind.model_fields.get(element)
            kind = field.annotation if field else None
        else:
            kind = None
    return tuple(path), parent, unwrap(kind)


def _annotation(path: tuple, root: type[BaseModel]) -> Any:
    """The type at `path` (string keys only), or None when no field is there."""
    kind: Any = root
    for part in path:
        kind = unwrap(kind)
        if not is_model(kind) or part not in kind.model_fields:
            return None
        kind = kind.model_fields[part].annotation
    return kind


def _problem(error: dict, parent: type[BaseModel] | None, path: tuple, at: Any) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "extra_forbidden":
        return _unknown(str(path[-1]), parent)
    if kind == "missing":
        return "is required"
    if kind in ("bool_type", "bool_parsing"):
        return "should be true or false"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "should be a table ([section] or {key = value})"
    if kind == "path_type":
        return "should be a path (a string)"
    if kind == "union_tag_invalid":
        return f"should be one of {ctx['expected_tags']}"
    if kind == "union_tag_not_found":
        field = ctx["discriminator"].strip("'")
        tags = [repr(t) for m in typing.get_args(at) if is_model(m) and field in m.model_fields
                for t in typing.get_args(m.model_fields[field].annotation)]
        return f"is required: one of {', '.join(tags)}"
    message = error["msg"]
    for prefix, replacement in (("Input should be", "should be"), ("Value error, ", ""), ("Assertion failed, ", "")):
        if message.startswith(prefix):
            message = replacement + message[len(prefix):]
    return message


def _unknown(key: str, parent: type[BaseModel] | None) -> str:
    if parent is None:
        return "unknown key"
    allowed = list(parent.model_fields)
    close = difflib.get_close_matches(key, allowed, n=1)
    return f"unknown key{f', did you mean {close[0]}?' if close else ''} (allowed: {', '.join(allowed)})"


def _value(error: dict) -> str | None:
    if error["type"] in ("missing", "union_tag_not_found"):
        return None
    if error["type"] == "union_tag_invalid":
        return _literal(error["ctx"]["tag"])
    return _literal(error["input"])


def _literal(value: Any, limit: int = 80) -> str:
    """The value as TOML would spell it (JSON's spelling for tables), cut at `limit` characters."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        text = repr(value)
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except ValueError:  # a circular structure cannot come from TOML or JSON, but stay one line whatever it is
            text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _source(path: tuple, file: str, environ: Mapping[str, str], arguments: set[str]) -> str:
    """Where the value at `path` came from: an argument, the environment variable that sets it (or one of its
    sections, as JSON), else the file."""
    if path and path[0] in arguments:
        return "argument"
    names = {name.upper(): name for name in environ}
    for end in range(len(path), 0, -1):
        prefix = path[:end]
        if all(isinstance(p, str) for p in prefix):
            name = names.get(ENV_PREFIX + ENV_DELIMITER.join(prefix).upper())
            if name is not None:
                return f"environment variable {name}"
    return file


def unwrap(kind: Any) -> Any:
    """Annotated[X, ...] -> X; X | None -> X."""
    while typing.get_origin(kind) is typing.Annotated:
        kind = typing.get_args(kind)[0]
    if is_union(kind):
        members = [m for m in typing.get_args(kind) if m is not type(None)]
        if len(members) == 1:
            return unwrap(members[0])
    return kind


def is_union(kind: Any) -> bool:
    return typing.get_origin(kind) in (typing.Union, types.UnionType)


def is_model(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)


def _complex(kind: Any) -> bool:
    """A field pydantic-settings reads from the environment as JSON."""
    kind = unwrap(kind)
    if is_union(kind):
        return any(_complex(m) for m in typing.get_args(kind))
    return is_model(kind) or typing.get_origin(kind) in (list, dict, tuple, set)
