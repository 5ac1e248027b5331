"""The README's settings table against the settings model: every key in both, the same defaults (issue 17: the
README said sources.fetch.enabled defaults to false while the code said true)."""

import re
import tomllib
from pathlib import Path

from pydantic import BaseModel, TypeAdapter

from tremor.settings import Settings
from tremor.settings_doc import END, REQUIRED, START, UNSET, fields, replace_table

README = Path(__file__).parents[2] / "README.md"
ROW = re.compile(r"^\| `(?P<key>[^`]+)` \| (?P<default>.+?) \| .* \|$")


def readme_defaults(text: str) -> dict[str, str]:
    """key -> default cell of the README's settings table (between its markers)."""
    block = text.split(START, 1)[1].split(END, 1)[0]
    rows = {}
    for line in block.splitlines():
        match = ROW.match(line)
        if match:
            assert match["key"] not in rows, f"{match['key']} twice in the README's table"
            rows[match["key"]] = match["default"].replace("\\|", "|")
    return rows


def mismatches(text: str) -> list[str]:
    """What differs between the README's table and the model; each cell is read back as TOML and validated as
    the field would validate it, so the comparison does not trust the table's generator."""
    documented, model = readme_defaults(text), dict(fields(Settings))
    problems = [f"{key}: in the model, not in the README" for key in model.keys() - documented.keys()]
    problems += [f"{key}: in the README, not in the model" for key in documented.keys() - model.keys()]
    for key in documented.keys() & model.keys():
        field, cell = model[key], documented[key]
        if cell == REQUIRED or field.is_required():
            ok = cell == REQUIRED and field.is_required()
        elif cell == UNSET:
            ok = field.get_default(call_default_factory=True) is None
        else:
            literal = re.fullmatch(r"`(.*)`", cell)
            value = tomllib.loads(f"v = {literal[1]}")["v"] if literal else object()
            ok = literal is not None and (TypeAdapter(field.annotation).validate_python(value)
                                          == field.get_default(call_default_factory=True))
        if not ok:
            problems.append(f"{key}: README says {cell}")
    return sorted(problems)


def test_the_readme_table_has_every_key_with_the_models_default():
    assert mismatches(README.read_text(encoding="utf-8")) == []


def test_fetching_is_on_by_default_in_the_code_and_the_readme():
    assert Settings.model_construct().sources.fetch.enabled is True
    assert readme_defaults(README.read_text(encoding="utf-8"))["sources.fetch.enabled"] == "`true`"


def test_the_comparison_catches_a_changed_default_a_missing_key_and_an_extra_one():
    text = README.read_text(encoding="utf-8")
    drifted = (text.replace("| `sources.fetch.enabled` | `true` |", "| `sources.fetch.enabled` | `false` |")
               .replace("| `sources.fetch.timeout_s` | `20.0` |", "| `sources.fetch.timeout_s` | `20.5` |"))
    drifted = re.sub(r"^\| `report\.days` .*\n", "", drifted, flags=re.M)
    drifted = drifted.replace(END, "| `report.colour` | `\"red\"` | gone |\n" + END)
    assert mismatches(drifted) == ["report.colour: in the README, not in the model",
                                   "report.days: in the model, not in the README",
                                   "sources.fetch.enabled: README says `false`",
                                   "sources.fetch.timeout_s: README says `20.5`"]


def test_every_default_value_is_a_key_of_the_table():
    """Independently of the table's walk: the leaves of the default settings, as a plain dump, are all keys."""
    def leaves(data: dict, prefix: str = ""):
        for key, value in data.items():
            yield from leaves(value, f"{prefix}{key}.") if isinstance(value, dict) else [prefix + key]

    assert set(leaves(Settings.model_construct().model_dump())) <= dict(fields(Settings)).keys()


def test_the_readme_table_is_what_the_generator_writes():
    """`python -m tremor.settings_doc --write README.md` leaves the README as it is (descriptions included)."""
    text = README.read_text(encoding="utf-8")
    assert replace_table(text, Settings) == text


def test_every_table_of_the_settings_refuses_unknown_keys():
    seen, todo = set(), [Settings]
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        assert model.model_config.get("extra") == "forbid", f"{model.__name__} accepts unknown keys"
        for field in model.model_fields.values():
            todo += [t for t in _types(field.annotation) if isinstance(t, type) and issubclass(t, BaseModel)]
    assert len(seen) >= 15


def _types(annotation):
    from typing import get_args

    yield annotation
    for arg in get_args(annotation):
        yield from _types(arg)
