"""The real-news tone evaluation set and its scoring (models/news_eval.py)."""

import json
from collections import Counter

import numpy as np
import pytest

from models import news_eval
from models.sentiment_data import LABELS


def test_the_set_is_real_news_with_provenance_split_by_event_and_double_labelled():
    rows = [json.loads(line) for line in news_eval.EVAL_FILE.read_text(encoding="utf-8").splitlines()]
    by_lang = Counter(r["lang"] for r in rows)
    assert all(by_lang[lang] >= 300 for lang in ("en", "ja", "ko"))
    for r in rows:
        assert r["url"].startswith("http") and r["date"][:2] in ("20", "") and r["outlet"]
        assert r["split"] in news_eval.SPLITS and r["kind"] in ("headline", "body") and r["label"] in LABELS
        assert len(r["annotators"]) == 2 and set(r["annotators"]) <= set(LABELS)
        assert r["adjudicated"] or r["annotators"] == [r["label"]] * 2  # agreement, or a third annotator decided
    groups = {}
    for r in rows:
        groups.setdefault(r["event_group"], set()).add(r["split"])
    assert all(len(splits) == 1 for splits in groups.values())  # an event is on one side only
    assert len({r["id"] for r in rows}) == len(rows)
    assert {t for r in rows for t in r["topics"]} >= {"comfort_women", "forced_labour", "gsomia", "sado_mine"}


def test_negative_recall_and_precision_and_the_groups():
    pred = ["negative", "negative", "neutral", "positive", "negative"]
    gold = ["negative", "neutral", "negative", "positive", "negative"]
    assert news_eval.negative_recall_precision(pred, gold) == (2 / 3, 2 / 3)
    items = [news_eval.Item(str(i), lang, "t", kind, g, "test", "e", (), ())
             for i, (lang, kind, g) in enumerate([("en", "body", "negative"), ("ko", "headline", "neutral")])]
    assert news_eval.groups(items) == {"en": [0], "ko": [1], "headline": [1], "body": [0], "all": [0, 1]}
    score = news_eval.score_group("m", "all", pred, gold, None)
    assert score.n == 5 and np.isnan(score.ece) and news_eval.meets(score) == "NO"
    with pytest.raises(ValueError, match="dev, test"):
        news_eval.read("train")


def test_eval_sentiment_refuses_an_unknown_split():
    from typer.testing import CliRunner

    from tremor.cli import app

    result = CliRunner().invoke(app, ["eval", "sentiment", "--split", "train"])
    assert result.exit_code == 2 and "dev" in result.output


@pytest.mark.slow
def test_the_shipped_model_reads_real_relations_news_on_the_test_split():
    """The figures of issue 14 on the test split (measured: macro-F1 0.805 en, 0.797 ja, 0.734 ko, 0.777 all;
    negative recall 0.863 at precision 0.832), with a little room for bf16/fp32 and CPU differences."""
    from models.registry import load_sentiment

    model, old = load_sentiment("sentiment.e5.v2"), load_sentiment("sentiment.e5.v1")
    scores = {(s.model, s.group): s for s in news_eval.evaluate({"v2": model, "v1": old}, news_eval.read("test"))}
    assert scores["v2", "all"].neg_recall >= 0.80 and scores["v2", "all"].neg_precision >= 0.70
    assert scores["v2", "en"].macro_f1 >= 0.75 and scores["v2", "ja"].macro_f1 >= 0.75
    assert scores["v2", "ko"].macro_f1 >= 0.70
    assert scores["v2", "headline"].macro_f1 >= 0.70 and scores["v2", "body"].macro_f1 >= 0.70
    assert scores["v2", "all"].macro_f1 > scores["v1", "all"].macro_f1 + 0.15


@pytest.mark.slow
@pytest.mark.parametrize("text,lang,label", [
    ("Seoul urged Tokyo to immediately withdraw its unjust claim to the islets.", "en", "negative"),
    ("The Supreme Court ordered the Japanese steelmaker to compensate four Korean victims of wartime forced labour.",
     "en", "negative"),
    ("Japan will bear all the consequences, a senior official warned.", "en", "negative"),
    ("South Korea beat Japan 2-1 in the East Asian Cup final on Sunday.", "en", "neutral"),
    ("The foreign ministers agreed to resume shuttle diplomacy.", "en", "positive"),
    ("韓国政府は旭日旗の掲揚を自粛するよう求めた。", "ja", "negative"),
    ("日本海側では週末にかけて大雪となる見込みだ。", "ja", "neutral"),
    ("외교부는 일본 정부에 즉각 철회를 촉구했다.", "ko", "negative"),
    ("회담은 오는 15일 서울에서 열릴 예정이다.", "ko", "neutral"),
])
def test_the_hard_cases_of_the_guideline(text, lang, label):
    from models.registry import load_sentiment

    assert load_sentiment("sentiment.e5.v2").predict([text], [lang]).labels == [label]
