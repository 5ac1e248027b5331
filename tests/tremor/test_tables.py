"""Tables the CLI prints stay readable at 80 columns and in pipes: whole dates, names and numbers, no line
wider than the console, and rows as blocks when the columns cannot fit side by side."""

import io
import os
import subprocess
import sys

from rich.cells import cell_len
from rich.console import Console
from typer.testing import CliRunner

from tests.synthetic import MODEL
from tremor import cli
from tremor.summary import print_summary
from tremor.tables import column_widths, print_rows
from warehouse.db import connect
from warehouse.snapshot import snapshot_path


def _narrow(width=80) -> Console:
    return Console(width=width, file=io.StringIO(), color_system=None, force_terminal=False)


def _lines(console: Console) -> list[str]:
    return console.file.getvalue().splitlines()


def test_the_summary_indicator_table_keeps_whole_dates_at_80_columns(synthetic_db):
    console = _narrow()
    print_summary(console, snapshot_path(synthetic_db), MODEL)
    lines = _lines(console)
    with connect(snapshot_path(synthetic_db), read_only=True) as con:
        days = [str(d) for (d,) in con.execute("SELECT DISTINCT day FROM daily_indicators WHERE day > DATE '2025-07-02'"
                                               " AND model_name = ?", [MODEL]).fetchall()]
    table = [line for line in lines if line.startswith("│")]
    assert len(days) == 7 and len(table) == 14, "a table, one line per day and country"
    assert all(any(f"│ {d} │" in line for line in table) for d in days)
    assert max(cell_len(line) for line in lines) <= 80 and "…" not in "\n".join(lines)
    assert any("source" in line for line in lines) and any("country" in line for line in lines)


def test_a_query_table_at_80_columns_wraps_long_text_and_keeps_dates_and_names_whole(synthetic_db, monkeypatch):
    console = _narrow()
    monkeypatch.setattr(cli, "console", console)
    result = CliRunner().invoke(cli.app, ["query", "SELECT day, source, title, url FROM scored_articles"
                                          " WHERE source = 'Seoul Harbor Times' ORDER BY day DESC, id LIMIT 5",
                                          "--db", str(synthetic_db)])
    assert result.exit_code == 0, result.output
    lines = _lines(console)
    assert max(cell_len(line) for line in lines) <= 80 and "…" not in "\n".join(lines)
    assert sum(line.startswith("│ 2025-07-0") and "│ Seoul Harbor Times │ " in line for line in lines) == 5
    urls = "".join(line.split("│")[4].strip() for line in lines if line.startswith("│"))
    assert urls.startswith("https://seoul.example/0709-seoul-00https://seoul.example/0709-seoul-01"), "folded, not cut"


def test_rows_too_wide_for_the_console_print_as_blocks_with_the_csv_hint(synthetic_db, monkeypatch):
    console = _narrow()
    monkeypatch.setattr(cli, "console", console)
    result = CliRunner().invoke(cli.app, ["query", "SELECT * FROM alerts ORDER BY id", "--db", str(synthetic_db)])
    assert result.exit_code == 0, result.output
    lines = _lines(console)
    assert max(cell_len(line) for line in lines) <= 80
    assert sum(line.startswith("-[ row ") for line in lines) == 3
    assert "day            | 2025-06-30" in lines and "closed_day     | 2025-07-08" in lines
    assert "--format csv" in " ".join(lines)


def test_a_pipe_gets_80_columns_and_whole_dates(synthetic_db):
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    done = subprocess.run([sys.executable, "-m", "tremor.cli", "query", "SELECT day, source_country, count(*) AS "
                           "n_articles, round(avg(sentiment_score), 3) AS mean_sentiment, min(title) AS first_title, "
                           "min(url) AS first_url FROM scored_articles GROUP BY ALL ORDER BY ALL LIMIT 6",
                           "--db", str(synthetic_db)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert max(cell_len(line) for line in lines) <= 80 and "…" not in done.stdout
    assert sum(line.startswith("│ 2025-05-01 │ ") for line in lines) == 2


def test_wide_characters_and_long_words_are_measured_in_cells():
    title = "韓国外交部、徴用工問題で日本に強く抗議" * 2  # 76 cells, no space to wrap at
    console = _narrow(60)
    print_rows(console, ["day", "lang", "title"], [("2025-08-01", "ja", title), ("2025-08-02", "ko", "없음")])
    lines = _lines(console)
    assert max(cell_len(line) for line in lines) <= 60
    assert "".join(line.split("│")[3].strip() for line in lines if line.startswith("│ 2025-08-01")
                   or line.startswith("│            │")) == title, "folded, nothing lost"
    assert column_widths(["a", "b"], [["x" * 13, "y" * 13]], 23) is None, "two wrapped columns need 12 each"
    assert column_widths(["day"], [["2025-08-01"]], 9) is None, "a date is never narrowed"
