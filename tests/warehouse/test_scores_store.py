"""Scores with topics, targets and embeddings: stored, replaced per day, read back for the next steps."""

from datetime import date, datetime

import numpy as np

from pipeline.records import Article, ArticleScore, ArticleTarget, ArticleVectors
from warehouse import store
from warehouse.db import connect

DAY = date(2025, 6, 1)


def _article(i: int) -> Article:
    return Article(f"a{i}", f"https://x/{i}", f"https://x/{i}", "Hanbit", "KR", "ko", datetime(2025, 6, 1, 9, i),
                   f"제목 {i}", f"본문 {i}", f"h{i}")


def _score(i: int, topics: tuple[str, ...], targets=()) -> ArticleScore:
    return ArticleScore(f"a{i}", DAY, "negative", -0.5, topics, {t: () for t in topics}, "m", "1", "2025.1",
                        "topics.e5-keyword.v1@1", {t: {"confidence": 0.9, "keywords": [], "similarity": 0.8}
                                                   for t in topics}, targets)


def test_targets_and_embeddings_round_trip_and_unassigned_articles_come_back_with_their_vectors(tmp_path):
    target = ArticleTarget("a1", DAY, "JP", 2, ("일본",), "negative", -0.7, (0.75, 0.2, 0.05), "m", "1")
    vectors = ArticleVectors("emb", ("a1", "a2"), (DAY, DAY), np.eye(2, 384, dtype=np.float32))
    with connect(tmp_path / "w.duckdb") as con:
        store.insert_articles(con, [_article(1), _article(2), _article(3)])
        for _ in range(2):  # a rerun replaces, never duplicates
            store.replace_scores(con, [DAY], "m", [_score(1, ("forced_labour",), (target,)), _score(2, ()),
                                                 _score(3, ())], (), vectors)
        [scored_1, scored_2, _] = store.scored_of_day(con, DAY, "m")
        assert scored_1.targets == (("JP", "negative", -0.7),) and scored_2.targets == ()
        assert con.execute("SELECT count(*) FROM article_targets").fetchone()[0] == 1
        assert con.execute("SELECT target_country, mentions, p_negative FROM target_sentiment").fetchall() == [
            ("JP", ["일본"], 0.75)]
        articles, vecs = store.unassigned_between(con, DAY, DAY, "m", "emb")
        assert [a.id for a in articles] == ["a2", "a3"] and articles[0].content_hash == "h2"
        assert np.allclose(vecs[0], np.eye(2, 384)[1]) and vecs[1] is None  # a3 was never embedded
        assert store.unassigned_between(con, DAY, DAY, "other-model", "emb") == ([], [])


def test_several_days_are_replaced_together_and_one_of_them_alone_later():
    import dataclasses
    from datetime import timedelta

    day2 = DAY + timedelta(days=1)
    late = dataclasses.replace(_article(4), published_at=datetime(2025, 6, 2, 9, 4))
    second = dataclasses.replace(_score(4, ()), day=day2)
    with connect(":memory:") as con:
        store.insert_articles(con, [_article(1), late])
        assert store.article_counts_between(con, DAY, day2) == {DAY: 1, day2: 1}
        store.replace_scores(con, [DAY, day2], "m", [_score(1, ()), second])
        store.replace_scores(con, [DAY, day2], "m", [_score(1, ("yasukuni",)), second])  # a rerun replaces both
        assert con.execute("SELECT article_id, day, topics FROM article_scores ORDER BY 1").fetchall() == [
            ("a1", DAY, ["yasukuni"]), ("a4", day2, [])]
        store.replace_scores(con, [DAY], "m", [])  # one day replaced: the other keeps its rows
        assert con.execute("SELECT article_id FROM article_scores").fetchall() == [("a4",)]
