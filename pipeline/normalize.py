"""Normalisation of raw input: canonical URLs, clean text, content hashes, UTC timestamps."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import UTC, datetime
from urllib.parse import urlsplit

from w3lib.url import canonicalize_url, url_query_cleaner

TRACKING_PARAMS = (
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id",
    "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "ref", "cmpid", "ocid",
)
_SPACE = re.compile(r"[ \t\u00a0\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


class InvalidValue(ValueError):
    """A field's value cannot be used; the message says which and why."""


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, no tracking parameters, sorted query."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidValue(f"url must be an absolute http(s) URL, got {url[:200]!r}")
    cleaned = url_query_cleaner(url.strip(), TRACKING_PARAMS, remove=True, keep_fragments=False)
    return canonicalize_url(cleaned)


def clean_text(text: str) -> str:
    """NFKC (folds full-width Latin and half-width kana), tidy spaces, keep paragraph breaks."""
    text = unicodedata.normalize("NFKC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACE.sub(" ", text)
    lines = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", lines).strip()


def content_hash(title: str, text: str) -> str:
    """Hash of the case- and space-folded content: the same story under two URLs hashes alike."""
    folded = " ".join(f"{title}\n{text}".casefold().split())
    return hashlib.sha256(folded.encode()).hexdigest()


def article_id(canonical: str) -> str:
    return hashlib.sha256(canonical.encode()).hexdigest()[:20]


def parse_published(value: str) -> datetime:
    """ISO-8601 to naive UTC; a time without zone is taken as UTC."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except (ValueError, AttributeError) as exc:
        raise InvalidValue(f"published_at is not ISO-8601: {str(value)[:60]!r}") from exc
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed
