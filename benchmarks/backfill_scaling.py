"""Backfill throughput with the scoring on a local Dask cluster of 1 and of 2 worker processes, and serially.

    .venv/bin/python benchmarks/backfill_scaling.py                    # 20,000 articles over 30 days, lexicon
    .venv/bin/python benchmarks/backfill_scaling.py --articles 2000 --days 5 --workers 1,2,4
    .venv/bin/python benchmarks/backfill_scaling.py --model sentiment.e5.v1 --topics topics.e5-keyword.v1 --ner en,ja

The defaults (lexicon sentiment, keyword topics, no NER, no emerging topics) are the lightest scoring there
is: the workers' share of the work is smallest beside the one writer's, the least favourable case for scaling.

Corpus: generated, deterministic (seed 7): en/ja/ko articles in equal shares from six benchmark outlets (KR, JP
and US; English, Japanese and Korean), composed like the demo corpus from its sentence pools (tremor/demo:
a headline, 2-4 sentences of the article's tone, often a neutral one, 1-2 context sentences), spread evenly
over the days. It is ingested once; each run backfills a copy of that warehouse from scratch.

Each run goes through the code `tremor backfill` uses (flows/scale.py), against one local Prefect server this
script starts (in a temporary PREFECT_HOME) and stops: serial = `flows.daily.backfill_flow` (scoring in the
flow's process), N workers = `run_scaled_backfill` with a local Dask cluster of N single-threaded processes.
The time of a run is the whole backfill call as a user waits for it: cluster start, model loading on each
worker, scoring, the serial writes, indicators and alerts, the analyst snapshot. Articles/s = articles
processed / that time. The machine's load average is printed before and after: other processes on the same
cores slow the runs down and the workers most; so before and after the runs it measures how much more a
CPU-bound loop gets done in N processes than in one, the ceiling of what N workers can gain there.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tremor.runtime import apply_defaults  # noqa: E402

apply_defaults()

from tremor.demo.build import TONES, Outlet, _article, load_pools  # noqa: E402

START = date(2025, 3, 3)
OUTLETS = (Outlet("Bench Seoul Daily", "bench-seoul-daily.example", "KR", "ko", 0, 9),
           Outlet("Bench Hanguk Ilbo", "bench-hanguk-ilbo.example", "KR", "ko", 0, 9),
           Outlet("Bench Tokyo Shimbun", "bench-tokyo-shimbun.example", "JP", "ja", 0, 9),
           Outlet("Bench Osaka Nippo", "bench-osaka-nippo.example", "JP", "ja", 0, 9),
           Outlet("Bench Korea Wire", "bench-korea-wire.example", "KR", "en", 0, 9),
           Outlet("Bench Capitol Post", "bench-capitol-post.example", "US", "en", 0, -4))


def generate(n_articles: int, days: int, seed: int = 7) -> list[dict]:
    """`n_articles` rows spread evenly over `days` days and the outlets (a third per language)."""
    rng, pools, seen, rows = random.Random(seed), load_pools(), set(), []
    topics = sorted(pools["en"]["topics"])
    for i in range(n_articles):
        outlet, day = OUTLETS[i % len(OUTLETS)], START + timedelta(days=i * days // n_articles)
        tone = rng.choices(TONES, (0.3, 0.45, 0.25))[0]
        rows.append(_article(rng, pools, outlet, day, rng.choice(topics), tone, seen))
    return rows


def cpu_speedup(processes: int, seconds: float = 4.0) -> float:
    """How much more a CPU-bound loop gets done in `processes` processes than in one, here and now: on a machine
    shared with other work, the most that as many workers can gain."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    done = []
    for n in (1, processes):
        with ProcessPoolExecutor(n, mp_context=get_context("spawn")) as pool:
            done.append(sum(pool.map(_spin, [seconds] * n)))
    return done[1] / done[0]


def _spin(seconds: float) -> int:
    count, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        for _ in range(10_000):
            count += 1
    return count


