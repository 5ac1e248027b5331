import json
from pathlib import Path

from pipeline.ingest import read_batch
from pipeline.records import Rejected
from pipeline.sources import load_sources
from pipeline.validate import Limits

GOOD = {"url": "https://news.example/a?utm_source=x", "title": "Seoul protests Yasukuni offering",
        "text": "South Korea expressed deep disappointment over the ritual offering to Yasukuni Shrine.",
        "published_at": "2025-07-01T09:00:00+09:00", "source": "Hanbit Ilbo"}


def write_malformed(path: Path) -> None:
    lines = [
        json.dumps(GOOD).encode(),
        b'{"url": "https://news.example/b", "title": "broken',  # bad JSON
        json.dumps({"url": "https://news.example/c", "text": "no title, date or source"}).encode(),
        json.dumps(dict(GOOD, url="https://news.example/d")).encode()[:-2] + b'\xff\xfe"}',  # not UTF-8
        json.dumps(dict(GOOD, url="https://news.example/e", text="   ")).encode(),  # empty text
        json.dumps(dict(GOOD, url="https://news.example/f", text="x" * 10_000_000)).encode(),  # 10 MB text
        json.dumps(dict(GOOD, url="https://news.example/g", published_at="yesterday")).encode(),
        json.dumps(dict(GOOD, url="https://news.example/a?utm_medium=y")).encode(),  # same canonical URL
        json.dumps(dict(GOOD, url="https://news.example/h", title="竹島の日に抗議", lang="ja",
                        text="政府は竹島の日の式典に強く抗議した。", source="Tokai Shimpo")).encode(),
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")


def test_malformed_file_quarantines_bad_rows_with_reasons_and_keeps_good_ones(tmp_path):
    path = tmp_path / "mixed.jsonl"
    write_malformed(path)
    batch = read_batch([path], load_sources(), Limits(max_text_chars=200_000))
    reasons = {r.line_no: r.reason for r in batch.rejected}
    assert all(isinstance(r, Rejected) for r in batch.rejected)
    assert "invalid JSON" in reasons[2]
    assert "title" in reasons[3] and "published_at" in reasons[3] and "source" in reasons[3]
    assert "not valid UTF-8" in reasons[4]
    assert reasons[5] == "empty text"
    assert "text too long" in reasons[6]
    assert "ISO-8601" in reasons[7]
    assert len(batch.rejected) == 6
    assert batch.duplicates == 1  # line 8 is line 1 under a tracking parameter
    assert [a.lang for a in batch.articles] == ["en", "ja"]
    assert [a.source_country for a in batch.articles] == ["KR", "JP"]
    assert str(batch.articles[0].published_at) == "2025-07-01 00:00:00"


def test_csv_rows_are_read_like_jsonl(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("url,title,text,published_at,source,country\n"
                    "https://x.example/1,독도 훈련,정부는 독도 방어훈련을 실시했다.,2025-06-01T10:00:00Z,Unknown Daily,kr\n"
                    "https://x.example/2,,,,,\n", encoding="utf-8")
    batch = read_batch([path], load_sources(), Limits())
    assert [(a.lang, a.source_country) for a in batch.articles] == [("ko", "KR")]
    assert len(batch.rejected) == 1 and "missing" in batch.rejected[0].reason
