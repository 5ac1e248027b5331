"""The topic model: keyword evidence combined with e5 prototypes (models/topic_model.py, models/annotate.py)."""

import numpy as np
import pytest

from models import topic_model
from models.annotate import KEYWORDS_ONLY, assign_topics, load_topic_model
from models.topic_training import evaluate, read_eval, read_examples
from pipeline.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def shipped():
    return load_topic_model(topic_model.NAME, load_taxonomy())


def test_topics_are_found_from_meaning_where_no_keyword_occurs(shipped):
    texts = [("The top court ordered the Japanese steelmaker to compensate Koreans mobilised to its mills during "
              "the war.", "en"),
             ("首相は終戦の日に九段の神社への奉納を見送った。", "ja"),
             ("전쟁 중 일본 기업에 끌려가 노역한 피해자들이 배상을 요구하며 기자회견을 열었다.", "ko"),
             ("동해안에 주말 동안 많은 눈이 내릴 것으로 예보됐다.", "ko"),
             ("Kospi closed higher on Tuesday as chipmakers rallied.", "en")]
    got = assign_topics([t for t, _ in texts], [lang for _, lang in texts], load_taxonomy(), shipped)
    assert [a.topics for a in got] == [("forced_labour",), ("yasukuni",), ("forced_labour",), (), ()]
    for assignment in got[:3]:
        (evidence,) = assignment.evidence.values()
        assert evidence.keywords == () and evidence.confidence >= shipped.threshold and evidence.similarity > 0.7
    keywords_alone = assign_topics([t for t, _ in texts], [lang for _, lang in texts], load_taxonomy(), None)
    assert [a.topics for a in keywords_alone] == [(), (), (), (), ()]


def test_combined_beats_keywords_on_the_held_out_sentences_in_every_language(shipped):
    rows = [r for r in read_eval() if r.split == "test"]
    assert {r.lang for r in rows} == {"en", "ja", "ko"} and len(rows) >= 150
    scores = {s.lang: s for s in evaluate(load_taxonomy(), rows, shipped) if s.split == "test"}
    for lang in ("en", "ja", "ko"):
        assert scores[lang].combined_micro >= scores[lang].keyword_micro + 0.08, scores[lang]
        assert scores[lang].combined_micro >= 0.75, scores[lang]


def test_the_model_round_trips_and_refuses_another_taxonomy(tmp_path, shipped):
    shipped.save(tmp_path)
    again = topic_model.load(tmp_path)
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(4, shipped.prototypes.shape[1]))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    counts = rng.integers(0, 2, size=(4, len(shipped.topic_ids)))
    assert np.allclose(again.confidences(counts, vectors), shipped.confidences(counts, vectors), atol=1e-6)
    assert again.threshold == shipped.threshold and again.topic_ids == shipped.topic_ids
    assert shipped.neighbours is not None and again.neighbours.shape == shipped.neighbours.shape
    assert (again.neighbour_topics == shipped.neighbour_topics).all() and again.neighbours_k == shipped.neighbours_k


def test_examples_and_eval_sentences_are_disjoint_and_name_only_known_topics():
    ids = set(load_taxonomy().ids())
    examples, rows = read_examples(), read_eval()
    assert not {e.text for e in examples} & {r.text for r in rows}
    assert all(set(e.topics) <= ids for e in examples) and all(set(r.topics) <= ids for r in rows)
    assert {r.split for r in rows} == {"tune", "test"}


def test_keywords_only_is_selectable_and_an_unknown_topic_model_is_refused():
    assert load_topic_model(KEYWORDS_ONLY, load_taxonomy()) is None
    with pytest.raises(ValueError, match="no topic model"):
        load_topic_model("topics.nonexistent.v9", load_taxonomy())


def test_neighbour_margins_take_the_nearest_sentences_of_each_topic_and_skip_masked_pairs():
    bank = np.eye(4)  # four unit sentences: topic 0, topic 0, topic 1, no topic
    bank_topics = np.array([[1, 0], [1, 0], [0, 1], [0, 0]], dtype=bool)
    texts = np.array([[0.8, 0.6, 0.0, 0.0], [0.0, 0.0, 0.6, 0.8]])
    got = topic_model.neighbour_margins(texts, bank, bank_topics, k=1)
    assert np.allclose(got, [[(0.8 - 0.0) * 10, 0.0], [(0.0 - 0.8) * 10, (0.6 - 0.8) * 10]])
    two = topic_model.neighbour_margins(texts, bank, bank_topics, k=1, exclude=np.array([[1, 0, 0, 0], [0, 0, 0, 0]], bool))
    assert np.isclose(two[0, 0], 6.0)  # its own sentence masked out, the next of topic 0 counts
    with pytest.raises(ValueError, match="at least 2"):
        topic_model.neighbour_margins(texts, bank, bank_topics, k=2)


def test_a_model_without_neighbours_still_loads_and_scores(tmp_path, shipped):
    from dataclasses import replace

    older = replace(shipped, neighbours=None, neighbour_topics=None, coef=shipped.coef[:4])
    older.save(tmp_path)
    again = topic_model.load(tmp_path)
    assert again.neighbours is None and not (tmp_path / "neighbours.npz").exists()
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(3, shipped.prototypes.shape[1]))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    counts = np.zeros((3, len(shipped.topic_ids)), dtype=int)
    assert np.allclose(again.confidences(counts, vectors), older.confidences(counts, vectors))


def test_the_shipped_model_meets_issue_16_on_the_real_news_test_split(shipped):
    from models.topic_training import read_news_eval

    rows = [r for r in read_news_eval() if r.split == "test"]
    scores = {s.lang: s for s in evaluate(load_taxonomy(), rows, shipped) if s.split == "test"}
    for lang in ("en", "ja", "ko"):
        assert scores[lang].combined_micro >= 0.85 and scores[lang].combined_precision >= 0.85, scores[lang]
        assert scores[lang].controls_flagged <= 0.10, scores[lang]
