"""`topics.e5-keyword.v1`: multi-label topic confidences from keyword evidence, e5 topic prototypes and the
nearest labelled sentences.

Each topic has a prototype: the mean e5 embedding (models/embeddings.py) of its example sentences in
en/ja/ko (models/topic_data/examples.jsonl and the real news sentences of models/tone_data/train.jsonl);
"no topic" has one too, from relevant news that fits no topic. From version 3 the model also keeps those
labelled sentences' embeddings (the neighbours). For a text and a topic, the features — keyword evidence
(taxonomy keywords found, from pipeline/topics.py), the cosine to the topic's prototype standardised over
all topics of that text, its margin over the best other topic, its margin over the no-topic prototype and
(version 3) the margin of its nearest sentences labelled with the topic over its nearest no-topic sentences
— go through one logistic regression shared by all topics (few parameters, so 16 topics with a handful of
sentences each do not overfit). A topic is assigned when its confidence reaches the threshold chosen on
the real-news dev split (models/topic_training.py).

Arrays in, arrays out: the keyword matching and the records live in pipeline/topics.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

NAME = "topics.e5-keyword.v1"
SHIPPED = Path(__file__).resolve().parent / "trained" / "topics-v1"
FEATURES = ("keyword", "similarity_z", "margin_other", "margin_none", "neighbour")


def features(keyword_counts: np.ndarray, similarities: np.ndarray, none_similarity: np.ndarray,
             neighbour: np.ndarray | None = None) -> np.ndarray:
    """(n, topics, 4) features from (n, topics) keyword counts and cosines and the (n,) no-topic cosine;
    (n, topics, 5) with the (n, topics) neighbour margins (`neighbour_margins`)."""
    sims = similarities.astype(np.float64)
    n, t = sims.shape
    z = (sims - sims.mean(axis=1, keepdims=True)) / np.maximum(sims.std(axis=1, keepdims=True), 1e-6)
    best_other = np.empty_like(sims)
    for j in range(t):
        best_other[:, j] = np.delete(sims, j, axis=1).max(axis=1) if t > 1 else 0.0
    columns = [np.minimum(keyword_counts, 3).astype(np.float64), z, (sims - best_other) * 10,
               (sims - none_similarity[:, None]) * 10]
    if neighbour is not None:
        columns.append(neighbour.astype(np.float64))
    return np.stack(columns, axis=-1).reshape(n, t, len(columns))


def neighbour_margins(embeddings: np.ndarray, bank: np.ndarray, bank_topics: np.ndarray, k: int,
                      exclude: np.ndarray | None = None, chunk: int = 512) -> np.ndarray:
    """(n, topics): the mean cosine of each text's `k` nearest `bank` sentences labelled with a topic
    (`bank_topics`, (bank, topics) 0/1) minus that of its `k` nearest unlabelled (no-topic) ones, x10.
    `exclude` (n, bank) masks pairs out: when fitting, a sentence's own event, which a new text never shares."""
    labelled = [np.flatnonzero(bank_topics[:, j]) for j in range(bank_topics.shape[1])]
    groups = [*labelled, np.flatnonzero(~bank_topics.any(axis=1))]
    if any(len(g) < k for g in groups):
        raise ValueError(f"every topic and 'no topic' needs at least {k} neighbour sentence(s)")
    out = np.zeros((len(embeddings), len(labelled)))
    bank_t = bank.astype(np.float32, copy=False).T  # no copy of the loaded bank (float32 already)
    for start in range(0, len(embeddings), chunk):
        cos = embeddings[start:start + chunk].astype(np.float32, copy=False) @ bank_t
        if exclude is not None:
            cos[exclude[start:start + chunk]] = -1.0
        top = np.stack([-np.partition(-cos[:, g], k - 1, axis=1)[:, :k].mean(axis=1) for g in groups], axis=1)
        out[start:start + chunk] = (top[:, :-1] - top[:, -1:]) * 10
    return out


