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


def test_a_set_based_insert_stores_its_rows_and_a_failing_one_shows_its_own_error_and_stores_nothing(tmp_path):
    from datetime import date, datetime

    from warehouse.db import insert_staged, transaction

    def row(article_id: str) -> dict:
        return {"article_id": article_id, "day": date(2025, 7, 1), "sentiment_label": None, "sentiment_score": None,
                "topics": ["gsomia"], "topic_terms": "{}", "model_name": "m", "model_version": "1",
                "taxonomy_version": "t", "scored_at": datetime(2025, 7, 2)}

    def columns(rows: list[dict]) -> dict[str, list]:
        return {name: [r[name] for r in rows] for name in rows[0]}

    with connect(tmp_path / "w.duckdb") as con:
        with transaction(con):
            insert_staged(con, "scores_insert", columns([row("a"), row("b")]))
        assert con.execute("SELECT article_id, topics FROM article_scores ORDER BY 1").fetchall() == \
            [("a", ["gsomia"]), ("b", ["gsomia"])]
        with pytest.raises(duckdb.ConstraintException, match="Duplicate key"):  # not "transaction is aborted"
            with transaction(con):
                insert_staged(con, "scores_insert", columns([row("c"), row("a")]))
        assert con.execute("SELECT count(*) FROM article_scores").fetchone()[0] == 2
        insert_staged(con, "scores_insert", {})  # nothing to insert: no statement


def test_kept_open_shares_the_open_warehouse_and_releases_the_file_after(tmp_path):
    import subprocess
    import sys

    from warehouse.db import kept_open

    db = tmp_path / "w.duckdb"
    other_process = [sys.executable, "-c", f"import duckdb; duckdb.connect({str(db)!r}).close()"]
    with kept_open(db):
        with connect(db) as con:
            con.execute("CREATE TABLE t (x INTEGER)")
            con.execute("INSERT INTO t VALUES (1)")
        with connect(db) as con:  # the same open database: the row is there, and this connection closes alone
            assert con.execute("SELECT x FROM t").fetchall() == [(1,)]
        held = subprocess.run(other_process, capture_output=True, text=True)
        assert held.returncode != 0 and "lock" in held.stderr.lower()  # still held by this process
    assert subprocess.run(other_process, capture_output=True).returncode == 0  # released at the block's end
    with connect(db) as con:
        assert con.execute("SELECT x FROM t").fetchall() == [(1,)]
