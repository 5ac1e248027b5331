"""Secrets kept out of error messages, before any message is stored or logged.

A receiver may echo any part of what it was sent (`Cannot POST /hooks/<token>`), percent-encoded or
not, and an SMTP server may echo the AUTH line; so every part of a webhook URL that could carry a
token (userinfo, each path segment, each query value, the fragment) is hidden, and an SMTP password
in the forms SMTP AUTH sends it (plain, base64 alone for LOGIN, base64 of the PLAIN string).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, quote, unquote, urlsplit

HIDDEN = "<redacted>"
MIN_CHARS = 4  # shorter parts ('v1', 'api') carry no secret worth the garbled message


def url_secrets(url: str) -> tuple[str, ...]:
    """The parts of a webhook URL that may carry its token, each also percent-encoded and decoded."""
    try:
        parts = urlsplit(url)
        userinfo = parts.netloc.rpartition("@")[0]
    except ValueError:  # not a URL at all: the whole string is the secret
        return _forms([url])
    pieces = [url, parts.path, parts.query, parts.fragment, userinfo, *userinfo.split(":"), *parts.path.split("/")]
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        pieces += [value, f"{key}={value}"]
    return _forms(pieces)


def password_secrets(username: str | None, password: str | None) -> tuple[str, ...]:
    """An SMTP password as typed and as AUTH LOGIN / AUTH PLAIN encode it."""
    if not password:
        return ()
    user = username or ""
    encoded = [base64.b64encode(text.encode()).decode() for text in
               (password, f"\0{user}\0{password}", f"{user}\0{user}\0{password}")]
    return _forms([password, *encoded], min_chars=1)


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every occurrence of each secret (any case) replaced, longest secrets first."""
    ordered = sorted(set(secrets), key=len, reverse=True)
    if not ordered or not text:
        return text
    return re.sub("|".join(re.escape(s) for s in ordered), HIDDEN, text, flags=re.IGNORECASE)


def _forms(pieces: Iterable[str], min_chars: int = MIN_CHARS) -> tuple[str, ...]:
    forms = {form for piece in pieces for form in (piece, unquote(piece), quote(piece, safe=""), quote(piece))}
    return tuple(sorted((f for f in forms if len(f) >= min_chars), key=len, reverse=True))
