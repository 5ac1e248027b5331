"""The daily flow (ingest → score → aggregate → alerts → notify), a backfill over a range, and the demo.

Data passed between tasks (articles, score rows, indicator history, hits) is wrapped in Prefect's `quote`:
Prefect otherwise walks every element of a task's arguments looking for futures and states to draw the task
graph — measured here 14 s a day on the demo's history (6.3 million visits in 10 days), about five times the
day's scoring (3 s). Quoted, a task still gets the plain value.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.utilities.annotations import quote

from flows import alerting, tasks
from flows.fetch import fetch_flow
from pipeline.days import batches, pending_days
from pipeline.records import Rejected
from tremor.settings import IngestSettings, Settings, load_settings
from warehouse.db import kept_open

LISTED_PROBLEMS = 20  # bad rows an ingest report carries for the command to print (all are in quarantine)


@dataclass(frozen=True)
class IngestReport:
    read: int
    new: int
    duplicates: int
    rejected: int  # bad rows (files not read to their end are in `unreadable`)
    newly_quarantined: int  # rows and files
    first_day: date | None
    last_day: date | None
    unreadable: tuple[Rejected, ...] = ()  # files not read to their end, with the reason (their rows before it are in)
    bad_rows: tuple[Rejected, ...] = ()  # the first LISTED_PROBLEMS rejected rows


@dataclass(frozen=True)
class DayResult:
    day: date
    articles: int
    rule_hits: int
    new_alerts: int


@flow(name="tremor-ingest")
def ingest_flow(patterns: list[str], db_path: Path, registry: Path | None = None, max_text_chars: int = 200_000,
                limits: IngestSettings | None = None, publish: bool = True) -> IngestReport:
    """Read files one at a time, store each one's new articles once and quarantine its bad rows (or the file
    itself, when it cannot be read to its end) with a reason; a bad file never stops the others. Then publish
    the analyst snapshot (unless the calling flow publishes at its end)."""
    with kept_open(db_path):
        return _ingest(patterns, db_path, registry, max_text_chars, limits or IngestSettings(), publish)


def _ingest(patterns: list[str], db_path: Path, registry: Path | None, max_text_chars: int, limits: IngestSettings,
            publish: bool) -> IngestReport:
    logger = get_run_logger()
    good = new = rejected = newly_quarantined = 0
    bad_rows: list[Rejected] = []
    unreadable: list[Rejected] = []
    days: set[date] = set()
    for path in tasks.input_files(patterns):
        batch = tasks.read_file(path, registry, max_text_chars, limits)
        stored, quarantined = tasks.store_batch(db_path, batch)
        good, new = good + len(batch.articles) + batch.duplicates, new + stored
        rejected += len(batch.rejected) - len(batch.unreadable)
        newly_quarantined += quarantined
        bad_rows += [r for r in batch.rejected if r not in batch.unreadable][:LISTED_PROBLEMS - len(bad_rows)]
        unreadable += batch.unreadable
        days |= {a.day for a in batch.articles}
        for problem in batch.unreadable:
            logger.warning("ingest: %s, line %d: %s", problem.source_file, problem.line_no, problem.reason)
    if publish:
        tasks.publish_snapshot(db_path)
    report = IngestReport(read=good + rejected, new=new, duplicates=good - new, rejected=rejected,
                          newly_quarantined=newly_quarantined, first_day=min(days, default=None),
                          last_day=max(days, default=None), unreadable=tuple(unreadable), bad_rows=tuple(bad_rows))
    logger.info("ingest: %d rows read, %d new articles, %d duplicates, %d rejected (%d newly quarantined), "
                "%d files not read to their end", report.read, report.new, report.duplicates, report.rejected,
                report.newly_quarantined, len(report.unreadable))
    return report


@flow(name="tremor-day", flow_run_name="day-{day}")
def process_day(day: date, settings: Settings) -> DayResult:
    """The daily run's day, as a subflow of its own in the Prefect UI."""
    return run_days([day], settings)[0]


def run_days(days: list[date], settings: Settings) -> list[DayResult]:
    """Score the articles of consecutive `days` together (one load, one scoring, one store), then finish each day
    in order (emerging issues, indicators, rule hits, alerts): tasks of the calling flow. The backfill calls this
    for batches of days rather than a subflow per day: a subflow's start and end (its flow run, its heartbeat
    thread's join) measured ~1 s a day here, more than the day's own work on the demo's ~23 articles a day; and
    scoring the demo's days in batches of ~1,000 articles took 90.8 s against 99.3 s day by day."""
    articles = tasks.load_articles(settings.db_path, days)
    tasks.store_scores(settings.db_path, days, settings.models.sentiment,
                       quote(tasks.score_articles(quote(articles), settings.models)))
    per_day = Counter(a.day for a in articles)
    return [finish_day(day, settings, per_day[day]) for day in days]


