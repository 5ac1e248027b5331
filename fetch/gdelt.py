"""The GDELT DOC 2.0 API in article-list mode, one language at a time, sliced in time past its cap."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from fetch.client import HttpClient
from fetch.collect import Harvest, entry, failure
from fetch.errors import FetchError
from pipeline.gdelt import MAX_RECORDS, GdeltArticle, GdeltError, Window, parse_articles, request_url, sliced, to_items
from pipeline.records import FetchLogEntry, utc_now
from pipeline.sources import Source

SOURCE = "GDELT"  # the fetch_log source of API requests


@dataclass(frozen=True)
class GdeltQuery:
    base_url: str
    query: str
    languages: tuple[str, ...]  # GDELT names: english, japanese, korean
    max_records: int = MAX_RECORDS
    min_slice: timedelta = timedelta(minutes=15)


def collect_gdelt(client: HttpClient, query: GdeltQuery, window: Window, registry: dict[str, Source]) -> Harvest:
    """The articles of every language in `window`; a failed slice is logged and the others go on."""
    items, log = [], []
    for language in query.languages:
        found, entries = _collect_language(client, query, language, window)
        items += to_items(found, request_url(query.base_url, query.query, language, window, query.max_records),
                          registry)
        log += entries
    return Harvest(tuple(items), tuple(log))


def _collect_language(client: HttpClient, query: GdeltQuery, language: str, window: Window
                      ) -> tuple[list[GdeltArticle], list[FetchLogEntry]]:
    log: list[FetchLogEntry] = []

    def fetch_window(part: Window) -> Sequence[GdeltArticle]:
        url = request_url(query.base_url, query.query, language, part, query.max_records)
        started = utc_now()
        try:
            fetched = client.get(url)
            articles = parse_articles(fetched.body)
        except FetchError as exc:
            log.append(failure(SOURCE, "gdelt", url, exc, started))
            return []
        except GdeltError as exc:
            log.append(entry(SOURCE, "gdelt", fetched, started, "rejected", str(exc), 0))
            return []
        reason = "cap reached: window split in halves" if len(articles) >= query.max_records else None
        log.append(entry(SOURCE, "gdelt", fetched, started, "fetched", reason, len(articles)))
        return articles

    result = sliced(window, fetch_window, query.max_records, query.min_slice)
    for part in result.truncated:
        log.append(FetchLogEntry(SOURCE, "gdelt", request_url(query.base_url, query.query, language, part,
                                                              query.max_records), "fetched",
                                 f"cap of {query.max_records} reached in a window of {part.span}: articles beyond "
                                 "the cap were missed (lower gdelt.min_slice_minutes or narrow the query)", utc_now()))
    return result.articles, log

