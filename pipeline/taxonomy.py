"""The versioned topic taxonomy (pipeline/taxonomy.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
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
    # Keywords with other senses (日本海 in a weather report, 참배 at a temple, "summit" of a mountain) count
    # only when the text also has another keyword of the topic or one of its context words.
    needs_context: dict[str, tuple[str, ...]] = field(default_factory=dict)
    context: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self):
        stray = {lang: set(words) - set(self.keywords.get(lang, ())) for lang, words in self.needs_context.items()}
        if any(stray.values()):
            raise ValueError(f"topic {self.id}: needs_context names words that are not its keywords: "
                             f"{ {lang: sorted(w) for lang, w in stray.items() if w} }")


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
            needs_context={lang: tuple(words) for lang, words in entry.get("needs_context", {}).items()},
            context={lang: tuple(words) for lang, words in entry.get("context", {}).items()},
        )
        for entry in data["topic"]
    )
    ids = [topic.id for topic in topics]
    if len(set(ids)) != len(ids):
        raise ValueError(f"taxonomy {data['version']}: duplicate topic ids")
    return Taxonomy(version=data["version"], topics=topics)
