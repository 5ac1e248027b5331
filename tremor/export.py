"""`tremor export`: one analyst table or view of the snapshot to a Parquet or CSV file for notebooks.

The file appears whole or not at all: rows go to a temporary file beside the target, renamed over it at the
end (a failure removes it and leaves any earlier file untouched). CSV has no nested types: list and struct
values (evidence ids, topics, embeddings) are written as JSON text."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from warehouse.db import connect
from warehouse.export import export_batches

SUFFIXES = (".parquet", ".csv")


def export(snapshot: Path, name: str, out: Path, since: date | None = None, until: date | None = None) -> int:
    """Write the rows of `name` (day in [since, until] when given) to `out`; return the row count."""
    check_suffix(out)
    with connect(snapshot, read_only=True) as con:
        return write_atomically(export_batches(con, name, since, until), out)


def check_suffix(out: Path) -> None:
    """ValueError unless `out` names a Parquet or CSV file."""
    if out.suffix.lower() not in SUFFIXES:
        raise ValueError(f"{out}: the file name must end in {' or '.join(SUFFIXES)}")


def write_atomically(batches: pa.RecordBatchReader, out: Path) -> int:
    """Write every batch to `out` (.parquet or .csv) through a temporary file renamed into place."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    write = _write_parquet if out.suffix.lower() == ".parquet" else _write_csv
    try:
        n = write(batches, tmp)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return n


def _write_parquet(batches: pa.RecordBatchReader, path: Path) -> int:
    n = 0
    with pq.ParquetWriter(path, batches.schema) as writer:
        for batch in batches:
            writer.write_batch(batch)
            n += batch.num_rows
    return n


def _write_csv(batches: pa.RecordBatchReader, path: Path) -> int:
    schema = pa.schema([pa.field(f.name, pa.string()) if pa.types.is_nested(f.type) else f for f in batches.schema])
    n = 0
    with pa_csv.CSVWriter(path, schema) as writer:
        for batch in batches:
            columns = [_as_json(column) if pa.types.is_nested(column.type) else column for column in batch.columns]
            writer.write_batch(pa.RecordBatch.from_arrays(columns, schema=schema))
            n += batch.num_rows
    return n


def _as_json(column: pa.Array) -> pa.Array:
    return pa.array([None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                     for v in column.to_pylist()], pa.string())
