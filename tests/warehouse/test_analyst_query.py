"""`tremor query` is really read-only: one SELECT-like statement, no file or network access, locked settings."""

import os

import pytest

from warehouse.db import connect
from warehouse.errors import TerminalWarehouseError
from warehouse.snapshot import snapshot_path
from warehouse.store import QueryRefused, analyst_query


@pytest.fixture
def snapshot(tmp_path):
    db = tmp_path / "tremor.duckdb"
    with connect(db) as con:
        con.execute("CHECKPOINT")
    snap = snapshot_path(db)
    snap.write_bytes(db.read_bytes())
    return db, snap


@pytest.mark.parametrize("sql", [
    "SELECT count(*) FROM articles",
    "WITH x AS (SELECT 1 AS a) SELECT a FROM x",
    "FROM processed_days",
    "DESCRIBE articles",
    "SHOW TABLES",
    "SUMMARIZE articles",
    "EXPLAIN SELECT * FROM alerts",
])
def test_read_only_statements_work(snapshot, sql):
    with connect(snapshot[1], read_only=True) as con:
        columns, _ = analyst_query(con, sql)
    assert columns


@pytest.mark.parametrize("sql,why", [
    ("COPY (SELECT 'x' AS junk) TO '{target}' (FORMAT csv)", "COPY"),
    ("INSERT INTO processed_days VALUES (DATE '2025-01-01', now())", "INSERT"),
    ("DELETE FROM articles", "DELETE"),
    ("CREATE TABLE junk (a INT)", "CREATE"),
    ("INSTALL httpfs FROM 'http://127.0.0.1:9/ext'", "LOAD"),
    ("LOAD httpfs", "LOAD"),
    ("ATTACH '{target}' AS w", "ATTACH"),
    ("SET enable_external_access = true", "SET"),
    ("PRAGMA enable_profiling", "PRAGMA"),
    ("CALL pragma_version()", "CALL"),
    ("EXPORT DATABASE '{dir}'", "EXPORT"),
    ("SELECT 1; SELECT 2", "one statement"),
    ("SELEC 1", "not valid SQL"),
])
def test_everything_else_is_refused_in_one_line_and_the_warehouse_is_untouched(snapshot, tmp_path, sql, why):
    db, snap = snapshot
    before = (db.read_bytes(), snap.read_bytes())
    with connect(snap, read_only=True) as con, pytest.raises(QueryRefused, match=why) as refused:
        analyst_query(con, sql.format(target=db, dir=tmp_path / "export"))
    assert "\n" not in str(refused.value)
    assert (db.read_bytes(), snap.read_bytes()) == before and not (tmp_path / "export").exists()


@pytest.mark.parametrize("sql", [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('{target}')",
    "SELECT * FROM 'http://127.0.0.1:9/x.csv'",
])
def test_sql_cannot_read_files_or_the_network(snapshot, sql):
    db, snap = snapshot
    with connect(snap, read_only=True) as con, pytest.raises(TerminalWarehouseError, match="disabled"):
        analyst_query(con, sql.format(target=db))


def test_the_cli_refuses_a_copy_over_the_warehouse_with_one_line(snapshot):
    import subprocess
    import sys

    db, _ = snapshot
    size = os.path.getsize(db)

    def tremor(*args):
        return subprocess.run([sys.executable, "-m", "tremor.cli", *args, "--db", str(db)], capture_output=True,
                              text=True, env={**os.environ, "COLUMNS": "300"})

    refused = tremor("query", f"COPY (SELECT 'x' AS junk) TO '{db}' (FORMAT csv)")
    assert refused.returncode == 1 and "COPY statements are refused" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1 and os.path.getsize(db) == size
    ok = tremor("query", "SELECT count(*) AS n FROM articles", "--format", "csv")
    assert ok.returncode == 0 and ok.stdout.split() == ["n", "0"]
