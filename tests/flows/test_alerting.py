"""The alerting tasks under Prefect: replay from a day, notify each opening once per channel."""


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


def test_a_dead_echoing_webhook_over_a_multi_day_replay_is_tried_a_bounded_number_of_times_and_its_token_is_nowhere(
        tmp_path, prefect_harness, monkeypatch, caplog, capsys):
    """The week before the flare-up replayed day by day, as `tremor backfill --redo` does: each day
    replays the episodes from that day on, so the flare-up's openings are met once per replayed day.
    The receiver always answers 500, echoing the request path and query."""
    from datetime import timedelta

    from prefect import flow
    from prefect.client.orchestration import get_client
    from prefect.logging.handlers import APILogWorker

    from delivery.channels import MAX_ROUNDS
    from flows.alerting import update_alerts
    from tests.delivery.test_channels import SECRET_PARTS, EchoReceiver
    from warehouse.snapshot import publish

    db = build_warehouse(tmp_path / "w.duckdb", days=63)
    days = [FLARE[0] - timedelta(days=n) for n in range(7, -1, -1)]
    assert len(days) > MAX_ROUNDS

    @flow
    def replay(cfg: AlertSettings) -> None:
        for day in days:
            update_alerts(db, day, MODEL, cfg)

    cfg = settings(webhooks=[{"name": "ops", "url_env": "TREMOR_TEST_OPS_URL"}])
    with EchoReceiver(500) as dead:
        monkeypatch.setenv("TREMOR_TEST_OPS_URL", dead.url)
        replay(cfg)
        posts_after_first = dead.posts
        replay(cfg)  # a rerun of the whole range sends nothing more: every notice was given up
        assert dead.posts == posts_after_first, "given-up notices are not sent again"

    with connect(db) as con:
        _, per_notice = fetch(con, "SELECT alert_id, event, day, count(*) FILTER (status = 'failed'), "
                                   "count(*) FILTER (status = 'skipped') FROM deliveries WHERE channel = 'webhook:ops' "
                                   "GROUP BY ALL")
    attempts = cfg.delivery.retry.attempts
    assert per_notice and all(failed == MAX_ROUNDS * attempts and skipped == 1 for *_, failed, skipped in per_notice)
    assert dead.posts == len(per_notice) * MAX_ROUNDS * attempts

    snapshot = publish(db)
    APILogWorker.drain_all(timeout=10)
    with get_client(sync_client=True) as client:
        prefect_logs = [log.message for offset in range(0, 5000, 200)
                        for log in client.read_logs(limit=200, offset=offset)]
    stored = []
    for path in (db, snapshot):
        with connect(path) as con:
            _, rows = fetch(con, "SELECT error FROM deliveries WHERE error IS NOT NULL")
            stored += [error for (error,) in rows]
    captured = capsys.readouterr()
    places = {"deliveries": "\n".join(stored), "caplog": caplog.text, "stdout/stderr": captured.out + captured.err,
              "prefect logs": "\n".join(prefect_logs)}
    assert "given up after 3 failed delivery round(s)" in places["deliveries"]
    assert "Cannot POST <redacted>" in places["deliveries"]
    assert "not delivered" in places["prefect logs"] and "not delivered" in places["caplog"]
    for where, text in places.items():
        leaked = [part for part in SECRET_PARTS if part.lower() in text.lower()]
        assert not leaked, f"{leaked} in {where}"
