"""Named fetch errors. Each carries the fetch_log outcome it maps to and a message that says why."""

from __future__ import annotations


class FetchError(Exception):
    """A request that produced no usable response."""

    outcome = "failed"

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class RefusedURL(FetchError):
    """Not requested: a scheme other than http(s), or a host on a private, loopback or link-local
    address (set `sources.fetch.allow_private_hosts` only for a trusted internal mirror or tests)."""

    outcome = "skipped"


class RobotsDisallowed(FetchError):
    """Not requested: the site's robots.txt disallows it for our user agent (or could not be read)."""

    outcome = "skipped"


class TooLarge(FetchError):
    """The body exceeded `sources.fetch.max_bytes`; reading stopped there."""

    outcome = "rejected"


class TooSlow(FetchError):
    """The whole response took longer than `sources.fetch.total_timeout_s` (a slow-drip server)."""


class TooManyRedirects(FetchError):
    """More redirects than `sources.fetch.max_redirects` (or a redirect loop)."""


class HTTPStatusFailure(FetchError):
    """A status that retrying will not change (404, 403, 410, ...)."""


class UnresolvedHost(FetchError):
    """A host name the resolver says does not exist (not a temporary failure): not retried within the run, so a
    machine without DNS (offline, a typo in a feed URL) costs one lookup per URL, not four with backoff."""


class RetriesExhausted(FetchError):
    """Transient failures (timeouts, connection errors, 5xx, 429) on every attempt."""


class TransientStatus(Exception):
    """Internal: a 5xx or 429 answer, worth another attempt (after Retry-After when given)."""

    def __init__(self, status: int, retry_after: float | None):
        super().__init__(f"HTTP {status}")
        self.status, self.retry_after = status, retry_after
