"""What `tremor demo` and `tremor alerts` print: the state of the warehouse for a person to read."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.console import Console

from pipeline.notify import evidence_lines, explain
from tremor.tables import print_rows
from warehouse.alerts import alerts_since, evidence_articles
from warehouse.db import connect
from warehouse.store import fetch_named

RECENT_DAYS = 7


def print_summary(console: Console, db_path: Path, model_name: str) -> None:
    with connect(db_path, read_only=True) as con:
        _, [(days, first, last)] = fetch_named(con, "summary_days", [model_name])
        _, langs = fetch_named(con, "summary_langs")
        columns, recent = fetch_named(con, "summary_recent_indicators", [model_name, model_name, RECENT_DAYS])
    console.rule("[bold]Tremor demo summary")
    console.print(f"days processed: {days} ({first} to {last}), model {model_name}")
    console.print("articles per language: " + ", ".join(f"{lang} {n}" for lang, n in langs))
    print_rows(console, columns, recent, f"Daily indicators, last {RECENT_DAYS} days, all topics, per source country")
    print_alerts(console, db_path, date.min)


def print_alerts(console: Console, db_path: Path, since: date) -> None:
    """Episodes opened since a day, newest first: why each fired, and the articles and sentences behind it."""
    with connect(db_path, read_only=True) as con:
        episodes = alerts_since(con, since)
        evidence = {}
        for model in {a.model_name for a in episodes}:
            evidence[model] = evidence_articles(con, model, (i for a in episodes if a.model_name == model
                                                             for i in a.evidence))
    if not episodes:
        console.print(f"no alerts since {since}" if since != date.min else "no alerts")
        return
    console.print(f"[bold]{len(episodes)} alert episode(s), newest first")
    for alert in episodes:
        until = f"closed {alert.closed_day}" if alert.closed_day else "still open"
        console.print(
            f"\n[bold red]{alert.severity.upper()}[/] {alert.day} · {alert.country} · {alert.topic} · {alert.rule}: "
            f"{alert.n_hit_days} day(s) firing, last {alert.last_hit_day}, {until} [dim]({alert.id})[/]",
            highlight=False)
        console.print(f"    why (peak {alert.peak_day}): {explain(alert)}", highlight=False)
        articles = [evidence[alert.model_name][i] for i in alert.evidence if i in evidence[alert.model_name]]
        for article in articles[:5]:
            for line in evidence_lines(article, sentences=1):
                console.print(f"    {line}", highlight=False, markup=False)
