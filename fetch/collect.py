"""Collection of one outlet's feeds and article pages: every request ends as a FetchLogEntry, and a
failure of one URL never stops the others."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from fetch.client import Fetched, HttpClient, Validators
from fetch.errors import FetchError
from pipeline.clean import with_full_text
from pipeline.feeds import FeedRejected, parse_feed
from pipeline.pages import decode_html, extract_page, is_html
from pipeline.records import Article, FeedItem, FetchLogEntry, utc_now


@dataclass(frozen=True)
class Harvest:
    """What a collection step brought back: items to clean, and one log entry per request."""

    items: tuple[FeedItem, ...] = ()
    log: tuple[FetchLogEntry, ...] = ()


@dataclass(frozen=True)
class Pages:
    articles: tuple[Article, ...]  # every input article, with its page's text where one was extracted
    log: tuple[FetchLogEntry, ...]


def collect_feed(client: HttpClient, source: str, url: str, validators: Validators | None
                 ) -> tuple[list[FeedItem], FetchLogEntry]:
    """One feed, conditionally on what the warehouse remembers of its URL: its items and its log entry."""
    started = utc_now()
    try:
        fetched = client.get(url, validators)
    except FetchError as exc:
        return [], failure(source, "feed", url, exc, started)
    if fetched.not_modified:
        kept = validators or Validators()
        return [], entry(source, "feed", fetched, started, "not_modified", None, 0,
                         etag=fetched.etag or kept.etag, last_modified=fetched.last_modified or kept.last_modified)
    try:
        parsed = parse_feed(fetched.body, fetched.content_type, source, url)
    except FeedRejected as exc:
        return [], entry(source, "feed", fetched, started, "rejected", str(exc), 0, etag=None, last_modified=None)
    return list(parsed.items), entry(source, "feed", fetched, started, "fetched", parsed.problem, len(parsed.items))

def collect_pages(client: HttpClient, source: str, articles: Sequence[Article], limit: int) -> Pages:
    """The page of each article (robots.txt respected), its main text replacing the feed summary; an
    article whose page cannot be had keeps its summary. At most `limit` pages."""
    out: list[Article] = []
    log: list[FetchLogEntry] = []
    for n, article in enumerate(articles):
        if n >= limit:
            out += articles[n:]
            log.append(FetchLogEntry(source, "page", article.url, "skipped",
                                     f"page limit of {limit} per source reached: {len(articles) - n} page(s) not "
                                     "fetched, feed summaries kept", utc_now()))
            break
        updated, record = collect_page(client, source, article)
        out.append(updated)
        log.append(record)
    return Pages(tuple(out), tuple(log))

def collect_page(client: HttpClient, source: str, article: Article) -> tuple[Article, FetchLogEntry]:
    started = utc_now()
    try:
        fetched = client.get(article.url, respect_robots=True)
    except FetchError as exc:
        return article, failure(source, "page", article.url, exc, started)
    if not is_html(fetched.content_type):
        return article, entry(source, "page", fetched, started, "skipped",
                              f"not an HTML page ({fetched.content_type}); feed summary kept", 0)
    page = extract_page(decode_html(fetched.body, fetched.content_type), fetched.final_url)
    if page is None:
        return article, entry(source, "page", fetched, started, "fetched", "no article text found; feed summary kept",
                              0)
    return with_full_text(article, page.text), entry(source, "page", fetched, started, "fetched", None, 1)

def entry(source: str, kind: str, fetched: Fetched, started: datetime, outcome: str, reason: str | None,
          items: int, **validators: str | None) -> FetchLogEntry:
    etag = validators.get("etag", fetched.etag)
    last_modified = validators.get("last_modified", fetched.last_modified)
    return FetchLogEntry(source, kind, fetched.url, outcome, reason, started, status=fetched.status, items=items,
                         bytes=len(fetched.body), etag=etag, last_modified=last_modified,
                         final_url=fetched.final_url, elapsed_ms=fetched.elapsed_ms)

def failure(source: str, kind: str, url: str, error: FetchError, started: datetime) -> FetchLogEntry:
    elapsed = int((utc_now() - started).total_seconds() * 1000)
    return FetchLogEntry(source, kind, url, error.outcome, str(error), started, status=error.status,
                         elapsed_ms=elapsed)

def describe(record: FetchLogEntry) -> str:
    """One log line for an entry that needs attention."""
    status = f" HTTP {record.status}" if record.status else ""
    return f"fetch {record.outcome}: {record.source} {record.kind} {record.url}{status}: {record.reason}"
