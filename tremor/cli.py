"""The `tremor` command line."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager, nullcontext
from datetime import date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from tremor.runtime import apply_defaults

if TYPE_CHECKING:
    from tremor.settings import ModelSettings

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


CONFIG_EXIT = 2  # a settings mistake, like click's usage errors; other expected failures exit 1


def _settings(config: Path | None, db: Path | None):
    """The settings, or one line saying what is wrong with them (key, value, what is allowed, file) and exit 2."""
    from tremor.settings import ConfigError, load_settings

    try:
        return load_settings(config, db_path=db)
    except ConfigError as exc:
        _say_error(exc)
        raise typer.Exit(CONFIG_EXIT) from None


def _say_error(exc: Exception) -> None:
    """`error: <message>` on stderr, on one line whatever the terminal's width and whatever brackets it holds."""
    from rich.markup import escape

    err.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)


@app.command()
def ingest(files: Annotated[list[Path], typer.Argument(help="JSONL, JSON-array or CSV files (optionally .gz)")],
           db: DbOption = None, config: ConfigOption = None) -> None:
    """Load articles from files; bad rows, and files that cannot be read to their end, go to the quarantine table
    with the reason (one line each here); then publish the analyst snapshot. Exit 1 when a file was not read to its
    end (its good rows before the problem are stored)."""
    from flows.daily import ingest_flow
    from flows.prefect_server import prefect_api

    settings = _settings(config, db)
    with prefect_api():
        report = ingest_flow([str(f) for f in files], settings.db_path, settings.sources.registry,
                             settings.max_text_chars, settings.ingest)
    for problem in (*report.unreadable, *report.bad_rows):
        _print_line(err, f"{problem.source_file}, line {problem.line_no}: {problem.reason}")
    if report.rejected > len(report.bad_rows):
        _print_line(err, f"... and {report.rejected - len(report.bad_rows)} more bad rows: tremor query "
                         "\"SELECT source_file, line_no, reason FROM quarantine ORDER BY quarantined_at DESC\"")
    _print_line(console, f"{report.read} rows read: {report.new} new articles, {report.duplicates} duplicates, "
                         f"{report.rejected} rejected ({report.newly_quarantined} newly quarantined), "
                         f"{len(report.unreadable)} files not read to their end -> {settings.db_path}")
    if report.unreadable:
        raise typer.Exit(1)


@app.command()
def run(day: Annotated[str | None, typer.Option("--date", help="Day to process, YYYY-MM-DD [default: yesterday UTC]")] = None,
        db: DbOption = None, config: ConfigOption = None) -> None:
    """Run the daily flow for one day: ingest configured sources, score, aggregate, alert, notify."""
    from flows.daily import daily_flow

    settings = _settings(config, db)  # settings mistakes end here, in one line, before a Prefect server starts
    with _prefect_api_while_models_load(settings.models):
        result = daily_flow(_parse_day(day) if day else None, str(db) if db else None, str(config) if config else None)
    console.print(f"{result.day}: {result.articles} articles, {result.rule_hits} rule hits, {result.new_alerts} new alerts")


@app.command()
def backfill(start: Annotated[str, typer.Option(help="First day, YYYY-MM-DD")],
             end: Annotated[str, typer.Option(help="Last day, YYYY-MM-DD (inclusive)")],
             db: DbOption = None, config: ConfigOption = None,
             redo: Annotated[bool, typer.Option("--redo", help="Process days already done again (default: resume)")] = False,
             workers: Annotated[int | None, typer.Option("--workers", min=0, help="Score on a local Dask cluster of N worker processes; 0: in this process [default: settings' backfill.workers]")] = None,
             scheduler: Annotated[str | None, typer.Option("--scheduler", help="Score on the Dask cluster of this scheduler, tcp://HOST:8786 [default: settings' backfill.scheduler]")] = None) -> None:
    """Run the daily processing for every day of a range, in order; a rerun resumes where the last one stopped."""
    from flows.scale import backfill as run_backfill

    settings = _settings(config, db)
    cfg = settings.backfill.model_copy(update={k: v for k, v in {"workers": workers, "scheduler": scheduler}.items()
                                               if v is not None})
    with _prefect_api_while_models_load(settings.models if cfg.in_process else None):
        results = run_backfill(_parse_day(start), _parse_day(end), str(db) if db else None,
                               str(config) if config else None, redo, cfg)
    console.print(f"{len(results)} days processed, {sum(r.articles for r in results)} articles, "
                  f"{sum(r.new_alerts for r in results)} alerts opened")


