"""Normalisation of raw input: canonical URLs, clean text, content hashes, UTC timestamps."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from dateutil import parser as dateutil_parser
from w3lib.html import remove_comments, remove_tags, remove_tags_with_content, replace_entities
from w3lib.url import canonicalize_url, url_query_cleaner

TRACKING_PARAMS = (
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id",
    "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "ref", "cmpid", "ocid",
)
_SPACE = re.compile(r"[ \t\u00a0\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_BREAKS = re.compile(r"<\s*(?:br|/?p|/div|/li|/h[1-6]|/tr|/blockquote)\b[^>]*>", re.IGNORECASE)
_CJK_DATE = re.compile(r"(\d{4})\s*[年년./-]\s*(\d{1,2})\s*[月월./-]\s*(\d{1,2})\s*[日일]?"
                       r"(?:\D{0,4}?(\d{1,2})\s*[時시:]\s*(\d{1,2})\s*[分분]?(?:\s*:?\s*(\d{1,2}))?)?")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_NOT_IN_URL = re.compile(r"[\s\x00-\x1f\x7f\ud800-\udfff]")
_ZONE_ABBREVIATIONS = {"KST": 9 * 3600, "JST": 9 * 3600, "UTC": 0, "GMT": 0, "Z": 0, "EST": -5 * 3600,
                       "EDT": -4 * 3600, "CST": -6 * 3600, "CDT": -5 * 3600, "PST": -8 * 3600, "PDT": -7 * 3600}


class InvalidValue(ValueError):
    """A field's value cannot be used; the message says which and why."""


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, no tracking parameters, sorted query."""
    url = url.strip()
    if _NOT_IN_URL.search(url):
        raise InvalidValue(f"url contains a space or control character, got {url[:200]!r}")
    try:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or not parts.hostname:
            raise InvalidValue(f"url must be an absolute http(s) URL, got {url[:200]!r}")
        parts.port  # noqa: B018 -- raises ValueError on a port that is not a number in range
        return canonicalize_url(url_query_cleaner(url, TRACKING_PARAMS, remove=True, keep_fragments=False))
    except ValueError as exc:  # urllib's and w3lib's own checks: "Invalid IPv6 URL", bad port, bad IDNA label
        raise InvalidValue(f"url is not a valid URL ({exc}), got {url[:200]!r}") from None


def scrub_surrogates(text: str) -> str:
    """Lone surrogates (JSON can carry "\\ud800") replaced by U+FFFD: they cannot be encoded or stored."""
    return _SURROGATE.sub("\ufffd", text)


def clean_text(text: str) -> str:
    """NFKC (folds full-width Latin and half-width kana), tidy spaces, keep paragraph breaks."""
    text = unicodedata.normalize("NFKC", scrub_surrogates(text)).replace("\r\n", "\n").replace("\r", "\n")
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
        try:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:  # 9999-12-31T23:59:59-01:00, 0001-01-01T00:00:00+01:00: past datetime's range in UTC
            raise InvalidValue(f"published_at is out of range in UTC: {value.strip()[:60]!r}") from None
    return parsed


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (feed titles and summaries): tags and scripts dropped, entities
    decoded, paragraph breaks kept, then `clean_text`."""
    if "<" in fragment:
        fragment = remove_tags_with_content(remove_comments(fragment), which_ones=("script", "style"))
        fragment = remove_tags(_BREAKS.sub("\n\n", fragment))
    return clean_text(replace_entities(fragment))


def to_utc(value: str, fallback_tz: str = "UTC") -> datetime:
    """A published time (RFC 822, ISO 8601, or a CJK/dotted date) to naive UTC; a time without an
    offset is read in `fallback_tz` (the outlet's zone)."""
    parsed = _parse_time(value.strip())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(fallback_tz))
    try:
        return parsed.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:
        raise InvalidValue(f"published time is out of range in UTC: {value.strip()[:60]!r}") from None


def _parse_time(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    if re.search(r"\d{4}", text):  # dateutil fills a missing year from today: demand one
        try:
            return dateutil_parser.parse(text, tzinfos=_ZONE_ABBREVIATIONS)
        except (ValueError, OverflowError):
            pass
    try:
        return parsedate_to_datetime(text)
    except (ValueError, TypeError, IndexError):
        pass
    match = _CJK_DATE.search(text)
    if not match:
        raise InvalidValue(f"published time is not a date Tremor can read: {text[:60]!r}")
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
    if hour < 12 and ("오후" in text or "午後" in text):
        hour += 12
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError as exc:
        raise InvalidValue(f"published time is not a valid date: {text[:60]!r}") from exc
