"""A real HTTP server on 127.0.0.1 (pytest-httpserver, threaded), and a client configured for it."""

import pytest
from pytest_httpserver import HTTPServer

from fetch.client import ClientConfig, HttpClient
from fetch.throttle import HostThrottle

# Loopback is a private address: the tests allow it, except where refusal is what they test.
TEST_CONFIG = ClientConfig(user_agent="TremorTest/1.0", timeout_s=2.0, total_timeout_s=10.0, retries=2,
                           backoff_s=0.01, max_backoff_s=0.05, max_bytes=1_000_000, max_redirects=4,
                           min_host_interval_s=0.0, allow_private_hosts=True)


@pytest.fixture
def server():
    srv = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    srv.start()
    yield srv
    srv.clear()
    if srv.is_running():
        srv.stop()


@pytest.fixture
def client():
    with HttpClient(TEST_CONFIG, throttle=HostThrottle()) as http:
        yield http


def make_client(**changes) -> HttpClient:
    from dataclasses import replace

    return HttpClient(replace(TEST_CONFIG, **changes), throttle=HostThrottle())
