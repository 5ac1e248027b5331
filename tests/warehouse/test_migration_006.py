"""Migration 006 (topics, targets) keeps what was stored before it."""

from datetime import date, datetime

import duckdb

from warehouse.db import migrate, migrations


def test_indicators_stored_before_006_survive_with_target_all(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    migrate(con, [m for m in migrations() if m[0] < 6])
    con.execute("INSERT INTO daily_indicators VALUES (DATE '2025-06-01', 'all', 'KR', 'all', 'sentiment.e5.v1', 5, 5, 2, "
                "3, -0.1, 0.4, NULL, NULL, 0, NULL, ['a1', 'a2'], TIMESTAMP '2025-06-02 00:00:00')")
    con.execute("INSERT INTO article_scores VALUES ('a1', DATE '2025-06-01', 'negative', -0.5, ['yasukuni'], '{}', "
                "'sentiment.e5.v1', '1', '2025.1', TIMESTAMP '2025-06-02 00:00:00')")
    assert 6 in migrate(con)
    row = con.execute("SELECT day, topic, source_country, target_country, lang, n_negative, evidence "
                      "FROM daily_indicators").fetchall()
    assert row == [(date(2025, 6, 1), "all", "KR", "all", "all", 2, ["a1", "a2"])]
    assert con.execute("SELECT topics, topic_model, topic_evidence FROM article_scores").fetchall() == [
        (["yasukuni"], None, None)]
    # the new key: the same day × topic × source may now hold one row per target country
    con.execute("INSERT INTO daily_indicators SELECT day, topic, source_country, 'JP', lang, model_name, n_articles, "
                "n_scored, n_negative, n_outlets, mean_sentiment, share_negative, baseline_mean, baseline_std, "
                "baseline_days, z_negative, evidence, ? FROM daily_indicators", [datetime(2025, 6, 2)])
    assert con.execute("SELECT count(*) FROM daily_indicators").fetchone()[0] == 2
    assert con.execute("SELECT count(*) FROM target_sentiment").fetchone()[0] == 0
