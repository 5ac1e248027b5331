"""Article pages (bytes fetched by `fetch/`) to text: the charset decoded right, the main text extracted."""

from __future__ import annotations

from dataclasses import dataclass

import trafilatura
from charset_normalizer import from_bytes
from w3lib.encoding import html_to_unicode

HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class PageText:
    title: str
    text: str
    published: str | None  # the page's own date (metadata), as found


def is_html(content_type: str | None) -> bool:
    """True for HTML, and for a missing content type (the bytes will tell)."""
    return not content_type or content_type.split(";")[0].strip().lower() in HTML_TYPES


def decode_html(body: bytes, content_type: str | None) -> str:
    """Decode as browsers do: BOM, then the HTTP charset, then <meta charset>, then a statistical guess.
    Legacy labels map to their supersets (EUC-KR → CP949, Shift_JIS → CP932), as in the WHATWG spec."""
    _, text = html_to_unicode(content_type, body, auto_detect_fun=_guess_encoding)
    return text


def _guess_encoding(body: bytes) -> str | None:
    best = from_bytes(body[:65536]).best()
    return best.encoding if best else None


def extract_page(html: str, url: str) -> PageText | None:
    """The main text of an article page (trafilatura), or None when none is found."""
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                      include_tables=False, favor_precision=True)
    if doc is None or not (doc.text or "").strip():
        return None
    return PageText(title=doc.title or "", text=doc.text, published=doc.date)
