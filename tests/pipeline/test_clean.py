"""Fetched items to Articles: HTML stripped, NFKC, times in UTC with the outlet's zone as fallback,
missing links and dates rejected with a reason; and the relevance filter."""

from datetime import date, datetime

import pytest

from pipeline.clean import clean_item, clean_items, page_batches, with_full_text
from pipeline.normalize import InvalidValue, html_to_text, to_utc
from pipeline.records import Article, FeedItem, Rejected
from pipeline.relevance import KeywordRelevance, load_country_terms, split_relevant
from pipeline.sources import Source
from pipeline.taxonomy import load_taxonomy
from pipeline.topics import tagger_for
from pipeline.validate import Limits

NOW = datetime(2025, 7, 27, 0, 0)
REGISTRY = {"Seoul Daily": Source("Seoul Daily", "KR", "ko", timezone="Asia/Seoul", full_text=True),
            "Tokyo Times": Source("Tokyo Times", "JP", "en", timezone="Asia/Tokyo")}


def item(**fields) -> FeedItem:
    defaults = dict(source="Tokyo Times", origin="http://example.invalid/feed", index=0,
                    url="http://example.invalid/a?utm_source=rss", title="Japan and Korea",
                    summary="<p>Leaders met.</p>", published="Sat, 26 Jul 2025 10:00:00 +0900")
    return FeedItem(**{**defaults, **fields})


@pytest.mark.parametrize("value, zone, expected", [
    ("Sat, 26 Jul 2025 10:00:00 +0900", "UTC", datetime(2025, 7, 26, 1)),
    ("Sat, 26 Jul 2025 10:00:00", "Asia/Seoul", datetime(2025, 7, 26, 1)),  # no zone: the outlet's
    ("Sat, 26 Jul 2025 10:00:00 GMT", "Asia/Seoul", datetime(2025, 7, 26, 10)),
    ("2025-07-26T10:00:00Z", "Asia/Tokyo", datetime(2025, 7, 26, 10)),
    ("2025-07-26T10:00:00", "America/New_York", datetime(2025, 7, 26, 14)),
    ("2025年7月26日 10時05分", "Asia/Tokyo", datetime(2025, 7, 26, 1, 5)),
    ("2025년 7월 26일 오후 3:05", "Asia/Seoul", datetime(2025, 7, 26, 6, 5)),
    ("2025.07.26 10:00", "Asia/Seoul", datetime(2025, 7, 26, 1)),
    ("2025-07-26 10:00 KST", "UTC", datetime(2025, 7, 26, 1)),
])
def test_published_times_go_to_utc_with_the_outlet_zone_as_fallback(value, zone, expected):
    assert to_utc(value, zone) == expected


@pytest.mark.parametrize("value", ["yesterday", "5", "2025-13-45", ""])
def test_unreadable_times_raise(value):
    with pytest.raises(InvalidValue):
        to_utc(value)


def test_html_is_stripped_entities_decoded_and_text_nfkc():
    html = "<div><p>Ｓｅｏｕｌ &amp; Tokyo</p><script>alert(1)</script><p>ﾃｽﾄ<br>line</p><!-- c --></div>"
    assert html_to_text(html) == "Seoul & Tokyo\n\nテスト\n\nline"
    assert html_to_text("AT&amp;T &lt;b&gt;") == "AT&T <b>"


def test_a_clean_item_becomes_an_article():
    article = clean_item(item(), REGISTRY, Limits(), NOW)
    assert isinstance(article, Article)
    assert article.canonical_url == "http://example.invalid/a" and article.source_country == "JP"
    assert article.published_at == datetime(2025, 7, 26, 1) and article.text == "Leaders met."
    assert article.lang == "en"


def test_an_item_without_summary_is_its_title():
    article = clean_item(item(summary=""), REGISTRY, Limits(), NOW)
    assert article.text == "Japan and Korea"


@pytest.mark.parametrize("fields, reason", [
    ({"url": None}, "feed item has no link"),
    ({"published": None}, "feed item has no publication date"),
    ({"published": "sometime"}, "not a date"),
    ({"published": "Sat, 26 Jul 2031 10:00:00 GMT"}, "in the future"),
    ({"url": "javascript:alert(1)"}, "absolute http(s) URL"),
    ({"title": "", "summary": "<p> </p>"}, "empty text"),
])
def test_broken_items_are_rejected_with_a_reason(fields, reason):
    rejected = clean_item(item(index=4, **fields), REGISTRY, Limits(), NOW)
    assert isinstance(rejected, Rejected) and reason in rejected.reason
    assert rejected.source_file == "http://example.invalid/feed" and rejected.line_no == 5
    assert "Japan and Korea" in rejected.raw or fields.get("title") == ""


def test_clean_items_splits_good_and_bad_in_order():
    result = clean_items([item(), item(url=None, index=1), item(url="http://example.invalid/b", index=2)],
                         REGISTRY, Limits(), NOW)
    assert [a.url for a in result.articles] == ["http://example.invalid/a?utm_source=rss", "http://example.invalid/b"]
    assert [r.line_no for r in result.rejected] == [2]


def test_full_text_replaces_the_summary_and_drops_the_repeated_title():
    article = clean_item(item(), REGISTRY, Limits(), NOW)
    fuller = with_full_text(article, "Japan and Korea\nThe leaders of Japan and South Korea met in Tokyo on Saturday.")
    assert fuller.text == "The leaders of Japan and South Korea met in Tokyo on Saturday."
    assert fuller.content_hash != article.content_hash and fuller.id == article.id
    assert with_full_text(article, "  ") == article


def test_page_batches_are_the_full_text_outlets():
    korean = clean_item(item(source="Seoul Daily", url="http://example.invalid/k"), REGISTRY, Limits(), NOW)
    japanese = clean_item(item(), REGISTRY, Limits(), NOW)
    batches, rest = page_batches([korean, japanese], REGISTRY)
    assert batches == {"Seoul Daily": [korean]} and rest == [japanese]


def _article(text: str, country: str, lang: str) -> Article:
    return Article(id=text[:8], url="u", canonical_url="u", source="S", source_country=country, lang=lang,
                   published_at=datetime(2025, 7, 26), title="", text=text, content_hash=text)


@pytest.fixture(scope="module")
def relevance():
    return KeywordRelevance(tagger_for(load_taxonomy()), load_country_terms())


@pytest.mark.parametrize("text, country, lang, relevant", [
    ("Japan lodged a protest with Seoul.", "KR", "en", True),
    ("Korea's economy grew 0.5% in the quarter.", "KR", "en", False),  # only the outlet's own country
    ("Local team wins the cup.", "US", "en", False),
    ("The U.S. envoy visited Seoul.", "JP", "en", True),
    ("The shrine visit drew criticism at Yasukuni.", "US", "en", True),  # a taxonomy topic, no country term
    ("政府は日本に抗議した", "KR", "ja", True),
    ("東京で花火大会が開かれた", "JP", "ja", False),
    ("외교부는 일본 정부에 유감을 표명했다", "KR", "ko", True),
    ("서울 날씨가 맑겠습니다", "KR", "ko", False),
])
def test_relevance_needs_a_topic_or_another_country(relevance, text, country, lang, relevant):
    assert relevance.is_relevant(_article(text, country, lang)) is relevant


def test_split_relevant_counts_the_rest(relevance):
    kept, dropped = split_relevant([_article("Japan lodged a protest with Seoul.", "KR", "en"),
                                    _article("서울 날씨가 맑겠습니다", "KR", "ko")], relevance)
    assert len(kept) == 1 and [(d.source, d.day) for d in dropped] == [("S", date(2025, 7, 26))]
