"""fetch_flow end to end under Prefect's test harness, against a local server that serves good, hostile
and broken outlets side by side, into a real DuckDB file; then the daily flow with fetching enabled."""

import json
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from werkzeug import Response

from tests.fetch.feeds import BILLION_LAUGHS, HTML_PAGE, JA_BODY, KO_BODY, MALFORMED, page, rss
from tests.pipeline.test_neardup import WIRE_EN, article
from warehouse.db import connect
from warehouse.store import insert_articles

pytestmark = pytest.mark.slow
RSS = "application/rss+xml"
NOW = datetime.now(UTC)


def when(hours_ago: float) -> str:
    return format_datetime(NOW - timedelta(hours=hours_ago))


def serve_outlets(server) -> str:
    """Serve every outlet; return the registry TOML naming them."""
    url = server.url_for
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /jp/private/\n")
    # Seoul Wire: English wire copy, full text, conditional GET
    seoul = rss([{"title": "Seoul and Tokyo agree on shuttle diplomacy", "link": url("/kr/news/1"),
                  "description": "Japan and South Korea agreed to resume talks.", "pubDate": when(5)}])
    server.expect_request("/kr/feed.xml", headers={"If-None-Match": '"seoul-v1"'}).respond_with_data("", status=304)
    server.expect_request("/kr/feed.xml").respond_with_data(seoul, content_type=RSS, headers={"ETag": '"seoul-v1"'})
    server.expect_request("/kr/news/1").respond_with_data(page("Seoul and Tokyo agree on shuttle diplomacy", WIRE_EN),
                                                          content_type="text/html; charset=utf-8")
    # Tokyo Wire: runs the same wire story later (a syndicated copy), feed summaries only
    tokyo = rss([{"title": "Tokyo, Seoul to resume shuttle diplomacy", "link": url("/jp/wire/9"),
                  "description": WIRE_EN + " (Yonhap)", "pubDate": when(3)}])
    server.expect_request("/jp/feed.xml").respond_with_data(tokyo, content_type=RSS)
    # Hanbit Daily: Korean, EUC-KR page; an irrelevant item; items without link or date
    hanbit = rss([{"title": "한일 정상회담", "link": url("/ko/1"), "description": "일본 정부는 환영했다.", "pubDate": when(6)},
                  {"title": "서울 날씨", "link": url("/ko/2"), "description": "서울은 맑겠습니다.", "pubDate": when(6)},
                  {"title": "링크 없음", "description": "일본", "pubDate": when(6)},
                  {"title": "날짜 없음", "link": url("/ko/4"), "description": "일본"}])
    server.expect_request("/ko/feed.xml").respond_with_data(hanbit, content_type=RSS)
    server.expect_request("/ko/1").respond_with_data(page("한일 정상회담", KO_BODY, "euc-kr").encode("cp949"),
                                                     content_type="text/html; charset=EUC-KR")
    # Kanto Post: Japanese, Shift_JIS page; a page robots.txt disallows
    kanto = rss([{"title": "日韓首脳会談", "link": url("/jp/news/1"), "description": "韓国と協議", "pubDate": when(4)},
                 {"title": "日韓外相会談", "link": url("/jp/private/2"), "description": "韓国外相と会談した", "pubDate": when(4)}])
    server.expect_request("/jpn/feed.xml").respond_with_data(kanto, content_type=RSS)
    server.expect_request("/jp/news/1").respond_with_data(page("日韓首脳会談", JA_BODY, "shift_jis").encode("cp932"),
                                                          content_type="text/html")
    # hostile and broken outlets
    server.expect_request("/bad/malformed.xml").respond_with_data(MALFORMED, content_type=RSS)
    server.expect_request("/bad/html.xml").respond_with_data(HTML_PAGE, content_type="text/html")
    server.expect_request("/bad/laughs.xml").respond_with_data(BILLION_LAUGHS, content_type=RSS)
    server.expect_request("/bad/huge.xml").respond_with_handler(
        lambda r: Response((b"<" * 65536 for _ in range(800)), content_type=RSS))
    server.expect_request("/bad/loop.xml").respond_with_data("", status=302, headers={"Location": "/bad/loop.xml"})
    server.expect_request("/bad/slow.xml").respond_with_handler(lambda r: time.sleep(1.5) or Response("late"))
    server.expect_oneshot_request("/bad/flaky.xml").respond_with_data("oops", status=500)
    server.expect_request("/bad/flaky.xml").respond_with_data(rss([{
        "title": "Japan, Korea hold security talks", "link": url("/flaky/1"),
        "description": "Officials from Japan and Korea met on GSOMIA.", "pubDate": when(2)}]), content_type=RSS)
    # Half Dead: one feed answers 200 with an empty body, the other is good
    server.expect_request("/half/empty.xml").respond_with_data(b"", content_type=RSS)
    server.expect_request("/half/good.xml").respond_with_data(rss([{
        "title": "Japan and Korea sign fisheries pact", "link": url("/half/1"),
        "description": "Tokyo and Seoul signed a fisheries agreement.", "pubDate": when(2)}]), content_type=RSS)
    # a fake GDELT DOC API
    gdelt = {"articles": [{"url": url("/gdelt/1"), "title": "Japan protests Korean drills near Dokdo",
                           "seendate": f"{NOW - timedelta(hours=1):%Y%m%dT%H%M%S}Z", "domain": "tokyowire.example",
                           "language": "English", "sourcecountry": "Japan"}]}
    server.expect_request("/gdelt").respond_with_handler(
        lambda r: Response(json.dumps(gdelt) if "english" in r.args["query"] else "{}", content_type="application/json"))
    outlets = {
        "Seoul Wire": ("KR", "en", "Asia/Seoul", True, ["/kr/feed.xml"]),
        "Tokyo Wire": ("JP", "en", "Asia/Tokyo", False, ["/jp/feed.xml"]),
        "Hanbit Daily": ("KR", "ko", "Asia/Seoul", True, ["/ko/feed.xml"]),
        "Kanto Post": ("JP", "ja", "Asia/Tokyo", True, ["/jpn/feed.xml"]),
        "Broken Outlet": ("US", "en", "America/New_York", False,
                          ["/bad/malformed.xml", "/bad/html.xml", "/bad/laughs.xml", "/bad/huge.xml", "/bad/loop.xml",
                           "/bad/slow.xml", "/bad/flaky.xml"]),
        "Half Dead": ("JP", "en", "Asia/Tokyo", False, ["/half/empty.xml", "/half/good.xml"]),
    }
    lines = []
    for name, (country, lang, zone, full_text, feeds) in outlets.items():
        lines += [f'[sources."{name}"]', f'country = "{country}"', f'lang = "{lang}"', f'timezone = "{zone}"',
                  f"full_text = {str(full_text).lower()}", f"feeds = {json.dumps([url(f) for f in feeds])}"]
        lines += ['domains = ["tokyowire.example"]'] if name == "Tokyo Wire" else []
    return "\n".join(lines) + "\n"


