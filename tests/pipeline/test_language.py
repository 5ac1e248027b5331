import pytest

from models.registry import UnknownModel, load_sentiment
from pipeline.langid import detect_language
from pipeline.taxonomy import load_taxonomy
from pipeline.topics import tagger_for


@pytest.mark.parametrize("text,lang", [("The summit ended without agreement.", "en"),
                                       ("首脳会談は合意なく終わった。", "ja"),
                                       ("정상회담은 합의 없이 끝났다.", "ko"),
                                       ("峰会没有达成协议，双方表示遗憾。", "zh")])
def test_language_is_identified_offline(text, lang):
    assert detect_language(text) == lang


@pytest.mark.parametrize("text,lang,topic", [
    ("Survivors of wartime forced labor demanded Nippon Steel pay damages.", "en", "forced_labour"),
    ("元徴用工への賠償を巡り、日本製鉄の資産売却が命じられた。", "ja", "forced_labour"),
    ("강제징용 피해자들이 일본제철의 자산 매각을 촉구했다.", "ko", "forced_labour"),
    ("韓国の国会議員が竹島に上陸し、政府は抗議した。", "ja", "dokdo_takeshima"),
    ("일본 각료가 야스쿠니 신사에 공물을 봉납했다.", "ko", "yasukuni"),
])
def test_keyword_topics_in_each_language(text, lang, topic):
    match = tagger_for(load_taxonomy()).tag(text, lang)
    assert topic in match.topics and match.terms[topic]


def test_taxonomy_covers_the_brief_with_keywords_in_three_languages():
    taxonomy = load_taxonomy()
    assert len(taxonomy.ids()) >= 16
    assert all(set(t.keywords) == {"en", "ja", "ko"} and all(t.keywords.values()) for t in taxonomy.topics)


def test_lexicon_orders_hostile_below_warm_text_in_each_language():
    model = load_sentiment("sentiment.lexicon.v1")
    texts = ["Seoul angrily condemned the unacceptable retaliation and warned of a boycott.",
             "The leaders welcomed the agreement and praised the improving, friendly ties.",
             "政府は韓国側の対応に強く抗議し、極めて遺憾だと非難した。",
             "両首脳は関係改善を歓迎し、協力の強化で合意した。",
             "정부는 일본의 보복 조치를 강력히 규탄하며 반발했다.",
             "양국 정상은 관계 개선을 환영하며 협력 강화에 합의했다.",
             "双方对会谈结果表示满意。"]
    out = model.predict(texts, ["en", "en", "ja", "ja", "ko", "ko", "zh"])
    assert out.labels[:6] == ["negative", "positive"] * 3
    assert out.labels[6] is None  # unsupported language: unscored, not guessed
    assert model.name == "sentiment.lexicon.v1" and model.version


def test_unknown_model_name_says_what_exists():
    with pytest.raises(UnknownModel, match="sentiment.lexicon.v1"):
        load_sentiment("sentiment.nope.v9")


# Real Japanese headlines written without kana: lingua alone calls them Chinese.
KANJI_ONLY_JA = [
    "韓国大統領、竹島上陸",  # 産経ニュース 2012-08-10 (quoted at nonbei.hatenablog.jp/entry/20120810/p2)
    "韓国「THAAD」配備場所決定 中国反発",  # 日本テレビ 2017-02, news.ntv.co.jp/category/international/355278
]


@pytest.mark.parametrize("headline", KANJI_ONLY_JA)
def test_a_kanji_only_headline_keeps_the_declared_japanese(headline):
    assert detect_language(headline) == "zh"  # what the text alone says: the reason for the rule
    assert detect_language(headline, "ja") == "ja"
    assert detect_language(headline, "KO ") == "ko"


def test_script_decides_kana_and_hangul_and_simplified_chinese_is_not_taken_for_japanese():
    assert detect_language("首脳会談は合意なく終わった。", "ko") == "ja"
    assert detect_language("日 '독도는 일본 땅' 또 억지", "ja") == "ko"
    assert detect_language("峰会没有达成协议，双方表示遗憾。", "ja") == "zh"


def test_a_declared_language_gives_way_when_the_text_clearly_says_otherwise():
    assert detect_language("The two leaders agreed to resume shuttle diplomacy next spring.", "ja") == "en"
    assert detect_language("", "ja") == "ja" and detect_language("   ") == "und"


def test_a_lone_surrogate_does_not_break_identification():
    assert detect_language("The summit ended \ud800 without agreement.") == "en"


def test_an_ingested_kanji_only_row_from_a_japanese_outlet_is_stored_as_japanese():
    from pipeline.files import RawRow
    from pipeline.records import Article
    from pipeline.validate import Limits, to_article

    def row(**extra):
        fields = {"url": "https://example.jp/a/1", "title": "", "text": KANJI_ONLY_JA[0],
                  "published_at": "2012-08-10T12:00:00+09:00", "source": "Some JP outlet", **extra}
        return RawRow(source_file="x.jsonl", line_no=1, raw=b"{}", fields=fields)

    for extra in ({"country": "JP"}, {"lang": "ja"}):
        article = to_article(row(**extra), {}, Limits())
        assert isinstance(article, Article) and article.lang == "ja"
    assert to_article(row(), {}, Limits()).lang == "zh"  # nothing declared: the text alone decides
