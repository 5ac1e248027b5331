"""The sentiment model interface every backend implements, and the label rule shared by them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class Predictions:
    """Per input text, in input order: a label (None = language not supported), a score in [-1, 1],
    and, from models that have them, calibrated class probabilities (negative, neutral, positive)."""

    labels: list[str | None]
    scores: np.ndarray  # float, NaN where the label is None
    probs: np.ndarray | None = None  # n x 3, NaN rows where the label is None


class SentimentModel(Protocol):
    name: str  # registered, versioned name, e.g. "sentiment.lexicon.v1"
    version: str
    languages: frozenset[str]

    def predict(self, texts: Sequence[str], langs: Sequence[str]) -> Predictions: ...


def label_of(score: float, band: float) -> str:
    """negative / neutral / positive, with a neutral band of +-band around zero."""
    if score <= -band:
        return "negative"
    if score >= band:
        return "positive"
    return "neutral"


def predict_in_batches(model: SentimentModel, texts: Sequence[str], langs: Sequence[str],
                       batch_size: int) -> Predictions:
    """model.predict over slices of `batch_size` texts, results concatenated in input order."""
    labels: list[str | None] = []
    parts, probs = [np.empty(0)], [np.empty((0, 3))]
    for start in range(0, len(texts), batch_size):
        batch = model.predict(texts[start : start + batch_size], langs[start : start + batch_size])
        labels += batch.labels
        parts.append(batch.scores)
        if batch.probs is not None:
            probs.append(batch.probs)
    stacked = np.concatenate(probs)
    return Predictions(labels=labels, scores=np.concatenate(parts),
                       probs=stacked if len(stacked) == len(labels) else None)
