from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.backtest import ANY_RULE, EventsFileError, read_events
from tests.synthetic import MODEL
from tremor.backtest import run_backtest
from tremor.cli import app
from tremor.settings import Settings

EXAMPLES = Path(__file__).parents[2] / "examples"
START, END = date(2025, 5, 1), date(2025, 7, 9)


def events_file(tmp_path, *rows) -> Path:
    path = tmp_path / "events.csv"
    path.write_text("date,description,direction,source,topic,country\n" + "".join(r + "\n" for r in rows),
                    encoding="utf-8")
    return path


def backtest(db, events, **kw):
    alerts = Settings().alerts
    return run_backtest(db, events, START, END, MODEL, alerts.to_rules(), alerts.close_after_days, **kw)


def test_backtest_catches_the_planted_flare_up_and_counts_what_it_missed(synthetic_db, tmp_path):
    events = events_file(tmp_path, "2025-06-30,Forced labour flare-up,raised,planted,forced_labour,KR",
                         "2025-05-20,A quiet day that was not a flare-up,raised,made up,,",
                         "2025-06-10,A summit,lowered,made up,summits_diplomacy,")
    report = backtest(synthetic_db, events)
    scores = {s.rule: s for s in report.scores}
    assert set(scores) == {"share_negative", "negative_surge", "volume_surge", ANY_RULE}
    both = scores[ANY_RULE]
    assert (both.n_events, both.n_caught, both.lags, both.recall) == (2, 1, (0,), 0.5), "lowered events left out"
    assert both.n_alerts == 3 and both.precision == 1.0 and both.unmatched == ()
    assert all(s.n_caught == 1 and s.lags == (0,) for s in scores.values())
    assert report.days == 70 and len(report.hits) >= 10


def test_an_alert_before_the_event_is_a_lead_only_inside_the_window(synthetic_db, tmp_path):
    events = events_file(tmp_path, "2025-07-02,Reported two days after the coverage turned,raised,made up,,")
    late = {s.rule: s for s in backtest(synthetic_db, events).scores}[ANY_RULE]
    assert late.n_caught == 0 and late.precision == 0.0 and len(late.unmatched) == 3
    early = {s.rule: s for s in backtest(synthetic_db, events, before=2).scores}[ANY_RULE]
    assert early.lags == (-2,) and early.precision == 1.0


def test_topic_matching_narrows_what_an_event_catches(synthetic_db, tmp_path):
    events = events_file(tmp_path, "2025-06-30,Sado mine row,raised,made up,sado_mine,KR")
    assert {s.rule: s for s in backtest(synthetic_db, events).scores}[ANY_RULE].n_caught == 1
    strict = {s.rule: s for s in backtest(synthetic_db, events, match_topic=True).scores}[ANY_RULE]
    assert strict.n_caught == 0 and strict.precision == 0.0


def test_backtest_command_prints_a_table_per_rule(synthetic_db, tmp_path):
    events = events_file(tmp_path, "2025-06-30,Forced labour flare-up,raised,planted,forced_labour,KR")
    result = CliRunner().invoke(app, ["backtest", "--events", str(events), "--start", str(START), "--end", str(END),
                                      "--db", str(synthetic_db), "--model", MODEL, "--after", "3"])
    assert result.exit_code == 0, result.output
    assert "negative_surge" in result.output and "volume_surge" in result.output and "100%" in result.output
    assert "Forced labour flare-up" in result.output


def test_shipped_timelines_parse_and_cite_a_source_for_every_event():
    real = read_events((EXAMPLES / "japan_korea_events_2015_2025.csv").read_text(encoding="utf-8").splitlines(),
                       "real")
    assert len(real) >= 20 and all(date(2015, 1, 1) <= e.day <= date(2025, 12, 31) for e in real)
    assert all("http" in e.source for e in real)
    days = {e.day for e in real}
    assert {date(2015, 12, 28), date(2018, 10, 30), date(2019, 7, 1), date(2019, 8, 2), date(2019, 8, 22),
            date(2019, 11, 22), date(2023, 3, 6), date(2023, 3, 16), date(2023, 8, 18), date(2023, 8, 24),
            date(2024, 7, 27)} <= days
    demo = read_events((EXAMPLES / "demo_flare_ups.csv").read_text(encoding="utf-8").splitlines(), "demo")
    assert [(e.day, e.topic, e.country) for e in demo] == [(date(2025, 6, 25), "dokdo_takeshima", "JP"),
                                                           (date(2025, 7, 24), "forced_labour", "KR")]


def test_a_bad_events_file_says_what_to_fix():
    with pytest.raises(EventsFileError, match="missing column"):
        read_events(["day,what\n", "2020-01-01,x\n"], "e.csv")
    with pytest.raises(EventsFileError, match=r"e.csv:3: date '2020-13-01'"):
        read_events(["date,description,direction,source\n", "2020-01-01,a,raised,s\n", "2020-13-01,b,raised,s\n"],
                    "e.csv")
    with pytest.raises(EventsFileError, match="raised or lowered"):
        read_events(["date,description,direction,source\n", "2020-01-01,a,up,s\n"], "e.csv")
