"""The fetch tables (migration 004) in a real DuckDB file: one transaction per run, validators, views."""

from datetime import date, datetime

import duckdb
import pytest

from pipeline.records import FetchLogEntry, IrrelevantItem, Rejected, StoryCopy
from tests.pipeline.test_neardup import WIRE_EN, WIRE_KO, article
from warehouse.db import connect
from warehouse.store import articles_between, feed_validators, store_harvest

T = datetime(2025, 7, 26, 3)


def log(url: str, outcome: str, etag: str | None, minute: int) -> FetchLogEntry:
    return FetchLogEntry("Outlet", "feed", url, outcome, None, datetime(2025, 7, 26, 3, minute), status=200,
                         etag=etag, last_modified=None)


def test_a_harvest_is_stored_once_and_reach_and_irrelevant_counts_read_back(tmp_path):
    story, other = article("Yonhap", WIRE_EN), article("Hani", WIRE_KO)
    copies = [StoryCopy(story.id, "c1", "http://h.example/1", "Herald", "KR", T, 0.91),
              StoryCopy(story.id, "c2", "http://t.example/2", "Times", "JP", T, 0.88),
              StoryCopy(story.id, "c3", "http://y.example/3", "Yonhap", "KR", T, 0.97)]
    irrelevant = [IrrelevantItem("i1", "Hani", date(2025, 7, 26)), IrrelevantItem("i2", "Hani", date(2025, 7, 26))]
    rejected = [Rejected("r1", "http://f.example/feed", 2, "feed item has no link", "{}")]
    with connect(tmp_path / "w.duckdb") as con:
        first = store_harvest(con, [story, other], rejected, copies, irrelevant, [log("http://f.example/feed", "fetched", '"a"', 0)])
        again = store_harvest(con, [story, other], rejected, copies, irrelevant, [])
        reach = con.execute("SELECT story_id, n_copies, n_outlets FROM story_reach ORDER BY n_copies DESC").fetchall()
        daily = con.execute("SELECT day, source, n_items FROM irrelevant_daily").fetchall()
        assert {a.id for a in articles_between(con, date(2025, 7, 26), date(2025, 7, 27))} == {story.id, other.id}
    assert (first.new_articles, first.new_quarantined, first.new_copies, first.new_irrelevant, first.log_rows) == (2, 1, 3, 2, 1)
    assert (again.new_articles, again.new_quarantined, again.new_copies, again.new_irrelevant) == (0, 0, 0, 0)
    assert reach == [(story.id, 3, 3), (other.id, 0, 1)]  # Yonhap, Herald, Times carried the story
    assert daily == [(date(2025, 7, 26), "Hani", 2)]


def test_validators_come_from_the_latest_successful_fetch(tmp_path):
    with connect(tmp_path / "w.duckdb") as con:
        store_harvest(con, [], [], [], [], [log("http://a/feed", "fetched", '"v1"', 0),
                                            log("http://a/feed", "not_modified", '"v1"', 5),
                                            log("http://a/feed", "failed", None, 9),
                                            log("http://b/feed", "fetched", '"b1"', 0),
                                            log("http://b/feed", "fetched", None, 3),
                                            log("http://c/feed", "rejected", '"c1"', 0)])
        assert feed_validators(con) == {"http://a/feed": ('"v1"', None)}


def test_a_failing_harvest_writes_nothing(tmp_path):
    story = article("Yonhap", WIRE_EN)
    bad_log = FetchLogEntry("Outlet", "feed", None, "fetched", None, T)  # url is NOT NULL
    with connect(tmp_path / "w.duckdb") as con:
        with pytest.raises(duckdb.Error):
            store_harvest(con, [story], [], [], [IrrelevantItem("i1", "S", date(2025, 7, 26))], [bad_log])
        counts = con.execute("SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM irrelevant_items), "
                             "(SELECT count(*) FROM fetch_log)").fetchone()
    assert counts == (0, 0, 0)
