"""`sentiment.e5.v1`: the trained e5 classifier as a SentimentModel (the default).

Shipped inference path: LoRA merged into the base, fp32, batches bucketed by length, calibrated
probabilities (temperature from training). Score = P(positive) - P(negative); label = the most
probable class. Runs on a CUDA device when one is present.

int8 dynamic quantisation (`quantized=True`) is 2.4x faster again on 2 CPU cores but was measured
to change 15 % of labels against fp32 and to cost 2-3 points on every development set
(benchmarks/sentiment_speed.py, `tremor eval sentiment`), so it is not the default.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from models import e5_classifier, e5_inference
from models.registry import register
from models.sentiment import Predictions
from models.sentiment_data import LABELS

NAME = "sentiment.e5.v1"


class E5Sentiment:
    name = NAME
    languages = frozenset({"en", "ja", "ko"})

    def __init__(self, artefacts: Path = e5_classifier.SHIPPED, quantized: bool = False, batch_size: int = 32):
        loaded = e5_classifier.load(artefacts)
        self.version = str(loaded.meta.get("version", "0"))
        self.temperature, self.max_length = loaded.temperature, loaded.max_length
        self.tokenizer, self.batch_size = loaded.tokenizer, batch_size
        self.device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        model = loaded.model
        if self.device.type == "cpu" and quantized:
            model = e5_inference.quantize(model)
        self.model = model.to(self.device)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        raw = e5_inference.logits(self.model, self.tokenizer, list(texts), self.max_length, self.batch_size,
                                  device=self.device)
        return e5_inference.probabilities(raw, self.temperature)

    def predict(self, texts: Sequence[str], langs: Sequence[str]) -> Predictions:
        supported = [i for i, lang in enumerate(langs) if lang in self.languages]
        probs = np.full((len(texts), 3), np.nan)
        if supported:
            probs[supported] = self.probabilities([texts[i] for i in supported])
        labels: list[str | None] = [None] * len(texts)
        for i in supported:
            labels[i] = LABELS[int(np.argmax(probs[i]))]
        scores = probs[:, 2] - probs[:, 0]
        return Predictions(labels=labels, scores=scores, probs=probs)


@register(NAME)
def _load() -> E5Sentiment:
    return E5Sentiment()
