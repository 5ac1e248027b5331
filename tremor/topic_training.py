"""`tremor train topics` and `tremor eval topics`: the topic model learned from the bundled examples and
measured on the bundled evaluation set (models/topic_data/, written under guideline.md).

Prototypes come from examples.jsonl; the combiner and its threshold are fitted on the eval set's
"tune" part only; the "test" part is never used for anything but the figures.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models import embeddings, topic_model
from pipeline.taxonomy import Taxonomy
from pipeline.topics import keyword_counts, tagger_for

DATA = Path(topic_model.__file__).resolve().parent / "topic_data"
LANGS = ("en", "ja", "ko")


@dataclass(frozen=True)
class Labelled:
    id: str
    lang: str
    text: str
    topics: tuple[str, ...]
    targets: tuple[str, ...] = ()
    split: str = "tune"


def read_examples(path: Path = DATA / "examples.jsonl") -> list[Labelled]:
    """Prototype examples: one topic per row, None = relevant news that fits no topic."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Labelled(r["id"], r["lang"], r["text"], (r["topic"],) if r["topic"] else ()) for r in rows]


def read_eval(path: Path = DATA / "eval.jsonl") -> list[Labelled]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Labelled(r["id"], r["lang"], r["text"], tuple(r["topics"]), tuple(r.get("targets", ())), r["split"])
            for r in rows]


def gold_matrix(rows: Sequence[Labelled], topic_ids: Sequence[str]) -> np.ndarray:
    column = {t: j for j, t in enumerate(topic_ids)}
    gold = np.zeros((len(rows), len(topic_ids)), dtype=int)
    for i, row in enumerate(rows):
        for topic in row.topics:
            gold[i, column[topic]] = 1
    return gold


def _keywords(rows: Sequence[Labelled], taxonomy: Taxonomy) -> np.ndarray:
    tagger = tagger_for(taxonomy)
    return keyword_counts([tagger.tag(r.text, r.lang) for r in rows], taxonomy.ids())


def train(taxonomy: Taxonomy, out: Path, examples: Sequence[Labelled], tune: Sequence[Labelled],
          version: str = "1", report: Callable[[str], None] = print) -> topic_model.TopicModel:
    ids = tuple(taxonomy.ids())
    report(f"embedding {len(examples)} examples and {len(tune)} tuning sentences")
    ex_emb, tune_emb = embeddings.embed([e.text for e in examples]), embeddings.embed([r.text for r in tune])
    protos, none = topic_model.prototypes(ex_emb, [e.topics[0] if e.topics else None for e in examples], ids)
    counts, gold = _keywords(tune, taxonomy), gold_matrix(tune, ids)
    coef, intercept = topic_model.fit_combiner(topic_model.features(counts, tune_emb @ protos.T, tune_emb @ none),
                                               gold)
    model = topic_model.TopicModel(version, taxonomy.version, ids, protos, none, coef, intercept, 0.5)
    threshold = topic_model.best_threshold(model.confidences(counts, tune_emb), gold)
    model = topic_model.TopicModel(version, taxonomy.version, ids, protos, none, coef, intercept, threshold)
    model.save(out, {"embedding": embeddings.NAME, "examples": len(examples), "tune_sentences": len(tune)})
    report(f"coef {dict(zip(topic_model.FEATURES, np.round(coef, 3).tolist(), strict=True))}, "
           f"intercept {intercept:.3f}, threshold {threshold}; written to {out}")
    return model


@dataclass(frozen=True)
class Scores:
    lang: str
    split: str
    n: int
    keyword_micro: float
    keyword_macro: float
    combined_micro: float
    combined_macro: float


