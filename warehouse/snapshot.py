"""The analyst snapshot: a read-only copy of the warehouse, swapped in atomically after each run.

DuckDB lets one process hold a database file read-write and then refuses every other process, even
read-only ones. So analysts never open the file the flows write: each run ends by checkpointing the
warehouse and copying it to ``<name>.snapshot.duckdb`` (a temporary file in the same folder, then
``os.replace``). A reader with the old snapshot open keeps reading the old file until it reopens;
any number of readers can open the snapshot read-only at once, and none of them blocks the run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from warehouse.db import connect
from warehouse.errors import TerminalWarehouseError


def snapshot_path(db_path: str | Path) -> Path:
    """tremor.duckdb -> tremor.snapshot.duckdb, beside it."""
    db_path = Path(db_path)
    return db_path.with_name(f"{db_path.stem}.snapshot{db_path.suffix or '.duckdb'}")


def publish(db_path: str | Path) -> Path:
    """Checkpoint the warehouse and swap a fresh copy in as its snapshot; return the snapshot path."""
    db_path, target = Path(db_path), snapshot_path(db_path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with connect(db_path) as con:  # holding the writer's lock: nothing changes the file while it is copied
        con.execute("CHECKPOINT")
        shutil.copyfile(db_path, tmp)
    os.replace(tmp, target)
    return target


def is_snapshot(path: str | Path) -> bool:
    """Whether a path names a snapshot (tremor.snapshot.duckdb) rather than a warehouse."""
    return Path(path).stem.endswith(".snapshot")


def analyst_path(db_path: str | Path) -> Path:
    """What readers open for `db_path`: its snapshot, or `db_path` itself when it already names one (so `--db`
    takes the warehouse or its snapshot); a clear error when no run has published it yet."""
    target = Path(db_path) if is_snapshot(db_path) else snapshot_path(db_path)
    if not target.exists():
        raise TerminalWarehouseError(f"{target}: no analyst snapshot yet; it is published at the end of "
                                     "`tremor ingest`, `tremor run`, `tremor backfill` and `tremor demo`")
    return target
