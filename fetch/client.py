"""The one HTTP client of ingestion.

- timeouts per phase and a total deadline per response;
- retries with exponential backoff (tenacity) on transient errors only: connection errors, timeouts,
  5xx and 429 (honouring Retry-After); other statuses fail at once;
- conditional GET: ETag / Last-Modified sent back, 304 reported as not modified;
- a minimum interval between requests to one host; a user agent naming the bot;
- the body streamed and abandoned past `max_bytes` (counted after decompression, so gzip bombs stop too);
- redirects followed by hand, at most `max_redirects`, each hop checked like the first (scheme, address);
- robots.txt checked for page fetches.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from fetch.errors import (
    FetchError,
    HTTPStatusFailure,
    RefusedURL,
    RetriesExhausted,
    TooLarge,
    TooManyRedirects,
    TooSlow,
    TransientStatus,
)
from fetch.guard import check_url
from fetch.robots import RobotsCache
from fetch.throttle import SHARED, HostThrottle

DEFAULT_USER_AGENT = "TremorBot/0.1 (press-sentiment research monitor)"
REDIRECTS = (301, 302, 303, 307, 308)
_TRANSIENT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError, TransientStatus)


@dataclass(frozen=True)
class ClientConfig:
    user_agent: str = DEFAULT_USER_AGENT
    timeout_s: float = 20.0  # connect, read (between bytes), write and pool timeouts
    total_timeout_s: float = 60.0  # the whole response, redirects and retries excluded
    retries: int = 3  # further attempts after a transient failure
    backoff_s: float = 1.0  # first backoff; doubles per attempt
    max_backoff_s: float = 30.0  # also the cap on Retry-After
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    min_host_interval_s: float = 1.0
    host_intervals: tuple[tuple[str, float], ...] = ()  # (host, seconds) overrides, e.g. GDELT's 5 s
    allow_private_hosts: bool = False
    max_robots_bytes: int = 500_000


@dataclass(frozen=True)
class Validators:
    """What a server said about the version we hold: sent back for a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Fetched:
    url: str
    final_url: str
    status: int  # 200, or 304 when not modified
    body: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None
    elapsed_ms: int
    attempts: int = 1

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass
class _Hop:
    status: int
    headers: httpx.Headers
    body: bytes = b""
    location: str | None = None
    attempts: int = field(default=1)


class HttpClient:
    def __init__(self, config: ClientConfig = ClientConfig(), throttle: HostThrottle | None = None):
        self.config = config
        self._throttle = throttle or SHARED
        self._intervals = dict(config.host_intervals)
        self._http = httpx.Client(timeout=httpx.Timeout(config.timeout_s), follow_redirects=False,
                                  headers={"User-Agent": config.user_agent})
        self._robots = RobotsCache(self._robots_text, config.user_agent)

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def get(self, url: str, validators: Validators | None = None, respect_robots: bool = False,
            max_bytes: int | None = None) -> Fetched:
        """GET `url`, following redirects; raise a FetchError subclass when no usable response comes."""
        started = time.monotonic()
        headers = _conditional_headers(validators)
        current = url
        for _ in range(self.config.max_redirects + 1):
            if respect_robots:
                self._robots.check(current)
            hop = self._with_retries(current, headers, max_bytes or self.config.max_bytes)
            if hop.location is None:
                return Fetched(url, current, hop.status, hop.body, hop.headers.get("content-type"),
                               hop.headers.get("etag"), hop.headers.get("last-modified"),
                               int((time.monotonic() - started) * 1000), hop.attempts)
            current = hop.location
        raise TooManyRedirects(f"more than {self.config.max_redirects} redirects from {url} (last to {current}); "
                               "a redirect loop?")

    def _robots_text(self, robots_url: str) -> str:
        fetched = self.get(robots_url, max_bytes=self.config.max_robots_bytes)
        return fetched.body.decode("utf-8", errors="replace")

    def _with_retries(self, url: str, headers: Mapping[str, str], max_bytes: int) -> _Hop:
        retrying = Retrying(stop=stop_after_attempt(self.config.retries + 1), wait=self._wait,
                            retry=retry_if_exception(lambda exc: isinstance(exc, _TRANSIENT_ERRORS)), reraise=True)
        try:
            hop = retrying(self._attempt, url, headers, max_bytes)
        except TransientStatus as exc:
            raise RetriesExhausted(f"HTTP {exc.status} on each of {self.config.retries + 1} attempts: {url}",
                                   exc.status) from exc
        except httpx.TimeoutException as exc:
            raise RetriesExhausted(f"timed out ({self.config.timeout_s:g} s) on each of {self.config.retries + 1} "
                                   f"attempts: {url}") from exc
        except httpx.TransportError as exc:
            raise RetriesExhausted(f"connection failed on each of {self.config.retries + 1} attempts: {url}: "
                                   f"{exc or type(exc).__name__}") from exc
        hop.attempts = retrying.statistics.get("attempt_number", 1)
        return hop

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, TransientStatus) and error.retry_after is not None:
            return min(error.retry_after, self.config.max_backoff_s)
        return wait_exponential(multiplier=self.config.backoff_s, max=self.config.max_backoff_s)(state)

    def _attempt(self, url: str, headers: Mapping[str, str], max_bytes: int) -> _Hop:
        check_url(url, self.config.allow_private_hosts)
        host = urlsplit(url).hostname or ""
        self._throttle.wait(host, self._intervals.get(host, self.config.min_host_interval_s))
        deadline = time.monotonic() + self.config.total_timeout_s
        try:
            with self._http.stream("GET", url, headers=headers) as response:
                return self._read(url, response, max_bytes, deadline)
        except httpx.InvalidURL as exc:
            raise RefusedURL(f"refused {url[:200]!r}: {exc}") from exc
        except (httpx.DecodingError, httpx.UnsupportedProtocol, httpx.LocalProtocolError) as exc:
            raise FetchError(f"unusable response from {url}: {exc}") from exc

    def _read(self, url: str, response: httpx.Response, max_bytes: int, deadline: float) -> _Hop:
        status = response.status_code
        if status in REDIRECTS and response.headers.get("location"):
            return _Hop(status, response.headers, location=urljoin(url, response.headers["location"]))
        if status >= 500 or status == 429:
            raise TransientStatus(status, _retry_after(response.headers.get("retry-after")))
        if status == 304:
            return _Hop(status, response.headers)
        if status >= 300:
            raise HTTPStatusFailure(f"HTTP {status} from {url}", status)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise TooLarge(f"response of {int(declared):,} bytes (Content-Length) exceeds the cap of "
                           f"{max_bytes:,}: not read", status)
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise TooLarge(f"response exceeds the cap of {max_bytes:,} bytes: reading stopped", status)
            if time.monotonic() > deadline:
                raise TooSlow(f"response took longer than {self.config.total_timeout_s:g} s: {url}", status)
            chunks.append(chunk)
        return _Hop(status, response.headers, b"".join(chunks))


def _conditional_headers(validators: Validators | None) -> dict[str, str]:
    headers = {}
    if validators and validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators and validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    return headers


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
