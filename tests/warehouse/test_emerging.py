"""Emerging topics in a real DuckDB file: replaced per day, read back as records, shown with example titles."""

from dataclasses import replace
from datetime import date, datetime

import pytest

from pipeline.emerging import EmergingTopic
from pipeline.records import Article
from warehouse.db import connect
from warehouse.emerging import emerging_of_day, replace_emerging
from warehouse.store import insert_articles

DAY, NEXT = date(2026, 11, 30), date(2026, 12, 1)
TITLES = {
    "w1": ("Kyodo", "JP", "en", "Japan sets new fin whale catch quota for commercial whaling"),
    "w3": ("朝日新聞", "JP", "ja", "水産庁、ナガスクジラの捕獲枠を設定　商業捕鯨の対象に追加"),
    "w5": ("연합뉴스", "KR", "ko", "일본, 상업 포경 대상에 참고래 추가…환경단체 반발"),
    "f1": ("Yonhap", "KR", "en", "South Korea and Japan fail again to agree on fishing quotas"),
    "f3": ("毎日新聞", "JP", "ja", "日韓漁業協定の交渉、今年も決裂"),
    "f5": ("조선일보", "KR", "ko", "한일 어업협정 협상 또 결렬…갈치잡이 어선 일본 수역 조업 못 해"),
}


def article(id_: str, day: date) -> Article:
    source, country, lang, title = TITLES[id_]
    url = f"https://news.example/{id_}"
    return Article(id_, url, url, source, country, lang, datetime(day.year, day.month, day.day, 9), title,
                   title, f"hash-{id_}")


def topic(day: date, rank: int, ids: tuple[str, ...], terms: dict[str, tuple[str, ...]], cohesion: float,
          examples: int = 3) -> EmergingTopic:
    known = [TITLES[i] for i in ids if i in TITLES]
    langs = tuple(dict.fromkeys(lang for _, _, lang, _ in known))
    return EmergingTopic(day=day, rank=rank, article_ids=ids, outlets=tuple(source for source, *_ in known),
                         source_countries=tuple(dict.fromkeys(c for _, c, _, _ in known)), langs=langs, terms=terms,
                         examples=ids[:examples], cohesion=cohesion,
                         label=" / ".join(", ".join(terms[lang][:2]) for lang in langs if lang in terms),
                         model_name="embedding.e5-small.v1")


WHALING = topic(DAY, 1, ("w3", "w1", "w5", "zz-gone"), {"ja": ("捕鯨", "ナガスクジラ", "商業捕鯨"),
                                                         "en": ("whaling", "fin whale"), "ko": ("포경", "참고래")}, 0.219,
                examples=4)  # an example since deleted from articles: no title
FISHERIES = topic(DAY, 2, ("f5", "f1", "f3"), {"ko": ("어업", "협상"), "en": ("fisheries", "hairtail"),
                                               "ja": ("漁業", "入漁")}, 0.334, examples=2)
FISHERIES_NEXT = topic(NEXT, 1, ("f1", "f3", "f5"), {"en": ("fisheries",), "ja": ("漁業",), "ko": ("어업",)}, 0.3)


@pytest.fixture
def con(tmp_path):
    with connect(tmp_path / "w.duckdb") as con:
        insert_articles(con, [article(i, DAY) for i in TITLES])
        yield con


def rows(con):
    return con.execute("SELECT * EXCLUDE (created_at) FROM emerging_topics ORDER BY day, rank").fetchall()


def test_a_day_of_topics_comes_back_as_stored(con):
    replace_emerging(con, DAY, [WHALING, FISHERIES])
    assert emerging_of_day(con, DAY) == [WHALING, FISHERIES]
    assert emerging_of_day(con, NEXT) == []
    row = con.execute("SELECT cluster_id, n_articles, n_outlets, json_extract_string(terms, '$.ja[0]') "
                      "FROM emerging_topics WHERE rank = 1").fetchone()
    assert row == ("2026-11-30-c1", 4, 3, "捕鯨")


def test_rerunning_a_day_replaces_that_day_only(con):
    replace_emerging(con, DAY, [WHALING, FISHERIES])
    replace_emerging(con, NEXT, [FISHERIES_NEXT])
    before = rows(con)
    replace_emerging(con, DAY, [WHALING, FISHERIES])
    assert rows(con) == before
    replace_emerging(con, DAY, [replace(FISHERIES, rank=1)])
    assert [t.cluster_id for t in emerging_of_day(con, DAY)] == ["2026-11-30-c1"]
    assert emerging_of_day(con, DAY)[0].article_ids == FISHERIES.article_ids
    assert emerging_of_day(con, NEXT) == [FISHERIES_NEXT]
    replace_emerging(con, DAY, [])
    assert emerging_of_day(con, DAY) == [] and emerging_of_day(con, NEXT) == [FISHERIES_NEXT]


def test_topics_of_another_day_are_refused_and_nothing_is_written(con):
    replace_emerging(con, DAY, [WHALING])
    with pytest.raises(ValueError, match="2026-12-01"):
        replace_emerging(con, DAY, [FISHERIES, FISHERIES_NEXT])
    assert emerging_of_day(con, DAY) == [WHALING]


def test_the_latest_view_shows_the_last_day_with_example_titles_in_order(con):
    replace_emerging(con, DAY, [WHALING, FISHERIES])
    latest = con.execute("SELECT cluster_id, label, example_titles FROM emerging_topics_latest").fetchall()
    assert latest == [
        ("2026-11-30-c1", WHALING.label, [TITLES["w3"][3], TITLES["w1"][3], TITLES["w5"][3]]),
        ("2026-11-30-c2", FISHERIES.label, [TITLES["f5"][3], TITLES["f1"][3]]),
    ]
    replace_emerging(con, NEXT, [FISHERIES_NEXT])
    assert con.execute("SELECT cluster_id, example_titles FROM emerging_topics_latest").fetchall() == [
        ("2026-12-01-c1", [TITLES["f1"][3], TITLES["f3"][3], TITLES["f5"][3]])]
    examples = con.execute("SELECT article_id, lang, position FROM emerging_examples WHERE cluster_id = ?",
                           ["2026-11-30-c1"]).fetchall()
    assert examples == [("w3", "ja", 1), ("w1", "en", 2), ("w5", "ko", 3)]
