"""RSS/Atom documents (bytes fetched by `fetch/`) to FeedItems, refusing what is not a safe, real feed."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import feedparser

from pipeline.records import FeedItem

# An internal DTD subset is where entity declarations live (billion laughs, external entities).
# Real feeds do not declare entities; one that does is refused before any XML parser sees it.
_INTERNAL_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]*\[", re.IGNORECASE)
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)


class FeedRejected(ValueError):
    """The document cannot be used as a feed; the message says why (it goes to fetch_log)."""


@dataclass(frozen=True)
class ParsedFeed:
    items: tuple[FeedItem, ...]
    problem: str | None  # set when the XML was not well-formed but items could be recovered


def parse_feed(data: bytes, content_type: str | None, source: str, origin: str) -> ParsedFeed:
    """The entries of an RSS/Atom/RDF document. feedparser reads the bytes from memory (it never
    fetches); the HTTP content type is passed so that its charset is honoured."""
    refuse_entities(data)
    headers = {"content-type": content_type} if content_type else {}
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers, sanitize_html=True,
                              resolve_relative_uris=True)
    if not parsed.entries and (not parsed.version or parsed.bozo):
        raise FeedRejected(_not_a_feed(data, content_type, parsed))
    language = parsed.feed.get("language") or None
    items = tuple(_item(entry, i, source, origin, language) for i, entry in enumerate(parsed.entries))
    problem = None
    if parsed.bozo and not isinstance(parsed.bozo_exception, feedparser.CharacterEncodingOverride):
        problem = f"malformed XML ({parsed.bozo_exception}); {len(items)} item(s) recovered by the lenient parser"
    return ParsedFeed(items, problem)


def refuse_entities(data: bytes) -> None:
    """Raise FeedRejected when the prolog declares entities (checked on the bytes with NULs removed,
    so that UTF-16 documents are covered too)."""
    head = data[:65536].replace(b"\x00", b"")
    if _INTERNAL_SUBSET.search(head) or _ENTITY.search(head):
        raise FeedRejected("XML declares entities in its DOCTYPE (possible entity-expansion / billion-laughs "
                           "payload); refused without parsing")


def _not_a_feed(data: bytes, content_type: str | None, parsed) -> str:
    kind = (content_type or "no content type").split(";")[0].strip()
    if _HTML_START.match(data[:4096]) or "html" in kind:
        return f"not an RSS/Atom feed: the response is an HTML page ({kind})"
    if parsed.bozo:
        return f"malformed XML, no item recoverable: {parsed.bozo_exception}"
    return f"not an RSS/Atom feed ({kind}): no channel or entries found"


def _item(entry, index: int, source: str, origin: str, language: str | None) -> FeedItem:
    content = entry.get("content") or []
    body = max((c.get("value", "") for c in content), key=len, default="") or entry.get("summary", "")
    published = entry.get("published") or entry.get("updated") or entry.get("created") or None
    return FeedItem(source=source, origin=origin, index=index, url=(entry.get("link") or "").strip() or None,
                    title=entry.get("title", ""), summary=body, published=published,
                    lang=entry.get("language") or language)
