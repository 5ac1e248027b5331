"""The README's settings table, made from the settings model: every key (dotted), its default as TOML spells it,
and its description. `python -m tremor.settings_doc` prints it; `--write README.md` replaces the table between
the README's markers (a test checks that the README's table and the model agree)."""

from __future__ import annotations

import argparse
import json
import typing
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from tremor.config_errors import is_model, is_union, unwrap

START, END = "<!-- settings-table:start -->", "<!-- settings-table:end -->"
REQUIRED, UNSET = "required", "unset"


def fields(model: type[BaseModel], prefix: str = "", skip: str = "") -> Iterator[tuple[str, FieldInfo]]:
    """(dotted key, field) of every setting, sections opened; items of a list of tables as `key[].item` (or
    `key[kind].item` per kind of a discriminated list, whose `kind` is in the key)."""
    for name, field in model.model_fields.items():
        key, kind = prefix + name, unwrap(field.annotation)
        if is_model(kind):
            yield from fields(kind, key + ".")
            continue
        if name == skip:
            continue  # the discriminator, already in the key
        yield key, field
        item = unwrap(typing.get_args(kind)[0]) if typing.get_origin(kind) is list else None
        if is_model(item):
            yield from fields(item, key + "[].")
        elif is_union(item):
            for member in typing.get_args(item):
                tag = typing.get_args(member.model_fields["kind"].annotation)[0]
                yield from fields(member, f"{key}[{tag}].", skip="kind")


def default(field: FieldInfo) -> str:
    """The default as a TOML value, or `required`, or `unset` (None: the setting's description says what then)."""
    if field.is_required():
        return REQUIRED
    value = field.get_default(call_default_factory=True)
    return UNSET if value is None else toml_literal(value)


def toml_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()  # a TOML local date
    if isinstance(value, (str, Path)):
        return json.dumps(str(value), ensure_ascii=False)  # JSON's string escapes are TOML's
    if isinstance(value, BaseModel):  # a default alert rule: what differs from its kind's defaults
        return toml_literal(value.model_dump(exclude_defaults=True))
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_literal(v) for v in value) + "]"
    raise TypeError(f"no TOML spelling for {value!r}")


def table(model: type[BaseModel]) -> str:
    lines = ["| key | default | |", "|---|---|---|"]
    for key, field in fields(model):
        value = default(field)
        cell = value if value in (REQUIRED, UNSET) else f"`{value}`"
        lines.append(f"| `{key}` | {_cell(cell)} | {_cell(field.description or '')} |")
    return "\n".join(lines)


def replace_table(readme: str, model: type[BaseModel]) -> str:
    head, start, rest = readme.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise ValueError(f"the README has no {START} ... {END} markers")
    return f"{head}{START}\n\n{table(model)}\n\n{END}{tail}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def main(argv: list[str] | None = None) -> None:
    from tremor.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, metavar="README", help="Replace the table between the markers")
    args = parser.parse_args(argv)
    if args.write:
        args.write.write_text(replace_table(args.write.read_text(encoding="utf-8"), Settings), encoding="utf-8")
    else:
        print(table(Settings))


if __name__ == "__main__":
    main()
