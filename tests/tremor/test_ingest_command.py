"""`tremor ingest` on hostile files, end to end: good rows of every file stored, bad rows and unreadable files
quarantined with a reason and printed one line each, no traceback, the snapshot published, reruns idempotent
(issue 17)."""

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from tremor.cli import app
from warehouse.db import connect
from warehouse.store import fetch

GOOD = {"title": "Seoul protests Yasukuni offering", "published_at": "2025-07-01T09:00:00+09:00",
        "source": "Hanbit Ilbo"}


def row(n: int, **fields) -> bytes:
    return json.dumps(dict(GOOD, url=f"https://news.example/{n}",
                           text=f"Story {n}: South Korea protested the offering to the shrine.") | fields).encode()


def counts(db) -> tuple[int, int]:
    with connect(db) as con:
        _, [(articles, quarantined)] = fetch(con, "SELECT (SELECT count(*) FROM articles), "
                                                  "(SELECT count(*) FROM quarantine)")
    return articles, quarantined


def tremor(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The real command in a child process (real stdout, stderr and exit code), on the test's Prefect API."""
    from prefect.settings import PREFECT_API_URL

    env = os.environ | {"PYTHONPATH": str(Path(__file__).parents[2]), "PREFECT_API_URL": PREFECT_API_URL.value()}
    return subprocess.run([sys.executable, "-m", "tremor.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_ingest_keeps_every_good_row_reports_each_problem_in_one_line_and_publishes(tmp_path, monkeypatch,
                                                                                   prefect_harness):
    from flows.daily import ingest_flow

    monkeypatch.chdir(tmp_path)  # no stray ./tremor.toml
    db = tmp_path / "w.duckdb"
    earlier = tmp_path / "earlier.jsonl"
    earlier.write_bytes(row(0) + b"\n")
    assert ingest_flow([str(earlier)], db).new == 1

    whole = gzip.compress(b"".join(row(n) + b"\n" for n in range(100, 400)))
    (tmp_path / "cut.jsonl.gz").write_bytes(whole[:len(whole) // 2])
    (tmp_path / "fake.jsonl.gz").write_bytes(row(1) + b"\n")
    (tmp_path / "mixed.jsonl").write_bytes(b"\n".join([
        row(2).replace(b"Story 2", b"Story \\ud800 2"),  # lone surrogate: stored, replaced by U+FFFD
        row(3, published_at="9999-12-31T23:59:59-01:00"),
        row(4, published_at="2099-01-01T00:00:00Z"),
        row(5, url="http://[::1/x"),
        b'{"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"n": ' + b"9" * 5000 + b"}",
        row(8, title="[bold red]markup[/] stays text"),
    ]) + b"\n")
    (tmp_path / "rows.csv").write_bytes(b"\xef\xbb\xbfurl,title,text,published_at,source\n" + b"".join(
        f"https://c.example/{n},T{n},Text {n} on Japan,2025-06-01T10:00:00Z,D\n".encode() for n in range(5)
    ).replace(b"Text 2", b"Te\xfft 2"))
    files = [str(tmp_path / name) for name in ("cut.jsonl.gz", "fake.jsonl.gz", "mixed.jsonl", "rows.csv")]

    result = tremor("ingest", *files, "--db", str(db), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    problems = [line for line in result.stderr.splitlines() if " | " not in line]  # Prefect's log lines have " | "
    assert any("cut.jsonl.gz, line" in p and "truncated gzip file" in p for p in problems)
    assert any("fake.jsonl.gz, line 1: named .gz but not gzip-compressed" in p for p in problems)
    for line_no, why in ((2, "out of range in UTC"), (3, "outside the accepted window"), (4, "Invalid IPv6 URL"),
                         (5, "nested too deeply"), (6, "5,000 digits")):
        assert any(f"mixed.jsonl, line {line_no}: " in p and why in p for p in problems), why
    assert any("rows.csv, line 4: not valid UTF-8: byte 0xff at offset" in p for p in problems)
    assert len(problems) == 2 + 5 + 1

    stored, quarantined = counts(db)
    with connect(db) as con:
        _, [(from_cut,)] = fetch(con, "SELECT count(*) FROM articles WHERE url LIKE 'https://news.example/1__' "
                                      "OR url LIKE 'https://news.example/2__' OR url LIKE 'https://news.example/3__'")
        _, texts = fetch(con, "SELECT text FROM articles WHERE url = 'https://news.example/2'")
        _, titles = fetch(con, "SELECT title FROM articles WHERE url = 'https://news.example/8'")
    assert from_cut > 50 and texts == [("Story \ufffd 2: South Korea protested the offering to the shrine.",)]
    assert titles == [("[bold red]markup[/] stays text",)]
    assert stored == 1 + from_cut + 2 + 4 and quarantined == 2 + 5 + 1
    summary = result.stdout.strip().splitlines()
    assert len(summary) == 1 and f"{from_cut + 2 + 4 + 5 + 1} rows read: {from_cut + 6} new articles" in summary[0]
    assert "2 files not read to their end" in summary[0]

    query = CliRunner().invoke(app, ["query", "SELECT count(*) AS n FROM quarantine", "--db", str(db),
                                     "--format", "csv"])
    assert query.exit_code == 0 and query.stdout.splitlines() == ["n", str(quarantined)]

    again = ingest_flow(files, db)
    assert (again.new, again.newly_quarantined, len(again.unreadable)) == (0, 0, 2)
    assert counts(db) == (stored, quarantined)


def test_the_ingest_limits_come_from_settings_with_the_example_file_listing_the_defaults(tmp_path, monkeypatch):
    from datetime import date

    from flows.tasks import read_file
    from tremor.settings import IngestSettings, Settings

    monkeypatch.setenv("TREMOR_CONFIG", str(Path(__file__).parents[2] / "tremor.toml.example"))
    assert Settings().ingest == IngestSettings()
    monkeypatch.setenv("TREMOR_INGEST__EARLIEST_PUBLISHED", "2010-01-01")
    monkeypatch.setenv("TREMOR_INGEST__MAX_LINE_BYTES", "2048")
    cfg = Settings().ingest
    path = tmp_path / "rows.jsonl"
    path.write_bytes(b"\n".join([row(1), row(2, published_at="2005-03-01T00:00:00Z"),
                                 row(3, text="long " * 1000)]) + b"\n")
    batch = read_file.fn(path, None, 200_000, cfg)
    assert (cfg.earliest_published, len(batch.articles)) == (date(2010, 1, 1), 1)
    assert [r.reason[:40] for r in batch.rejected] == ["published_at 2005-03-01 00:00 UTC is out",
                                                       "line longer than 2,048 bytes (ingest.max"]
