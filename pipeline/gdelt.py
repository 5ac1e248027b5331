"""GDELT DOC 2.0 article lists: request parameters, reading the JSON answer, and time slicing past the
API's record cap (a window that returns the cap is split in halves, recursively). The HTTP request
itself is made by `fetch/gdelt.py`, which passes it in."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from pipeline.records import FeedItem
from pipeline.sources import Source, outlet_for_domain

MAX_RECORDS = 250  # the API's cap for mode=ArtList
LANGUAGES = {"english": "en", "japanese": "ja", "korean": "ko", "chinese": "zh"}
COUNTRIES = {"south korea": "KR", "korea, south": "KR", "japan": "JP", "united states": "US"}
_STAMP = "%Y%m%d%H%M%S"


class GdeltError(ValueError):
    """GDELT answered with something other than an article list (it answers errors as plain text)."""


@dataclass(frozen=True)
class Window:
    start: datetime  # naive UTC, inclusive
    end: datetime  # naive UTC

    def halves(self) -> tuple[Window, Window]:
        middle = self.start + (self.end - self.start) / 2
        middle = middle.replace(microsecond=0)
        return Window(self.start, middle), Window(middle, self.end)

    @property
    def span(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True)
class GdeltArticle:
    url: str
    title: str
    seen: datetime  # naive UTC
    domain: str
    language: str  # GDELT's name, e.g. "Korean"
    source_country: str  # GDELT's name, e.g. "South Korea"


@dataclass(frozen=True)
class Sliced:
    articles: list[GdeltArticle]
    requests: int
    truncated: list[Window]  # windows at the minimum span that still returned the cap


def request_url(base_url: str, query: str, language: str, window: Window, max_records: int = MAX_RECORDS) -> str:
    """The ArtList request for one language and window, oldest first."""
    params = {"query": f"{query} sourcelang:{language}", "mode": "ArtList", "format": "json",
              "maxrecords": str(max_records), "sort": "DateAsc",
              "startdatetime": window.start.strftime(_STAMP), "enddatetime": window.end.strftime(_STAMP)}
    return f"{base_url}?{urlencode(params)}"


def parse_articles(body: bytes) -> list[GdeltArticle]:
    """The `articles` of a JSON answer (an empty answer `{}` means none)."""
    text = body.decode("utf-8", errors="replace").strip()
    try:
        data = json.loads(text, strict=False) if text else {}
    except json.JSONDecodeError as exc:
        raise GdeltError(f"GDELT answered with text, not JSON: {text[:200]!r}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("articles", []), list):
        raise GdeltError(f"GDELT answer has no article list: {text[:200]!r}")
    return [a for a in map(_article, data.get("articles", [])) if a is not None]


def _article(entry: object) -> GdeltArticle | None:
    if not isinstance(entry, dict) or not entry.get("url") or not entry.get("seendate"):
        return None
    try:
        seen = datetime.strptime(str(entry["seendate"]), "%Y%m%dT%H%M%SZ")
    except ValueError:
        return None
    return GdeltArticle(str(entry["url"]), str(entry.get("title") or ""), seen, str(entry.get("domain") or ""),
                        str(entry.get("language") or ""), str(entry.get("sourcecountry") or ""))


def sliced(window: Window, fetch_window: Callable[[Window], Sequence[GdeltArticle]], cap: int = MAX_RECORDS,
           min_span: timedelta = timedelta(minutes=15)) -> Sliced:
    """Every article of `window`: a window whose answer reaches the cap is split in halves until the
    answers fit or the window is `min_span` short (then it is reported as truncated)."""
    found = list(fetch_window(window))
    if len(found) < cap:
        return Sliced(found, 1, [])
    if window.span <= min_span:
        return Sliced(found, 1, [window])
    first, second = (sliced(half, fetch_window, cap, min_span) for half in window.halves())
    return Sliced(first.articles + second.articles, 1 + first.requests + second.requests,
                  first.truncated + second.truncated)


def to_items(articles: Sequence[GdeltArticle], origin: str, registry: dict[str, Source]) -> list[FeedItem]:
    """FeedItems named for the registry outlet of each domain (else the domain), one per URL."""
    items: list[FeedItem] = []
    seen: set[str] = set()
    for article in articles:
        if article.url in seen:
            continue
        seen.add(article.url)
        outlet = outlet_for_domain(article.domain, registry) if article.domain else None
        items.append(FeedItem(source=outlet.name if outlet else (article.domain or "unknown"), origin=origin,
                              index=len(items), url=article.url, title=article.title, summary="",
                              published=article.seen.isoformat() + "+00:00",
                              lang=LANGUAGES.get(article.language.lower()),
                              country=COUNTRIES.get(article.source_country.lower())))
    return items
