"""The versioned topic taxonomy (pipeline/taxonomy.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path


@dataclass(frozen=True, eq=False)
class Topic:
    id: str
    group: str
    label: dict[str, str]
    description: str
    keywords: dict[str, tuple[str, ...]]


@dataclass(frozen=True, eq=False)
class Taxonomy:
    version: str
    topics: tuple[Topic, ...]

    def ids(self) -> list[str]:
        return [topic.id for topic in self.topics]


@lru_cache(maxsize=4)
def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Read a taxonomy file (default: the bundled one)."""
    raw = path.read_bytes() if path else files("pipeline").joinpath("taxonomy.toml").read_bytes()
    data = tomllib.loads(raw.decode())
    topics = tuple(
        Topic(
            id=entry["id"],
            group=entry["group"],
            label=dict(entry["label"]),
            description=entry["description"],
            keywords={lang: tuple(words) for lang, words in entry["keywords"].items()},
        )
        for entry in data["topic"]
    )
    ids = [topic.id for topic in topics]
    if len(set(ids)) != len(ids):
        raise ValueError(f"taxonomy {data['version']}: duplicate topic ids")
    return Taxonomy(version=data["version"], topics=topics)