@app.command()
def demo(db: DbOption = None, config: ConfigOption = None) -> None:
    """Ingest the bundled demo corpus, backfill its whole range, and print a summary."""
    from flows.daily import backfill_flow, ingest_flow

    settings = _settings(config, db)
    with _prefect_api_while_models_load(settings.models):
        report = ingest_flow([str(DEMO_CORPUS)], settings.db_path, settings.sources.registry,
                             settings.max_text_chars, settings.ingest, publish=False)  # backfill_flow publishes
        console.print(f"demo corpus: {report.read} rows, {report.new} new articles, {report.duplicates} duplicates, "
                      f"{report.rejected} rejected; days {report.first_day} to {report.last_day}")
        backfill_flow(report.first_day, report.last_day, str(settings.db_path), str(config) if config else None)
    from tremor.summary import print_summary

    print_summary(console, settings.db_path, settings.models.sentiment)


@app.command()
def score(input: Annotated[str, typer.Option("--input", help="JSONL rows with id, text, optional lang; - for stdin")] = "-",
          output: Annotated[str, typer.Option("--output", help="Where to write JSONL; - for stdout")] = "-",
          sentences: Annotated[bool, typer.Option("--sentences", help="Also list each sentence with its own score")] = False,
          model: Annotated[str | None, typer.Option("--model", help="Registered sentiment model [default: settings']")] = None,
          config: ConfigOption = None) -> None:
    """Score JSONL rows without storing them: sentiment (by sentence, rolled up), topics with their confidence and
    the countries each row talks about with the sentiment toward each, in order."""
    from tremor.scoring import score_rows

    settings = _settings(config, None)
    source = nullcontext(sys.stdin) if input == "-" else open(input, encoding="utf-8")
    sink = nullcontext(sys.stdout) if output == "-" else open(output, "w", encoding="utf-8")
    with source as lines, sink as out:
        cfg = settings.models.model_copy(update={"sentiment": model}) if model else settings.models
        for result in score_rows(lines, cfg, sentences):
            out.write(json.dumps(result, ensure_ascii=False) + "\n")


@app.command()
def query(sql: Annotated[str, typer.Argument(help="A read-only SQL statement")], db: DbOption = None,
          config: ConfigOption = None,
          format: Annotated[Format, typer.Option("--format", help="Output format")] = Format.table) -> None:
    """Run one read-only statement (SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN) on the analyst snapshot of the
    warehouse (articles, article_scores, daily_indicators, alerts, ...); anything else is refused, and SQL cannot read
    or write files or the network."""
    from warehouse.db import connect
    from warehouse.snapshot import analyst_path
    from warehouse.store import analyst_query

    settings = _settings(config, db)
    with connect(analyst_path(settings.db_path), read_only=True) as con:
        columns, rows = analyst_query(con, sql)
    _emit(columns, rows, format)


@app.command()
def export(name: Annotated[str, typer.Argument(metavar="TABLE_OR_VIEW", help="Table or view to export (those the README lists for analysts)")],
           out: Annotated[Path, typer.Option("--out", help="File to write: FILE.parquet or FILE.csv")],
           since: Annotated[str | None, typer.Option("--since", help="Only rows of days on or after YYYY-MM-DD")] = None,
           until: Annotated[str | None, typer.Option("--until", help="Only rows of days on or before YYYY-MM-DD")] = None,
           db: DbOption = None, config: ConfigOption = None) -> None:
    """Write one analyst table or view of the snapshot to a Parquet or CSV file (whole or not at all), for pandas,
    polars, R or DuckDB."""
    from tremor.export import check_suffix
    from tremor.export import export as export_rows
    from warehouse.snapshot import analyst_path

    try:
        check_suffix(out)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--out") from None
    settings = _settings(config, db)
    n = export_rows(analyst_path(settings.db_path), name, out, _parse_day(since) if since else None,
                    _parse_day(until) if until else None)
    console.print(f"{n} rows of {name} -> {out}", highlight=False)


@app.command()
def alerts(since: Annotated[str | None, typer.Option("--since", help="Only episodes opened on or after YYYY-MM-DD")] = None,
           db: DbOption = None, config: ConfigOption = None) -> None:
    """The alert episodes, newest first, with the articles that drove them."""
    from tremor.summary import print_alerts

    from warehouse.snapshot import analyst_path

    settings = _settings(config, db)
    print_alerts(console, analyst_path(settings.db_path), _parse_day(since) if since else date.min)


