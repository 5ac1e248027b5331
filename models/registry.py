"""Versioned model names -> loaders. The name is stored on every score row."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from models.sentiment import SentimentModel

Loader = Callable[..., SentimentModel]  # loader(precision=...) -> model; models without a choice ignore it
_LOADERS: dict[str, Loader] = {}
PRECISIONS = ("auto", "fp32", "bf16")


class UnknownModel(KeyError):
    """No model is registered under that name."""


def register(name: str) -> Callable[[Loader], Loader]:
    def decorate(loader: Loader) -> Loader:
        _LOADERS[name] = loader
        return loader

    return decorate


def available() -> list[str]:
    _import_backends()
    return sorted(_LOADERS)


@lru_cache(maxsize=4)
def load_sentiment(name: str, precision: str = "auto") -> SentimentModel:
    """The model registered under `name`, loaded once per process (per precision). `precision`: "auto"
    (the model's measured-best choice for this machine), "fp32" or "bf16"; models with one way to run
    ignore it."""
    _import_backends()
    if name not in _LOADERS:
        raise UnknownModel(f"no sentiment model {name!r}; registered: {', '.join(sorted(_LOADERS))}")
    if precision not in PRECISIONS:
        raise ValueError(f"precision {precision!r}: choose one of {', '.join(PRECISIONS)}")
    return _LOADERS[name](precision=precision)


def _import_backends() -> None:
    from models import e5_sentiment, lexicon  # noqa: F401  (register themselves)
