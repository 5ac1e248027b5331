"""The flows end to end on the bundled demo corpus, in a real DuckDB file under Prefect's test harness."""

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.pipeline.test_validate import write_malformed
from tremor.cli import DEMO_CORPUS
from warehouse.db import connect
from warehouse.store import fetch, row_counts

pytestmark = pytest.mark.slow
MODEL = "sentiment.e5.v2"  # the default
FLARE_UPS = {("KR", "forced_labour"): (date(2025, 7, 24), date(2025, 8, 1)),
             ("JP", "dokdo_takeshima"): (date(2025, 6, 25), date(2025, 6, 29))}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory, prefect_harness) -> Path:
    from flows.daily import backfill_flow, ingest_flow

    db = tmp_path_factory.mktemp("demo") / "tremor.duckdb"
    report = ingest_flow([str(DEMO_CORPUS)], db)
    assert report.new >= 1500 and report.rejected == 0
    day_runs_before = _day_subflow_runs()
    state = backfill_flow(report.first_day, report.last_day, str(db), return_state=True)
    BACKFILL.update(first=report.first_day, last=report.last_day, days=len(state.result()),
                    day_subflows=_day_subflow_runs() - day_runs_before,
                    tasks=_task_runs_of(state.state_details.flow_run_id))
    return db


BACKFILL: dict[str, int] = {}  # what the fixture's backfill left in Prefect


def _day_subflow_runs() -> int:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    with get_client(sync_client=True) as client:
        return client.count_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=["tremor-day"])))


