"""End-to-end throughput of the daily pipeline on the demo corpus, beside the model-bound ceiling, in one run.

    .venv/bin/python benchmarks/pipeline_throughput.py                  # the whole demo corpus (1,660 articles)
    .venv/bin/python benchmarks/pipeline_throughput.py --articles 400   # the first days holding >= 400 articles

End to end: what `tremor demo` does, as two commands in a fresh warehouse and PREFECT_HOME: `tremor ingest`
of the corpus, then `tremor backfill` of its whole range (sentences, sentiment, topics, targets, embeddings,
emerging issues, indicators, alert episodes, writes, the analyst snapshot), with the settings' defaults. Its
time is the commands' wall time as a user waits for it (Python start, model loading, Prefect's temporary
server included); its peak RSS is the largest of the two commands'. The time of the ingest alone is printed
too.

Ceiling: the shipped sentiment path alone (the default model, precision "auto", the settings' batch size) on the
same articles' sentences (pipeline/sentences.split_articles, as the pipeline splits them), model loading
excluded, in articles/s: the pace the pipeline would have if sentiment were all it did.

The ratio end to end / ceiling is the figure issue 15 sets (>= 0.5). Both run on this machine in this run, one
after the other; on a machine shared with other work the load average printed before and after says how far
to trust them.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tremor.runtime import apply_defaults  # noqa: E402

apply_defaults()

DEMO = ROOT / "tremor" / "demo" / "corpus.jsonl.gz"
TREMOR = [sys.executable, "-m", "tremor.cli"]


def corpus(n_articles: int | None) -> list[dict]:
    """The demo rows of the first days that together hold at least `n_articles` (all rows: None)."""
    rows = [json.loads(line) for line in gzip.open(DEMO, "rt", encoding="utf-8") if line.strip()]
    if n_articles is None:
        return rows
    per_day = Counter(r["published_at"][:10] for r in rows)
    days, total = [], 0
    for day in sorted(per_day):
        if total >= n_articles:
            break
        days.append(day)
        total += per_day[day]
    return [r for r in rows if r["published_at"][:10] in set(days)]


def run(args: list[str], env: dict) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(TREMOR + args, env=env, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"tremor {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - start, done.stdout


def end_to_end(rows: list[dict], work: Path) -> dict:
    path = work / "corpus.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    days = sorted(r["published_at"][:10] for r in rows)  # the local day; the backfill covers one more each side
    days = [str(date.fromisoformat(days[0]) - timedelta(days=1)), str(date.fromisoformat(days[-1]) + timedelta(days=1))]
    env = {**os.environ, "PREFECT_HOME": str(work / "prefect"), "TREMOR_DB_PATH": str(work / "tremor.duckdb"),
           "TREMOR_SOURCES__FETCH__ENABLED": "false", "PYTHONPATH": str(ROOT)}
    ingest_s, _ = run(["ingest", str(path)], env)
    backfill_s, out = run(["backfill", "--start", days[0], "--end", days[-1]], env)
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"ingest_s": ingest_s, "backfill_s": backfill_s, "seconds": ingest_s + backfill_s, "rss_mb": rss_mb,
            "days": (days[0], days[-1]), "summary": out.strip().splitlines()[-1] if out.strip() else ""}


def ceiling(rows: list[dict]) -> dict:
    """The sentiment path alone on the rows' sentences (in this process, after the end-to-end run's children)."""
    from models.registry import load_sentiment
    from models.sentiment import predict_in_batches
    from pipeline import sentences
    from pipeline.normalize import clean_text, parse_published
    from pipeline.records import Article
    from tremor.settings import Settings

    cfg = Settings().models
    articles = [Article(str(i), r["url"], r["url"], r["source"], r["country"], r["lang"],
                        parse_published(r["published_at"]), clean_text(r["title"]), clean_text(r["text"]), "")
                for i, r in enumerate(rows)]
    start = time.perf_counter()
    model = load_sentiment(cfg.sentiment, cfg.precision)
    load_s = time.perf_counter() - start
    parts = sentences.split_articles(articles)
    start = time.perf_counter()
    predict_in_batches(model, [p.text for p in parts], [p.lang for p in parts], cfg.batch_size)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "load_s": load_s, "sentences": len(parts), "model": f"{model.name}@{model.version}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=None, help="the first days holding at least this many")
    parser.add_argument("--keep", type=Path, default=None, help="copy the end-to-end warehouse here (to query it)")
    args = parser.parse_args()
    rows = corpus(args.articles)
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores: above ~0.5 the figures are shared)")
    with tempfile.TemporaryDirectory(prefix="tremor-throughput-") as tmp:
        e2e = end_to_end(rows, Path(tmp))
        if args.keep:
            shutil.copy(Path(tmp) / "tremor.duckdb", args.keep)
    top = ceiling(rows)
    n = len(rows)
    e2e_rate, top_rate = n / e2e["seconds"], n / top["seconds"]
    print(f"corpus: {n} demo articles, days {e2e['days'][0]} to {e2e['days'][1]}; {top['sentences']} sentences")
    print(f"end to end: {e2e['seconds']:.1f} s (ingest {e2e['ingest_s']:.1f} s, backfill {e2e['backfill_s']:.1f} s) "
          f"= {e2e_rate:.2f} articles/s; peak RSS {e2e['rss_mb']:,.0f} MB  [{e2e['summary']}]")
    print(f"ceiling (sentiment alone, {top['model']}): {top['seconds']:.1f} s = {top_rate:.2f} articles/s "
          f"(model load {top['load_s']:.1f} s, excluded)")
    print(f"end to end / ceiling: {e2e_rate / top_rate:.2f}  (issue 15 target >= 0.50)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
