"""The trained e5 classifiers as SentimentModels: `sentiment.e5.v2` (the default: the *tone of
relations news*, models/tone_data/guideline.md) and `sentiment.e5.v1` (review and market polarity,
kept selectable). Both are a LoRA adapter + head on the same base; a row's model name and version
come from the artefacts' meta.json.

Shipped inference path: LoRA merged into the base, batches bucketed by length, calibrated
probabilities (temperature from training). Score = P(positive) - P(negative); label = the most
probable class. Runs on a CUDA device when one is present (fp32).

Precision ("auto", the default): the encoder in bf16 on a CPU that multiplies bf16 natively
(AVX512-BF16/AMX, `e5_inference.bf16_native()`; pooling and head in fp32), fp32 elsewhere. bf16
rows carry the version with a "+bf16" suffix (e.g. 1.3.0+bf16), because their probabilities differ
slightly from fp32's; see README "Speed" for the measured speed-up and agreement, and
`tremor eval sentiment --precision` for accuracy in each precision.

int8 dynamic quantisation (`quantized=True`) is 2.4-2.6x faster than fp32 on 2 CPU cores but was measured
to change 15-18 % of labels against fp32 and to cost 2-3 points on every development set
(benchmarks/sentiment_speed.py, `tremor eval sentiment`), so it is not the default.

`backend="onnx"` runs the same merged fp32 weights in ONNX Runtime (models/e5_onnx.py; exported once
into the cache), so its rows keep this name and version: logits within 2e-5 of torch's on the
benchmark's 2,000 texts, every label the same. Measured there on 2 cores (two runs, each the best of
3 interleaved): 120-133 texts/s against torch's 109-113 and plain transformers' 74-77, i.e. 1.56-1.80x
plain, 1.16 GB peak RSS; short of issue 3's 2.5x, so torch stays the default. (With the cores busy
with other work, ORT slowed down less than torch.) ORT's int8 options were rejected: dynamic int8
3.3-4.1x plain but 92 % agreement; 8-bit block-wise weights and activations 99.65 % but no faster.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path

import numpy as np
import torch

from models import e5_classifier, e5_inference, e5_onnx
from models.registry import PRECISIONS, register
from models.sentiment import Predictions
from models.sentiment_data import LABELS

NAME = "sentiment.e5.v2"
ARTEFACTS = {"sentiment.e5.v2": e5_classifier.TRAINED / "sentiment-e5-v2",
             "sentiment.e5.v1": e5_classifier.TRAINED / "sentiment-e5-v1"}
BACKENDS = ("torch", "onnx")
DEFAULT_BACKEND = "torch"  # onnx measured 1.56-1.80x plain, not the 2.5x that would make it the CPU default


class E5Sentiment:
    languages = frozenset({"en", "ja", "ko"})

    def __init__(self, artefacts: Path = e5_classifier.SHIPPED, quantized: bool = False, batch_size: int = 32,
                 backend: str | None = None, threads: int = 0, precision: str = "auto"):
        """`backend`: "torch" (CUDA when present) or "onnx" (CPU); None = DEFAULT_BACKEND. `threads`:
        the ONNX session's (0 = one per physical core, as torch's default; torch's own is left alone).
        `precision`: "auto", "fp32" or "bf16" (torch on CPU only; see the module's docstring)."""
        self.device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        self.backend = backend or DEFAULT_BACKEND
        if self.backend not in BACKENDS or (self.backend == "onnx" and quantized):
            raise ValueError(f"backend {self.backend!r} (quantized={quantized}): choose one of {BACKENDS}; "
                             "quantized=True is torch's int8 and needs backend='torch'")
        self.bf16 = _bf16(precision, self.backend == "torch" and self.device.type == "cpu" and not quantized)
        self.batch_size = batch_size
        if self.backend == "onnx":
            self.device = torch.device("cpu")
            self.session, self.tokenizer, meta = e5_onnx.load(artefacts, threads)
        else:
            loaded = e5_classifier.load(artefacts)
            self.tokenizer, meta = loaded.tokenizer, loaded.meta
            model = e5_inference.quantize(loaded.model) if self.device.type == "cpu" and quantized else loaded.model
            self.model = e5_inference.to_bf16(model) if self.bf16 else model.to(self.device)
        self.name = str(meta.get("name", NAME))
        self.version = str(meta.get("version", "0")) + ("+bf16" if self.bf16 else "")
        self.temperature, self.max_length = float(meta.get("temperature", 1.0)), int(meta.get("max_length", 128))

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        if self.backend == "onnx":
            raw = e5_onnx.logits(self.session, self.tokenizer, list(texts), self.max_length, self.batch_size)
        else:
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


def _bf16(precision: str, possible: bool) -> bool:
    """Whether to run in bf16: asked for ("bf16", where possible), or "auto" on a CPU with native bf16."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision {precision!r}: choose one of {', '.join(PRECISIONS)}")
    if precision == "bf16" and not possible:
        raise ValueError("precision 'bf16' runs torch on the CPU only, without int8 (quantized=False)")
    return precision == "bf16" or (precision == "auto" and possible and e5_inference.bf16_native())


for _name, _artefacts in ARTEFACTS.items():
    register(_name)(partial(E5Sentiment, _artefacts))  # loader(precision=...), as the registry calls it
