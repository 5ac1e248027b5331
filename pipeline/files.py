"""Read article rows from JSONL, JSON-array or CSV files (optionally gzip), in bounded memory, without trusting
the bytes.

Nothing here raises on bad input. A bad row comes back as a RawRow with an error; a file that cannot be read to
its end (not gzip, truncated, past the decompressed-byte cap, an over-long CSV record) ends with one RawRow for the
whole file (`whole_file`), after the rows read before the problem. Memory per file is bounded by
`ReadLimits.max_line_bytes` (one line, one CSV record, or a whole JSON array, at a time).
"""

from __future__ import annotations

import csv
import itertools
import json
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

CHUNK = 64 * 1024
BOM = b"\xef\xbb\xbf"
GZIP_MAGIC = b"\x1f\x8b"
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")


@dataclass(frozen=True)
class RawRow:
    """One input row: its fields, or the reason it could not be read (`whole_file`: the file's own problem)."""

    source_file: str
    line_no: int
    raw: bytes
    fields: dict | None = None
    error: str | None = None
    whole_file: bool = False


@dataclass(frozen=True)
class ReadLimits:
    """Caps that keep a hostile file (a decompression bomb, one endless line) from exhausting memory."""

    max_file_bytes: int = 256 * 2**20  # decompressed bytes read from one file
    max_line_bytes: int = 16 * 2**20  # one JSONL line, one CSV record, or a whole JSON-array file


class UnreadableFile(ValueError):
    """The rest of the file cannot be read; the message says why."""


class UnsupportedFile(UnreadableFile):
    """The file is neither JSONL nor CSV."""


def read_rows(path: Path, limits: ReadLimits = ReadLimits()) -> Iterator[RawRow]:
    """Rows of a .jsonl/.ndjson/.json or .csv file (optionally .gz); never raises on the file's content."""
    name = path.name.lower().removesuffix(".gz")
    rows = _read_json(path, limits) if name.endswith(JSONL_SUFFIXES) else _read_csv(path, limits)
    line_no = 0  # of the last row read: a file's own problem is reported on the line after it
    try:
        if not name.endswith((*JSONL_SUFFIXES, ".csv")):
            raise UnsupportedFile("not a .jsonl, .ndjson, .json or .csv file (optionally .gz): not read")
        for row in rows:
            line_no = row.line_no
            yield row
    except UnreadableFile as exc:
        yield RawRow(str(path), line_no + 1, b"", error=str(exc), whole_file=True)
    except OSError as exc:  # unreadable from disk: permissions, a directory, an I/O error
        yield RawRow(str(path), line_no + 1, b"", error=f"cannot read the file: {exc.strerror or exc}",
                     whole_file=True)


def _chunks(path: Path, limits: ReadLimits) -> Iterator[bytes]:
    """The file's (decompressed) bytes in chunks; UnreadableFile past `max_file_bytes` or on bad gzip data."""
    with path.open("rb") as handle:
        if path.name.lower().endswith(".gz"):
            if handle.read(2) != GZIP_MAGIC:
                raise UnreadableFile("named .gz but not gzip-compressed (no gzip header): not read")
            handle.seek(0)
            source = _gunzip(handle)
        else:
            source = iter(lambda: handle.read(CHUNK), b"")
        total = 0
        for chunk in source:
            if total + len(chunk) > limits.max_file_bytes:
                yield chunk[:limits.max_file_bytes - total]
                raise UnreadableFile(f"more than {limits.max_file_bytes:,} bytes (decompressed): stopped reading there "
                                     "(a decompression bomb? raise ingest.max_file_bytes for a larger file)")
            total += len(chunk)
            yield chunk


def _gunzip(handle) -> Iterator[bytes]:
    """Inflate gzip members chunk by chunk, never more than CHUNK bytes of output per step."""
    inflater, started = zlib.decompressobj(wbits=31), False
    for data in iter(lambda: handle.read(CHUNK), b""):
        while data:
            if inflater.eof:  # the next member of a multi-member file, or padding after the last one
                if not data.strip(b"\x00"):
                    break
                inflater, started = zlib.decompressobj(wbits=31), False
            started = True
            while True:
                try:
                    out = inflater.decompress(data, CHUNK)
                except zlib.error as exc:
                    raise UnreadableFile(f"corrupt gzip data ({exc}): stopped reading there") from None
                if out:
                    yield out
                data = inflater.unconsumed_tail
                if inflater.eof or (not data and len(out) < CHUNK):
                    break
            if inflater.eof:
                data = inflater.unused_data
    if started and not inflater.eof:
        raise UnreadableFile("truncated gzip file: it ends before its compressed data does (rows before the cut "
                             "were read)")


