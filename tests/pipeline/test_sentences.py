"""Sentence segmentation in three languages and the roll-up of sentence predictions to articles."""

from datetime import datetime

import numpy as np

from pipeline.records import Article
from pipeline.sentences import roll_up, spans, split_articles


def _cut(text, lang):
    return [text[a:b] for a, b in spans(text, lang)]


def test_sentences_in_english_japanese_and_korean():
    assert _cut("Seoul protested. Mr. Abe visited Yasukuni! Why now?", "en") == [
        "Seoul protested.", "Mr. Abe visited Yasukuni!", "Why now?"]
    assert _cut("韓国政府は抗議した。日本側は「遺憾だ」と述べた！　今後は？", "ja") == [
        "韓国政府は抗議した。", "日本側は「遺憾だ」と述べた！", "今後は？"]
    assert _cut("외교부가 항의했다. 일본은 유감을 표명했다! 앞으로는?", "ko") == [
        "외교부가 항의했다.", "일본은 유감을 표명했다!", "앞으로는?"]
    assert _cut("  ", "en") == [] and _cut("Bonjour. Merci.", "fr") == ["Bonjour. Merci."]


def test_title_is_sentence_zero_and_offsets_point_into_the_body():
    a = Article(id="a1", url="u", canonical_url="u", source="s", source_country="KR", lang="en",
                published_at=datetime(2025, 6, 1, 9), title="Talks collapse", text="The talks failed. Both sides blamed each other.", content_hash="h")
    parts = split_articles([a], max_sentences=2)
    assert [(p.index, p.text) for p in parts] == [(0, "Talks collapse"), (1, "The talks failed.")]
    assert a.text[parts[1].start:parts[1].end] == "The talks failed."


def test_roll_up_means_probabilities_and_leaves_unscored_articles_empty():
    from pipeline.sentences import Sentence

    parts = [Sentence("a", 0, 0, 1, "x", "en"), Sentence("a", 1, 0, 1, "y", "en"), Sentence("b", 0, 0, 1, "z", "zh")]
    probs = np.array([[0.7, 0.2, 0.1], [0.3, 0.2, 0.5], [np.nan] * 3])
    a, b, c = roll_up(["a", "b", "c"], parts, ["negative", "positive", None], [-0.6, 0.2, np.nan], probs)
    assert a.label == "negative" and abs(a.score - (0.3 - 0.5)) < 1e-9
    assert b.label is None and c.label is None and np.isnan(b.score)
    lexicon = roll_up(["a"], parts[:2], ["negative", "positive"], [-0.6, 0.2], None)[0]
    assert lexicon.label == "neutral" and abs(lexicon.score + 0.2) < 1e-9  # tie -> neutral, mean score


def test_a_text_longer_than_sudachi_accepts_is_cut_without_losing_a_character():
    from pipeline.tokenize import chunks

    text = "政府は抗議した。" * 2000 + "あ" * 13_000  # 29,000 characters, one run longer than a chunk
    pieces = chunks(text)
    assert "".join(pieces) == text and len(pieces) > 2 and max(map(len, pieces)) <= 12_000
    found = spans(text[:20_000], "ja")
    assert all(text[a:b].strip() for a, b in found) and text[found[0][0]:found[0][1]] == "政府は抗議した。"
