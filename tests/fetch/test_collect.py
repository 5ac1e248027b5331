"""Feeds and pages collected from a real local server: every hostile or broken input ends as a
fetch_log entry (or, per item, a quarantine reason), and the other URLs go on."""

import time

import pytest
from werkzeug import Response

from fetch.client import Validators
from fetch.collect import Harvest, collect_feed, collect_page, collect_pages
from pipeline.clean import clean_items
from pipeline.sources import Source
from pipeline.validate import Limits
from tests.fetch.conftest import make_client
from tests.fetch.feeds import BILLION_LAUGHS, HTML_PAGE, JA_BODY, KO_BODY, MALFORMED, TRUNCATED, page, pub_date, rss

RSS = "application/rss+xml"


def collect_feeds(client, source: Source) -> Harvest:
    """Every feed of the outlet in turn, as the fetch flow runs them (one `collect_feed` per feed)."""
    found = [collect_feed(client, source.name, url, None) for url in source.feeds]
    return Harvest(tuple(item for items, _ in found for item in items), tuple(entry for _, entry in found))


def good_feed() -> bytes:
    return rss([{"title": "Japan and Korea resume talks", "link": "http://example.invalid/1",
                 "description": "Seoul and Tokyo agreed.", "pubDate": pub_date()}])


@pytest.mark.parametrize("body, content_type, outcome, reason", [
    (HTML_PAGE, "text/html", "rejected", "HTML page"),
    (BILLION_LAUGHS, RSS, "rejected", "billion-laughs"),
    (TRUNCATED, RSS, "rejected", "malformed XML"),
    (MALFORMED, RSS, "fetched", "malformed XML"),
])
def test_bad_feeds_are_logged_with_the_reason(server, client, body, content_type, outcome, reason):
    server.expect_request("/feed").respond_with_data(body, content_type=content_type)
    started = time.monotonic()
    items, entry = collect_feed(client, "Outlet", server.url_for("/feed"), None)
    assert time.monotonic() - started < 2
    assert entry.outcome == outcome and reason in entry.reason and entry.status == 200
    assert entry.bytes == len(body) and entry.items == len(items)
    assert (len(items) > 0) == (outcome == "fetched")


def test_transport_failures_are_logged_and_the_next_feed_is_fetched(server):
    chunk = b"<" * 65536
    server.expect_request("/huge").respond_with_handler(lambda r: Response((chunk for _ in range(800)), content_type=RSS))
    server.expect_request("/loop").respond_with_data("", status=302, headers={"Location": "/loop"})
    server.expect_request("/slow").respond_with_handler(lambda r: time.sleep(1) or Response("late"))
    server.expect_oneshot_request("/flaky").respond_with_data("oops", status=500)
    server.expect_request("/flaky").respond_with_data(good_feed(), content_type=RSS)
    server.expect_request("/missing").respond_with_data("not here", status=404)
    source = Source("Outlet", "JP", "en", feeds=tuple(server.url_for(p) for p in
                                                      ("/huge", "/loop", "/slow", "/flaky", "/missing")))
    with make_client(timeout_s=0.3, retries=1) as client:
        harvest = collect_feeds(client, source)
    outcomes = {entry.url.rsplit("/", 1)[1]: (entry.outcome, entry.reason, entry.status) for entry in harvest.log}
    assert outcomes["huge"][0] == "rejected" and "exceeds the cap" in outcomes["huge"][1]
    assert outcomes["loop"][0] == "failed" and "redirect loop" in outcomes["loop"][1]
    assert outcomes["slow"][0] == "failed" and "timed out" in outcomes["slow"][1]
    assert outcomes["flaky"] == ("fetched", None, 200)
    assert outcomes["missing"] == ("failed", f"HTTP 404 from {server.url_for('/missing')}", 404)
    assert [item.url for item in harvest.items] == ["http://example.invalid/1"]


def test_an_unchanged_feed_is_not_modified_and_keeps_its_validators(server, client):
    server.expect_request("/feed", headers={"If-None-Match": '"v1"'}).respond_with_data("", status=304)
    items, entry = collect_feed(client, "Outlet", server.url_for("/feed"), Validators('"v1"', "Sat, 26 Jul 2025 10:00:00 GMT"))
    assert items == [] and entry.outcome == "not_modified" and entry.status == 304
    assert (entry.etag, entry.last_modified) == ('"v1"', "Sat, 26 Jul 2025 10:00:00 GMT")


