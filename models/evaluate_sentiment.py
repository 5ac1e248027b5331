"""`tremor eval sentiment`: the e5 model and a baseline on the development splits, with ECE.

Metrics per set (mappings in models/sentiment_data.py):
* ko_nsmc — binary accuracy: e5 says positive when P(positive) > P(negative); a model without
  probabilities by the sign of its score (0 counts as positive).
* every other set — 3-class accuracy and macro-F1; the target figure is the one the issue names.
* ECE — expected calibration error of the e5 model's top-class probability (15 equal-width bins).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.sentiment import Predictions
from models.sentiment_data import DEV, LABELS, Example, load

# dataset -> (headline metric, target)
TARGETS = {
    "ko_nsmc": ("accuracy", 0.85),
    "ja_marc": ("macro_f1", 0.70),
    "en_financial_phrasebank": ("accuracy", 0.80),
    "ko_financial_phrasebank": ("accuracy", 0.80),
    "ja_economy_watchers": ("macro_f1", 0.65),
}
BINARY = {"ko_nsmc"}


@dataclass(frozen=True)
class Row:
    dataset: str
    lang: str
    n: int
    metric: str
    model: float
    baseline: float
    target: float | None
    accuracy: float
    macro_f1: float
    ece: float
    model_version: str = ""
    model_name: str = ""


def accuracy(pred: Sequence[str], gold: Sequence[str]) -> float:
    return float(np.mean([p == g for p, g in zip(pred, gold, strict=True)])) if gold else float("nan")


def macro_f1(pred: Sequence[str], gold: Sequence[str]) -> float:
    f1s = []
    for label in sorted(set(gold)):
        tp = sum(p == label and g == label for p, g in zip(pred, gold, strict=True))
        fp = sum(p == label and g != label for p, g in zip(pred, gold, strict=True))
        fn = sum(p != label and g == label for p, g in zip(pred, gold, strict=True))
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(f1s)) if f1s else float("nan")


def expected_calibration_error(probs: np.ndarray, gold: Sequence[str], bins: int = 15) -> float:
    """Weighted mean |accuracy - confidence| of the top class over equal-width confidence bins."""
    if len(gold) == 0:
        return float("nan")
    conf = probs.max(axis=1)
    correct = np.array([LABELS[i] == g for i, g in zip(probs.argmax(axis=1), gold, strict=True)], dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, bins - 1)
    ece = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            ece += inside.mean() * abs(correct[inside].mean() - conf[inside].mean())
    return float(ece)


def labels_for(dataset: str, predictions: Predictions) -> list[str]:
    """The predicted labels as the set is scored (binary sets: negative vs positive only)."""
    if dataset not in BINARY:
        return [label or "neutral" for label in predictions.labels]
    if predictions.probs is not None:
        return ["positive" if p[2] > p[0] else "negative" for p in predictions.probs]
    return ["negative" if s < 0 else "positive" for s in predictions.scores]


def evaluate(data: Path | str, artefacts: Path | None = None, baseline: str = "sentiment.lexicon.v1",
             examples: Sequence[Example] | None = None, precision: str = "auto", model=None) -> list[Row]:
    """`model`: an already loaded e5 model to score (else the one in `artefacts`, else the shipped one)."""
    from models.e5_sentiment import E5Sentiment
    from models.registry import load_sentiment

    if model is None:
        model = (E5Sentiment(artefacts, precision=precision) if artefacts is not None
                 else load_sentiment("sentiment.e5.v2", precision))
    base = load_sentiment(baseline)
    rows = list(examples) if examples is not None else load(data, DEV)
    by_set: dict[str, list[Example]] = {}
    for ex in rows:
        by_set.setdefault(ex.dataset, []).append(ex)
    out = []
    for dataset, items in by_set.items():
        texts, langs, gold = [e.text for e in items], [e.lang for e in items], [e.label for e in items]
        mine, theirs = model.predict(texts, langs), base.predict(texts, langs)
        mine_labels, their_labels = labels_for(dataset, mine), labels_for(dataset, theirs)
        metric, target = TARGETS.get(dataset, ("macro_f1", None))
        score = accuracy if metric == "accuracy" else macro_f1
        out.append(Row(dataset=dataset, lang=items[0].lang, n=len(items), metric=metric,
                       model=score(mine_labels, gold), baseline=score(their_labels, gold), target=target,
                       accuracy=accuracy(mine_labels, gold), macro_f1=macro_f1(mine_labels, gold),
                       ece=expected_calibration_error(mine.probs, gold), model_version=model.version,
                       model_name=model.name))
    return out


def render(rows: Sequence[Row], model_name: str = "e5", baseline_name: str = "lexicon"):
    from rich.table import Table

    table = Table("set", "lang", "n", "metric", model_name, baseline_name, "target", "met", "e5 acc",
                  "e5 macro-F1", "e5 ECE", title="Sentiment, development splits (never trained on)"
                  + (f" — {rows[0].model_name} {rows[0].model_version}" if rows and rows[0].model_version else ""))
    for r in rows:
        met = "" if r.target is None else ("yes" if r.model >= r.target else "NO")
        table.add_row(r.dataset, r.lang, str(r.n), r.metric, f"{r.model:.3f}", f"{r.baseline:.3f}",
                      "" if r.target is None else f"{r.target:.2f}", met, f"{r.accuracy:.3f}",
                      f"{r.macro_f1:.3f}", f"{r.ece:.3f}")
    return table
