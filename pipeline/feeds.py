"""RSS/Atom documents (bytes fetched by `fetch/`) to FeedItems, refusing what is not a safe, real feed.

Entity declarations (billion laughs, external entities) are refused twice: on the whole document as
feedparser decodes it (so an encoding such as UTF-7 cannot hide them) before any parser runs, and by
feedparser's strict XML parser itself, which is defusedxml's expat driver (it raises on any entity
declaration). The first check also covers feedparser's lenient fallback parser, which would expand
the "safe" entities it keeps."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import feedparser
import feedparser.api
from defusedxml import DefusedXmlException
from feedparser.encodings import convert_to_utf8

from pipeline.records import FeedItem

# feedparser's only hook for its SAX driver: the first importable name in this list is used.
feedparser.api.PREFERRED_XML_PARSERS = ["defusedxml.expatreader"]

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
    if not data.strip():
        raise FeedRejected(f"empty response body ({len(data)} bytes): not a feed")
    headers = {"content-type": content_type} if content_type else {}
    refuse_entities(data, headers)
    try:
        parsed = feedparser.parse(io.BytesIO(data), response_headers=headers, sanitize_html=True,
                                  resolve_relative_uris=True)
    except DefusedXmlException as exc:
        raise FeedRejected(f"XML declares entities ({exc}; possible entity-expansion / billion-laughs payload); "
                           "refused by the parser") from exc
    if not parsed.entries and (not parsed.get("version") or parsed.bozo):
        raise FeedRejected(_not_a_feed(data, content_type, parsed))
    language = parsed.feed.get("language") or None
    items = tuple(_item(entry, i, source, origin, language) for i, entry in enumerate(parsed.entries))
    problem = None
    if parsed.bozo and not isinstance(parsed.bozo_exception, feedparser.CharacterEncodingOverride):
        problem = f"malformed XML ({parsed.bozo_exception}); {len(items)} item(s) recovered by the lenient parser"
    return ParsedFeed(items, problem)


def refuse_entities(data: bytes, headers: dict[str, str] | None = None) -> None:
    """Raise FeedRejected when the document declares entities anywhere: the whole body is searched,
    both as received (NULs removed) and as feedparser converts it to UTF-8 for its parsers."""
    converted = convert_to_utf8(dict(headers or {}), data, {})
    if any(_INTERNAL_SUBSET.search(text) or _ENTITY.search(text) for text in (data.replace(b"\x00", b""), converted)):
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