def _lines(chunks: Iterable[bytes], max_line: int) -> Iterator[tuple[int, int, bytes | None]]:
    """(line number, byte offset of its start, its bytes without the newline, or None when longer than
    `max_line`); never holds more than `max_line` + CHUNK bytes."""
    buffer, line_no, start, base, overlong = bytearray(), 1, 0, 0, False
    for chunk in chunks:
        at = 0
        while (newline := chunk.find(b"\n", at)) >= 0:
            if not overlong:
                buffer += chunk[at:newline]
            yield line_no, start, None if overlong or len(buffer) > max_line else bytes(buffer)
            buffer.clear()
            line_no, start, overlong, at = line_no + 1, base + newline + 1, False, newline + 1
        if not overlong:
            buffer += chunk[at:]
            if len(buffer) > max_line:
                overlong = True
                buffer.clear()
        base += len(chunk)
    if buffer or overlong:
        yield line_no, start, None if overlong else bytes(buffer)


def _too_long(source: str, line_no: int, max_line: int) -> RawRow:
    return RawRow(source, line_no, b"", error=f"line longer than {max_line:,} bytes (ingest.max_line_bytes): skipped")


def _read_json(path: Path, limits: ReadLimits) -> Iterator[RawRow]:
    """JSON Lines; a file whose first character is '[' is read as one JSON array of rows."""
    chunks = _chunks(path, limits)
    head = b""
    for chunk in chunks:
        head += chunk
        if head.removeprefix(BOM).lstrip() or len(head) > CHUNK:  # peek at the first character, not further
            break
    stream = itertools.chain([head], chunks)
    if head.removeprefix(BOM).lstrip().startswith(b"["):
        yield from _read_json_array(str(path), stream, limits)
        return
    for line_no, offset, raw in _lines(stream, limits.max_line_bytes):
        if raw is None:
            yield _too_long(str(path), line_no, limits.max_line_bytes)
            continue
        if line_no == 1 and raw.startswith(BOM):
            raw, offset = raw[len(BOM):], offset + len(BOM)
        raw = raw.rstrip(b"\r")
        if raw.strip():
            yield _parse_json_row(str(path), line_no, offset, raw)


def _read_json_array(source: str, chunks: Iterable[bytes], limits: ReadLimits) -> Iterator[RawRow]:
    """A file holding one JSON array of row objects, up to `max_line_bytes`; line_no is the item's position."""
    data = bytearray()
    for chunk in chunks:
        data += chunk
        if len(data) > limits.max_line_bytes:
            raise UnreadableFile(f"a JSON array larger than {limits.max_line_bytes:,} bytes: not read; write one "
                                 "object per line instead (JSON Lines: jq -c '.[]' FILE > FILE.jsonl)")
    raw = bytes(data)
    del data
    items, error = _decode_json(raw.removeprefix(BOM), len(BOM) if raw.startswith(BOM) else 0, 1)
    if error:
        raise UnreadableFile(f"a JSON array that cannot be read: {error}")
    for index, item in enumerate(items, start=1):
        try:
            item_raw = json.dumps(item, ensure_ascii=False).encode("utf-8", "surrogatepass")
        except (RecursionError, ValueError):
            item_raw = b""
        if isinstance(item, dict):
            yield RawRow(source, index, item_raw, fields=item)
        else:
            yield RawRow(source, index, item_raw, error=f"a JSON object was expected, got {type(item).__name__}")


class _NumberTooLong(ValueError):
    pass


MAX_DIGITS = 4300  # Python's own default cap on int(str); a number longer than this is refused, whatever the cap


def _parse_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise _NumberTooLong(f"a number of {len(digits.lstrip('-')):,} digits (at most {MAX_DIGITS:,} are read)")
    return int(digits)


