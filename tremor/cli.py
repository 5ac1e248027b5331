"""The `tremor` command line."""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tremor.runtime import apply_defaults

apply_defaults()

app = typer.Typer(help="Tremor: early warning of hostile press coverage between Japan, South Korea and the US.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_show_locals=False)
console = Console()
err = Console(stderr=True)

DbOption = Annotated[Path | None, typer.Option("--db", help="DuckDB warehouse file [default: settings' db_path]")]
ConfigOption = Annotated[Path | None, typer.Option("--config", help="Settings TOML [default: ./tremor.toml]")]
DEMO_CORPUS = Path(__file__).parent / "demo" / "corpus.jsonl.gz"


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def _settings(config: Path | None, db: Path | None):
    from tremor.settings import load_settings

    return load_settings(config, db_path=db)


@app.command()
def ingest(files: Annotated[list[Path], typer.Argument(help="JSONL or CSV files (optionally .gz)")],
           db: DbOption = None, config: ConfigOption = None) -> None:
    """Load articles from files; bad rows go to the quarantine table with the reason."""
    from flows.daily import ingest_flow

    settings = _settings(config, db)
    report = ingest_flow([str(f) for f in files], settings.db_path, settings.sources.registry, settings.max_text_chars)
    console.print(f"{report.read} rows read: {report.new} new articles, {report.duplicates} duplicates, "
                  f"{report.rejected} rejected ({report.newly_quarantined} newly quarantined) -> {settings.db_path}")


@app.command()
def run(day: Annotated[str | None, typer.Option("--date", help="Day to process, YYYY-MM-DD [default: yesterday UTC]")] = None,
        db: DbOption = None, config: ConfigOption = None) -> None:
    """Run the daily flow for one day: ingest configured sources, score, aggregate, alert, notify."""
    from flows.daily import daily_flow

    result = daily_flow(_parse_day(day) if day else None, str(db) if db else None, str(config) if config else None)
    console.print(f"{result.day}: {result.articles} articles, {result.rule_hits} rule hits, {result.new_alerts} new alerts")


@app.command()
def backfill(start: Annotated[str, typer.Option(help="First day, YYYY-MM-DD")],
             end: Annotated[str, typer.Option(help="Last day, YYYY-MM-DD (inclusive)")],
             db: DbOption = None, config: ConfigOption = None) -> None:
    """Run the daily processing for every day of a range, in order."""
    from flows.daily import backfill_flow

    results = backfill_flow(_parse_day(start), _parse_day(end), str(db) if db else None, str(config) if config else None)
    console.print(f"{len(results)} days processed, {sum(r.articles for r in results)} articles, "
                  f"{sum(r.new_alerts for r in results)} alerts opened")


@app.command()
def demo(db: DbOption = None, config: ConfigOption = None) -> None:
    """Ingest the bundled demo corpus, backfill its whole range, and print a summary."""
    from flows.daily import backfill_flow, ingest_flow

    settings = _settings(config, db)
    report = ingest_flow([str(DEMO_CORPUS)], settings.db_path, settings.sources.registry, settings.max_text_chars)
    console.print(f"demo corpus: {report.read} rows, {report.new} new articles, {report.duplicates} duplicates, "
                  f"{report.rejected} rejected; days {report.first_day} to {report.last_day}")
    backfill_flow(report.first_day, report.last_day, str(settings.db_path), str(config) if config else None)
    from tremor.summary import print_summary

    print_summary(console, settings.db_path, settings.models.sentiment)


@app.command()
def score(input: Annotated[str, typer.Option("--input", help="JSONL rows with id, text, optional lang; - for stdin")] = "-",
          output: Annotated[str, typer.Option("--output", help="Where to write JSONL; - for stdout")] = "-",
          config: ConfigOption = None) -> None:
    """Score JSONL rows without storing them: sentiment and topics per row, in input order."""
    from tremor.scoring import score_rows

    settings = _settings(config, None)
    source = nullcontext(sys.stdin) if input == "-" else open(input, encoding="utf-8")
    sink = nullcontext(sys.stdout) if output == "-" else open(output, "w", encoding="utf-8")
    with source as lines, sink as out:
        for result in score_rows(lines, settings.models.sentiment, settings.models.taxonomy, settings.models.batch_size):
            out.write(json.dumps(result, ensure_ascii=False) + "\n")


@app.command()
def query(sql: Annotated[str, typer.Argument(help="A read-only SQL statement")], db: DbOption = None,
          config: ConfigOption = None,
          format: Annotated[Format, typer.Option("--format", help="Output format")] = Format.table) -> None:
    """Run read-only SQL against the warehouse (tables: articles, article_scores, daily_indicators, alerts, ...)."""
    from warehouse.db import connect
    from warehouse.store import fetch

    settings = _settings(config, db)
    with connect(settings.db_path, read_only=True) as con:
        columns, rows = fetch(con, sql)
    _emit(columns, rows, format)


@app.command()
def alerts(since: Annotated[str | None, typer.Option("--since", help="Only episodes opened on or after YYYY-MM-DD")] = None,
           db: DbOption = None, config: ConfigOption = None) -> None:
    """The alert episodes, newest first, with the articles that drove them."""
    from tremor.summary import print_alerts

    settings = _settings(config, db)
    print_alerts(console, settings.db_path, _parse_day(since) if since else date.min)


@app.command()
def serve(config: ConfigOption = None,
          cron: Annotated[str | None, typer.Option(help="Cron schedule (UTC) [default: settings' schedule_cron]")] = None) -> None:
    """Register the daily deployment on its cron schedule and serve it (runs until stopped)."""
    from flows.deploy import serve_daily

    settings = _settings(config, None)
    serve_daily(cron or settings.schedule_cron, str(config) if config else None)


@app.command()
def models() -> None:
    """List the registered sentiment models."""
    from models.registry import available

    for name in available():
        console.print(name)


def _parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form") from None


def _emit(columns: list[str], rows: list[tuple], fmt: Format) -> None:
    if fmt is Format.json:
        for row in rows:
            sys.stdout.write(json.dumps(dict(zip(columns, row, strict=True)), default=str, ensure_ascii=False) + "\n")
    elif fmt is Format.csv:
        import csv

        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        table = Table(*columns)
        for row in rows:
            table.add_row(*("" if v is None else str(v) for v in row))
        console.print(table)


def main() -> None:
    """The `tremor` entry point: expected failures end with one clear line and exit code 1."""
    from pipeline.files import UnsupportedFile
    from pipeline.ingest import NoInputFiles
    from tremor.settings import ConfigFileMissing
    from warehouse.errors import WarehouseError

    try:
        app()
    except (WarehouseError, NoInputFiles, UnsupportedFile, ConfigFileMissing) as exc:
        err.print(f"[bold red]error:[/] {exc}")
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
