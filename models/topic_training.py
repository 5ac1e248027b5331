"""`tremor train topics` and `tremor eval topics`: the topic model learned from the bundled examples and real
news sentences, and measured on the written evaluation set (models/topic_data/, under guideline.md) and the
real-news set (models/tone_data/news_eval.jsonl).

Prototypes and neighbours come from examples.jsonl and the real training sentences of
models/tone_data/train.jsonl; the combiner is fitted on the written set's "tune" part and those real sentences,
its threshold chosen on the real-news dev split; neither "test" part is used for anything but the figures.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
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
    control: bool = False  # an off-topic control: a topic word in another sense (real-news set)
    group: str = ""  # the news event (real sentences): sentences of one event are never each other's neighbours

    @property
    def event(self) -> str:
        return self.group or self.id


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


def read_real_train() -> list[Labelled]:
    """Real news sentences labelled with topics by two annotators who agreed (models/tone_data/train.jsonl,
    `source` "real"): events apart from every event of the real-news evaluation set."""
    from models.sentiment_data import tone_train_rows

    return [Labelled(r["id"], r["lang"], r["text"], tuple(r["topics"]), tuple(r.get("targets", ())), "train",
                     group=r.get("event_group") or r.get("event") or "")
            for r in tone_train_rows() if r.get("source") == "real" and "topics" in r]


def train(taxonomy: Taxonomy, out: Path, examples: Sequence[Labelled], tune: Sequence[Labelled],
          version: str = "1", report: Callable[[str], None] = print, real: Sequence[Labelled] = (),
          threshold_rows: Sequence[Labelled] = (), precision_floor: float = 0.0,
          neighbours_k: int = 0) -> topic_model.TopicModel:
    """Prototypes from `examples` and the single-topic and no-topic rows of `real` (real off-topic sentences
    are the no-topic prototype's hard negatives); with `neighbours_k` > 0 the model also keeps `examples` and
    all of `real` as neighbours (the combiner's fifth feature), each fitting row's own event masked out; the
    combiner fitted on `tune` + `real`; the threshold chosen on `threshold_rows` (default `tune`): the best
    micro-F1 among thresholds whose precision is at least `precision_floor`."""
    ids = tuple(taxonomy.ids())
    proto_rows = [*examples, *(r for r in real if len(r.topics) <= 1)]
    bank_rows = [*examples, *real] if neighbours_k else []
    fit_rows, pick_rows = [*tune, *real], list(threshold_rows) or list(tune)
    report(f"embedding {len(proto_rows)} prototype examples ({len(proto_rows) - len(examples)} real), "
           f"{len(bank_rows)} neighbours, {len(fit_rows)} combiner rows and {len(pick_rows)} threshold rows")
    texts = {r.id: r.text for r in [*proto_rows, *bank_rows, *fit_rows]}  # each sentence embedded once
    embedded = dict(zip(texts, embeddings.embed(list(texts.values())), strict=True))
    proto_emb = np.stack([embedded[r.id] for r in proto_rows])
    fit_emb, pick_emb = np.stack([embedded[r.id] for r in fit_rows]), embeddings.embed([r.text for r in pick_rows])
    protos, none = topic_model.prototypes(proto_emb, [e.topics[0] if e.topics else None for e in proto_rows], ids)
    bank = dict(neighbours=np.stack([embedded[r.id] for r in bank_rows]),
                neighbour_topics=gold_matrix(bank_rows, ids).astype(bool), neighbours_k=neighbours_k) if bank_rows else {}
    model = topic_model.TopicModel(version, taxonomy.version, ids, protos, none, np.zeros(0), 0.0, 0.5, **bank)
    exclude = (np.array([r.event for r in fit_rows])[:, None] == np.array([r.event for r in bank_rows])[None, :]
               if bank_rows else None)
    counts, gold = _keywords(fit_rows, taxonomy), gold_matrix(fit_rows, ids)
    coef, intercept = topic_model.fit_combiner(model.features(counts, fit_emb, exclude), gold)
    model = replace(model, coef=coef, intercept=intercept)
    threshold = topic_model.best_threshold(model.confidences(_keywords(pick_rows, taxonomy), pick_emb),
                                           gold_matrix(pick_rows, ids), precision_floor)
    model = replace(model, threshold=threshold)
    model.save(out, {"embedding": embeddings.NAME, "examples": len(examples), "real_examples": len(real),
                     "tune_sentences": len(tune), "threshold_sentences": len(pick_rows),
                     "precision_floor": precision_floor})
    report(f"coef {dict(zip(topic_model.FEATURES, np.round(coef, 3).tolist(), strict=False))}, "
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
    combined_precision: float = float("nan")
    combined_recall: float = float("nan")
    no_topic: int = 0  # sentences whose gold is no topic
    no_topic_flagged: float = float("nan")  # share of those given a topic by the combined model
    controls: int = 0  # off-topic controls among them
    controls_flagged: float = float("nan")  # share of the controls given a topic


def read_news_eval() -> list[Labelled]:
    """The real-news set (models/tone_data/news_eval.jsonl) as topic rows: its dev split plays "tune", its
    test split "test"; the tone and topic models are never fitted on either."""
    from models import news_eval

    return [Labelled(it.id, it.lang, it.text, it.topics, it.targets, "test" if it.split == "test" else "tune",
                     control="offtopic" in it.event) for it in news_eval.read(None)]


def precision_recall(pred: np.ndarray, gold: np.ndarray) -> tuple[float, float]:
    """Micro precision and recall of 0/1 matrices."""
    tp, fp, fn = (pred & gold).sum(), (pred & ~gold).sum(), (~pred & gold).sum()
    return float(tp / max(tp + fp, 1)), float(tp / max(tp + fn, 1))


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
                none = mask & ~gold.any(axis=1)
                controls = none & np.array([r.control for r in rows])
                out.append(Scores(lang, split, int(mask.sum()), *f1_scores(keyword_pred[mask], gold[mask]),
                                  *f1_scores(combined_pred[mask], gold[mask]),
                                  *precision_recall(combined_pred[mask], gold[mask]), int(none.sum()),
                                  _flagged(combined_pred, none), int(controls.sum()), _flagged(combined_pred, controls)))
    return out


def _flagged(pred: np.ndarray, rows: np.ndarray) -> float:
    """Share of the `rows` (a mask) given at least one topic."""
    return float(pred[rows].any(axis=1).mean()) if rows.any() else float("nan")


def render(scores: Sequence[Scores], title: str = "models/topic_data/eval.jsonl (test = never tuned on)"):
    from rich.table import Table

    table = Table(title=f"Topic assignment on {title}")
    for column in ("split", "lang", "n", "keyword micro-F1", "keyword macro-F1", "combined micro-F1",
                   "combined macro-F1", "precision", "recall", "no-topic n", "no-topic given a topic",
                   "controls n", "controls given a topic"):
        table.add_column(column, justify="right" if column not in ("split", "lang") else "left")
    for s in scores:
        table.add_row(s.split, s.lang, str(s.n), f"{s.keyword_micro:.3f}", f"{s.keyword_macro:.3f}",
                      f"{s.combined_micro:.3f}", f"{s.combined_macro:.3f}", f"{s.combined_precision:.3f}",
                      f"{s.combined_recall:.3f}", str(s.no_topic),
                      "" if np.isnan(s.no_topic_flagged) else f"{s.no_topic_flagged:.0%}", str(s.controls),
                      "" if np.isnan(s.controls_flagged) else f"{s.controls_flagged:.0%}")
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


def render_targets(scores: Sequence[TargetScores], title: str = "the same sentences"):
    from rich.table import Table

    table = Table(title=f"Country targets (JP, KR, US, KP, CN) on {title}: micro-F1")
    for column in ("split", "lang", "n", "gazetteer", "NER + gazetteer"):
        table.add_column(column, justify="right" if column not in ("split", "lang") else "left")
    for s in scores:
        table.add_row(s.split, s.lang, str(s.n), f"{s.gazetteer_f1:.3f}", f"{s.combined_f1:.3f}")
    return table
