"""`tremor export`: analyst tables and views of the snapshot to Parquet or CSV, day-filtered, written whole or
not at all; an unknown name is refused in one line."""

import csv
import json
import sys
from datetime import date

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from tests.synthetic import MODEL
from tremor import cli
from tremor.cli import app
from tremor.export import write_atomically
from warehouse.db import connect
from warehouse.export import EXPORTABLE, NotExportable
from warehouse.snapshot import snapshot_path

SINCE, UNTIL = date(2025, 6, 28), date(2025, 7, 3)


def _count(db, sql, *params):
    with connect(snapshot_path(db), read_only=True) as con:
        return con.execute(sql, list(params)).fetchone()[0]


def _export(db, *args):
    return CliRunner().invoke(app, ["export", *args, "--db", str(db)])


def test_parquet_export_between_two_days_has_exactly_those_rows(synthetic_db, tmp_path):
    out = tmp_path / "notebook" / "indicators.parquet"
    result = _export(synthetic_db, "daily_indicators", "--since", str(SINCE), "--until", str(UNTIL), "--out", str(out))
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    expected = _count(synthetic_db, "SELECT count(*) FROM daily_indicators WHERE day BETWEEN ? AND ?", SINCE, UNTIL)
    assert table.num_rows == expected > 0 and f"{expected} rows" in result.output
    days = table.column("day").to_pylist()
    assert min(days) == SINCE and max(days) == UNTIL
    assert table.schema.field("evidence").type == pa.list_(pa.string()), "Parquet keeps the warehouse's types"
    assert set(table.column("model_name").to_pylist()) == {MODEL}
    assert duckdb.connect().execute("SELECT count(*) FROM read_parquet(?)", [str(out)]).fetchone()[0] == expected


@pytest.mark.parametrize("bound,value", [("--since", UNTIL), ("--until", SINCE)])
def test_one_bound_filters_one_side(synthetic_db, tmp_path, bound, value):
    out = tmp_path / "articles.parquet"
    assert _export(synthetic_db, "articles", bound, str(value), "--out", str(out)).exit_code == 0
    days = pq.read_table(out).column("day").to_pylist()
    op = ">=" if bound == "--since" else "<="
    assert len(days) == _count(synthetic_db, f"SELECT count(*) FROM articles WHERE day {op} ?", value) > 0
    assert all(d >= value for d in days) if bound == "--since" else all(d <= value for d in days)


def test_csv_export_of_a_view_writes_nested_values_as_json(synthetic_db, tmp_path):
    out = tmp_path / "episodes.csv"
    result = _export(synthetic_db, "alerts", "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == _count(synthetic_db, "SELECT count(*) FROM alerts") > 0
    assert {r["day"] for r in rows} == {"2025-06-30"} and rows[0]["topic"] == "forced_labour"
    evidence = json.loads(rows[0]["evidence"])
    assert isinstance(evidence, list) and evidence and all(isinstance(i, str) for i in evidence)
    view = tmp_path / "scored.csv"
    assert _export(synthetic_db, "scored_articles", "--since", str(UNTIL), "--until", str(UNTIL),
                   "--out", str(view)).exit_code == 0
    scored = list(csv.DictReader(view.open(encoding="utf-8")))
    assert scored and {r["day"] for r in scored} == {str(UNTIL)}


@pytest.mark.parametrize("name", ["nope", "articles; DROP TABLE articles", "read_csv('/etc/passwd')",
                                  "duckdb_settings", "ARTICLES"])
def test_an_unknown_name_is_one_line_naming_the_allowed_ones_and_writes_nothing(synthetic_db, tmp_path, name,
                                                                                 monkeypatch, capsys):
    out = tmp_path / "x.parquet"
    monkeypatch.setattr(sys, "argv", ["tremor", "export", name, "--out", str(out), "--db", str(synthetic_db)])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    message = capsys.readouterr().err
    assert exit_.value.code == 1 and message.count("\n") == 1, message
    assert "cannot be exported" in message and all(n in message for n in EXPORTABLE)
    assert not list(tmp_path.iterdir())
    assert _count(synthetic_db, "SELECT count(*) FROM articles") > 0


def test_a_day_filter_on_a_table_without_days_is_refused(synthetic_db, tmp_path):
    result = _export(synthetic_db, "quarantine", "--since", "2025-06-01", "--out", str(tmp_path / "q.csv"))
    assert isinstance(result.exception, NotExportable) and "no day column" in str(result.exception)
    result = _export(synthetic_db, "quarantine", "--out", str(tmp_path / "q.csv"))
    assert result.exit_code == 0 and (tmp_path / "q.csv").read_text().startswith('"id","source_file"'), "an empty table: its header"


def test_an_unknown_file_kind_is_refused(synthetic_db, tmp_path):
    result = _export(synthetic_db, "alerts", "--out", str(tmp_path / "alerts.xlsx"))
    assert result.exit_code == 2 and ".parquet or .csv" in result.output and not list(tmp_path.iterdir())


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_a_failure_midway_leaves_no_partial_file_and_the_old_one_untouched(tmp_path, suffix):
    schema = pa.schema([("day", pa.date32()), ("evidence", pa.list_(pa.string()))])

    def batches():
        yield pa.RecordBatch.from_pylist([{"day": SINCE, "evidence": ["a"]}] * 1000, schema=schema)
        raise OSError("disk full")

    out = tmp_path / f"rows{suffix}"
    out.write_bytes(b"the export of yesterday")
    with pytest.raises(OSError, match="disk full"):
        write_atomically(pa.RecordBatchReader.from_batches(schema, batches()), out)
    assert out.read_bytes() == b"the export of yesterday" and [p.name for p in tmp_path.iterdir()] == [out.name]
    out.unlink()
    with pytest.raises(OSError, match="disk full"):
        write_atomically(pa.RecordBatchReader.from_batches(schema, batches()), out)
    assert not list(tmp_path.iterdir())
