"""`tremor backtest`: replay the stored daily indicators through the configured rules and score the
episodes against a timeline of dated events (read-only; the stored alerts are not touched)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from rich.console import Console

from pipeline import alerts, backtest
from pipeline.records import EventMatch, RuleHit, RuleScore, TimelineEvent
from tremor.tables import print_rows
from warehouse.alerts import rollup_indicators, run_days
from warehouse.db import connect


@dataclass(frozen=True)
class BacktestReport:
    start: date
    end: date
    model_name: str
    days: int  # run days replayed
    events: list[TimelineEvent]
    hits: list[RuleHit]
    replay: alerts.Replay
    scores: list[RuleScore]
    matches: list[EventMatch]


def replay_rules(db_path: Path, model_name: str, start: date, end: date, rules: list,
                 close_after: int) -> tuple[list[date], list[RuleHit], alerts.Replay]:
    """The rules evaluated on every run day of [start, end] from stored indicators, and their episodes."""
    lookback = max([getattr(r, "window_days", 0) for r in rules] or [0])
    with connect(db_path, read_only=True) as con:
        rows = rollup_indicators(con, start - timedelta(days=lookback), end, model_name)
        days = run_days(con, start - timedelta(days=lookback), end, model_name)
    history = alerts.History(rows, days)
    by_day = defaultdict(list)
    for row in rows:
        by_day[row.day].append(row)
    replayed = [d for d in days if d >= start]
    hits = [h for d in replayed for h in alerts.evaluate(d, by_day[d], history, rules)]
    return replayed, hits, alerts.replay((), replayed, hits, close_after)


def run_backtest(db_path: Path, events_path: Path, start: date, end: date, model_name: str, rules: list,
                 close_after: int, before: int = 0, after: int = 3, direction: str = "raised",
                 match_topic: bool = False) -> BacktestReport:
    with events_path.open(encoding="utf-8") as lines:
        events = backtest.select(backtest.read_events(lines, str(events_path)), start, end, direction)
    days, hits, result = replay_rules(db_path, model_name, start, end, rules, close_after)
    scores, matches = backtest.score(result.episodes, result.transitions, events, before, after, match_topic)
    return BacktestReport(start, end, model_name, len(days), events, hits, result, scores, matches)


def print_backtest(console: Console, report: BacktestReport, before: int, after: int) -> None:
    console.rule(f"[bold]Backtest {report.start} to {report.end}")
    console.print(f"{report.days} run days replayed (model {report.model_name}), {len(report.hits)} rule hits, "
                  f"{len(report.replay.episodes)} episodes; {len(report.events)} events; an event is caught by an "
                  f"episode opening or escalating from {before} day(s) before to {after} day(s) after it")
    print_rows(console, ["rule", "episodes", "matched", "no event", "events", "caught", "recall", "precision",
                         "lag days (caught events)"],
               [(s.rule, s.n_alerts, s.n_matched_alerts, len(s.unmatched), s.n_events, s.n_caught, _pct(s.recall),
                 _pct(s.precision), ", ".join(f"{d:+d}" for d in s.lags)) for s in report.scores])
    by_event = defaultdict(list)
    for m in report.matches:
        if m.rule != backtest.ANY_RULE:
            by_event[(m.event.day, m.event.description)].append(m)
    events = []
    for e in report.events:
        caught = [f"{m.rule} {m.lag_days:+d}" for m in by_event[(e.day, e.description)] if m.alert_id]
        events.append((e.day, e.direction, e.description, ", ".join(caught) or "—"))
    print_rows(console, ["date", "direction", "event", "caught by (lag days)"], events)
    unmatched = next(s for s in report.scores if s.rule == backtest.ANY_RULE).unmatched
    if unmatched:
        console.print(f"[bold]{len(unmatched)} episode(s) matching no event")
        for a in unmatched:
            console.print(f"  {a.day} {a.rule} {a.country} {a.topic} {a.severity} ({a.n_hit_days} day(s))")


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"