def _task_runs_of(flow_run_id) -> Counter:
    """The flow run's task runs, counted by task name (a run's name is the task's, a dash and a suffix)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    names: Counter = Counter()
    page = 200
    with get_client(sync_client=True) as client:
        while True:  # the server returns at most 200 a call
            found = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
                                          limit=page, offset=sum(names.values()))
            names.update(run.name.rsplit("-", 1)[0] for run in found)
            if len(found) < page:
                return names


def test_the_backfill_runs_each_day_as_a_few_tasks_of_its_own_flow_not_a_subflow(demo_db):
    from pipeline.days import batches
    from tremor.settings import BackfillSettings
    from warehouse.store import article_counts_between

    # a subflow per day cost ~1 s a day (its flow run, its heartbeat thread's join); a task run ~10 ms
    days, runs = BACKFILL["days"], BACKFILL["tasks"]
    assert days >= 70 and BACKFILL["day_subflows"] == 0
    with connect(demo_db) as con:
        counts = article_counts_between(con, BACKFILL["first"], BACKFILL["last"])
        _, [(opening_days,)] = fetch(con, "SELECT count(DISTINCT day) FROM alerts WHERE model_name = ?", [MODEL])
    all_days = [BACKFILL["first"] + timedelta(days=i) for i in range(days)]
    assert all_days[-1] == BACKFILL["last"]
    # one load, scoring and store per batch of consecutive days; three tasks per day after it
    n_batches = len(batches(all_days, counts, BackfillSettings().batch_articles))
    assert 2 <= n_batches < days
    assert runs["load_articles"] == runs["score_articles"] == runs["store_scores"] == n_batches, runs
    assert runs["emerging_issues"] == runs["indicators_and_hits"] == runs["replay_alerts"] == days, runs
    # the five delivery tasks only on days with an opening or escalation: at least the days episodes opened
    delivery = {runs[name] for name in ("load_notices", "log_notices", "emit_prefect_events", "send_notices",
                                        "record_deliveries")}
    assert len(delivery) == 1 and opening_days <= delivery.pop() <= 12, runs
    assert set(runs) <= {"load_articles", "score_articles", "store_scores", "emerging_issues", "indicators_and_hits",
                         "replay_alerts", "load_notices", "log_notices", "emit_prefect_events", "send_notices",
                         "record_deliveries", "processed_days", "article_counts", "publish_snapshot"}, runs


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


def test_article_scores_roll_up_their_stored_sentences(demo_db):
    with connect(demo_db) as con:
        _, rows = fetch(con, """
            SELECT a.article_id, a.sentiment_score, avg(s.p_positive - s.p_negative), count(*),
                   bool_and(s.model_name = a.model_name), min(s.sentence_no)
            FROM article_scores a JOIN sentence_scores s USING (article_id, model_name)
            WHERE a.sentiment_label IS NOT NULL GROUP BY ALL""")
        _, [(unscored,)] = fetch(con, """
            SELECT count(*) FROM article_scores a WHERE sentiment_label IS NOT NULL AND NOT EXISTS
            (SELECT 1 FROM sentence_scores s WHERE s.article_id = a.article_id AND s.model_name = a.model_name)""")
    assert len(rows) > 1500 and unscored == 0
    assert all(same_model and first == 0 for *_, same_model, first in rows)
    assert max(abs(score - mean) for _, score, mean, *_ in rows) < 1e-3
    assert sum(n > 1 for *_, n, _, _ in rows) > len(rows) / 2, "most articles have several sentences"


def test_the_demo_has_topics_with_evidence_targets_with_sentiment_and_indicators_by_target(demo_db):
    with connect(demo_db) as con:
        _, [(no_model, with_topics, confident)] = fetch(con, """
            SELECT count(*) FILTER (WHERE topic_model IS NULL), count(*) FILTER (WHERE len(topics) > 0),
                   count(*) FILTER (WHERE len(topics) > 0 AND
                                    CAST(topic_evidence->topics[1]->>'confidence' AS DOUBLE) >= 0.5)
            FROM article_scores""")
        _, pairs = fetch(con, """
            SELECT source_country, target_country, sum(n_articles) FROM daily_indicators
            WHERE topic = 'all' AND lang = 'all' AND source_country <> 'all' AND target_country <> 'all'
            GROUP BY ALL""")
        _, [(targets, mismatched)] = fetch(con, """
            SELECT count(*), count(*) FILTER (WHERE t.n_sentences <> (
                SELECT count(*) FROM sentence_scores s WHERE s.article_id = t.article_id
                AND s.model_name = t.model_name AND list_contains(s.targets, t.target_country)))
            FROM article_targets t""")
        _, [(embedded, articles)] = fetch(con, "SELECT (SELECT count(*) FROM article_embeddings), "
                                               "(SELECT count(*) FROM articles WHERE lang IN ('en', 'ja', 'ko'))")
    assert no_model == 0 and with_topics > 1000 and confident == with_topics
    reach = {(s, t): n for s, t, n in pairs}
    assert reach[("KR", "JP")] > 100 and reach[("JP", "KR")] > 100 and ("US", "KR") in reach
    assert targets > 1000 and mismatched == 0, "each target's sentence count is that of its sentences naming it"
    assert embedded == articles


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


def test_each_opening_is_logged_once_explained_and_not_pushed_for_stale_days(demo_db):
    with connect(demo_db) as con:
        _, [(notices,)] = fetch(con, "SELECT count(*) FROM alert_transitions WHERE event IN ('opened', 'escalated')")
        _, deliveries = fetch(con, "SELECT channel, status, count(*) FROM deliveries GROUP BY ALL ORDER BY 1")
        _, unexplained = fetch(con, "SELECT id FROM alerts WHERE peak_day IS NULL OR n_articles = 0 OR evidence = []")
    assert notices >= 2 and unexplained == []
    assert deliveries == [("log", "sent", notices), ("prefect", "skipped", notices)], "2025 is past max_age_days"


def test_backtest_on_the_demo_catches_both_planted_flare_ups(demo_db):
    from pipeline.backtest import ANY_RULE
    from tremor.backtest import run_backtest
    from tremor.settings import Settings

    alerts = Settings().alerts
    report = run_backtest(demo_db, Path(__file__).parents[2] / "examples" / "demo_flare_ups.csv",
                          date(2025, 6, 1), date(2025, 8, 9), MODEL, alerts.to_rules(), alerts.close_after_days,
                          match_topic=True)
    overall = next(s for s in report.scores if s.rule == ANY_RULE)
    assert (overall.n_events, overall.n_caught, overall.unmatched) == (2, 2, ())
    assert all(0 <= lag <= 3 for lag in overall.lags)


def test_the_report_renders_on_the_demo(demo_db, tmp_path):
    from tremor.report import write_report
    from tremor.settings import ReportSettings

    html = write_report(demo_db, date(2025, 7, 27), tmp_path / "brief.html", MODEL, ReportSettings()).read_text()
    assert 'id="chart-forced_labour"' in html and 'id="chart-dokdo_takeshima"' in html
    assert '<section class="alert"' in html and "Most negative" in html
