"""Hostile input files, built from bytes here: every good row is kept, every bad row or unreadable file comes back
with a reason, nothing raises, and memory stays bounded on decompression bombs (issue 17)."""

import gzip
import json
import tracemalloc
import zlib
from datetime import datetime
from pathlib import Path

import pytest

from pipeline.files import ReadLimits, read_rows
from pipeline.ingest import read_batch
from pipeline.validate import Limits

GOOD = {"url": "https://news.example/a", "title": "Seoul protests Yasukuni offering",
        "text": "South Korea expressed deep disappointment over the ritual offering.",
        "published_at": "2025-07-01T09:00:00+09:00", "source": "Hanbit Ilbo"}
WINDOW = Limits(earliest=datetime(1990, 1, 1), latest=datetime(2030, 1, 1))


def row(n: int, **fields) -> bytes:
    return json.dumps(dict(GOOD, url=f"https://news.example/{n}", text=f"Story {n}: Seoul and Tokyo talks.")
                      | fields).encode()


def jsonl(path: Path, *lines: bytes) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def batch(*paths: Path, limits: Limits = WINDOW, **read):
    return read_batch(list(paths), {}, limits, ReadLimits(**read) if read else ReadLimits())


def reasons(result) -> dict[int, str]:
    return {r.line_no: r.reason for r in result.rejected}


