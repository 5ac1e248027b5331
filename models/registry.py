"""Versioned model names -> loaders. The name is stored on every score row."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from models.sentiment import SentimentModel

_LOADERS: dict[str, Callable[[], SentimentModel]] = {}


class UnknownModel(KeyError):
    """No model is registered under that name."""


def register(name: str) -> Callable[[Callable[[], SentimentModel]], Callable[[], SentimentModel]]:
    def decorate(loader: Callable[[], SentimentModel]) -> Callable[[], SentimentModel]:
        _LOADERS[name] = loader
        return loader

    return decorate


def available() -> list[str]:
    _import_backends()
    return sorted(_LOADERS)


@lru_cache(maxsize=4)
def load_sentiment(name: str) -> SentimentModel:
    """The model registered under `name`, loaded once per process."""
    _import_backends()
    if name not in _LOADERS:
        raise UnknownModel(f"no sentiment model {name!r}; registered: {', '.join(sorted(_LOADERS))}")
    return _LOADERS[name]()


def _import_backends() -> None:
    from models import e5_sentiment, lexicon  # noqa: F401  (register themselves)
