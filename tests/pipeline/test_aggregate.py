"""Indicators per source country → target country × topic."""

from datetime import date

from pipeline.aggregate import aggregate_day
from pipeline.records import ALL, ScoredArticle

DAY = date(2025, 6, 1)


def _article(i, source, country, label, score, topics, targets=()):
    return ScoredArticle(f"a{i}", DAY, source, country, "ko", label, score, topics, targets)


def test_target_rows_use_the_sentiment_toward_the_target_and_all_rows_the_overall_one():
    articles = [
        # overall neutral, but hostile toward Japan and warm toward the US
        _article(1, "Hanbit", "KR", "neutral", 0.0, ("forced_labour",), (("JP", "negative", -0.8), ("US", "positive", 0.6))),
        _article(2, "Gyeongin", "KR", "negative", -0.5, ("forced_labour",), (("JP", "negative", -0.6),)),
        _article(3, "Gyeongin", "KR", "positive", 0.4, ("people_exchange",), ()),
    ]
    rows = {(r.topic, r.source_country, r.target_country, r.lang): r for r in aggregate_day(DAY, articles, "m")}
    on_japan = rows[("forced_labour", "KR", "JP", ALL)]
    assert (on_japan.n_articles, on_japan.n_negative, on_japan.n_outlets) == (2, 2, 2)
    assert on_japan.mean_sentiment == -0.7 and on_japan.share_negative == 1.0
    assert on_japan.evidence == ("a1", "a2")
    overall = rows[("forced_labour", "KR", ALL, ALL)]
    assert (overall.n_articles, overall.n_negative) == (2, 1) and overall.mean_sentiment == -0.25
    on_us = rows[("all", "KR", "US", "ko")]
    assert (on_us.n_articles, on_us.share_negative) == (1, 0.0)
    # an article without targets counts only under target 'all'
    assert ("people_exchange", "KR", "JP", ALL) not in rows
    assert rows[("all", ALL, ALL, ALL)].n_articles == 3
    assert rows[("all", ALL, "JP", ALL)].n_articles == 2