ModelOption = Annotated[str | None, typer.Option("--model", help="Registered sentiment model [default: settings']")]


@app.command()
def backtest(events: Annotated[Path, typer.Option("--events", exists=True, dir_okay=False, help="CSV: date, description, direction (raised/lowered), source[, topic, country]")],
             start: Annotated[str, typer.Option(help="First day, YYYY-MM-DD")],
             end: Annotated[str, typer.Option(help="Last day, YYYY-MM-DD (inclusive)")],
             before: Annotated[int, typer.Option(help="An alert up to this many days before an event catches it (a lead)")] = 0,
             after: Annotated[int, typer.Option(help="An alert up to this many days after an event catches it (a lag)")] = 3,
             direction: Annotated[str, typer.Option(help="Events scored: raised, lowered or all")] = "raised",
             match_topic: Annotated[bool, typer.Option("--match-topic", help="Only alerts on an event's topic and country (when the CSV gives them) catch it")] = False,
             model: ModelOption = None, db: DbOption = None, config: ConfigOption = None) -> None:
    """Replay the snapshot's daily indicators through the configured rules and score them against dated events."""
    from tremor.backtest import print_backtest, run_backtest
    from warehouse.snapshot import analyst_path

    if direction not in ("raised", "lowered", "all"):
        raise typer.BadParameter(f"--direction {direction!r}: use raised, lowered or all")
    settings = _settings(config, db)
    report = run_backtest(analyst_path(settings.db_path), events, _parse_day(start), _parse_day(end),
                          model or settings.models.sentiment, settings.alerts.to_rules(),
                          settings.alerts.close_after_days, before, after, direction, match_topic)
    print_backtest(console, report, before, after)


@app.command()
def report(day: Annotated[str, typer.Option("--date", help="Day of the brief, YYYY-MM-DD")],
           out: Annotated[Path, typer.Option("--out", help="HTML file to write")],
           model: ModelOption = None, db: DbOption = None, config: ConfigOption = None) -> None:
    """Write a self-contained HTML brief from the snapshot: topic charts with alerts marked, open alerts, the day's stories."""
    from tremor.report import write_report
    from warehouse.snapshot import analyst_path

    settings = _settings(config, db)
    path = write_report(analyst_path(settings.db_path), _parse_day(day), out, model or settings.models.sentiment, settings.report,
                        settings.models.taxonomy)
    console.print(f"wrote {path}")


@app.command()
def serve(config: ConfigOption = None,
          cron: Annotated[str | None, typer.Option(help="Cron schedule (UTC) [default: settings' schedule_cron]")] = None,
          port: Annotated[int, typer.Option(help="Port of the Prefect server started when PREFECT_API_URL is not set (0: any free one)")] = 4200) -> None:
    """Register the daily deployment on its cron schedule and serve it (runs until stopped); with no
    PREFECT_API_URL, a local Prefect server runs as long as it does."""
    from flows.deploy import serve_daily

    settings = _settings(config, None)
    serve_daily(cron or settings.schedule_cron, str(config) if config else None, port,
                lambda line: console.print(line, soft_wrap=True, markup=False))


@app.command()
def models(prepare: Annotated[bool, typer.Option("--prepare", help="Rebuild the e5 base into its cache and load every model once")] = False) -> None:
    """List the registered sentiment models (the default first); --prepare readies them for offline use."""
    from models.registry import available, load_sentiment

    default = _settings(None, None).models.sentiment
    for name in sorted(available(), key=lambda n: n != default):
        if prepare:
            model = load_sentiment(name)
            console.print(f"{name} {model.version} ready{' (default)' if name == default else ''}")
        else:
            console.print(f"{name}{' (default)' if name == default else ''}")


train_app = typer.Typer(help="Train Tremor's own models from labelled data.", no_args_is_help=True)
eval_app = typer.Typer(help="Measure Tremor's models on development data they were not trained on.",
                       no_args_is_help=True)
app.add_typer(train_app, name="train")
app.add_typer(eval_app, name="eval")
DataOption = Annotated[Path, typer.Option("--data", help="Folder of the labelled .tsv files (see README)")]


