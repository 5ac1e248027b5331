"""Exact deduplication within a batch: one article per canonical URL and per content hash."""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.records import Article


def unique_articles(articles: Iterable[Article]) -> tuple[list[Article], int]:
    """The first article of each URL and content hash, in input order, and how many were dropped."""
    seen_ids: set[str] = set()
    seen_hashes: set[str] = set()
    kept: list[Article] = []
    dropped = 0
    for article in articles:
        if article.id in seen_ids or article.content_hash in seen_hashes:
            dropped += 1
            continue
        seen_ids.add(article.id)
        seen_hashes.add(article.content_hash)
        kept.append(article)
    return kept, dropped



def not_stored(articles: Iterable[Article], stored_ids: set[str]) -> list[Article]:
    """One article per URL, leaving out those already stored (a feed lists an item on several runs).
    Same-content copies under other URLs are left in: near-duplicate grouping records them as copies."""
    seen = set(stored_ids)
    fresh: list[Article] = []
    for article in articles:
        if article.id not in seen:
            seen.add(article.id)
            fresh.append(article)
    return fresh
