"""The backfill with its scoring on a Dask cluster (Prefect's DaskTaskRunner), its writes in one process.

The flow's own process reads each pending day's articles, submits `tasks.score_articles` for the day to
the cluster (a bounded number of days ahead), and as each day's scores come back stores them: it is the
only process that opens the warehouse. Each day is then finished in day order, as soon as it and every
day before it are stored (emerging topics, indicators, rule hits and alert episodes depend on the days
before), by `flows.daily.finish_day`, as the serial backfill (`flows.daily.run_days`) does. Workers load the
models once per process.

Workers in other processes must reach the Prefect API the flow reports to: Prefect's ephemeral API (no
PREFECT_API_URL) lives in a child of the flow's process that they cannot find, and each would start its
own. So with no PREFECT_API_URL, `run_scaled_backfill` starts `prefect server start` on this machine for
the run and stops it after (flows/prefect_server.py; it dies with this process); a cluster on other machines
needs a server they can reach, and says so.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from itertools import islice
from pathlib import Path
from urllib.parse import urlsplit

from prefect import flow, get_run_logger
from prefect.context import get_run_context
from prefect.futures import PrefectFuture, as_completed
from prefect.logging import get_logger
from prefect.settings import PREFECT_API_URL
from prefect.utilities.annotations import quote

from flows import tasks
from flows.daily import DayResult, backfill_flow, days_to_run, finish_day
from flows.prefect_server import prefect_api
from tremor.settings import BackfillSettings, ModelSettings, Settings, load_settings
from warehouse.db import kept_open


class WorkersNeedPrefectApi(RuntimeError):
    """Dask workers on other machines cannot reach a Prefect API on this one."""


def backfill(start: date, end: date, db_path: str | None, config: str | None, redo: bool,
             cfg: BackfillSettings) -> list[DayResult]:
    """The serial backfill (flows.daily.backfill_flow), or, when `cfg` names workers or a scheduler, this one."""
    if cfg.in_process:
        return backfill_flow(start, end, db_path, config, redo)
    return run_scaled_backfill(start, end, db_path, config, redo, cfg)


def run_scaled_backfill(start: date, end: date, db_path: str | None, config: str | None, redo: bool,
                        cfg: BackfillSettings) -> list[DayResult]:
    """`scaled_backfill_flow` on the cluster `cfg` describes, reporting to a Prefect API its workers reach."""
    with prefect_api_for_workers(cfg.scheduler):
        return scaled_backfill_flow.with_options(task_runner=dask_task_runner(cfg))(start, end, db_path, config,
                                                                                       redo)


def dask_task_runner(cfg: BackfillSettings):
    """A DaskTaskRunner on the scheduler at `cfg.scheduler`, else on a local cluster of `cfg.workers` processes."""
    from prefect_dask import DaskTaskRunner

    if cfg.scheduler:
        return DaskTaskRunner(address=cfg.scheduler)
    return DaskTaskRunner(cluster_kwargs={"n_workers": max(cfg.workers, 1), "threads_per_worker": cfg.threads_per_worker,
                                          "processes": True, "dashboard_address": None})


@flow(name="tremor-backfill-scaled")
def scaled_backfill_flow(start: date, end: date, db_path: str | None = None, config: str | None = None,
                         redo: bool = False) -> list[DayResult]:
    """flows.daily.backfill_flow with each day's scoring submitted to the flow's task runner (a Dask cluster):
    the same rows, the same resumability (days already processed are skipped but the last of them)."""
    if end < start:
        raise ValueError(f"backfill: end {end} is before start {start}")
    settings = load_settings(Path(config) if config else None, db_path=db_path)
    with kept_open(settings.db_path):  # the writer's connections reuse the open warehouse (warehouse/db.py)
        return _scaled_backfill(start, end, settings, redo)


def _scaled_backfill(start: date, end: date, settings: Settings, redo: bool) -> list[DayResult]:
    todo = days_to_run(start, end, settings, redo)
    db, model, logger = settings.db_path, settings.models.sentiment, get_run_logger()
    ahead = settings.backfill.days_in_flight or 2 * _worker_threads()
    began, waited, stored, results = time.perf_counter(), 0.0, {}, []
    for day, n_articles, rows, waited_s in _scored_days(todo, db, settings.models, ahead):
        waited += waited_s
        tasks.store_scores(db, [day], model, quote(rows))
        stored[day] = n_articles
        while len(results) < len(todo) and todo[len(results)] in stored:  # finish days in order
            ready = todo[len(results)]
            results.append(finish_day(ready, settings, stored.pop(ready)))
            logger.info("backfill: %d/%d days done", len(results), len(todo))
    elapsed = time.perf_counter() - began
    logger.info("backfill: %d days in %.0f s: this process read, wrote and finished days for %.0f s and waited for "
                "scores for %.0f s (little waiting: the writer, not the workers, sets the pace)",
                len(todo), elapsed, elapsed - waited, waited)
    tasks.publish_snapshot(db)
    return results


def _scored_days(days: list[date], db: Path, models: ModelSettings,
                 ahead: int) -> Iterator[tuple[date, int, object, float]]:
    """(day, articles, score rows, seconds waited for them) of each day, in the order the workers finish them.
    Articles are read here, in the flow's process; at most `ahead` days are out on the workers at once."""
    queue, scoring = iter(days), {}

    def submit(day: date) -> None:
        articles = tasks.load_articles(db, [day])
        # not quoted: over Dask the worker received the quote itself, not the articles (a day's are few)
        scoring[tasks.score_articles.submit(articles, models)] = (day, len(articles))

    for day in islice(queue, ahead):
        submit(day)
    while scoring:
        began = time.perf_counter()
        future: PrefectFuture = next(as_completed(list(scoring)))
        waited = time.perf_counter() - began
        day, n_articles = scoring.pop(future)
        for following in islice(queue, 1):  # the next day goes out before this one is written
            submit(following)
        yield day, n_articles, future.result(), waited


def _worker_threads() -> int:
    """Threads of the Dask cluster behind the running flow's task runner (1 for any other runner)."""
    client = getattr(get_run_context().task_runner, "client", None)
    return max(sum(client.nthreads().values()), 1) if client is not None else 1


@contextmanager
def prefect_api_for_workers(scheduler: str | None) -> Iterator[str]:
    """The Prefect API that the flow and its workers report to: PREFECT_API_URL when set; else a server started
    on this machine for the duration (only when the scheduler, if any, is on this machine too)."""
    url = PREFECT_API_URL.value()
    if scheduler and not _loopback(scheduler) and (not url or _loopback(url)):
        raise WorkersNeedPrefectApi(
            f"the Dask workers of {scheduler} run on other machines and cannot reach a Prefect API on this one "
            f"({url or 'none is configured'}): run `prefect server start --host 0.0.0.0` on a machine they can reach "
            "and `export PREFECT_API_URL=http://THAT_HOST:4200/api` here, then run the backfill again")
    if not url:
        get_logger("tremor.backfill").info("No PREFECT_API_URL: starting a Prefect server on this machine for this "
                                           "backfill (set PREFECT_API_URL to use a running one)")
    with prefect_api() as api:
        yield api


def _loopback(address: str) -> bool:
    """Whether a URL or Dask address (tcp://HOST:PORT, HOST:PORT, inproc://...) names this machine."""
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme == "inproc" or parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname or "").is_loopback
    except ValueError:
        return False