@train_app.command("sentiment")
def train_sentiment(data: DataOption,
                    out: Annotated[Path, typer.Option("--out", help="Folder for the trained adapter, head and meta.json")],
                    max_steps: Annotated[int | None, typer.Option("--max-steps", help="Stop early (smoke runs)")] = None,
                    init: Annotated[Path | None, typer.Option("--init", help="Continue training these artefacts (another pass)")] = None,
                    lr: Annotated[float, typer.Option("--lr", help="LoRA learning rate (the head's is 4x)")] = 5e-4,
                    seed: Annotated[int, typer.Option("--seed", help="Sampling and shuffling seed")] = 13,
                    cap: Annotated[list[str] | None, typer.Option("--cap", help="SET=ROWS: train on this many rows of a set "
                                                                 "(repeatable; 0 = all) instead of the default cap")] = None,
                    repeat: Annotated[list[str] | None, typer.Option("--repeat", help="SET=N: take this set's training rows "
                                                                    "N times (repeatable), e.g. news_tone=4")] = None,
                    skip: Annotated[list[str] | None, typer.Option("--skip", help="Leave this set out (repeatable), e.g. "
                                                                  "news_tone and news_real to train as v1 was")] = None,
                    name: Annotated[str, typer.Option("--name", help="Model name written into meta.json")] = "sentiment.e5.v2",
                    version: Annotated[str, typer.Option("--version", help="Version written into meta.json")] = "1.0.0",
                    top_layers: Annotated[int, typer.Option("--top-layers", min=1, max=12, help="LoRA on this many top encoder "
                                                            "layers (an --init covering fewer gains fresh ones)")] = 6,
                    precision: Annotated[str, typer.Option("--precision", help="fp32, or bf16 autocast (faster on CPUs "
                                                           "with native bf16)")] = "fp32",
                    calibrate: Annotated[str, typer.Option("--calibrate", help="Fit the temperature on the real-news dev split "
                                                           "(news-dev) or on training rows held back (train)")] = "news-dev") -> None:
    """Fine-tune the e5 sentiment model (LoRA on the top layers + head) on the training splits."""
    from dataclasses import replace

    from models.e5_classifier import check_init, init_rank
    from models.sentiment_data import TRAIN, check_sets, load, train_caps, train_repeats
    from models.train_sentiment import TrainConfig, train

    try:
        caps = train_caps(cap or [])
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--cap") from None
    try:
        repeats = train_repeats(repeat or [])
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--repeat") from None
    if precision not in ("fp32", "bf16"):
        raise typer.BadParameter(f"{precision!r}: choose fp32 or bf16", param_hint="--precision")
    if calibrate not in ("news-dev", "train"):
        raise typer.BadParameter(f"{calibrate!r}: choose news-dev or train", param_hint="--calibrate")
    try:
        check_sets(skip or ())  # before the model loads
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--skip") from None
    config = TrainConfig(max_steps=max_steps, lr=lr, head_lr=4 * lr, seed=seed, top_layers=top_layers, precision=precision)
    if init is not None:
        try:
            config = replace(config, **init_rank(init))  # a continued adapter keeps its rank (a soup's is k x 16)
            check_init(init, config.top_layers, config.rank, config.alpha)
        except (ValueError, FileNotFoundError) as e:
            raise typer.BadParameter(str(e), param_hint="--init") from None
    rows, described = _news_dev_calibration() if calibrate == "news-dev" else (None, "")
    examples = load(data, TRAIN, caps=caps, seed=seed, repeats=repeats, skip=skip or ())
    meta = train(examples, out, config, report=console.print, init=init, name=name, version=version,
                 calibrate_on=rows, calibrated_on=described)
    console.print(f"saved {meta['name']} {meta['version']} to {out} (temperature {meta['temperature']})")


def _news_dev_calibration() -> tuple[list, str]:
    """The real-news dev split as calibration rows, and how the meta names them."""
    from models import news_eval

    dev = news_eval.as_examples(news_eval.read("dev"))
    return dev, f"real-news dev split ({len(dev)} items, models/tone_data/news_eval.jsonl)"


@train_app.command("calibrate")
def train_calibrate(artefacts: Annotated[Path, typer.Option("--model-dir", help="Trained artefacts whose temperature to refit")]) -> None:
    """Refit a trained sentiment model's temperature on the real-news dev split (weights untouched)."""
    from models.e5_classifier import check_artefacts
    from models.train_sentiment import recalibrate

    try:
        check_artefacts(artefacts)
    except FileNotFoundError as e:
        raise typer.BadParameter(str(e), param_hint="--model-dir") from None
    meta = recalibrate(artefacts, *_news_dev_calibration(), report=console.print)
    console.print(f"{meta['name']} {meta['version']}: temperature {meta['temperature']}")