def f1_scores(pred: np.ndarray, gold: np.ndarray) -> tuple[float, float]:
    """(micro-F1, macro-F1 over the topics present in gold or predictions) of 0/1 matrices."""
    tp, fp, fn = ((pred & gold).sum(0), (pred & ~gold).sum(0), (~pred & gold).sum(0))
    micro = 2 * tp.sum() / max(2 * tp.sum() + fp.sum() + fn.sum(), 1)
    present = (tp + fp + fn) > 0
    per_topic = 2 * tp / np.maximum(2 * tp + fp + fn, 1)
    return float(micro), float(per_topic[present].mean()) if present.any() else 0.0


def evaluate(taxonomy: Taxonomy, rows: Sequence[Labelled], model: topic_model.TopicModel) -> list[Scores]:
    ids = taxonomy.ids()
    if tuple(ids) != model.topic_ids:
        raise ValueError(f"topic model {model.version} was trained on other topics than taxonomy {taxonomy.version}; "
                         "retrain it with `tremor train topics`")
    counts, emb = _keywords(rows, taxonomy), embeddings.embed([r.text for r in rows])
    gold = gold_matrix(rows, ids).astype(bool)
    keyword_pred, combined_pred = counts > 0, model.confidences(counts, emb) >= model.threshold
    out = []
    for split in ("test", "tune"):
        for lang in (*LANGS, "all"):
            mask = np.array([(r.split == split) and (lang == "all" or r.lang == lang) for r in rows])
            if mask.any():
                out.append(Scores(lang, split, int(mask.sum()), *f1_scores(keyword_pred[mask], gold[mask]),
                                  *f1_scores(combined_pred[mask], gold[mask])))
    return out


def render(scores: Sequence[Scores]):
    from rich.table import Table

    table = Table(title="Topic assignment on models/topic_data/eval.jsonl (test = never tuned on)")
    for column in ("split", "lang", "n", "keyword micro-F1", "keyword macro-F1", "combined micro-F1",
                   "combined macro-F1"):
        table.add_column(column, justify="right" if column not in ("split", "lang") else "left")
    for s in scores:
        table.add_row(s.split, s.lang, str(s.n), f"{s.keyword_micro:.3f}", f"{s.keyword_macro:.3f}",
                      f"{s.combined_micro:.3f}", f"{s.combined_macro:.3f}")
    return table


@dataclass(frozen=True)
class TargetScores:
    lang: str
    split: str
    n: int
    gazetteer_f1: float
    combined_f1: float


def evaluate_targets(rows: Sequence[Labelled]) -> list[TargetScores]:
    """Country-target F1 of the gazetteer alone and of NER + gazetteer (the shipped finder)."""
    from models import ner
    from pipeline.targets import TargetFinder, countries, load_gazetteer, target_f1

    texts, langs = [r.text for r in rows], [r.lang for r in rows]
    alone = [set(countries(m)) for m in TargetFinder(load_gazetteer()).find(texts, langs)]
    combined = [set(countries(m)) for m in TargetFinder(load_gazetteer(), ner.tagger()).find(texts, langs)]
    gold = [set(r.targets) for r in rows]
    out = []
    for split in ("test", "tune"):
        for lang in (*LANGS, "all"):
            idx = [i for i, r in enumerate(rows) if r.split == split and lang in ("all", r.lang)]
            if idx:
                gold_part = [gold[i] for i in idx]
                out.append(TargetScores(lang, split, len(idx), target_f1(gold_part, [alone[i] for i in idx])["f1"],
                                        target_f1(gold_part, [combined[i] for i in idx])["f1"]))
    return out


def render_targets(scores: Sequence[TargetScores]):
    from rich.table import Table

    table = Table(title="Country targets (JP, KR, US, KP, CN) on the same sentences: micro-F1")
    for column in ("split", "lang", "n", "gazetteer", "NER + gazetteer"):
        table.add_column(column, justify="right" if column not in ("split", "lang") else "left")
    for s in scores:
        table.add_row(s.split, s.lang, str(s.n), f"{s.gazetteer_f1:.3f}", f"{s.combined_f1:.3f}")
    return table