@dataclass(frozen=True)
class TopicModel:
    version: str
    taxonomy_version: str
    topic_ids: tuple[str, ...]
    prototypes: np.ndarray  # (topics, dim), unit rows
    none_prototype: np.ndarray  # (dim,), unit
    coef: np.ndarray  # (4,)
    intercept: float
    threshold: float
    name: str = NAME
    neighbours: np.ndarray | None = None  # (bank, dim) unit embeddings of labelled sentences; None before version 3
    neighbour_topics: np.ndarray | None = None  # (bank, topics) bool: their topics (none = a no-topic sentence)
    neighbours_k: int = 1

    def similarities(self, embeddings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(n, topics) cosines to the prototypes and (n,) to the no-topic prototype (unit embeddings)."""
        return embeddings @ self.prototypes.T, embeddings @ self.none_prototype

    def features(self, keyword_counts: np.ndarray, embeddings: np.ndarray,
                 exclude: np.ndarray | None = None) -> np.ndarray:
        """(n, topics, features) for the combiner; `exclude` as in `neighbour_margins` (fitting only)."""
        sims, none = self.similarities(embeddings)
        neighbour = None if self.neighbours is None else neighbour_margins(
            embeddings, self.neighbours, self.neighbour_topics, self.neighbours_k, exclude)
        return features(keyword_counts, sims, none, neighbour)

    def confidences(self, keyword_counts: np.ndarray, embeddings: np.ndarray) -> np.ndarray:
        """(n, topics) probabilities that each text is about each topic."""
        if len(embeddings) == 0:
            return np.zeros((0, len(self.topic_ids)))
        return _sigmoid(self.features(keyword_counts, embeddings) @ self.coef + self.intercept)

    def save(self, out: Path, meta: dict | None = None) -> None:
        out.mkdir(parents=True, exist_ok=True)
        np.savez(out / "prototypes.npz", prototypes=self.prototypes.astype(np.float32),
                 none_prototype=self.none_prototype.astype(np.float32))
        names = list(FEATURES[:len(self.coef)])
        if self.neighbours is not None:
            # float16 halves the file; cosines move by < 1e-3
            np.savez_compressed(out / "neighbours.npz", embeddings=self.neighbours.astype(np.float16),
                                topics=np.packbits(self.neighbour_topics.astype(bool), axis=1))
        else:
            (out / "neighbours.npz").unlink(missing_ok=True)
        record = {"name": self.name, "version": self.version, "taxonomy_version": self.taxonomy_version,
                  "topic_ids": list(self.topic_ids), "features": names, "coef": self.coef.tolist(),
                  "intercept": self.intercept, "threshold": self.threshold,
                  **({"neighbours_k": self.neighbours_k} if self.neighbours is not None else {}), **(meta or {})}
        (out / "meta.json").write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")


def load(artefacts: Path = SHIPPED) -> TopicModel:
    meta = json.loads((artefacts / "meta.json").read_text())
    arrays = np.load(artefacts / "prototypes.npz")
    topic_ids = tuple(meta["topic_ids"])
    neighbours = neighbour_topics = None
    if "neighbour" in meta.get("features", ()):
        bank = np.load(artefacts / "neighbours.npz")
        neighbours = bank["embeddings"].astype(np.float32)
        neighbour_topics = np.unpackbits(bank["topics"], axis=1, count=len(topic_ids)).astype(bool)
    return TopicModel(version=meta["version"], taxonomy_version=meta["taxonomy_version"],
                      topic_ids=topic_ids, prototypes=arrays["prototypes"],
                      none_prototype=arrays["none_prototype"], coef=np.asarray(meta["coef"], dtype=np.float64),
                      intercept=float(meta["intercept"]), threshold=float(meta["threshold"]),
                      neighbours=neighbours, neighbour_topics=neighbour_topics,
                      neighbours_k=int(meta.get("neighbours_k", 1)))


def prototypes(embeddings: np.ndarray, labels: list[str | None], topic_ids: tuple[str, ...]
               ) -> tuple[np.ndarray, np.ndarray]:
    """Unit mean embedding per topic (rows in `topic_ids` order) and of the no-topic examples (label None)."""
    def unit_mean(rows: np.ndarray) -> np.ndarray:
        if len(rows) == 0:
            raise ValueError("every topic and 'no topic' needs at least one example")
        mean = rows.mean(axis=0)
        return mean / max(np.linalg.norm(mean), 1e-12)

    labels_arr = np.array(labels, dtype=object)
    protos = np.stack([unit_mean(embeddings[labels_arr == t]) for t in topic_ids])
    return protos, unit_mean(embeddings[np.array([lab is None for lab in labels])])


def fit_combiner(feats: np.ndarray, gold: np.ndarray, c: float = 1.0) -> tuple[np.ndarray, float]:
    """Logistic regression on (n, topics, 4) features against (n, topics) 0/1 labels: (coef, intercept)."""
    from sklearn.linear_model import LogisticRegression

    x, y = feats.reshape(-1, feats.shape[-1]), gold.reshape(-1)
    fitted = LogisticRegression(C=c, class_weight="balanced", max_iter=1000).fit(x, y)
    return fitted.coef_[0].astype(np.float64), float(fitted.intercept_[0])


def best_threshold(conf: np.ndarray, gold: np.ndarray, precision_floor: float = 0.0) -> float:
    """The confidence threshold with the best micro-F1 (ties: the higher threshold) among those whose micro
    precision reaches `precision_floor`; the most precise threshold when none does."""
    best, best_f1, fallback, best_precision = None, -1.0, 0.5, -1.0
    for threshold in np.round(np.arange(0.2, 0.951, 0.025), 3):
        pred = conf >= threshold
        tp = float((pred & (gold == 1)).sum())
        f1 = 2 * tp / max(float(pred.sum() + gold.sum()), 1.0)
        precision = tp / max(float(pred.sum()), 1.0)
        if precision >= best_precision:
            fallback, best_precision = float(threshold), precision
        if precision >= precision_floor and f1 >= best_f1:
            best, best_f1 = float(threshold), f1
    return fallback if best is None else best


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))