@train_app.command("average")
def train_average(passes: Annotated[list[Path], typer.Argument(help="Folders of trained passes (two or more)")],
                  data: DataOption,
                  out: Annotated[Path, typer.Option("--out", help="Folder for the averaged adapter, head and meta.json")],
                  version: Annotated[str, typer.Option("--version", help="Version written into meta.json")] = "1.0.0",
                  seed: Annotated[int, typer.Option("--seed", help="Seed of the calibration sample")] = 13) -> None:
    """Average trained sentiment passes into one model (a uniform model soup; exact for LoRA) and fit its
    temperature on 1,000 training rows."""
    import random

    from models.sentiment_data import TRAIN, load
    from models.soup import average, check_passes
    from models.train_sentiment import hold_back

    try:
        check_passes(passes, out)
    except (ValueError, FileNotFoundError) as e:
        raise typer.BadParameter(str(e), param_hint="PASSES") from None
    calibration, _ = hold_back(load(data, TRAIN, seed=seed), 1000, random.Random(seed))
    meta = average(passes, out, calibration, version, report=console.print)
    console.print(f"saved {meta['name']} {meta['version']} to {out} (temperature {meta['temperature']})")


@eval_app.command("sentiment")
def eval_sentiment(data: Annotated[Path | None, typer.Option("--data", help="Folder of the labelled .tsv files (see README); "
                                                             "without it only the real-news table is printed")] = None,
                   artefacts: Annotated[Path | None, typer.Option("--model-dir", help="Trained artefacts [default: the shipped ones]")] = None,
                   baseline: Annotated[str, typer.Option("--baseline", help="Registered model scored on the same rows")] = "sentiment.lexicon.v1",
                   compare: Annotated[list[str] | None, typer.Option("--compare", help="Registered models also scored on the "
                                                                     "real-news set [default: sentiment.e5.v1 and the baseline]")] = None,
                   split: Annotated[str, typer.Option("--split", help="Real-news split: test (the figures) or dev")] = "test",
                   precision: Annotated[str, typer.Option("--precision", help="auto (bf16 on a CPU with native bf16, else fp32), fp32 or bf16")] = "auto") -> None:
    """Print the real-news tone table (models/tone_data/news_eval.jsonl, per language and kind) and, with --data,
    the development-split table of the labelled polarity sets: the e5 model beside the baseline, with ECE."""
    from models import news_eval
    from models.e5_sentiment import E5Sentiment
    from models.evaluate_sentiment import evaluate, render
    from models.registry import PRECISIONS, load_sentiment

    if precision not in PRECISIONS:
        raise typer.BadParameter(f"{precision!r}: choose one of {', '.join(PRECISIONS)}", param_hint="--precision")
    if split not in news_eval.SPLITS:
        raise typer.BadParameter(f"{split!r}: choose one of {', '.join(news_eval.SPLITS)}", param_hint="--split")
    wide = Console(width=max(console.width, 150))
    model = E5Sentiment(artefacts, precision=precision) if artefacts else load_sentiment("sentiment.e5.v2", precision)
    models = {f"{model.name} {model.version}": model}
    for name in compare if compare is not None else ["sentiment.e5.v1", baseline]:
        other = load_sentiment(name, precision)
        models.setdefault(f"{other.name} {other.version}", other)
    items = news_eval.read(split)
    wide.print(news_eval.render(news_eval.evaluate(models, items), split, [it.label for it in items]))
    if data is not None:
        wide.print(render(evaluate(data, artefacts, baseline, precision=precision, model=model)))


TopicDirOption = Annotated[Path | None, typer.Option("--model-dir", help="Topic model artefacts [default: the shipped ones]")]


