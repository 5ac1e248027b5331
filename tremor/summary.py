"""What `tremor demo` and `tremor alerts` print: the state of the warehouse for a person to read."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table

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
    table = Table(*columns, title=f"Daily indicators, last {RECENT_DAYS} days, all topics, per source country")
    for row in recent:
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)
    print_alerts(console, db_path, date.min)


def print_alerts(console: Console, db_path: Path, since: date) -> None:
    with connect(db_path, read_only=True) as con:
        columns, rows = fetch_named(con, "alerts_since", [since])
    if not rows:
        console.print(f"no alerts since {since}" if since != date.min else "no alerts")
        return
    console.print(f"[bold]{len(rows)} alert episode(s), newest first")
    for row in rows:
        alert = dict(zip(columns, row, strict=True))
        until = f"closed {alert['closed_day']}" if alert["closed_day"] else "still open"
        baseline = f", baseline {alert['baseline']:.2f}" if alert["baseline"] is not None else ""
        console.print(
            f"\n[bold red]{alert['severity'].upper()}[/] {alert['day']} · {alert['country']} · {alert['topic']} · "
            f"{alert['rule']}: peak {alert['observed']:.2f} vs threshold {alert['threshold']:.2f}{baseline}; "
            f"{alert['n_hit_days']} day(s) firing, last {alert['last_hit_day']}, {until} [dim]({alert['id']})[/]")
        for article in (alert["evidence_articles"] or [])[:5]:
            console.print(f"    {article['score']:+.2f}  [{article['lang']}] {article['source']}: {article['title']}")
