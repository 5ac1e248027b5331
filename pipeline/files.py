"""Read article rows from JSONL or CSV files, line by line, without trusting the bytes."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RawRow:
    """One input row: its fields, or the reason it could not be read."""

    source_file: str
    line_no: int
    raw: bytes
    fields: dict | None = None
    error: str | None = None


class UnsupportedFile(ValueError):
    """The file is neither JSONL nor CSV."""


def read_rows(path: Path) -> Iterator[RawRow]:
    """Rows of a .jsonl/.ndjson/.json(l).gz or .csv file; undecodable rows carry an error."""
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".jsonl", ".ndjson", ".json")):
        yield from _read_jsonl(path)
    elif name.endswith(".csv"):
        yield from _read_csv(path)
    else:
        raise UnsupportedFile(f"{path}: expected a .jsonl, .ndjson or .csv file (optionally .gz)")


def _open_bytes(path: Path):
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else path.open("rb")


def _read_jsonl(path: Path) -> Iterator[RawRow]:
    with _open_bytes(path) as handle:
        for line_no, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            yield _parse_json_line(str(path), line_no, raw.rstrip(b"\r\n"))


def _parse_json_line(source: str, line_no: int, raw: bytes) -> RawRow:
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return RawRow(source, line_no, raw, error=f"not valid UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start}")
    try:
        value = json.loads(decoded)
    except json.JSONDecodeError as exc:
        return RawRow(source, line_no, raw, error=f"invalid JSON: {exc.msg} at column {exc.colno}")
    if not isinstance(value, dict):
        return RawRow(source, line_no, raw, error=f"a JSON object was expected, got {type(value).__name__}")
    return RawRow(source, line_no, raw, fields=value)


def _read_csv(path: Path) -> Iterator[RawRow]:
    data = _open_bytes(path).read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield RawRow(str(path), 0, data[:2000], error=f"not valid UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}")
        return
    csv.field_size_limit(64 * 1024 * 1024)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    for row in reader:
        raw = json.dumps(row, ensure_ascii=False).encode()
        if None in row:  # more cells than header columns
            yield RawRow(str(path), reader.line_num, raw, error="CSV row has more cells than the header")
        else:
            yield RawRow(str(path), reader.line_num, raw, fields=row)