@train_app.command("topics")
def train_topics(out: Annotated[Path | None, typer.Option("--out", help="Folder for prototypes.npz and meta.json [default: the shipped model's]")] = None,
                 real: Annotated[bool, typer.Option("--real/--no-real", help="Also learn from the real news sentences of "
                                                    "models/tone_data/train.jsonl and pick the threshold on the real-news dev split")] = True,
                 precision_floor: Annotated[float, typer.Option("--precision-floor", min=0.0, max=1.0, help="Pick the best-F1 "
                                                                "threshold among those at least this precise")] = 0.88,
                 neighbours: Annotated[int, typer.Option("--neighbours", min=0, help="Neighbour sentences per topic in the "
                                                         "combiner's fifth feature (0: prototypes and keywords only, "
                                                         "as version 2)")] = 2,
                 version: Annotated[str, typer.Option("--version", help="Version written into meta.json")] = "3",
                 config: ConfigOption = None) -> None:
    """Learn topic prototypes from models/topic_data/examples.jsonl (and, with --real, the real news sentences of
    models/tone_data/train.jsonl, off-topic ones as hard negatives; those sentences are also kept as neighbours) and
    fit the keyword + prototype + neighbour combiner on the
    tuning part of models/topic_data/eval.jsonl (and those real sentences); the threshold is chosen on the real-news
    dev split (--real) or the tuning part. No test split is used."""
    from models.topic_model import SHIPPED
    from models.topic_training import read_eval, read_examples, read_news_eval, read_real_train, train
    from pipeline.taxonomy import load_taxonomy

    taxonomy = load_taxonomy(_settings(config, None).models.taxonomy)
    tune = [r for r in read_eval() if r.split == "tune"]
    extra = dict(real=read_real_train(), threshold_rows=[r for r in read_news_eval() if r.split == "tune"]) if real else {}
    train(taxonomy, out or SHIPPED, read_examples(), tune, version=version, report=console.print,
          precision_floor=precision_floor, neighbours_k=neighbours if real else 0, **extra)


@eval_app.command("topics")
def eval_topics(artefacts: TopicDirOption = None, config: ConfigOption = None) -> None:
    """Print topic micro/macro-F1, precision and recall per language, keyword-only vs combined, and country-target
    F1, on models/topic_data/eval.jsonl (its test part was never tuned on) and on the real-news set
    models/tone_data/news_eval.jsonl."""
    from models.topic_model import SHIPPED, load
    from models.topic_training import evaluate, evaluate_targets, read_eval, read_news_eval, render, render_targets
    from pipeline.taxonomy import load_taxonomy

    taxonomy, rows, news = load_taxonomy(_settings(config, None).models.taxonomy), read_eval(), read_news_eval()
    model = load(artefacts or SHIPPED)
    wide = Console(width=max(console.width, 170))
    wide.print(render(evaluate(taxonomy, rows, model)))
    wide.print(render_targets(evaluate_targets(rows)))
    real = "real news, models/tone_data/news_eval.jsonl (tune = its dev split, test = its test split)"
    wide.print(render(evaluate(taxonomy, news, model), real))
    wide.print(render_targets(evaluate_targets(news), real))


@contextmanager
def _prefect_api_while_models_load(models: ModelSettings | None):
    """The command's Prefect API (flows.prefect_server.prefect_api), with `models` (when the command scores in
    this process) loading in a thread meanwhile (models.annotate.warm_up)."""
    from flows.prefect_server import prefect_api
    from models import annotate

    if models is not None:
        annotate.warm_up(models)
    with prefect_api() as api:
        yield api


def _print_line(target: Console, text: str) -> None:
    """One line, as given: no markup, no wrapping, control characters and lone surrogates escaped."""
    safe = text.encode("utf-8", "backslashreplace").decode("utf-8")
    target.print("".join(c if c.isprintable() else repr(c)[1:-1] for c in safe), markup=False, highlight=False,
                 soft_wrap=True)


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
        from tremor.tables import print_rows

        print_rows(console, columns, rows, hint=f"(one block per row: the {len(columns)} columns do not fit in "
                                                f"{console.width} characters; --format csv for a file or a pipe)")


def main() -> None:
    """The `tremor` entry point: expected failures end with one clear line and exit code 1 (settings mistakes: 2)."""
    from pipeline.files import UnsupportedFile
    from pipeline.ingest import NoInputFiles
    from tremor.settings import ConfigError
    from warehouse.errors import WarehouseError
    from models.sentiment_data import MissingData
    from pipeline.backtest import EventsFileError
    from flows.errors import PrefectServerDidNotStart, SchedulerNotRunning

    try:
        app()
    except ConfigError as exc:
        _say_error(exc)
        raise SystemExit(CONFIG_EXIT) from None
    except (WarehouseError, NoInputFiles, UnsupportedFile, MissingData, EventsFileError, SchedulerNotRunning,
            PrefectServerDidNotStart) as exc:
        err.print(f"[bold red]error:[/] {exc}", soft_wrap=True)  # one line, whatever the width
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