def settings_toml(registry, db, gdelt_url) -> str:
    return f"""db_path = "{db}"
[sources]
registry = "{registry}"
[sources.fetch]
enabled = true
allow_private_hosts = true
timeout_s = 0.5
total_timeout_s = 5
retries = 1
backoff_s = 0.01
max_backoff_s = 0.05
min_host_interval_s = 0
max_bytes = 1000000
[sources.gdelt]
base_url = "{gdelt_url}"
languages = ["english", "korean"]
min_interval_s = 0
[models]
sentiment = "sentiment.lexicon.v1"
"""


@pytest.fixture
def setup(tmp_path, server):
    registry = tmp_path / "sources.toml"
    registry.write_text(serve_outlets(server))
    db = tmp_path / "tremor.duckdb"
    config = tmp_path / "tremor.toml"
    config.write_text(settings_toml(registry, db, server.url_for("/gdelt")))
    stored = article("Old Outlet", "An article stored before any fetching: " + WIRE_EN[:80], hours=-24 * 30)
    with connect(db) as con:
        insert_articles(con, [stored])
        before = con.execute("SELECT * FROM articles").fetchall()
    return config, db, before


def rows(db, sql):
    with connect(db) as con:
        return con.execute(sql).fetchall()


def test_fetch_flow_stores_good_sources_and_logs_every_hostile_one(setup, prefect_harness):
    from flows.fetch import fetch_flow
    from tremor.settings import load_settings

    config, db, before = setup
    settings = load_settings(config)
    yesterday = (NOW - timedelta(days=1)).date()
    report = fetch_flow(settings, yesterday)

    log = {url.rsplit("/", 1)[1]: (kind, outcome, reason or "", status) for url, kind, outcome, reason, status
           in rows(db, "SELECT url, kind, outcome, reason, status FROM fetch_log WHERE kind <> 'gdelt'")}
    assert log["malformed.xml"][1] == "fetched" and "malformed XML" in log["malformed.xml"][2]
    assert log["html.xml"][1:3] == ("rejected", "not an RSS/Atom feed: the response is an HTML page (text/html)")
    assert log["laughs.xml"][1] == "rejected" and "billion-laughs" in log["laughs.xml"][2]
    assert log["huge.xml"][1] == "rejected" and "exceeds the cap of 1,000,000 bytes" in log["huge.xml"][2]
    assert log["loop.xml"][1] == "failed" and "redirect loop" in log["loop.xml"][2]
    assert log["slow.xml"][1] == "failed" and "timed out" in log["slow.xml"][2]
    assert log["flaky.xml"][1:] == ("fetched", "", 200)
    assert log["2"][0:2] == ("page", "skipped") and "robots.txt" in log["2"][2]  # /jp/private/2
    assert log["empty.xml"] == ("feed", "rejected", "empty response body (0 bytes): not a feed", 200)
    assert log["good.xml"] == ("feed", "fetched", "", 200)
    assert rows(db, "SELECT title FROM articles WHERE source = 'Half Dead'") == [("Japan and Korea sign fisheries pact",)]
    assert rows(db, "SELECT count(*) FROM fetch_log WHERE url LIKE '% %'") == [(0,)]  # one URL per row

    quarantined = rows(db, "SELECT reason, line_no FROM quarantine ORDER BY line_no")
    assert ("feed item has no link", 3) in quarantined and ("feed item has no publication date", 4) in quarantined
    assert rows(db, "SELECT source, n_items FROM irrelevant_daily") == [("Hanbit Daily", 1)]

    texts = dict(rows(db, "SELECT source, text FROM articles WHERE source IN ('Hanbit Daily', 'Kanto Post', "
                          "'Seoul Wire') AND title NOT LIKE '%外相%'"))
    assert "똠방각하" in texts["Hanbit Daily"] and "髙橋" in texts["Kanto Post"] and "ninety minutes" in texts["Seoul Wire"]
    assert rows(db, "SELECT text FROM articles WHERE title = '日韓外相会談'") == [("韓国外相と会談した",)]  # robots: summary
    assert rows(db, "SELECT count(*) FROM articles WHERE source = 'Broken Outlet'")[0][0] >= 2  # flaky + malformed
    assert rows(db, "SELECT count(*) FROM articles WHERE source = 'Tokyo Wire'") == [(1,)]  # GDELT; wire copy not stored
    reach = rows(db, "SELECT source, n_copies, n_outlets, copy_sources FROM story_reach WHERE n_copies > 0")
    assert reach == [("Seoul Wire", 1, 2, ["Tokyo Wire"])]
    assert rows(db, "SELECT count(*), sum(items) FROM fetch_log WHERE kind = 'gdelt' AND outcome = 'fetched'") == [(2, 1)]
    assert ("feed item has no publication date", 2) in quarantined  # the malformed feed's unclosed item
    assert report.quarantined == 3 and report.irrelevant == 1 and report.copies == 1 and report.problems >= 6

    with connect(db) as con:
        assert con.execute("SELECT * FROM articles WHERE source = 'Old Outlet'").fetchall() == before

    # a second run: the unchanged feed answers 304, nothing is stored twice, stored rows stay as they were
    counts = rows(db, "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM quarantine), "
                      "(SELECT count(*) FROM story_copies), (SELECT count(*) FROM irrelevant_items)")
    again = fetch_flow(settings, yesterday)
    assert rows(db, "SELECT outcome, status FROM fetch_log WHERE url LIKE '%/kr/feed.xml' ORDER BY fetched_at") == [
        ("fetched", 200), ("not_modified", 304)]
    assert rows(db, "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM quarantine), "
                    "(SELECT count(*) FROM story_copies), (SELECT count(*) FROM irrelevant_items)") == counts
    assert again.new_articles == 0
    with connect(db) as con:
        assert con.execute("SELECT * FROM articles WHERE source = 'Old Outlet'").fetchall() == before


