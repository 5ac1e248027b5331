"""The HTTP client against a real local server: retries, caps, redirects, refusals, robots, 304, pacing."""

import gzip
import re
import time

import pytest
from werkzeug import Response

from fetch.client import Validators
from fetch.errors import HTTPStatusFailure, RefusedURL, RetriesExhausted, RobotsDisallowed, TooLarge, TooManyRedirects
from fetch.guard import is_public
from tests.fetch.conftest import make_client


def test_get_sends_the_user_agent_and_returns_body_and_validators(server, client):
    server.expect_request("/feed", headers={"User-Agent": "TremorTest/1.0"}).respond_with_data(
        b"<rss/>", content_type="application/rss+xml", headers={"ETag": '"v1"', "Last-Modified": "Sat, 26 Jul 2025 10:00:00 GMT"})
    fetched = client.get(server.url_for("/feed"))
    assert (fetched.status, fetched.body, fetched.etag) == (200, b"<rss/>", '"v1"')
    assert fetched.last_modified == "Sat, 26 Jul 2025 10:00:00 GMT" and fetched.content_type == "application/rss+xml"


def test_a_500_then_a_200_is_retried_and_succeeds(server, client):
    server.expect_oneshot_request("/flaky").respond_with_data("down", status=500)
    server.expect_request("/flaky").respond_with_data("up")
    fetched = client.get(server.url_for("/flaky"))
    assert fetched.body == b"up" and fetched.attempts == 2
    assert len(server.log) == 2


def test_429_honours_retry_after_and_404_is_not_retried(server, client):
    server.expect_oneshot_request("/busy").respond_with_data("slow down", status=429, headers={"Retry-After": "0"})
    server.expect_request("/busy").respond_with_data("ok")
    assert client.get(server.url_for("/busy")).body == b"ok"
    server.expect_request("/gone").respond_with_data("no", status=404)
    with pytest.raises(HTTPStatusFailure, match="HTTP 404") as error:
        client.get(server.url_for("/gone"))
    assert error.value.status == 404
    assert sum(1 for request, _ in server.log if request.path == "/gone") == 1


def test_persistent_5xx_ends_in_retries_exhausted(server, client):
    server.expect_request("/down").respond_with_data("no", status=503)
    with pytest.raises(RetriesExhausted, match="HTTP 503 on each of 3 attempts"):
        client.get(server.url_for("/down"))
    assert len(server.log) == 3


def test_a_timeout_is_retried_then_reported(server):
    calls = []

    def slow(request):
        calls.append(time.monotonic())
        time.sleep(1.0)
        return Response("late")

    server.expect_request("/slow").respond_with_handler(slow)
    with make_client(timeout_s=0.2, retries=1) as client:
        started = time.monotonic()
        with pytest.raises(RetriesExhausted, match="timed out"):
            client.get(server.url_for("/slow"))
    assert time.monotonic() - started < 1.5
    assert len(calls) == 2  # the first attempt and one retry


def test_a_50_mb_body_is_abandoned_at_the_cap_while_streaming(server, client):
    chunk = b"x" * 65536

    def huge(request):
        return Response((chunk for _ in range(800)), content_type="application/rss+xml")  # 50 MiB, no length

    server.expect_request("/huge").respond_with_handler(huge)
    started = time.monotonic()
    with pytest.raises(TooLarge, match="reading stopped"):
        client.get(server.url_for("/huge"))
    assert time.monotonic() - started < 5


def test_a_declared_50_mb_body_is_not_read(server, client):
    def declared(request):
        return Response((b"x" * 65536 for _ in range(800)), headers={"Content-Length": str(800 * 65536)})

    server.expect_request("/declared").respond_with_handler(declared)
    with pytest.raises(TooLarge, match="Content-Length"):
        client.get(server.url_for("/declared"))


