"""Prefect tasks: each calls a function of pipeline, models (models.annotate scores), warehouse, or reads, computes and
writes one step of a day with one warehouse connection (a task run costs ~10 ms and the demo's days are small, so
a day is six tasks, not eighteen). Retries only around I/O; every write replaces what a rerun would write again."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path

from prefect import task

from pipeline import aggregate, alerts, ingest
from pipeline.files import ReadLimits
from pipeline.records import Article, ArticleScore, ArticleVectors, RuleHit, SentenceScore, utc_now
from pipeline.sources import load_sources
from pipeline.validate import Limits
from tremor.settings import AlertSettings, EmergingSettings, IndicatorSettings, IngestSettings, ModelSettings
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
def load_articles(db_path: Path, days: list[date]) -> list[Article]:
    with connect(db_path) as con:
        return [a for day in days for a in store.articles_of_day(con, day)]


@io_task
def article_counts(db_path: Path, start: date, end: date) -> dict[date, int]:
    with connect(db_path) as con:
        return store.article_counts_between(con, start, end)


@task
def score_articles(articles: list[Article], cfg: ModelSettings
                   ) -> tuple[list[ArticleScore], list[SentenceScore], ArticleVectors]:
    """Article score rows (sentiment, topics, targets) and the sentence rows behind them. Pure computation on
    the given articles (no warehouse access), so it can run on any worker."""
    from models import annotate  # torch and the models: imported where scoring runs, not by every flow

    return annotate.score_articles(articles, cfg)


@io_task
def store_scores(db_path: Path, days: list[date], model_name: str,
                 rows: tuple[list[ArticleScore], list[SentenceScore], ArticleVectors]) -> None:
    with connect(db_path) as con:
        store.replace_scores(con, days, model_name, *rows)


@io_task
def emerging_issues(db_path: Path, day: date, model_name: str, cfg: EmergingSettings) -> int:
    """Candidate new topics of the window ending on `day`, from the articles no topic claimed and their stored
    embeddings, stored in place of the day's earlier ones; returns how many. One connection for the read and the
    write (the clustering between them is quick: it reads stored vectors)."""
    from models import annotate, embeddings

    with connect(db_path) as con:
        articles, vectors = store.unassigned_between(con, day - timedelta(days=cfg.window_days - 1), day, model_name,
                                                     embeddings.NAME)
        topics = annotate.emerging_topics(day, articles, vectors, cfg.min_cluster_size, cfg.min_outlets)
        emerging_store.replace_emerging(con, day, topics)
    return len(topics)


@io_task
def processed_days(db_path: Path, start: date, end: date, model_name: str) -> list[date]:
    """Days start..end (inclusive) this model has already processed."""
    with connect(db_path) as con:
        return store.processed_days_between(con, start, end + timedelta(days=1), model_name)


@io_task
def indicators_and_hits(db_path: Path, day: date, model_name: str, ind: IndicatorSettings, alert_cfg: AlertSettings,
                        n_articles: int) -> list[RuleHit]:
    """The day's indicators (with baseline columns over the last `ind.window_days`) and the alert rules' hits on
    them, stored in place of the day's earlier ones, with one connection for the reads and the write."""
    since = day - timedelta(days=max(alert_cfg.history_days, ind.window_days))
    with connect(db_path) as con:
        scored = store.scored_of_day(con, day, model_name)
        history = store.indicators_between(con, since, day, model_name)
        observed = store.processed_days_between(con, since, day, model_name)
        today = aggregate.indicators_of_day(day, scored, history, observed, model_name, ind.window_days,
                                            ind.min_history_days, ind.std_floor)
        hits = alerts.evaluate(day, today, alerts.History([*history, *today], [*observed, day]), alert_cfg.to_rules())
        store.replace_day_results(con, day, model_name, today, hits, n_articles)
    return hits


@io_task
def publish_snapshot(db_path: Path) -> Path:
    """Swap a fresh read-only copy of the warehouse in for analysts (warehouse/snapshot.py)."""
    return snapshot.publish(db_path)