def test_the_daily_flow_fetches_first_when_enabled(setup, prefect_harness, monkeypatch):
    from flows.daily import daily_flow

    monkeypatch.delenv("TREMOR_SOURCES__FETCH__ENABLED", raising=False)  # tests/conftest.py turns it off

    config, db, _ = setup
    day = (NOW - timedelta(hours=5)).date()  # the Seoul Wire story's day
    result = daily_flow(day, config=str(config))
    assert rows(db, "SELECT count(*) FROM fetch_log")[0][0] > 10
    assert result.articles >= 1
    assert rows(db, "SELECT count(*) FROM processed_days WHERE day = ?".replace("?", f"DATE '{day}'"))[0][0] == 1


def test_a_feed_that_crashes_its_task_costs_no_other_feed_its_items(setup, prefect_harness, monkeypatch):
    """An unforeseen parser error (what the empty body used to raise) in one feed's task: that feed gets
    a `failed` row of its own, naming its URL alone; the outlet's other feed is stored."""
    import fetch.collect
    from flows.fetch import fetch_flow
    from tremor.settings import load_settings

    real = fetch.collect.parse_feed

    def parse_or_crash(data, content_type, source, origin):
        if origin.endswith("/half/empty.xml"):
            raise AttributeError("object has no attribute 'version'")
        return real(data, content_type, source, origin)

    monkeypatch.setattr(fetch.collect, "parse_feed", parse_or_crash)
    config, db, _ = setup
    fetch_flow(load_settings(config), (NOW - timedelta(days=1)).date())
    assert rows(db, "SELECT title FROM articles WHERE source = 'Half Dead'") == [("Japan and Korea sign fisheries pact",)]
    half = rows(db, "SELECT url, outcome, reason FROM fetch_log WHERE source = 'Half Dead' ORDER BY url")
    assert [(url.rsplit("/", 1)[1], outcome) for url, outcome, _ in half] == [("empty.xml", "failed"), ("good.xml", "fetched")]
    assert "task crashed" in half[0][2] and "no attribute 'version'" in half[0][2]