def test_items_without_a_date_or_link_are_rejected_with_their_reason(server, client):
    from datetime import UTC, datetime

    server.expect_request("/feed").respond_with_data(rss([
        {"title": "Japan protests", "description": "No link here", "pubDate": pub_date()},
        {"title": "Korea responds", "link": "http://example.invalid/nd", "description": "No date here"},
        {"title": "Tokyo and Seoul talk", "link": "http://example.invalid/ok", "pubDate": pub_date()}]), content_type=RSS)
    items, entry = collect_feed(client, "Outlet", server.url_for("/feed"), None)
    cleaned = clean_items(items, {}, Limits(), datetime.now(UTC).replace(tzinfo=None))
    assert entry.items == 3 and [a.url for a in cleaned.articles] == ["http://example.invalid/ok"]
    assert [(r.line_no, r.reason) for r in cleaned.rejected] == [
        (1, "feed item has no link"), (2, "feed item has no publication date")]
    assert all(r.source_file == server.url_for("/feed") for r in cleaned.rejected)


@pytest.mark.parametrize("name, body, encoding, header", [
    ("ko-header", KO_BODY, "euc-kr", "text/html; charset=EUC-KR"),
    ("ko-meta", KO_BODY, "euc-kr", "text/html"),
    ("ja-header", JA_BODY, "shift_jis", "text/html; charset=Shift_JIS"),
    ("ja-meta", JA_BODY, "shift_jis", "text/html"),
])
def test_pages_in_legacy_encodings_are_decoded_right(server, client, name, body, encoding, header):
    from tests.pipeline.test_neardup import article

    nav = "메뉴 바로가기" if encoding == "euc-kr" else "メニューへ移動"
    html = page("한일 관계" if encoding == "euc-kr" else "日韓関係", body, charset_meta=encoding if "meta" in name else None,
                nav=nav)
    codec = "cp949" if encoding == "euc-kr" else "cp932"  # what the legacy labels mean on the web
    server.expect_request("/robots.txt").respond_with_data("not found", status=404)
    server.expect_request(f"/{name}").respond_with_data(html.encode(codec), content_type=header)
    stub = article("Outlet", "summary only", title="t")
    stub = type(stub)(**{**stub.__dict__, "url": server.url_for(f"/{name}")})
    updated, entry = collect_page(client, "Outlet", stub)
    assert entry.outcome == "fetched" and entry.items == 1
    rare = "똠방각하" if encoding == "euc-kr" else "髙橋"
    assert rare in updated.text and body[:20] in updated.text and nav not in updated.text
    assert updated.lang == ("ko" if encoding == "euc-kr" else "ja")


def test_page_problems_keep_the_summary(server, client):
    from tests.pipeline.test_neardup import article

    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /private/\n")
    server.expect_request("/private/1").respond_with_data(page("t", JA_BODY))
    server.expect_request("/doc.pdf").respond_with_data(b"%PDF-1.4", content_type="application/pdf")
    server.expect_request("/empty").respond_with_data("<html><body></body></html>", content_type="text/html")
    stub = article("Outlet", "summary only", title="t")
    stubs = [type(stub)(**{**stub.__dict__, "url": server.url_for(p)}) for p in ("/private/1", "/doc.pdf", "/empty", "/x")]
    pages = collect_pages(client, "Outlet", stubs, limit=3)
    assert [a.text for a in pages.articles] == ["summary only"] * 4
    reasons = [(e.outcome, e.reason) for e in pages.log]
    assert reasons[0][0] == "skipped" and "robots.txt" in reasons[0][1]
    assert reasons[1][0] == "skipped" and "not an HTML page" in reasons[1][1]
    assert reasons[2] == ("fetched", "no article text found; feed summary kept")
    assert reasons[3][0] == "skipped" and "page limit" in reasons[3][1]
    assert "/private/1" not in [request.path for request, _ in server.log]


def test_an_empty_feed_costs_its_outlets_other_feed_nothing(server, client):
    """One outlet, two feeds: the first answers 200 with an empty body, the second is good. Each has
    its own fetch_log entry (its own URL, outcome and reason) and the good one's items are kept."""
    server.expect_request("/empty.xml").respond_with_data(b"", content_type=RSS)
    server.expect_request("/good.xml").respond_with_data(good_feed(), content_type=RSS)
    source = Source("Outlet", "JP", "en", feeds=(server.url_for("/empty.xml"), server.url_for("/good.xml")))
    harvest = collect_feeds(client, source)
    assert [item.url for item in harvest.items] == ["http://example.invalid/1"]
    assert [(e.url, e.outcome, e.status, e.items) for e in harvest.log] == [
        (server.url_for("/empty.xml"), "rejected", 200, 0), (server.url_for("/good.xml"), "fetched", 200, 1)]
    assert harvest.log[0].reason == "empty response body (0 bytes): not a feed"