def gzip_bomb(path: Path, unit: bytes, total: int) -> Path:
    """`total` bytes of `unit` repeated, gzip-compressed without ever holding them in memory."""
    deflate, block = zlib.compressobj(6, zlib.DEFLATED, 31), unit * (2**20 // len(unit))
    with path.open("wb") as out:
        for _ in range(total // len(block)):
            out.write(deflate.compress(block))
        out.write(deflate.flush())
    return path


@pytest.mark.parametrize("published", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"])
def test_a_date_past_the_range_of_utc_is_a_bad_row(tmp_path, published):
    result = batch(jsonl(tmp_path / "d.jsonl", row(1), row(2, published_at=published), row(3)))
    assert [a.url for a in result.articles] == ["https://news.example/1", "https://news.example/3"]
    assert reasons(result) == {2: f"published_at is out of range in UTC: {published!r}"}


def test_dates_outside_the_window_are_quarantined_and_the_window_is_configurable(tmp_path):
    path = jsonl(tmp_path / "d.jsonl", row(1), row(2, published_at="2099-01-01T00:00:00Z"),
                 row(3, published_at="1800-06-01T00:00:00Z"), row(4, published_at="2005-03-01T00:00:00Z"))
    result = batch(path)
    assert len(result.articles) == 2 and set(reasons(result)) == {2, 3}
    assert all("outside the accepted window 1990-01-01 00:00 to 2030-01-01 00:00 UTC" in r
               for r in reasons(result).values())
    narrow = batch(path, limits=Limits(earliest=datetime(2010, 1, 1), latest=datetime(2030, 1, 1)))
    assert set(reasons(narrow)) == {2, 3, 4}
    assert Limits().latest > datetime(2026, 1, 1)  # the default window ends a day after now, not at a fixed year


def test_a_lone_surrogate_in_text_is_replaced_and_the_row_kept(tmp_path):
    raw = row(1).replace(b"Seoul", b"Seo\\ud800ul").replace(b"Hanbit", b"Han\\udfffbit")
    result = batch(jsonl(tmp_path / "s.jsonl", raw))
    [article] = result.articles
    assert "Seo\ufffdul" in article.text and article.source == "Han\ufffdbit Ilbo" and article.lang == "en"
    article.content_hash.encode()  # every field is encodable, so it can be stored
    assert result.rejected == []


def test_a_truncated_gzip_keeps_every_row_before_the_cut_and_reports_the_file(tmp_path):
    whole = gzip.compress(b"".join(row(n) + b"\n" for n in range(300)))
    cut = whole[:len(whole) // 2]
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(cut)
    complete = zlib.decompressobj(wbits=31).decompress(cut).count(b"\n")  # rows whose newline arrived
    result = batch(path)
    assert complete > 50 and len(result.articles) == complete
    [problem] = result.unreadable
    assert problem.line_no == complete + 1 and problem.reason.startswith("truncated gzip file")


def test_a_file_named_gz_that_is_not_gzip_is_reported_and_other_files_are_read(tmp_path):
    fake = tmp_path / "fake.jsonl.gz"
    fake.write_bytes(row(1) + b"\n")
    good = jsonl(tmp_path / "good.jsonl", row(2))
    result = batch(fake, good)
    assert [a.url for a in result.articles] == ["https://news.example/2"]
    assert [r.reason for r in result.unreadable] == ["named .gz but not gzip-compressed (no gzip header): not read"]


def test_corrupt_gzip_data_is_reported(tmp_path):
    whole = bytearray(gzip.compress(b"".join(row(n) + b"\n" for n in range(50))))
    whole[len(whole) // 2:len(whole) // 2 + 8] = b"\xff" * 8
    path = tmp_path / "corrupt.jsonl.gz"
    path.write_bytes(bytes(whole))
    result = batch(path)
    assert len(result.unreadable) == 1 and "gzip" in result.unreadable[0].reason


def test_an_unsupported_file_is_reported_not_raised(tmp_path):
    other = tmp_path / "notes.txt"
    other.write_bytes(b"hello")
    result = batch(other, jsonl(tmp_path / "good.jsonl", row(1)))
    assert len(result.articles) == 1 and "not a .jsonl" in result.unreadable[0].reason


def test_deep_nesting_and_a_5000_digit_number_are_bad_rows(tmp_path):
    deep = b'{"x": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    big = row(3)[:-1] + b', "views": ' + b"7" * 5000 + b"}"
    result = batch(jsonl(tmp_path / "n.jsonl", row(1), deep, big, row(4)))
    assert len(result.articles) == 2
    assert reasons(result) == {2: "invalid JSON: nested too deeply",
                               3: "invalid JSON: a number of 5,000 digits (at most 4,300 are read)"}


@pytest.mark.parametrize("url, why", [("http://[::1/x", "url is not a valid URL (Invalid IPv6 URL)"),
                                      ("http://news.example/a b", "url contains a space or control character"),
                                      (" https://news.example/a\tb", "url contains a space or control character"),
                                      ("https://news.example:99999/x", "url is not a valid URL"),
                                      ("https://news.example/\ud800", "url contains a space or control character")])
def test_malformed_urls_are_bad_rows(tmp_path, url, why):
    result = batch(jsonl(tmp_path / "u.jsonl", row(1, url=url), row(2)))
    assert len(result.articles) == 1 and reasons(result)[1].startswith(why)


def test_one_bad_byte_in_a_csv_rejects_only_its_row_at_the_right_offset(tmp_path):
    header = b"\xef\xbb\xbfurl,title,text,published_at,source\n"
    rows = [f'https://c.example/{n},Title {n},"Text {n}, about Japan",2025-06-01T10:00:00Z,Daily\n'.encode()
            for n in range(5)]
    rows[2] = rows[2].replace(b"Text 2", b"Te\xfft 2")
    data = header + b"".join(rows)
    path = tmp_path / "one_bad.csv"
    path.write_bytes(data)
    result = batch(path)
    assert [a.url for a in result.articles] == [f"https://c.example/{n}" for n in (0, 1, 3, 4)]
    [bad] = result.rejected
    offset = data.index(b"\xff")  # counts the 3 bytes of the BOM
    column = offset - data.index(rows[2]) + 1
    assert bad.line_no == 4
    assert bad.reason == f"not valid UTF-8: byte 0xff at offset {offset} of the file (line 4, column {column})"


def test_a_csv_record_across_lines_and_an_over_long_record(tmp_path):
    path = tmp_path / "multi.csv"
    path.write_bytes(b"url,title,text,published_at,source\n"
                     b'https://c.example/1,T,"First line\nsecond line",2025-06-01T10:00:00Z,D\n'
                     b'https://c.example/2,T,"' + b"x" * 5000 + b'\n' + b"y" * 5000 + b'",2025-06-01T10:00:00Z,D\n'
                     b"https://c.example/3,T,never read,2025-06-01T10:00:00Z,D\n")
    result = batch(path, max_line_bytes=8000)
    assert [a.text for a in result.articles] == ["First line\nsecond line"]
    assert result.unreadable[0].reason.startswith("CSV record from line 4 is longer than 8,000 bytes")


def test_a_json_array_file_is_read_as_rows(tmp_path):
    path = tmp_path / "array.json"
    path.write_bytes(b"\xef\xbb\xbf [\n" + row(1) + b",\n" + row(2) + b",\n 3]\n")
    result = batch(path)
    assert len(result.articles) == 2 and reasons(result) == {3: "a JSON object was expected, got int"}


def test_a_json_array_over_the_cap_is_reported_with_what_to_do(tmp_path):
    path = tmp_path / "array.json"
    path.write_bytes(b"[" + b",".join(row(n) for n in range(100)) + b"]")
    result = batch(path, max_line_bytes=2048)
    assert result.articles == [] and "jq -c '.[]'" in result.unreadable[0].reason


def test_an_over_long_jsonl_line_is_one_bad_row(tmp_path):
    result = batch(jsonl(tmp_path / "long.jsonl", row(1), b'{"x": "' + b"a" * 10_000 + b'"}', row(3)),
                   max_line_bytes=4096)
    assert len(result.articles) == 2
    assert reasons(result) == {2: "line longer than 4,096 bytes (ingest.max_line_bytes): skipped"}


def test_a_bomb_of_bad_rows_stops_at_the_bad_row_cap(tmp_path):
    path = gzip_bomb(tmp_path / "rows.jsonl.gz", b"{}\n", 2**22)
    result = read_batch([path], {}, WINDOW, ReadLimits(), max_bad_rows=100)
    assert len(result.rejected) == 101 and "more than 100 bad rows" in result.unreadable[0].reason


@pytest.mark.parametrize("name", ["bomb.csv.gz", "bomb.jsonl.gz"])
def test_a_gzip_bomb_stops_at_the_byte_cap_in_bounded_memory(tmp_path, name):
    path = gzip_bomb(tmp_path / name, b"\0", 2**28)  # 256 MiB of zeros in about 256 KB
    assert path.stat().st_size < 2**19
    tracemalloc.start()
    try:
        rows = list(read_rows(path, ReadLimits(max_file_bytes=32 * 2**20, max_line_bytes=2**20)))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2**20, f"peak {peak:,} bytes"
    assert rows[-1].whole_file and rows[-1].error.startswith("more than 33,554,432 bytes (decompressed)")
