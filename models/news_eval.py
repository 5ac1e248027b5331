"""The real-news tone evaluation: `models/tone_data/news_eval.jsonl` scored per language and kind.

The set holds verbatim sentences and headlines from real news pages (2015-2025, en/ja/ko), each
labelled for tone, topics and country targets by two independent annotators and adjudicated by a
third (models/tone_data/README.md). It is split dev/test by *event*; nothing trains on it. Figures
per group (language, and headline vs body): macro-F1 over the three labels, accuracy, recall and
precision of "negative" (the class alerts count), and the expected calibration error of models that
give probabilities.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.evaluate_sentiment import accuracy, expected_calibration_error, macro_f1
from models.sentiment import SentimentModel, predict_in_batches
from models.sentiment_data import LABELS, TONE_DIR, Example

EVAL_FILE = TONE_DIR / "news_eval.jsonl"
SPLITS = ("dev", "test")
# Targets of issue 14, on the test split: per language macro-F1, negative recall at a precision floor,
# and macro-F1 of headlines and of body sentences.
MACRO_F1_TARGET, NEG_RECALL_TARGET, NEG_PRECISION_FLOOR, KIND_TARGET = 0.75, 0.80, 0.70, 0.70


@dataclass(frozen=True)
class Item:
    id: str
    lang: str
    text: str
    kind: str
    label: str
    split: str
    event: str
    topics: tuple[str, ...]
    targets: tuple[str, ...]


@dataclass(frozen=True)
class Score:
    model: str
    group: str
    n: int
    macro_f1: float
    accuracy: float
    neg_recall: float
    neg_precision: float
    ece: float


def read(split: str | None = "test", path: Path = EVAL_FILE) -> list[Item]:
    """The items of `split` ("dev", "test", or None for both)."""
    if split is not None and split not in SPLITS:
        raise ValueError(f"split {split!r}: choose one of {', '.join(SPLITS)}")
    items = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                if split is None or r["split"] == split:
                    items.append(Item(r["id"], r["lang"], r["text"], r["kind"], r["label"], r["split"], r["event"],
                                      tuple(r.get("topics", ())), tuple(r.get("targets", ()))))
    return items


def as_examples(items: Sequence[Item]) -> list[Example]:
    """Items as sentiment Examples (dataset "news_eval_<split>"): for calibrating a temperature on dev."""
    return [Example(it.text, it.lang, it.label, f"news_eval_{it.split}", it.split) for it in items]


def negative_recall_precision(pred: Sequence[str], gold: Sequence[str]) -> tuple[float, float]:
    tp = sum(p == "negative" == g for p, g in zip(pred, gold, strict=True))
    said, true = sum(p == "negative" for p in pred), sum(g == "negative" for g in gold)
    return (tp / true if true else float("nan")), (tp / said if said else float("nan"))


def score_group(model: str, group: str, pred: Sequence[str], gold: Sequence[str], probs: np.ndarray | None) -> Score:
    recall, precision = negative_recall_precision(pred, gold)
    ece = expected_calibration_error(probs, gold) if probs is not None else float("nan")
    return Score(model, group, len(gold), macro_f1(pred, gold), accuracy(pred, gold), recall, precision, ece)


def groups(items: Sequence[Item]) -> dict[str, list[int]]:
    """Row indices per reported group: each language, each kind, and all."""
    out: dict[str, list[int]] = {}
    for i, it in enumerate(items):
        for key in (it.lang, it.kind, "all"):
            out.setdefault(key, []).append(i)
    order = [g for g in ("en", "ja", "ko", "headline", "body", "all") if g in out]
    return {g: out[g] for g in order}


def evaluate(models: Mapping[str, SentimentModel], items: Sequence[Item], batch_size: int = 64) -> list[Score]:
    texts, langs, gold = [it.text for it in items], [it.lang for it in items], [it.label for it in items]
    out = []
    for label, model in models.items():
        pred = predict_in_batches(model, texts, langs, batch_size)
        labels = [p or "neutral" for p in pred.labels]
        for group, rows in groups(items).items():
            probs = pred.probs[rows] if pred.probs is not None else None
            out.append(score_group(label, group, [labels[i] for i in rows], [gold[i] for i in rows], probs))
    return out


def meets(s: Score) -> str:
    """Whether a score meets issue 14's targets for its group ('' where none applies)."""
    if s.group in ("en", "ja", "ko"):
        ok = s.macro_f1 >= MACRO_F1_TARGET
    elif s.group in ("headline", "body"):
        ok = s.macro_f1 >= KIND_TARGET
    elif s.group == "all":
        ok = s.neg_recall >= NEG_RECALL_TARGET and s.neg_precision >= NEG_PRECISION_FLOOR
    else:
        return ""
    return "yes" if ok else "NO"


def render(scores: Sequence[Score], split: str, gold: Sequence[str] = ()):
    from rich.table import Table

    counts = "" if not gold else " · gold " + " / ".join(f"{sum(g == x for g in gold)} {x}" for x in LABELS)
    table = Table("model", "group", "n", "macro-F1", "acc", "neg recall", "neg precision", "ECE", "target met",
                  title=f"Tone of relations news, real-news {split} split (never trained on){counts}")
    for s in scores:
        table.add_row(s.model, s.group, str(s.n), f"{s.macro_f1:.3f}", f"{s.accuracy:.3f}", f"{s.neg_recall:.3f}",
                      f"{s.neg_precision:.3f}", "" if np.isnan(s.ece) else f"{s.ece:.3f}",
                      meets(s))
    return table
