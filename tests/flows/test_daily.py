"""The flows end to end on the bundled demo corpus, in a real DuckDB file under Prefect's test harness."""

from datetime import date
from pathlib import Path

import pytest

from tests.pipeline.test_validate import write_malformed
from tremor.cli import DEMO_CORPUS
from warehouse.db import connect
from warehouse.store import fetch, row_counts

pytestmark = pytest.mark.slow
MODEL = "sentiment.lexicon.v1"
FLARE_UPS = {("KR", "forced_labour"): (date(2025, 7, 24), date(2025, 8, 1)),
             ("JP", "dokdo_takeshima"): (date(2025, 6, 25), date(2025, 6, 29))}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory, prefect_harness) -> Path:
    from flows.daily import backfill_flow, ingest_flow

    db = tmp_path_factory.mktemp("demo") / "tremor.duckdb"
    report = ingest_flow([str(DEMO_CORPUS)], db)
    assert report.new >= 1500 and report.rejected == 0
    backfill_flow(report.first_day, report.last_day, str(db))
    return db


def test_demo_raises_each_planted_flare_up_once_per_rule_and_nothing_in_calm_stretches(demo_db):
    with connect(demo_db) as con:
        _, alerts = fetch(con, "SELECT country, topic, rule, day, status FROM alerts WHERE model_name = ?", [MODEL])
    assert alerts, "the planted flare-ups raised no alert"
    for country, topic, rule, day, status in alerts:
        assert (country, topic) in FLARE_UPS, f"alert outside a planted flare-up: {country} {topic} {day}"
        first, last = FLARE_UPS[(country, topic)]
        assert first <= day <= last and status == "closed"
    assert {(c, t) for c, t, *_ in alerts} == set(FLARE_UPS)
    keys = [(c, t, r) for c, t, r, *_ in alerts]
    assert len(keys) == len(set(keys)), "one episode per rule x topic x country, not one per day"


def test_every_score_row_names_its_model_and_indicators_cover_the_grain(demo_db):
    with connect(demo_db) as con:
        _, [(unnamed,)] = fetch(con, "SELECT count(*) FROM article_scores WHERE model_name IS NULL OR model_version IS NULL")
        _, [(articles, scored)] = fetch(con, "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM article_scores)")
        _, grains = fetch(con, "SELECT DISTINCT source_country, lang FROM daily_indicators WHERE topic = 'forced_labour'")
    assert unnamed == 0 and articles == scored
    assert {("KR", "ko"), ("JP", "ja"), ("US", "en"), ("all", "all")} <= set(grains)


def test_rerunning_ingest_and_days_changes_no_row_count(demo_db):
    from flows.daily import backfill_flow, daily_flow, ingest_flow

    with connect(demo_db) as con:
        before = row_counts(con)
    ingest_flow([str(DEMO_CORPUS)], demo_db)
    backfill_flow(date(2025, 7, 24), date(2025, 7, 27), str(demo_db))
    daily_flow(date(2025, 8, 1), str(demo_db))
    with connect(demo_db) as con:
        assert row_counts(con) == before


def test_malformed_input_is_quarantined_and_stored_rows_are_untouched(demo_db, tmp_path):
    from flows.daily import ingest_flow

    bad = tmp_path / "bad.jsonl"
    write_malformed(bad)
    with connect(demo_db) as con:
        before = row_counts(con)
    report = ingest_flow([str(bad)], demo_db)
    again = ingest_flow([str(bad)], demo_db)
    with connect(demo_db) as con:
        after = row_counts(con)
        _, reasons = fetch(con, "SELECT reason FROM quarantine ORDER BY line_no")
    assert report.rejected == 6 and report.new == 2 and again.new == 0 and again.newly_quarantined == 0
    assert after["quarantine"] == before["quarantine"] + 6
    assert after["articles"] == before["articles"] + 2
    assert any("not valid UTF-8" in r for (r,) in reasons) and any("too long" in r for (r,) in reasons)
