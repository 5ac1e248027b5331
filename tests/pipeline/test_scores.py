"""Target-aware sentiment: each country's sentences of an article, rolled up."""

from datetime import date
from types import SimpleNamespace

import numpy as np
import pytest

from pipeline.scores import article_targets
from pipeline.sentences import Sentence

DAY = date(2025, 6, 1)


def _mention(country, text):
    return SimpleNamespace(country=country, text=text)


def test_sentiment_toward_a_country_comes_from_the_sentences_that_name_it():
    parts = [Sentence("a", 0, 0, 10, "Seoul protests Tokyo's move.", "en"),
             Sentence("a", 1, 0, 10, "Washington welcomed the deal.", "en"),
             Sentence("a", 2, 0, 10, "Japan's envoy was summoned again.", "en"),
             Sentence("b", 0, 0, 10, "Weather was fine.", "en")]
    mentions = [(_mention("KR", "Seoul"), _mention("JP", "Tokyo")), (_mention("US", "Washington"),),
                (_mention("JP", "Japan"),), ()]
    probs = np.array([[0.8, 0.15, 0.05], [0.05, 0.15, 0.8], [0.6, 0.3, 0.1], [0.1, 0.8, 0.1]])
    labels = ["negative", "positive", "negative", "neutral"]
    found = article_targets(parts, mentions, {"a": DAY, "b": DAY}, labels, probs[:, 2] - probs[:, 0], probs, "m", "1")
    assert set(found) == {"a"}
    by_country = {t.target_country: t for t in found["a"]}
    assert set(by_country) == {"JP", "KR", "US"}
    japan = by_country["JP"]
    assert japan.n_sentences == 2 and japan.mentions == ("Japan", "Tokyo") and japan.label == "negative"
    assert japan.probs == pytest.approx((0.7, 0.225, 0.075))
    assert japan.score == pytest.approx(0.075 - 0.7)
    assert by_country["US"].label == "positive" and by_country["US"].n_sentences == 1
    assert by_country["KR"].day == DAY and by_country["KR"].model_name == "m"


def test_lexicon_predictions_without_probabilities_roll_up_by_label():
    parts = [Sentence("a", 0, 0, 5, "x", "ko"), Sentence("a", 1, 0, 5, "y", "ko")]
    mentions = [(_mention("JP", "일본"),), (_mention("JP", "일본"),)]
    found = article_targets(parts, mentions, {"a": DAY}, ["negative", "negative"], [-0.5, -0.3], None, "lex", "1")
    (japan,) = found["a"]
    assert japan.label == "negative" and japan.probs is None and japan.score == pytest.approx(-0.4)
    assert japan.mentions == ("일본",)