def run(label: str, template: Path, folder: Path, backfill) -> tuple[str, int, float]:
    db = folder / f"{label.replace(' ', '-')}.duckdb"
    shutil.copyfile(template, db)
    began = time.perf_counter()
    results = backfill(str(db))
    seconds = time.perf_counter() - began
    articles = sum(r.articles for r in results)
    print(f"  {label}: {articles} articles in {seconds:.1f} s = {articles / seconds:.1f} articles/s "
          f"(load average {os.getloadavg()[0]:.2f})", flush=True)
    return label, articles, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=20_000, help="articles generated (default 20,000)")
    parser.add_argument("--days", type=int, default=30, help="days they are spread over (default 30)")
    parser.add_argument("--model", default="sentiment.lexicon.v1", help="registered sentiment model")
    parser.add_argument("--topics", default="keywords", help="topic model ([models] topics; default: keywords)")
    parser.add_argument("--ner", default="", help="languages of the NER step ([models] ner), e.g. en,ja (default: none)")
    parser.add_argument("--emerging", action="store_true", help="keep [emerging] on: with keyword topics it embeds the "
                                                                "unclaimed articles with e5 in the writer's process")
    parser.add_argument("--workers", default="1,2", help="worker counts to run, comma-separated (default 1,2)")
    parser.add_argument("--no-serial", action="store_true", help="skip the serial reference run")
    parser.add_argument("--keep", type=Path, help="keep the corpus, warehouses and server log in this folder")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.workers.split(",")]

    folder = args.keep or Path(tempfile.mkdtemp(prefix="tremor-backfill-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["TREMOR_SOURCES__FETCH__ENABLED"] = "false"
    os.environ["TREMOR_MODELS__SENTIMENT"] = args.model
    os.environ["TREMOR_MODELS__TOPICS"] = args.topics
    os.environ["TREMOR_MODELS__NER"] = json.dumps([lang for lang in args.ner.split(",") if lang])
    os.environ["TREMOR_EMERGING__ENABLED"] = "true" if args.emerging else "false"
    try:
        return _bench(args, counts, folder)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


def _bench(args, counts: list[int], folder: Path) -> int:
    from flows.daily import backfill_flow, ingest_flow
    from flows.prefect_server import local_prefect_server
    from flows.scale import run_scaled_backfill
    from tremor.settings import BackfillSettings

    for n in (n for n in counts if n > 1):
        print(f"free CPU: a CPU-bound loop in {n} processes does {cpu_speedup(n):.2f}x the work of 1", flush=True)
    print(f"{os.cpu_count()} CPUs; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"sentiment {args.model}, topics {args.topics}, NER {args.ner or 'none'}, emerging topics "
          f"{'on' if args.emerging else 'off'}", flush=True)
    corpus = folder / "corpus.jsonl.gz"
    corpus.write_bytes(gzip.compress("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                             for r in generate(args.articles, args.days)).encode()))
    with local_prefect_server(folder / "prefect-home"):
        template = folder / "ingested.duckdb"
        began = time.perf_counter()
        report = ingest_flow([str(corpus)], template)
        print(f"ingested {report.new} articles ({report.rejected} rejected, {report.duplicates} duplicates), "
              f"days {report.first_day} to {report.last_day}, in {time.perf_counter() - began:.1f} s", flush=True)
        first, last = report.first_day, report.last_day
        runs = []
        if not args.no_serial:
            runs.append(run("serial", template, folder, lambda db: backfill_flow(first, last, db)))
        for n in counts:
            cfg = BackfillSettings(workers=n)
            runs.append(run(f"{n} worker{'s' if n > 1 else ''}", template, folder,
                            lambda db, cfg=cfg: run_scaled_backfill(first, last, db, None, False, cfg)))

    print(f"\n{'run':<12} {'articles':>9} {'seconds':>9} {'articles/s':>11}")
    for label, articles, seconds in runs:
        print(f"{label:<12} {articles:>9} {seconds:>9.1f} {articles / seconds:>11.1f}")
    rate = {label: articles / seconds for label, articles, seconds in runs}
    scaled = [label for label, _, _ in runs if label != "serial"]
    for label in scaled[1:]:
        print(f"ratio {label} / {scaled[0]}: {rate[label] / rate[scaled[0]]:.2f}")
    if "serial" in rate:
        for label in scaled:
            print(f"ratio {label} / serial: {rate[label] / rate['serial']:.2f}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for n in (n for n in counts if n > 1):
        print(f"free CPU now: a CPU-bound loop in {n} processes does {cpu_speedup(n):.2f}x the work of 1 "
              f"(the most {n} workers could gain over 1 here)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
