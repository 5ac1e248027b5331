"""Fetched feed items to Articles (or Rejected rows that say why): HTML stripped, NFKC, times in UTC."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta

from pipeline.files import RawRow
from pipeline.langid import detect_language
from pipeline.normalize import InvalidValue, clean_text, content_hash, html_to_text, to_utc
from pipeline.records import Article, FeedItem, Rejected
from pipeline.sources import Source
from pipeline.validate import Limits, reject, to_article

FUTURE_SLACK = timedelta(days=1)  # a published time further ahead than this is an error


@dataclass(frozen=True)
class Cleaned:
    articles: list[Article]
    rejected: list[Rejected]


def clean_items(items: Iterable[FeedItem], registry: dict[str, Source], limits: Limits, now: datetime) -> Cleaned:
    """Every item cleaned; the good ones in input order, the others with their reason."""
    articles: list[Article] = []
    rejected: list[Rejected] = []
    for item in items:
        result = clean_item(item, registry, limits, now)
        (rejected if isinstance(result, Rejected) else articles).append(result)
    return Cleaned(articles, rejected)


def clean_item(item: FeedItem, registry: dict[str, Source], limits: Limits, now: datetime) -> Article | Rejected:
    """One item through the same validation as file rows. The text is the feed's summary, or the
    title when the feed has none (full text replaces it later for outlets that allow it)."""
    row = RawRow(item.origin, item.index + 1, json.dumps(asdict(item), ensure_ascii=False).encode())
    if not item.url:
        return reject(row, "feed item has no link")
    if not item.published or not item.published.strip():
        return reject(row, "feed item has no publication date")
    outlet = registry.get(item.source)
    try:
        published = to_utc(item.published, outlet.timezone if outlet else "UTC")
    except InvalidValue as exc:
        return reject(row, str(exc))
    if published > now + FUTURE_SLACK:
        return reject(row, f"publication date {published:%Y-%m-%d %H:%M} UTC is in the future")
    title = html_to_text(item.title)
    fields = {"url": item.url, "title": title, "text": html_to_text(item.summary) or title,
              "published_at": published.isoformat(), "source": item.source,
              "lang": item.lang or (outlet.lang if outlet else None), "country": item.country}
    return to_article(replace(row, fields=fields), registry, limits)


def with_full_text(article: Article, text: str) -> Article:
    """The article with its page's text (the title line the extractor repeats dropped), language
    detected again and the content hash recomputed; unchanged when the page text is empty."""
    body = clean_text(text)
    first, _, rest = body.partition("\n")
    if first.strip() == article.title.strip() and rest.strip():
        body = rest.strip()
    if not body:
        return article
    return replace(article, text=body, lang=detect_language(f"{article.title}\n{body}", article.lang),
                   content_hash=content_hash(article.title, body))


def page_batches(articles: Iterable[Article], registry: dict[str, Source]
                 ) -> tuple[dict[str, list[Article]], list[Article]]:
    """Articles whose outlet is marked full_text, by outlet (their pages are fetched), and the others."""
    batches: dict[str, list[Article]] = {}
    rest: list[Article] = []
    for article in articles:
        outlet = registry.get(article.source)
        if outlet is not None and outlet.full_text:
            batches.setdefault(article.source, []).append(article)
        else:
            rest.append(article)
    return batches, rest
