"""Prefect tasks: each calls one function of pipeline, models, warehouse or tremor.annotate. Retries only around
I/O."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
from prefect import task

from models import embeddings
from pipeline import aggregate, ingest
from pipeline.emerging import EmergingTopic
from pipeline.files import ReadLimits
from pipeline.records import (Article, ArticleScore, ArticleVectors, DailyIndicator, RuleHit, ScoredArticle,
                              SentenceScore, utc_now)
from pipeline.sources import load_sources
from pipeline.validate import Limits
from tremor import annotate
from tremor.settings import EmergingSettings, IngestSettings, ModelSettings
from warehouse import emerging as emerging_store
from warehouse import snapshot, store
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
def input_files(patterns: Sequence[str]) -> list[Path]:
    return ingest.expand(patterns)


@task
def read_file(path: Path, registry: Path | None, max_text_chars: int, cfg: IngestSettings) -> ingest.Batch:
    """One file's rows, validated: never raises on the file's content (bad rows and unreadable files come back
    as Rejected rows with their reason)."""
    limits = Limits(max_text_chars, datetime.combine(cfg.earliest_published, time()),
                    utc_now() + timedelta(hours=cfg.future_slack_hours))
    return ingest.read_batch([path], load_sources(registry), limits, ReadLimits(cfg.max_file_bytes, cfg.max_line_bytes),
                             cfg.max_bad_rows)


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
def score_articles(articles: list[Article], cfg: ModelSettings
                   ) -> tuple[list[ArticleScore], list[SentenceScore], ArticleVectors]:
    """Article score rows (sentiment, topics, targets) and the sentence rows behind them. Pure computation on
    the given articles (no warehouse access), so it can run on any worker."""
    return annotate.score_articles(articles, cfg)


@io_task
def store_scores(db_path: Path, day: date, model_name: str,
                 rows: tuple[list[ArticleScore], list[SentenceScore], ArticleVectors]) -> None:
    with connect(db_path) as con:
        store.replace_scores(con, day, model_name, *rows)


@io_task
def load_unassigned(db_path: Path, day: date, model_name: str, window_days: int
                    ) -> tuple[list[Article], list[np.ndarray | None]]:
    """The articles of the window ending on `day` that no topic claimed, with their stored embeddings."""
    with connect(db_path) as con:
        return store.unassigned_between(con, day - timedelta(days=window_days - 1), day, model_name, embeddings.NAME)


@task
def find_emerging(day: date, articles: list[Article], vectors: list[np.ndarray | None],
                  cfg: EmergingSettings) -> list[EmergingTopic]:
    return annotate.emerging_topics(day, articles, vectors, cfg.min_cluster_size, cfg.min_outlets)


@io_task
def store_emerging(db_path: Path, day: date, topics: list[EmergingTopic]) -> None:
    with connect(db_path) as con:
        emerging_store.replace_emerging(con, day, topics)


@io_task
def processed_days(db_path: Path, start: date, end: date, model_name: str) -> list[date]:
    """Days start..end (inclusive) this model has already processed."""
    with connect(db_path) as con:
        return store.processed_days_between(con, start, end + timedelta(days=1), model_name)


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
                       observed: list[date], model_name: str, window_days: int, min_days: int,
                       std_floor: float) -> list[DailyIndicator]:
    """The day's indicators, with baseline columns over the last `window_days` of the loaded history."""
    today = aggregate.aggregate_day(day, scored, model_name)
    since = day - timedelta(days=window_days)
    return aggregate.add_baselines(today, [h for h in history if h.day >= since],
                                   [d for d in observed if d >= since], min_days, std_floor)


@io_task
def store_day(db_path: Path, day: date, model_name: str, indicators: list[DailyIndicator],
              hits: list[RuleHit], n_articles: int) -> None:
    with connect(db_path) as con:
        store.replace_day_results(con, day, model_name, indicators, hits, n_articles)


@io_task
def publish_snapshot(db_path: Path) -> Path:
    """Swap a fresh read-only copy of the warehouse in for analysts (warehouse/snapshot.py)."""
    return snapshot.publish(db_path)
