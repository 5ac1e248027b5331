"""Every command that reads takes `--db` as the warehouse (its snapshot is read) or as the snapshot itself."""

import pytest
from typer.testing import CliRunner

from tests.synthetic import MODEL
from tremor.cli import app
from warehouse.errors import TerminalWarehouseError
from warehouse.snapshot import analyst_path, snapshot_path

READS = {
    "query": lambda tmp: ["query", "SELECT count(*) AS n, max(day) AS last FROM articles", "--format", "csv"],
    "alerts": lambda tmp: ["alerts", "--since", "2025-06-01"],
    "export": lambda tmp: ["export", "alerts", "--out", str(tmp / "alerts.csv")],
    "report": lambda tmp: ["report", "--date", "2025-07-02", "--out", str(tmp / "brief.html"), "--model", MODEL],
    "backtest": lambda tmp: ["backtest", "--events", str(tmp / "events.csv"), "--start", "2025-06-01",
                             "--end", "2025-07-09", "--model", MODEL],
}


@pytest.mark.parametrize("command", sorted(READS))
def test_read_commands_take_the_warehouse_or_its_snapshot(synthetic_db, tmp_path, command):
    outputs = []
    for db in (synthetic_db, snapshot_path(synthetic_db)):
        folder = tmp_path / db.name
        folder.mkdir()
        (folder / "events.csv").write_text("date,description,direction,source\n"
                                           "2025-07-01,forced labour ruling,raised,test\n", encoding="utf-8")
        result = CliRunner().invoke(app, [*READS[command](folder), "--db", str(db)], env={"COLUMNS": "200"})
        assert result.exit_code == 0, f"--db {db.name}: {result.output}{result.exception!r}"
        outputs.append(result.output.replace(db.name, "DB"))
    assert outputs[0] == outputs[1]


def test_a_snapshot_named_directly_is_not_renamed_again(tmp_path):
    given = tmp_path / "tremor.snapshot.duckdb"
    with pytest.raises(TerminalWarehouseError, match=r"tremor\.snapshot\.duckdb: no analyst snapshot yet"):
        analyst_path(given)
    given.write_bytes(b"")
    assert analyst_path(given) == given and analyst_path(tmp_path / "tremor.duckdb") == given
