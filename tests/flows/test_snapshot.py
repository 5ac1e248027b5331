"""Analysts read a snapshot: an open analyst session never blocks the daily run, and a reopened one
sees the new day. A backfill stopped midway resumes without redoing finished days."""

import gzip
import json
from datetime import date

import duckdb
import pytest

from tremor.cli import DEMO_CORPUS
from warehouse.snapshot import analyst_path, snapshot_path

pytestmark = pytest.mark.slow
DAYS = (date(2025, 6, 2), date(2025, 6, 3))
THREE = (date(2025, 6, 2), date(2025, 6, 3), date(2025, 6, 4))


@pytest.fixture
def two_days(tmp_path):
    rows = [json.loads(line) for line in gzip.open(DEMO_CORPUS, "rt", encoding="utf-8")]
    picked = [r for r in rows if r["published_at"][:10] in {d.isoformat() for d in THREE}]
    path = tmp_path / "two_days.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in picked), encoding="utf-8")
    config = tmp_path / "tremor.toml"
    config.write_text('[models]\nsentiment = "sentiment.lexicon.v1"\n', encoding="utf-8")
    return path, config


def test_an_open_analyst_session_survives_a_daily_run_and_sees_the_new_day_after_reopening(
        tmp_path, two_days, prefect_harness):
    from flows.daily import daily_flow, ingest_flow

    corpus, config = two_days
    db = tmp_path / "tremor.duckdb"
    ingest_flow([str(corpus)], db)
    daily_flow(DAYS[0], str(db), str(config))
    assert analyst_path(db) == snapshot_path(db)

    analyst = duckdb.connect(str(snapshot_path(db)), read_only=True)
    second = duckdb.connect(str(snapshot_path(db)), read_only=True)  # any number of readers
    query = "SELECT DISTINCT day FROM processed_days ORDER BY day"
    assert [d for (d,) in analyst.execute(query).fetchall()] == [DAYS[0]]

    result = daily_flow(DAYS[1], str(db), str(config))  # the analysts' sessions stay open throughout
    assert result.day == DAYS[1] and result.articles > 0
    assert [d for (d,) in analyst.execute(query).fetchall()] == [DAYS[0]]  # the old snapshot, consistently
    analyst.close()
    second.close()

    reopened = duckdb.connect(str(snapshot_path(db)), read_only=True)
    assert [d for (d,) in reopened.execute(query).fetchall()] == list(DAYS)
    reopened.close()


def test_query_without_a_snapshot_says_how_to_get_one(tmp_path):
    from warehouse.errors import TerminalWarehouseError

    with pytest.raises(TerminalWarehouseError, match="tremor run"):
        analyst_path(tmp_path / "tremor.duckdb")


def test_a_backfill_stopped_midway_resumes_at_the_last_processed_day(tmp_path, two_days, prefect_harness):
    from flows.daily import backfill_flow, ingest_flow
    from warehouse.db import connect
    from warehouse.store import fetch, row_counts

    corpus, config = two_days
    db = tmp_path / "tremor.duckdb"
    ingest_flow([str(corpus)], db)
    backfill_flow(THREE[0], THREE[1], str(db), str(config))  # as if killed before the third day
    with connect(db) as con:
        _, [(first_done,)] = fetch(con, "SELECT finished_at FROM processed_days WHERE day = ?", [THREE[0]])

    resumed = backfill_flow(THREE[0], THREE[2], str(db), str(config))
    assert [r.day for r in resumed] == [THREE[1], THREE[2]]  # the last processed day is redone, no earlier one
    with connect(db) as con:
        _, [(first_after,)] = fetch(con, "SELECT finished_at FROM processed_days WHERE day = ?", [THREE[0]])
        before = row_counts(con)
    assert first_after == first_done
    assert [r.day for r in backfill_flow(THREE[0], THREE[2], str(db), str(config), redo=True)] == list(THREE)
    with connect(db) as con:
        assert row_counts(con) == before
