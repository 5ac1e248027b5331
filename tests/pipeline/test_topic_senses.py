"""Keywords with other senses count only in context (taxonomy `needs_context` / `context`)."""

import pytest

from pipeline.taxonomy import Taxonomy, Topic, load_taxonomy
from pipeline.topics import KeywordTopicTagger, tagger_for


@pytest.mark.parametrize("text,lang", [
    # real off-topic headlines and sentences (models/tone_data/news_eval.jsonl, dev split)
    ("[오늘의 날씨] 동해남부북쪽 먼바다 풍랑주의보…최고 3m 안팎 파도", "ko"),
    ("22일 불기 2562년 부처님 오신 날…전국 사찰서 일제히 봉축법요식", "ko"),
    ("Heavy snow is forecast along the Sea of Japan coast this weekend.", "en"),
    ("Climbers reached the summit of Mount Fuji before dawn.", "en"),
    ("初詣で明治神宮に参拝した。", "ja"),
    ("한일 양국은 지소미아 정상화에 합의했다.", "ko"),
])
def test_a_keyword_in_another_sense_gives_no_topic(text, lang):
    match = tagger_for(load_taxonomy()).tag(text, lang)
    assert not {"dokdo_takeshima", "yasukuni", "summits_diplomacy"} & set(match.topics), match


@pytest.mark.parametrize("text,lang,topic", [
    ("일본이 동해를 일본해로 표기한 지도를 배포했다.", "ko", "dokdo_takeshima"),
    ("Seoul protested Tokyo's territorial claim to the islets in the East Sea.", "en", "dokdo_takeshima"),
    ("閣僚が終戦の日に参拝した。", "ja", "yasukuni"),
    ("President Yoon and Prime Minister Kishida held a summit in Tokyo.", "en", "summits_diplomacy"),
    ("한일 정상은 도쿄에서 회담했다.", "ko", "summits_diplomacy"),
])
def test_the_same_keyword_counts_with_its_context(text, lang, topic):
    match = tagger_for(load_taxonomy()).tag(text, lang)
    assert topic in match.topics and match.terms[topic]
    assert not any(term.startswith(KeywordTopicTagger.CONTEXT) for terms in match.terms.values() for term in terms)


def test_needs_context_must_name_keywords_of_the_topic():
    with pytest.raises(ValueError, match="not its keywords"):
        Topic("t", "g", {}, "", {"en": ("Sea of Japan",)}, needs_context={"en": ("summit",)})
    topic = Topic("t", "g", {}, "", {"en": ("Sea of Japan", "islets")}, needs_context={"en": ("Sea of Japan",)})
    tagger = KeywordTopicTagger(Taxonomy("x", (topic,)))
    assert tagger.tag("Rain in the Sea of Japan.", "en").topics == ()
    assert tagger.tag("The islets in the Sea of Japan.", "en").terms["t"] == ("Sea of Japan", "islets")
