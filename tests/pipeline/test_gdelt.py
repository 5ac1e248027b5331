"""GDELT request parameters, answers, and time slicing past the record cap (without the network)."""

from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from pipeline.gdelt import GdeltArticle, GdeltError, Window, parse_articles, request_url, sliced, to_items
from pipeline.sources import Source

DAY = Window(datetime(2025, 7, 26), datetime(2025, 7, 27))


def test_request_has_artlist_json_cap_language_and_window():
    query = parse_qs(urlsplit(request_url("http://gdelt.test/api", "(Japan OR Tokyo) (Korea OR Seoul)", "korean", DAY)).query)
    assert query["query"] == ["(Japan OR Tokyo) (Korea OR Seoul) sourcelang:korean"]
    assert (query["mode"], query["format"], query["maxrecords"]) == (["ArtList"], ["json"], ["250"])
    assert (query["startdatetime"], query["enddatetime"]) == (["20250726000000"], ["20250727000000"])


def test_answers_are_read_and_text_errors_raise():
    body = b'{"articles": [{"url": "http://a.example/1", "title": "T", "seendate": "20250726T101500Z", ' \
           b'"domain": "a.example", "language": "Korean", "sourcecountry": "South Korea"}, {"title": "no url"}]}'
    [article] = parse_articles(body)
    assert article.seen == datetime(2025, 7, 26, 10, 15) and article.language == "Korean"
    assert parse_articles(b"{}") == [] and parse_articles(b"") == []
    with pytest.raises(GdeltError, match="not JSON"):
        parse_articles(b"Your search contained a phrase that was too short.")


def _fake_api(seen: list[datetime], cap: int):
    calls = []

    def fetch(window: Window):
        calls.append(window)
        inside = [t for t in seen if window.start <= t < window.end]
        return [GdeltArticle(f"http://a.example/{t:%H%M%S}", "t", t, "a.example", "English", "Japan") for t in inside][:cap]

    return fetch, calls


def test_a_window_at_the_cap_is_split_until_every_article_is_found():
    seen = [DAY.start + timedelta(minutes=2 * i) for i in range(700)]  # 700 articles in a day, cap 250
    fetch, calls = _fake_api(seen, 250)
    result = sliced(DAY, fetch, cap=250)
    assert {a.seen for a in result.articles} == set(seen)
    assert result.requests == len(calls) > 3 and result.truncated == []


def test_a_minimum_window_still_at_the_cap_is_reported_truncated():
    seen = [DAY.start + timedelta(seconds=i) for i in range(300)]  # 300 articles in five minutes
    fetch, _ = _fake_api(seen, 250)
    result = sliced(DAY, fetch, cap=250, min_span=timedelta(minutes=15))
    assert result.truncated and all(w.span <= timedelta(minutes=15) for w in result.truncated)


def test_items_are_named_for_registry_outlets_by_domain():
    registry = {"Yonhap News": Source("Yonhap News", "KR", "ko", domains=("yna.co.kr",))}
    articles = [GdeltArticle("http://www.yna.co.kr/1", "t", datetime(2025, 7, 26), "yna.co.kr", "Korean", "South Korea"),
                GdeltArticle("http://other.example/2", "t", datetime(2025, 7, 26), "other.example", "Japanese", "Japan"),
                GdeltArticle("http://other.example/2", "t", datetime(2025, 7, 26), "other.example", "Japanese", "Japan")]
    first, second = to_items(articles, "http://gdelt.test/api", registry)
    assert (first.source, first.lang, first.country) == ("Yonhap News", "ko", "KR")
    assert (second.source, second.lang, second.country, second.published) == (
        "other.example", "ja", "JP", "2025-07-26T00:00:00+00:00")
