"""Score a batch of articles: sentences and their sentiment, topics, country targets and the sentiment
toward each target; and cluster the articles no topic claimed into candidate new topics. The computation
shared by the daily flow, backfill workers and `tremor score`; it reads and writes nothing, so it runs on
any worker.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from models import embeddings, ner, topic_model
from models.registry import load_sentiment
from models.sentiment import Predictions, predict_in_batches
from pipeline import scores, sentences
from pipeline.emerging import EmergingTopic, find_emerging
from pipeline.records import Article, ArticleScore, ArticleVectors, SentenceScore
from pipeline.targets import COUNTRIES, Mention, TargetFinder, countries, load_gazetteer
from pipeline.taxonomy import Taxonomy, load_taxonomy
from pipeline.tokenize import SUPPORTED
from pipeline.topics import TopicAssignment, assign, keyword_counts, keyword_only, tagger_for

if TYPE_CHECKING:  # the settings are the edge's; here only their shape is used
    from tremor.settings import ModelSettings

KEYWORDS_ONLY = "keywords"


class TopicModelMismatch(ValueError):
    """The topic model was trained on another set of topics than the configured taxonomy."""


@lru_cache(maxsize=2)
def load_topic_model(name: str, taxonomy: Taxonomy) -> topic_model.TopicModel | None:
    """The shipped topic model for `name`, checked against the taxonomy; None for keywords only."""
    if name == KEYWORDS_ONLY:
        return None
    if name != topic_model.NAME:
        raise ValueError(f"no topic model {name!r}; use {topic_model.NAME!r} or {KEYWORDS_ONLY!r}")
    model = topic_model.load()
    if model.topic_ids != tuple(taxonomy.ids()):
        raise TopicModelMismatch(
            f"the topic model {model.name}@{model.version} knows other topics than taxonomy {taxonomy.version}; "
            f"retrain it with `tremor train topics`, or set [models] topics = '{KEYWORDS_ONLY}'")
    return model


def topic_model_label(model: topic_model.TopicModel | None) -> str | None:
    return None if model is None else f"{model.name}@{model.version}"


def assign_topics(texts: Sequence[str], langs: Sequence[str], taxonomy: Taxonomy,
                  model: topic_model.TopicModel | None) -> list[TopicAssignment]:
    return embed_and_assign(texts, langs, taxonomy, model)[0]


def embed_and_assign(texts: Sequence[str], langs: Sequence[str], taxonomy: Taxonomy,
                     model: topic_model.TopicModel | None) -> tuple[list[TopicAssignment], list[int], np.ndarray]:
    """Topics of each text: keyword evidence, combined with the prototypes when there is a model (for
    en/ja/ko: the languages the model was fitted on); and the embeddings made on the way, with the
    positions of the texts they belong to."""
    tagger = tagger_for(taxonomy)
    matches = [tagger.tag(text, lang) for text, lang in zip(texts, langs, strict=True)]
    out = [keyword_only(match) for match in matches]
    known = [i for i, lang in enumerate(langs) if lang in SUPPORTED]
    if model is None or not known:
        return out, [], np.zeros((0, embeddings.DIM), dtype=np.float32)
    vectors = embeddings.embed([texts[i] for i in known])
    picked = [matches[i] for i in known]
    conf = model.confidences(keyword_counts(picked, model.topic_ids), vectors)
    combined = assign(picked, conf, model.similarities(vectors)[0], model.topic_ids, model.threshold)
    for i, assignment in zip(known, combined, strict=True):
        out[i] = assignment
    return out, known, vectors


@lru_cache(maxsize=4)
def target_finder(ner_languages: tuple[str, ...]) -> TargetFinder:
    return TargetFinder(load_gazetteer(), ner.SpacyEntityTagger(languages=ner_languages) if ner_languages else None)


def find_targets(parts: Sequence[sentences.Sentence], home_of: dict[str, str],
                 ner_languages: Sequence[str]) -> list[tuple[Mention, ...]]:
    """The countries each sentence names; `home_of` maps article id -> the outlet's country, which words
    such as "the government" / 政府 / 정부 refer to."""
    homes = [home_of.get(p.article_id) if home_of.get(p.article_id) in COUNTRIES else None for p in parts]
    return target_finder(tuple(ner_languages)).find([p.text for p in parts], [p.lang for p in parts], homes)


_LOADING = threading.Lock()


def load_models(cfg: ModelSettings) -> None:
    """Load the models `score_articles` uses, once per process (later calls find them loaded). Thread-safe, so a
    command can load them in a thread while its Prefect server starts (`warm_up`)."""
    with _LOADING:
        load_sentiment(cfg.sentiment, cfg.precision)
        taxonomy = load_taxonomy(cfg.taxonomy)
        if load_topic_model(cfg.topics, taxonomy) is not None:
            embeddings.load()
        target_finder(tuple(cfg.ner))


def warm_up(cfg: ModelSettings) -> threading.Thread:
    """`load_models` and the sentence splitters of every language (which the scoring otherwise loads at the first
    text of each) in a daemon thread. A failure there is left for the scoring itself to raise (and report)."""
    def load() -> None:
        try:
            load_models(cfg)
            sentences.load()
            tagger_for(load_taxonomy(cfg.taxonomy)).prepare()
        except Exception:  # noqa: BLE001 - the same call in score_articles raises it where it is reported
            pass

    thread = threading.Thread(target=load, name="tremor-load-models", daemon=True)
    thread.start()
    return thread


def score_articles(articles: Sequence[Article], cfg: ModelSettings
                   ) -> tuple[list[ArticleScore], list[SentenceScore], ArticleVectors]:
    """Article score rows (with topics and targets), the sentence rows behind them, and the articles'
    embeddings (those the topic model made)."""
    load_models(cfg)
    model = load_sentiment(cfg.sentiment, cfg.precision)
    taxonomy = load_taxonomy(cfg.taxonomy)
    topics = load_topic_model(cfg.topics, taxonomy)
    parts = sentences.split_articles(articles)
    predictions = predict_in_batches(model, [p.text for p in parts], [p.lang for p in parts], cfg.batch_size)
    mentions = find_targets(parts, {a.id: a.source_country for a in articles}, cfg.ner)
    day_of = {a.id: a.day for a in articles}
    rolled = sentences.roll_up([a.id for a in articles], parts, predictions.labels, predictions.scores,
                               predictions.probs)
    assigned, embedded, vectors = embed_and_assign([scores.article_text(a) for a in articles],
                                                   [a.lang for a in articles], taxonomy, topics)
    targets = scores.article_targets(parts, mentions, day_of, *_sentiment(predictions), model.name, model.version)
    return (scores.combine(articles, rolled, assigned, model.name, model.version, taxonomy.version,
                           topic_model_label(topics), targets),
            scores.sentence_scores(parts, day_of, *_sentiment(predictions), model.name, model.version,
                                   [countries(m) for m in mentions]),
            ArticleVectors(embeddings.NAME, tuple(articles[i].id for i in embedded),
                           tuple(articles[i].day for i in embedded), vectors))


def _sentiment(predictions: Predictions) -> tuple:
    return predictions.labels, predictions.scores, predictions.probs


def emerging_topics(day: date, articles: Sequence[Article], vectors: Sequence[np.ndarray | None],
                    min_cluster_size: int, min_outlets: int) -> list[EmergingTopic]:
    """Candidate new topics among articles no topic claimed (pipeline/emerging.py), from their stored
    embeddings; those without one are embedded here."""
    missing = [i for i, v in enumerate(vectors) if v is None]
    fresh = embeddings.embed([scores.article_text(articles[i]) for i in missing]) if missing else None
    rows = list(vectors)
    for n, i in enumerate(missing):
        rows[i] = fresh[n]
    matrix = np.stack(rows) if rows else np.zeros((0, embeddings.DIM), dtype=np.float32)
    return find_emerging(day, [a.id for a in articles], [scores.article_text(a) for a in articles],
                         [a.lang for a in articles], [a.source for a in articles],
                         [a.source_country for a in articles], matrix, model_name=embeddings.NAME,
                         min_cluster_size=min_cluster_size, min_outlets=min_outlets)