def _decode_json(raw: bytes, offset: int, line_no: int) -> tuple[object, str | None]:
    """(value, None), or (None, why the bytes are not a JSON value)."""
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, _bad_byte(raw, exc, offset, line_no)
    try:
        return json.loads(decoded, parse_int=_parse_int), None
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON: {exc.msg} at column {exc.colno}"
    except RecursionError:
        return None, "invalid JSON: nested too deeply"
    except _NumberTooLong as exc:
        return None, f"invalid JSON: {exc}"


def _parse_json_row(source: str, line_no: int, offset: int, raw: bytes) -> RawRow:
    value, error = _decode_json(raw, offset, line_no)
    if error:
        return RawRow(source, line_no, raw, error=error)
    if not isinstance(value, dict):
        return RawRow(source, line_no, raw, error=f"a JSON object was expected, got {type(value).__name__}")
    return RawRow(source, line_no, raw, fields=value)


def _bad_byte(raw: bytes, exc: UnicodeDecodeError, offset: int, line_no: int) -> str:
    return (f"not valid UTF-8: byte 0x{raw[exc.start]:02x} at offset {offset + exc.start:,} of the file "
            f"(line {line_no}, column {exc.start + 1})")


def _read_csv(path: Path, limits: ReadLimits) -> Iterator[RawRow]:
    """CSV with a header row; a record with undecodable bytes is one bad row, the others are kept."""
    source, record_lines = str(path), []
    csv.field_size_limit(limits.max_line_bytes)
    reader = csv.reader(_csv_text(_lines(_chunks(path, limits), limits.max_line_bytes), record_lines,
                                  limits.max_line_bytes))
    header: list[str] | None = None
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            first = record_lines[0][0] if record_lines else 0
            raise UnreadableFile(f"CSV cannot be read from line {first}: {exc}: stopped reading there") from None
        lines, record_lines[:] = list(record_lines), []
        if not cells:
            continue
        raw = b"\n".join(data for _, _, data in lines)
        if header is None:
            header = _csv_header(lines)
            continue
        yield _csv_row(source, lines, raw, header, cells)


def _csv_text(lines: Iterator[tuple[int, int, bytes | None]], record_lines: list, max_record: int) -> Iterator[str]:
    """Lines for csv.reader; each is remembered in `record_lines` (the caller clears it per record)."""
    for line_no, offset, data in lines:
        if data is None:
            raise UnreadableFile(f"CSV line {line_no} is longer than {max_record:,} bytes (ingest.max_line_bytes): "
                                 "stopped reading there")
        if line_no == 1 and data.startswith(BOM):
            data, offset = data[len(BOM):], offset + len(BOM)
        record_lines.append((line_no, offset, data))
        if sum(len(d) for _, _, d in record_lines) > max_record:
            raise UnreadableFile(f"CSV record from line {record_lines[0][0]} is longer than {max_record:,} bytes "
                                 "(ingest.max_line_bytes): stopped reading there")
        yield data.decode("utf-8", "surrogateescape") + "\n"


def _csv_header(lines: list[tuple[int, int, bytes]]) -> list[str]:
    problem = _first_bad_byte(lines)
    if problem:
        raise UnreadableFile(f"CSV header is {problem}: not read")
    return next(csv.reader([b"\n".join(d for _, _, d in lines).decode("utf-8")]))


def _csv_row(source: str, lines: list, raw: bytes, header: list[str], cells: list[str]) -> RawRow:
    line_no = lines[0][0]
    problem = _first_bad_byte(lines)
    if problem:
        return RawRow(source, line_no, raw, error=problem)
    fields = dict(zip(header, cells, strict=False))
    if len(cells) > len(header):
        return RawRow(source, line_no, json.dumps(fields, ensure_ascii=False).encode(),
                      error="CSV row has more cells than the header")
    fields |= {name: None for name in header[len(cells):]}
    return RawRow(source, line_no, json.dumps(fields, ensure_ascii=False).encode(), fields=fields)


def _first_bad_byte(lines: list[tuple[int, int, bytes]]) -> str | None:
    for line_no, offset, data in lines:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            return _bad_byte(data, exc, offset, line_no)
    return None
