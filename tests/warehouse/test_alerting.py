"""Episodes, states, transitions, evidence and the delivery log in a real DuckDB file."""

from datetime import date, datetime

import duckdb

from pipeline.records import DeliveryAttempt
from tests.synthetic import MODEL, build_warehouse, process_day
from tremor.settings import Settings
from warehouse import alerts as alert_store
from warehouse.db import connect, migrate, migrations
from warehouse.store import fetch, row_counts

TABLES = ("alerts", "alert_states", "alert_transitions", "rule_hits")


def snapshot(con):
    out = {}
    for table in TABLES:
        columns = [c for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND column_name <> 'updated_at'",
            [table]).fetchall()]
        out[table] = sorted(con.execute(f'SELECT {", ".join(columns)} FROM "{table}"').fetchall(), key=repr)
    return out


def test_rerunning_past_days_replays_episodes_to_the_same_rows(tmp_path):
    db = build_warehouse(tmp_path / "w.duckdb")
    settings = Settings()
    rules, close_after = settings.alerts.to_rules(), settings.alerts.close_after_days
    with connect(db) as con:
        before, counts = snapshot(con), row_counts(con)
        assert [e for (e,) in con.execute("SELECT event FROM alert_transitions ORDER BY day, event").fetchall()] \
            == ["opened"] * 3 + ["closed"] * 3
        for day in (date(2025, 7, 1), date(2025, 7, 3), date(2025, 5, 20), date(2025, 7, 9)):  # inside, before, last
            process_day(con, day, rules, close_after, 56)
        assert snapshot(con) == before and row_counts(con) == counts


def test_a_replay_starts_from_the_state_stored_for_the_run_day_before(tmp_path):
    db = build_warehouse(tmp_path / "w.duckdb")
    with connect(db) as con:
        inside = alert_store.replay_input(con, MODEL, date(2025, 7, 3))
        assert {a.rule for a in inside.state} == {"share_negative", "negative_surge", "volume_surge"}
        assert all(a.status == "open" and a.day == date(2025, 6, 30) for a in inside.state)
        assert inside.days[0] == date(2025, 7, 3) and all(h.day >= date(2025, 7, 3) for h in inside.hits)
        assert alert_store.replay_input(con, MODEL, date(2025, 6, 1)).state == []


def test_evidence_comes_with_sentences_or_falls_back_to_titles(tmp_path):
    db = build_warehouse(tmp_path / "w.duckdb", days=3)
    with connect(db) as con:
        ids = [i for (i,) in con.execute("SELECT id FROM articles ORDER BY id LIMIT 3").fetchall()]
        found = alert_store.evidence_articles(con, MODEL, ids)
        assert set(found) == set(ids) and all(len(a.sentences) == 2 for a in found.values())
        first = found[ids[0]]
        assert first.sentences[0].score <= first.sentences[1].score, "most negative sentence first"
        con.execute("DROP VIEW sentence_evidence")
        con.execute("DROP TABLE sentence_scores")
        titles_only = alert_store.evidence_articles(con, MODEL, ids)
        assert all(a.sentences == () and a.title for a in titles_only.values())


def test_only_sent_or_skipped_notices_count_as_delivered(tmp_path):
    with connect(tmp_path / "w.duckdb") as con:
        now, day = datetime(2025, 7, 1, 6), date(2025, 6, 30)
        alert_store.record_deliveries(con, [
            DeliveryAttempt("a", "opened", day, "webhook:ops", 1, "failed", "HTTP 503", now),
            DeliveryAttempt("a", "opened", day, "webhook:ops", 2, "sent", None, now),
            DeliveryAttempt("a", "opened", day, "email", 1, "failed", "SMTP 421", now),
            DeliveryAttempt("b", "opened", day, "prefect", 1, "skipped", "older than 7 day(s)", now)])
        assert alert_store.final_deliveries(con) == {("a", "opened", day, "webhook:ops"),
                                                     ("b", "opened", day, "prefect")}


def test_migration_005_carries_existing_alerts_hits_and_notifications_over(tmp_path):
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    migrate(con, [m for m in migrations() if m[0] < 5])
    con.execute("INSERT INTO processed_days VALUES ('2025-07-01', 'm', 5, now()), ('2025-07-02', 'm', 5, now())")
    con.execute("INSERT INTO rule_hits VALUES ('2025-07-01', 'share_negative', 'forced_labour', 'KR', 'm', "
                "'warning', 0.7, 0.6, NULL, 9, ['x'])")
    con.execute("INSERT INTO alerts VALUES ('id1', '2025-07-01', 'share_negative', 'forced_labour', 'KR', 'm', "
                "'warning', 0.7, 0.6, NULL, 'open', '2025-07-01', NULL, 1, ['x'], now())")
    con.execute("INSERT INTO notifications VALUES ('id1', 'log', 'opened', now())")
    assert migrate(con, [m for m in migrations() if m[0] <= 5]) == [5]
    _, [alert] = fetch(con, "SELECT kind, metric, target_country, status, calm_days, evidence FROM alerts")
    assert alert == ("threshold", "share_negative", "all", "open", 1, ["x"])
    assert fetch(con, "SELECT as_of, id FROM alert_states")[1] == [(date(2025, 7, 2), "id1")]
    assert fetch(con, "SELECT event FROM alert_transitions")[1] == [("opened",)]
    assert fetch(con, "SELECT channel, status FROM deliveries")[1] == [("log", "sent")]
    assert fetch(con, "SELECT target_country, kind FROM rule_hits")[1] == [("all", "threshold")]
    tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert "notifications" not in tables and {"alert_states", "alert_transitions", "deliveries"} <= tables
    assert fetch(con, "SELECT count(*) FROM open_alerts")[1] == [(1,)]