def test_the_cap_counts_decompressed_bytes(server, client):
    bomb = gzip.compress(b"\0" * 20_000_000)  # ~20 kB on the wire
    server.expect_request("/bomb").respond_with_data(bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(TooLarge):
        client.get(server.url_for("/bomb"))


def test_a_redirect_loop_stops_at_the_limit(server, client):
    server.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    server.expect_request("/b").respond_with_data("", status=301, headers={"Location": "/a"})
    with pytest.raises(TooManyRedirects, match="redirect loop"):
        client.get(server.url_for("/a"))
    assert len(server.log) == 5  # the first request and max_redirects=4 more


def test_redirects_are_followed_and_the_final_url_reported(server, client):
    server.expect_request("/old").respond_with_data("", status=308, headers={"Location": "/new"})
    server.expect_request("/new").respond_with_data("here")
    fetched = client.get(server.url_for("/old"))
    assert fetched.body == b"here" and fetched.final_url == server.url_for("/new") and fetched.url == server.url_for("/old")


def test_file_and_other_schemes_are_refused_also_after_a_redirect(server, client):
    with pytest.raises(RefusedURL, match="only http and https"):
        client.get("file:///etc/passwd")
    for broken in ("http://127.0.0.1:99999/feed", "http://[::1/feed", "http:///feed"):
        with pytest.raises(RefusedURL):
            client.get(broken)
    server.expect_request("/to-file").respond_with_data("", status=302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(RefusedURL, match="only http and https"):
        client.get(server.url_for("/to-file"))


def test_private_addresses_are_refused_without_a_request(server):
    server.expect_request("/feed").respond_with_data("secret")
    with make_client(allow_private_hosts=False) as client:
        for url in (server.url_for("/feed"), f"http://localhost:{server.port}/feed"):
            with pytest.raises(RefusedURL, match="non-public address"):
                client.get(url)
    assert server.log == []


def test_a_redirect_to_a_private_address_is_refused(server, monkeypatch):
    """The first hop's host is made to look public to the guard (its resolver is replaced, not the
    HTTP client); the redirect target, 127.0.0.1, is then checked on its own and refused."""
    from fetch import guard

    real = guard._addresses
    monkeypatch.setattr(guard, "_addresses", lambda host, port: {"93.184.216.34"} if host == "localhost" else real(host, port))
    server.expect_request("/hop").respond_with_data("", status=302, headers={"Location": server.url_for("/inside")})
    server.expect_request("/inside").respond_with_data("metadata")
    with make_client(allow_private_hosts=False) as client:
        with pytest.raises(RefusedURL, match="127.0.0.1"):
            client.get(f"http://localhost:{server.port}/hop")
    assert [request.path for request, _ in server.log] == ["/hop"]


@pytest.mark.parametrize("address, public", [
    ("127.0.0.1", False), ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.1.1", False),
    ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("224.0.0.1", False),
    ("::1", False), ("fe80::1", False), ("fc00::1", False), ("::ffff:127.0.0.1", False),
    ("93.184.216.34", True), ("2606:2800:220:1::1", True)])
def test_address_classification(address, public):
    assert is_public(address) is public


# IPv6 transition forms that carry a private or loopback IPv4 address, each next to the same form of a
# public address where that form is otherwise allowed.
TRANSITION_FORMS = [
    ("2002:7f00:1::", "6to4", "127.0.0.1"),  # 6to4 of 127.0.0.1 (2002::/16)
    ("2002:a9fe:a9fe::1", "6to4", "169.254.169.254"),
    ("2002:c0a8:101::", "6to4", "192.168.1.1"),
    ("::ffff:7f00:1", "IPv4-mapped", "127.0.0.1"),  # ::ffff:0:0/96
    ("::ffff:10.0.0.1", "IPv4-mapped", "10.0.0.1"),
    ("::7f00:1", "IPv4-compatible", "127.0.0.1"),  # ::/96
    ("::a00:1", "IPv4-compatible", "10.0.0.1"),
    ("64:ff9b::7f00:1", "NAT64", "127.0.0.1"),  # 64:ff9b::/96
    ("64:ff9b::a9fe:a9fe", "NAT64", "169.254.169.254"),
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", "Teredo", "127.0.0.1"),  # 2001::/32, client bits inverted
]


@pytest.mark.parametrize("address, form, ipv4", TRANSITION_FORMS)
def test_ipv6_transition_forms_of_private_addresses_are_not_public(address, form, ipv4):
    import ipaddress

    from fetch.guard import embedded_ipv4

    assert embedded_ipv4(ipaddress.ip_address(address)) == (form, ipaddress.IPv4Address(ipv4))
    assert is_public(address) is False


@pytest.mark.parametrize("address", ["2002:5db8:d822::1", "::ffff:93.184.216.34"])
def test_transition_forms_of_public_addresses_stay_public(address):
    assert is_public(address) is True


@pytest.mark.parametrize("address, form, ipv4", TRANSITION_FORMS)
def test_urls_naming_a_transition_form_of_a_private_address_are_refused_before_any_request(address, form, ipv4):
    from fetch.guard import check_url

    with pytest.raises(RefusedURL, match=rf"non-public address \S+ \({form} form of {re.escape(ipv4)}\)"):
        check_url(f"http://[{address}]/", allow_private=False)


def test_the_client_refuses_the_6to4_form_of_loopback_without_connecting(server):
    """The local server listens on 127.0.0.1; its 6to4 form must not reach it (or anything)."""
    with make_client(allow_private_hosts=False, retries=0) as client:
        with pytest.raises(RefusedURL, match="6to4 form of 127.0.0.1"):
            client.get(f"http://[2002:7f00:1::]:{server.port}/")
    assert server.log == []


def test_conditional_get_sends_validators_and_reports_304(server, client):
    server.expect_request("/feed", headers={"If-None-Match": '"v1"'}).respond_with_data("", status=304)
    server.expect_request("/feed").respond_with_data(b"<rss/>", headers={"ETag": '"v1"'})
    first = client.get(server.url_for("/feed"))
    second = client.get(server.url_for("/feed"), Validators(etag=first.etag, last_modified=None))
    assert not first.not_modified and second.not_modified and second.body == b""
    request = server.log[-1][0]
    assert request.headers["If-None-Match"] == '"v1"'


def test_robots_txt_is_respected_for_pages_and_read_once(server, client):
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /private/\n",
                                                          content_type="text/plain")
    server.expect_request("/news/1").respond_with_data("<html>ok</html>")
    server.expect_request("/private/1").respond_with_data("<html>secret</html>")
    assert client.get(server.url_for("/news/1"), respect_robots=True).body == b"<html>ok</html>"
    with pytest.raises(RobotsDisallowed, match="robots.txt"):
        client.get(server.url_for("/private/1"), respect_robots=True)
    assert client.get(server.url_for("/private/1")).status == 200  # feeds and APIs do not consult robots.txt
    paths = [request.path for request, _ in server.log]
    assert paths.count("/robots.txt") == 1 and paths.count("/private/1") == 1


def test_a_missing_robots_txt_allows_and_an_unreadable_one_disallows(server, client):
    server.expect_request("/robots.txt").respond_with_data("", status=404)
    server.expect_request("/page").respond_with_data("<html/>")
    assert client.get(server.url_for("/page"), respect_robots=True).status == 200
    server.clear()
    server.expect_request("/robots.txt").respond_with_data("", status=503)
    with make_client() as fresh:
        with pytest.raises(RobotsDisallowed, match="could not be read"):
            fresh.get(server.url_for("/page"), respect_robots=True)


def test_requests_to_one_host_are_spaced(server):
    server.expect_request("/t").respond_with_data("ok")
    with make_client(min_host_interval_s=0.3) as client:
        started = time.monotonic()
        for _ in range(3):
            client.get(server.url_for("/t"))
        assert time.monotonic() - started >= 0.6


@pytest.mark.parametrize("errno, attempts", [(-2, 1), (-3, 4)])  # EAI_NONAME: not retried; EAI_AGAIN: retried
def test_a_host_that_does_not_resolve_is_not_retried_but_a_temporary_failure_is(monkeypatch, errno, attempts):
    """No name is resolved: the guard's resolver is replaced by one that fails as getaddrinfo does."""
    import socket

    from fetch import guard
    from fetch.errors import UnresolvedHost

    assert errno == (socket.EAI_NONAME if attempts == 1 else socket.EAI_AGAIN)
    calls = []

    def failing(host, port, type=0):
        calls.append(host)
        raise socket.gaierror(errno, "Name or service not known" if attempts == 1 else "Temporary failure")

    monkeypatch.setattr(guard.socket, "getaddrinfo", failing)
    with make_client(allow_private_hosts=False, backoff_s=0.0, retries=3) as client:
        with pytest.raises(UnresolvedHost if attempts == 1 else RetriesExhausted, match="cannot resolve host"):
            client.get("http://feeds.tremor-test.invalid/rss")
    assert len(calls) == attempts
