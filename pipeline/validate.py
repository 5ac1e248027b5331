"""Turn raw rows into Articles, or Rejected rows that say why."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import PurePath

from pipeline.files import RawRow
from pipeline.langid import detect_language
from pipeline.normalize import (
    InvalidValue,
    article_id,
    canonical_url,
    clean_text,
    content_hash,
    parse_published,
    scrub_surrogates,
)
from pipeline.records import Article, Rejected, utc_now
from pipeline.sources import Source, country_of, declared_language

REQUIRED = ("url", "title", "text", "published_at", "source")
RAW_EXCERPT_CHARS = 2000


EARLIEST_PUBLISHED = datetime(1990, 1, 1)
FUTURE_SLACK = timedelta(days=1)


@dataclass(frozen=True)
class Limits:
    """What a row may hold: text length, and the window its publication time (naive UTC) must fall in."""

    max_text_chars: int = 200_000
    earliest: datetime = EARLIEST_PUBLISHED
    latest: datetime = field(default_factory=lambda: utc_now() + FUTURE_SLACK)


def to_article(row: RawRow, registry: dict[str, Source], limits: Limits) -> Article | Rejected:
    """Validate and normalise one row."""
    if row.error:
        return reject(row, row.error)
    fields = {name: scrub_surrogates(value) if isinstance(value, str) and name != "url" else value
              for name, value in (row.fields or {}).items()}
    missing = [name for name in REQUIRED if not _is_text(fields.get(name), allow_blank=name in ("title", "text"))]
    if missing:
        return reject(row, f"missing or non-string field(s): {', '.join(missing)}")
    text = clean_text(fields["text"])
    if not text:
        return reject(row, "empty text")
    if len(text) > limits.max_text_chars:
        return reject(row, f"text too long: {len(text):,} characters > limit {limits.max_text_chars:,}")
    try:
        canonical = canonical_url(fields["url"])
        published = parse_published(fields["published_at"])
    except InvalidValue as exc:
        return reject(row, str(exc))
    if not limits.earliest <= published <= limits.latest:
        return reject(row, f"published_at {published:%Y-%m-%d %H:%M} UTC is outside the accepted window "
                           f"{limits.earliest:%Y-%m-%d %H:%M} to {limits.latest:%Y-%m-%d %H:%M} UTC")
    title = clean_text(fields["title"])
    source = fields["source"].strip()
    return Article(
        id=article_id(canonical),
        url=fields["url"].strip(),
        canonical_url=canonical,
        source=source,
        source_country=country_of(source, _optional(fields, "country"), registry),
        lang=detect_language(f"{title}\n{text}", declared_language(source, _optional(fields, "lang"),
                                                                   _optional(fields, "country"), registry)),
        published_at=published,
        title=title,
        text=text,
        content_hash=content_hash(title, text),
    )


def reject(row: RawRow, reason: str) -> Rejected:
    name = PurePath(row.source_file).name
    digest = hashlib.sha256(f"{name}\n{row.line_no}\n".encode("utf-8", "surrogatepass") + row.raw).hexdigest()[:20]
    excerpt = row.raw[:RAW_EXCERPT_CHARS].decode("utf-8", errors="replace")
    return Rejected(id=digest, source_file=scrub_surrogates(row.source_file), line_no=row.line_no,
                    reason=scrub_surrogates(reason), raw=excerpt)


def _is_text(value: object, allow_blank: bool) -> bool:
    return isinstance(value, str) and (allow_blank or bool(value.strip()))


def _optional(fields: dict, name: str) -> str | None:
    value = fields.get(name)
    return value if isinstance(value, str) and value.strip() else None
