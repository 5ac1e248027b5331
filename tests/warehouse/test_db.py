import duckdb
import pytest

from warehouse.db import connect, migrate, migrations
from warehouse.errors import TerminalWarehouseError, TransientWarehouseError, translated


def test_migrations_are_numbered_and_applied_once(tmp_path):
    db = tmp_path / "w.duckdb"
    with connect(db) as con:
        versions = [v for (v,) in con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()]
        assert versions == [v for v, _, _ in migrations()]
        assert migrate(con) == []


def test_a_failing_migration_rolls_back_entirely(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    broken = [(1, "ok", "CREATE TABLE a (x INTEGER);"), (2, "broken", "CREATE TABLE b (y INTEGER); SELECT * FROM nope;")]
    with pytest.raises(duckdb.Error):
        migrate(con, broken)
    tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert "a" in tables and "b" not in tables
    assert [v for (v,) in con.execute("SELECT version FROM schema_migrations").fetchall()] == [1]


def test_lock_errors_are_transient_and_sql_errors_terminal():
    with pytest.raises(TransientWarehouseError, match="another process holds"):
        with translated("x.duckdb"):
            raise duckdb.IOException('Could not set lock on file "x.duckdb": Conflicting lock is held')
    with pytest.raises(TerminalWarehouseError):
        with translated("x.duckdb"):
            raise duckdb.ParserException("syntax error")


def test_reading_a_missing_database_says_what_to_do(tmp_path):
    with pytest.raises(TerminalWarehouseError, match="tremor demo"):
        with connect(tmp_path / "none.duckdb", read_only=True):
            pass
