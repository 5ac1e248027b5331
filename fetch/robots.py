"""robots.txt, read once per origin per client with urllib.robotparser.

A missing robots.txt (404, other 4xx) allows everything; 401/403 disallow everything (as the standard
library's reader does); one that cannot be read at all (5xx after retries, timeout) disallows the
origin's pages for this run, and the reason says so."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from fetch.errors import FetchError, HTTPStatusFailure, RobotsDisallowed


class RobotsCache:
    def __init__(self, fetch_text: Callable[[str], str], user_agent: str):
        self._fetch_text = fetch_text
        self._agent = user_agent
        self._parsers: dict[str, tuple[RobotFileParser, str | None]] = {}

    def check(self, url: str) -> None:
        """Raise RobotsDisallowed unless robots.txt lets our user agent fetch `url`."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._parsers:
            self._parsers[origin] = self._load(origin)
        parser, problem = self._parsers[origin]
        if not parser.can_fetch(self._agent, url):
            raise RobotsDisallowed(problem or f"disallowed by {origin}/robots.txt for user agent "
                                   f"{self._agent.split('/')[0]!r}")

    def _load(self, origin: str) -> tuple[RobotFileParser, str | None]:
        parser = RobotFileParser(f"{origin}/robots.txt")
        try:
            parser.parse(self._fetch_text(f"{origin}/robots.txt").splitlines())
        except HTTPStatusFailure as exc:
            parser.disallow_all = exc.status in (401, 403)
            parser.allow_all = not parser.disallow_all
            return parser, f"{origin}/robots.txt answered HTTP {exc.status}: pages not fetched"
        except FetchError as exc:
            parser.disallow_all = True
            return parser, f"{origin}/robots.txt could not be read ({exc}): pages not fetched this run"
        return parser, None
