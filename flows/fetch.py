"""Network ingestion as a Prefect flow: feeds and GDELT fetched, items cleaned, irrelevant ones counted,
pages fetched for full text, syndicated copies grouped, everything stored in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from prefect import flow, get_run_logger, task, unmapped
from prefect.futures import PrefectFuture

from fetch.client import ClientConfig, HttpClient, Validators
from fetch.collect import Harvest, Pages, collect_feed, collect_pages, describe
from fetch.gdelt import GdeltQuery, collect_gdelt
from flows.tasks import io_task
from pipeline import clean, dedup, neardup, relevance
from pipeline.gdelt import Window
from pipeline.records import Article, FeedItem, FetchLogEntry, IrrelevantItem, utc_now
from pipeline.sources import Source, load_sources
from pipeline.taxonomy import load_taxonomy
from pipeline.topics import tagger_for
from pipeline.validate import Limits
from tremor.settings import FetchSettings, GdeltSettings, Settings
from warehouse import store
from warehouse.db import connect

ATTENTION = ("skipped", "rejected", "failed")


@dataclass(frozen=True)
class FetchReport:
    requests: int
    problems: int  # requests skipped, rejected or failed (see fetch_log)
    items: int
    quarantined: int
    irrelevant: int
    copies: int
    new_articles: int


def client_config(fetch: FetchSettings, gdelt: GdeltSettings) -> ClientConfig:
    """The HTTP client's plain values from the settings (GDELT's host gets its own interval)."""
    gdelt_host = urlsplit(gdelt.base_url).hostname or ""
    return ClientConfig(user_agent=fetch.user_agent, timeout_s=fetch.timeout_s, total_timeout_s=fetch.total_timeout_s,
                        retries=fetch.retries, backoff_s=fetch.backoff_s, max_backoff_s=fetch.max_backoff_s,
                        max_bytes=fetch.max_bytes, max_redirects=fetch.max_redirects,
                        min_host_interval_s=fetch.min_host_interval_s,
                        host_intervals=((gdelt_host, gdelt.min_interval_s),) if gdelt_host else (),
                        allow_private_hosts=fetch.allow_private_hosts)


def gdelt_window(day: date, lookback_hours: int, now: datetime) -> Window:
    start = datetime.combine(day, time())
    return Window(start, max(start, min(now, start + timedelta(hours=lookback_hours))).replace(microsecond=0))


@task
def load_registry(path: Path | None) -> dict[str, Source]:
    return load_sources(path)


@io_task
def load_validators(db_path: Path) -> dict[str, Validators]:
    with connect(db_path) as con:
        return {url: Validators(etag, modified) for url, (etag, modified) in store.feed_validators(con).items()}


@task(task_run_name="feed-{source}")
def fetch_feed(source: str, url: str, config: ClientConfig, validators: Validators | None) -> Harvest:
    """One feed: its own task, so that a feed that crashes its task costs no other feed its items."""
    with HttpClient(config) as client:
        items, record = collect_feed(client, source, url, validators)
    return Harvest(tuple(items), (record,))


@task
def fetch_gdelt(config: ClientConfig, query: GdeltQuery, window: Window, registry: dict[str, Source]) -> Harvest:
    with HttpClient(config) as client:
        return collect_gdelt(client, query, window, registry)


@task
def clean_items(items: list[FeedItem], registry: dict[str, Source], max_text_chars: int,
                now: datetime) -> clean.Cleaned:
    return clean.clean_items(items, registry, Limits(max_text_chars), now)


@io_task
def load_stored(db_path: Path, start: date, end: date) -> list[Article]:
    with connect(db_path) as con:
        return store.articles_between(con, start, end)


@task
def drop_stored(articles: list[Article], stored: list[Article]) -> list[Article]:
    return dedup.not_stored(articles, {a.id for a in stored})


@task
def filter_relevant(articles: list[Article], taxonomy: Path | None) -> tuple[list[Article], list[IrrelevantItem]]:
    test = relevance.KeywordRelevance(tagger_for(load_taxonomy(taxonomy)), relevance.load_country_terms())
    return relevance.split_relevant(articles, test)


@task
def split_page_batches(articles: list[Article], registry: dict[str, Source], full_text: bool
                       ) -> tuple[dict[str, list[Article]], list[Article]]:
    return clean.page_batches(articles, registry) if full_text else ({}, list(articles))


@task(task_run_name="pages-{source}")
def fetch_pages(source: str, articles: list[Article], config: ClientConfig, limit: int) -> Pages:
    with HttpClient(config) as client:
        return collect_pages(client, source, articles, limit)


@task
def group_stories(new: list[Article], stored: list[Article], threshold: float) -> neardup.Stories:
    return neardup.group_stories(new, stored, neardup.NearDupConfig(threshold=threshold))


@io_task
def store_harvest(db_path: Path, stories: neardup.Stories, cleaned: clean.Cleaned, irrelevant: list[IrrelevantItem],
                  log: list[FetchLogEntry]) -> store.HarvestCounts:
    with connect(db_path) as con:
        return store.store_harvest(con, stories.kept, cleaned.rejected, stories.copies, irrelevant, log)


def _settled(futures: Sequence[PrefectFuture], labels: Sequence[tuple[str, str]], kind: str, fallback) -> list:
    """Each future's result; a task that crashed becomes a `failed` fetch_log entry (source, url = its
    label) so that the other outlets go on and the failure is on record."""
    results = []
    for future, (source, url) in zip(futures, labels, strict=True):
        future.wait()
        state = future.state
        if state.is_completed():
            results.append(future.result())
        else:
            entry = FetchLogEntry(source, kind, url, "failed", f"task crashed: {state.message}", utc_now())
            results.append(fallback(entry))
    return results


@flow(name="tremor-fetch")
def fetch_flow(settings: Settings, day: date | None = None) -> FetchReport:
    """Fetch the registry's feeds (and GDELT for `day`, default today UTC) into the warehouse."""
    cfg, gdelt, db = settings.sources.fetch, settings.sources.gdelt, settings.db_path
    now = utc_now()
    config = client_config(cfg, gdelt)
    registry = load_registry(settings.sources.registry)
    feeds = [(source.name, url) for source in registry.values() for url in source.feeds]
    validators = load_validators(db)
    harvests = _settled(fetch_feed.map([name for name, _ in feeds], [url for _, url in feeds], unmapped(config),
                                       [validators.get(url) for _, url in feeds]),
                        feeds, "feed", lambda e: Harvest(log=(e,)))
    if gdelt.enabled:
        query = GdeltQuery(gdelt.base_url, gdelt.query, tuple(gdelt.languages),
                           min_slice=timedelta(minutes=gdelt.min_slice_minutes))
        window = gdelt_window(day or now.date(), gdelt.lookback_hours, now)
        harvests += _settled([fetch_gdelt.submit(config, query, window, registry)], [("GDELT", gdelt.base_url)],
                             "gdelt", lambda e: Harvest(log=(e,)))
    items = [item for harvest in harvests for item in harvest.items]
    cleaned = clean_items(items, registry, settings.max_text_chars, now)
    first_day = min(day or now.date(), now.date()) - timedelta(days=cfg.near_dup_days + 1)
    stored = load_stored(db, first_day, now.date() + timedelta(days=2))
    relevant, irrelevant = filter_relevant(drop_stored(cleaned.articles, stored), settings.models.taxonomy)
    batches, articles = split_page_batches(relevant, registry, cfg.full_text)
    pages = _settled(fetch_pages.map(list(batches), list(batches.values()), unmapped(config),
                                     unmapped(cfg.max_pages_per_source)),
                     [(source, f"pages of {source}") for source in batches], "page", lambda e: Pages((), (e,)))
    for batch, result in zip(batches.values(), pages, strict=True):
        articles += list(result.articles) or batch  # a crashed page task keeps the feed summaries
    stories = group_stories(articles, stored, cfg.near_dup_threshold)
    log = [e for harvest in [*harvests, *pages] for e in harvest.log]
    counts = store_harvest(db, stories, cleaned, irrelevant, log)
    return _report(log, items, cleaned, irrelevant, counts)


def _report(log: list[FetchLogEntry], items: list[FeedItem], cleaned: clean.Cleaned, irrelevant: list[IrrelevantItem],
            counts: store.HarvestCounts) -> FetchReport:
    logger = get_run_logger()
    problems = [e for e in log if e.outcome in ATTENTION or e.reason]
    for record in problems:
        logger.warning(describe(record))
    for rejected in cleaned.rejected:
        logger.warning("fetch quarantined: %s item %d: %s", rejected.source_file, rejected.line_no, rejected.reason)
    report = FetchReport(len(log), sum(e.outcome in ATTENTION for e in log), len(items), len(cleaned.rejected),
                         len(irrelevant), counts.new_copies, counts.new_articles)
    logger.info("fetch: %d requests (%d skipped/rejected/failed), %d items, %d quarantined, %d irrelevant, "
                "%d syndicated copies, %d new articles", report.requests, report.problems, report.items,
                report.quarantined, report.irrelevant, report.copies, report.new_articles)
    return report
