"""The alerting tasks under Prefect: replay from a day, notify each opening once per channel."""

from datetime import date

import pytest

from tests.delivery.test_channels import Receiver
from tests.synthetic import FLARE, MODEL, build_warehouse
from tremor.settings import AlertSettings
from warehouse.db import connect
from warehouse.store import fetch

pytestmark = pytest.mark.slow


def settings(**delivery) -> AlertSettings:
    return AlertSettings.model_validate({"delivery": {
        "max_age_days": 100_000, "retry": {"attempts": 2, "wait_s": 0, "max_wait_s": 0}, **delivery}})


def test_openings_reach_the_webhook_and_prefect_once_and_failures_are_retried_on_rerun(
        tmp_path, prefect_harness, monkeypatch):
    from prefect import flow

    from flows.alerting import update_alerts

    db = build_warehouse(tmp_path / "w.duckdb", days=63)  # the flare-up opens on its first day

    @flow
    def alerting_day(cfg: AlertSettings) -> int:
        return update_alerts(db, FLARE[0], MODEL, cfg)

    cfg = settings(webhooks=[{"name": "ops", "url_env": "TREMOR_TEST_OPS_URL"}])
    with Receiver([500, 500]) as down:  # the first notice fails twice: both tries used up
        monkeypatch.setenv("TREMOR_TEST_OPS_URL", down.url)
        assert alerting_day(cfg) == 3
        assert len(down.bodies) == 4, "2 tries for the first notice, 1 each for the other two"
        assert alerting_day(cfg) == 3
        assert len(down.bodies) == 5, "a rerun sends only what failed"
    assert {b["alert"]["rule"] for b in down.bodies} == {"share_negative", "negative_surge", "volume_surge"}
    assert all(b["event"] == "opened" and b["evidence"] for b in down.bodies)
    with connect(db) as con:
        _, rows = fetch(con, "SELECT channel, status, count(*) FROM deliveries GROUP BY ALL ORDER BY ALL")
    assert rows == [("log", "sent", 3), ("prefect", "sent", 3), ("webhook:ops", "failed", 2),
                    ("webhook:ops", "sent", 3)]
    stale = settings(max_age_days=7, webhooks=[{"name": "late", "url_env": "TREMOR_TEST_OPS_URL"}])
    assert alerting_day(stale) == 3
    with connect(db) as con:
        _, rows = fetch(con, "SELECT status, error FROM deliveries WHERE channel = 'webhook:late'")
    assert rows == [("skipped", "older than 7 day(s)")] * 3