def finish_day(day: date, settings: Settings, n_articles: int) -> DayResult:
    """A day whose scores are stored: candidate new topics from the articles no topic claimed, indicators
    and rule hits, alert episodes, notices. Tasks of the calling flow, so that the Dask backfill
    (flows/scale.py) finishes its days with them too; days must be finished in order."""
    db, model, alert_cfg = settings.db_path, settings.models.sentiment, settings.alerts
    if settings.emerging.enabled:
        tasks.emerging_issues(db, day, model, settings.emerging)
    hits = tasks.indicators_and_hits(db, day, model, settings.indicators, alert_cfg, n_articles)
    opened = alerting.update_alerts(db, day, model, alert_cfg)
    get_run_logger().info("%s: %d articles, %d rule hits, %d new alerts", day, n_articles, len(hits), opened)
    return DayResult(day, n_articles, len(hits), opened)


def _ingest_configured(settings: Settings) -> None:
    """The configured source files ingested (the calling flow publishes the snapshot at its end)."""
    if settings.sources.files:
        ingest_flow(settings.sources.files, settings.db_path, settings.sources.registry, settings.max_text_chars,
                    settings.ingest, publish=False)


@flow(name="tremor-daily", log_prints=True)
def daily_flow(day: date | None = None, db_path: str | None = None, config: str | None = None) -> DayResult:
    """The scheduled job: ingest the configured files (and, when enabled, fetch the feeds and GDELT), then
    process `day` (default: the day before the run's scheduled start, UTC)."""
    settings = load_settings(Path(config) if config else None, db_path=db_path)
    with kept_open(settings.db_path):
        _ingest_configured(settings)
        day = day or day_before_scheduled_start()
        if settings.sources.fetch.enabled:  # network ingestion of the registry's feeds and GDELT (issue 5)
            fetch_flow(settings, day)
        result = process_day(day, settings)
        tasks.publish_snapshot(settings.db_path)
    return result


def day_before_scheduled_start() -> date:
    """Yesterday (UTC) as of the time this flow run was scheduled for (now, for a run not scheduled ahead):
    a scheduled run that starts late (machine asleep, `tremor serve` stopped) still processes its own day."""
    from prefect.runtime import flow_run

    return (flow_run.scheduled_start_time.astimezone(UTC) - timedelta(days=1)).date()


def days_to_run(start: date, end: date, settings: Settings, redo: bool) -> list[date]:
    """The days start..end a backfill runs (`pending_days`, or all with `redo`), after ingesting the configured
    files; logs what a resumed run skips. Shared by the serial and the Dask backfill (flows/scale.py)."""
    _ingest_configured(settings)
    days = [start + timedelta(days=offset) for offset in range((end - start).days + 1)]
    done = set() if redo else set(tasks.processed_days(settings.db_path, start, end, settings.models.sentiment))
    todo = pending_days(days, done)
    if len(todo) < len(days):
        get_run_logger().info("backfill: %d of %d days already processed; resuming at %s", len(days) - len(todo),
                              len(days), todo[0] if todo else "-")
    return todo


@flow(name="tremor-backfill")
def backfill_flow(start: date, end: date, db_path: str | None = None, config: str | None = None,
                  redo: bool = False) -> list[DayResult]:
    """The daily processing for every day from `start` to `end` inclusive, in order.

    Resumable: days already processed by the model are skipped, except the last of them, which is
    redone (a run killed midway may have stopped inside it); `redo` processes every day again.
    """
    if end < start:
        raise ValueError(f"backfill: end {end} is before start {start}")
    settings = load_settings(Path(config) if config else None, db_path=db_path)
    with kept_open(settings.db_path):
        return _backfill(start, end, settings, redo)


def _backfill(start: date, end: date, settings: Settings, redo: bool) -> list[DayResult]:
    todo, logger = days_to_run(start, end, settings, redo), get_run_logger()
    results: list[DayResult] = []
    counts = tasks.article_counts(settings.db_path, start, end) if todo else {}
    for batch in batches(todo, counts, settings.backfill.batch_articles):
        results += run_days(batch, settings)
        logger.info("backfill: %d/%d days done", len(results), len(todo))
    tasks.publish_snapshot(settings.db_path)
    return results
