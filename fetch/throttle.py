"""Per-host rate limit: at least `interval` seconds between the starts of two requests to one host,
across the threads of one process (tasks fetching different outlets run concurrently)."""

from __future__ import annotations

import threading
import time


class HostThrottle:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}

    def wait(self, host: str, interval: float) -> float:
        """Sleep until this host's next slot; return the seconds slept."""
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next.get(host, now))
            self._next[host] = slot + interval
        delay = slot - now
        if delay > 0:
            time.sleep(delay)
        return delay


SHARED = HostThrottle()  # the process-wide limiter HttpClient uses unless given its own
