"""Prefect tasks: each calls one function of pipeline, models or warehouse. Retries only around I/O."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from prefect import task
from prefect.logging import get_run_logger

from models.registry import load_sentiment
from models.sentiment import Predictions, predict_in_batches
from pipeline import aggregate, alerts, ingest, notify, scores
from pipeline.records import Alert, Article, ArticleScore, DailyIndicator, RuleHit, ScoredArticle
from pipeline.sources import load_sources
from pipeline.taxonomy import load_taxonomy
from pipeline.topics import TopicMatch, tagger_for
from pipeline.validate import Limits
from warehouse import store
from warehouse.db import connect
from warehouse.errors import is_transient


def _transient(task, task_run, state) -> bool:
    try:
        state.result()
    except Exception as exc:  # the failed state re-raises what the task raised
        return is_transient(exc)
    return False


io_task = task(retries=3, retry_delay_seconds=[2, 10, 30], retry_condition_fn=_transient)


@task
def read_inputs(patterns: Sequence[str], registry: Path | None, max_text_chars: int) -> ingest.Batch:
    return ingest.read_batch(ingest.expand(patterns), load_sources(registry), Limits(max_text_chars))


@io_task
def store_batch(db_path: Path, batch: ingest.Batch) -> tuple[int, int]:
    """(new articles, new quarantine rows)."""
    with connect(db_path) as con:
        return store.insert_articles(con, batch.articles), store.insert_quarantine(con, batch.rejected)


@io_task
def load_articles(db_path: Path, day: date) -> list[Article]:
    with connect(db_path) as con:
        return store.articles_of_day(con, day)


@task
def predict_sentiment(model_name: str, texts: list[str], langs: list[str], batch_size: int) -> Predictions:
    return predict_in_batches(load_sentiment(model_name), texts, langs, batch_size)


@task
def tag_topics(taxonomy: Path | None, texts: list[str], langs: list[str]) -> list[TopicMatch]:
    tagger = tagger_for(load_taxonomy(taxonomy))
    return [tagger.tag(text, lang) for text, lang in zip(texts, langs, strict=True)]


@task
def assemble_scores(articles: list[Article], predictions: Predictions, matches: list[TopicMatch],
                    model_name: str, taxonomy: Path | None) -> list[ArticleScore]:
    model = load_sentiment(model_name)
    return scores.combine(articles, predictions.labels, predictions.scores, matches,
                          model.name, model.version, load_taxonomy(taxonomy).version)


@io_task
def store_scores(db_path: Path, day: date, model_name: str, rows: list[ArticleScore]) -> None:
    with connect(db_path) as con:
        store.replace_scores(con, day, model_name, rows)


@io_task
def load_day_and_history(db_path: Path, day: date, model_name: str, window_days: int
                         ) -> tuple[list[ScoredArticle], list[DailyIndicator], list[date]]:
    start = day - timedelta(days=window_days)
    with connect(db_path) as con:
        return (store.scored_of_day(con, day, model_name),
                store.indicators_between(con, start, day, model_name),
                store.processed_days_between(con, start, day, model_name))


@task
def compute_indicators(day: date, scored: list[ScoredArticle], history: list[DailyIndicator],
                       observed: list[date], model_name: str, min_days: int, std_floor: float) -> list[DailyIndicator]:
    today = aggregate.aggregate_day(day, scored, model_name)
    return aggregate.add_baselines(today, history, observed, min_days, std_floor)


@task
def check_rules(indicators: list[DailyIndicator], threshold: alerts.ThresholdRule,
                baseline: alerts.BaselineRule) -> list[RuleHit]:
    return alerts.evaluate(indicators, threshold, baseline)


@io_task
def store_day(db_path: Path, day: date, model_name: str, indicators: list[DailyIndicator],
              hits: list[RuleHit], n_articles: int) -> None:
    with connect(db_path) as con:
        store.replace_day_results(con, day, model_name, indicators, hits, n_articles)


@io_task
def load_hits(db_path: Path, model_name: str) -> tuple[list[RuleHit], list[date]]:
    """Every rule hit of the model, and every day it has processed."""
    with connect(db_path) as con:
        return (store.all_rule_hits(con, model_name),
                store.processed_days_between(con, date.min, date.max, model_name))


@task
def build_episodes(hits: list[RuleHit], days: list[date], close_after: int) -> list[Alert]:
    return alerts.build_episodes(hits, days, close_after)


@io_task
def store_alerts(db_path: Path, model_name: str, episodes: list[Alert]) -> None:
    """The model's episodes replaced: recomputed from all hits, so reruns cannot duplicate them."""
    with connect(db_path) as con:
        store.replace_alerts(con, model_name, episodes)


@io_task
def notify_opened(db_path: Path, day: date, episodes: list[Alert]) -> list[Alert]:
    """Log each episode that opened on `day` once (a rerun does not notify again)."""
    logger = get_run_logger()
    with connect(db_path) as con:
        done = store.notified_ids(con, "log", "opened")
        fresh = [a for a in alerts.opened_on(episodes, day) if a.id not in done]
        for alert in fresh:
            logger.warning(notify.describe(alert))
            store.record_notification(con, alert.id, "log", "opened")
    return fresh
