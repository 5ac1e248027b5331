"""The sources registry: which country an outlet belongs to."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

UNKNOWN_COUNTRY = "unknown"


@dataclass(frozen=True)
class Source:
    name: str
    country: str
    lang: str


def load_sources(path: Path | None = None) -> dict[str, Source]:
    """Read a registry file (default: the bundled pipeline/sources.toml)."""
    raw = path.read_bytes() if path else files("pipeline").joinpath("sources.toml").read_bytes()
    table = tomllib.loads(raw.decode())["sources"]
    return {name: Source(name, spec["country"].upper(), spec["lang"]) for name, spec in table.items()}


def country_of(source: str, declared: str | None, registry: dict[str, Source]) -> str:
    """The registry's country for a known outlet, else the row's own, else 'unknown'."""
    if source in registry:
        return registry[source].country
    return declared.strip().upper() if declared and declared.strip() else UNKNOWN_COUNTRY
