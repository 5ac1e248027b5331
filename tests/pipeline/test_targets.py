"""Country targets from the gazetteer (real Sudachi and Kiwi), and how NER entities veto, confirm and add.

The NER here is a stand-in that returns fixed entities, so that each rule is tested on its own;
tests/models/test_ner.py runs the same finder with the real spaCy pipelines."""

from collections.abc import Sequence

import pytest

from pipeline.targets import (Entity, GazetteerError, Mention, TargetFinder, countries, load_gazetteer,
                              target_f1)


@pytest.fixture(scope="module")
def finder() -> TargetFinder:
    return TargetFinder(load_gazetteer())


def found(finder: TargetFinder, text: str, lang: str) -> tuple[str, ...]:
    return countries(finder.find([text], [lang])[0])


@pytest.mark.parametrize(("text", "expected"), [
    ("Washington urged Seoul and Tokyo not to let history undermine cooperation.", ("JP", "KR", "US")),
    ("Let us hope the talks go well for all of us.", ()),
    ("The US and Japan agreed to extend the swap line.", ("JP", "US")),
    ("The Washington Post reported the summit would be delayed.", ()),
    ("A North Korean missile flew over the sea.", ("KP",)),
    ("Inter-Korean talks stalled while the two Koreas traded accusations.", ("KP", "KR")),
    ("JAPAN PROTESTS SEOUL COURT RULING", ("JP", "KR")),
    ("Trilateral drills resumed on Monday.", ()),
    ("Latin American leaders met in Brasília.", ()),
    ("Xi Jinping hosted Lee Jae-myung in Beijing.", ("CN", "KR")),
    ("Koreans' views of Japan's apology remain divided.", ("JP", "KR")),
])
def test_english(finder, text, expected):
    assert found(finder, text, "en") == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("米価の高騰で新米の出荷が遅れた。", ()),  # 米 inside 米価 and 新米 is rice
    ("米不足で備蓄米の放出が決まった。", ()),  # and so is 米 in 米不足, a blocker
    ("米空母が釜山に入港した。", ("US",)),
    ("米大統領が来月訪日する。", ("JP", "US")),
    ("日韓関係の改善に向けた協議が続いている。", ("JP", "KR")),
    ("日米韓首脳会談で連携を確認した。", ("JP", "KR", "US")),
    ("日本語の授業が増えている。", ()),  # a language is not a target
    ("中国外務省の報道官は会見で懸念を示した。", ("CN",)),  # China's ministry, not Japan's 外務省
    ("外務省の報道官は会見で懸念を示した。", ("JP",)),
    ("尹大統領と李在明氏がソウルで会談した。", ("KR",)),
    ("北朝鮮の金正恩総書記は平壌で演説した。", ("KP",)),
    ("北へ向かう列車が運休した。", ()),  # 北 is ambiguous: without NER it does not count
    ("3日に日本海へ着弾した。", ()),
    ("クアッド外相会合は供給網の多様化で一致した。", ()),  # the Quad's ministers, not Japan's 外相
    ("英首相は訪日を延期した。", ("JP",)),
])
def test_japanese(finder, text, expected):
    assert found(finder, text, "ja") == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("일본의 입장은 변하지 않았다.", ("JP",)),
    ("일본은 유감을 표명했다.", ("JP",)),
    ("일본어 교육 예산이 늘었다.", ()),
    ("미국산 쇠고기 수입이 재개됐다.", ("US",)),
    ("한미 동맹은 굳건하다.", ("KR", "US")),
    ("한일 정상회담이 열렸다.", ("JP", "KR")),
    ("한미일 연합훈련이 시작됐다.", ("JP", "KR", "US")),
    ("北, 동해상으로 탄도미사일 발사", ("KP",)),
    ("美 국무부는 우려를 표명했다.", ("US",)),
    ("중국 외교부 대변인은 반발했다.", ("CN",)),  # not Korea's 외교부
    ("왕이 된 사람은 외롭다.", ()),  # 왕 + the particle 이, not Wang Yi
    ("왕이 부장은 방한 일정을 밝혔다.", ("CN", "KR")),
])
def test_korean(finder, text, expected):
    assert found(finder, text, "ko") == expected


def test_a_korean_outlet_on_korea_names_korea(finder):
    # own-country targets are kept: the lead decides what a source writing about itself means
    text = "우리나라 정부는 대통령실 브리핑에서 이 대통령의 방일 일정을 발표했다."
    assert found(finder, text, "ko") == ("JP", "KR")


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("政府は竹島問題で抗議した。", "ja", ("JP",)),  # a Japanese paper's 政府 is Japan's
    ("首相は訪米中、韓国の外相と会談した。", "ja", ("JP", "KR", "US")),  # 韓国の外相 is Korea's
    ("韓国政府は遺憾を表明した。", "ja", ("KR",)),
    ("정부는 독도에 해양과학기지를 짓기로 했다.", "ko", ("KR",)),
    ("일본 정부는 독도를 자국 영토라고 주장했다.", "ko", ("JP",)),
    ("트럼프 대통령은 관세를 예고했다.", "ko", ("US",)),  # not Korea's 대통령
    ("대통령은 일본 총리와 회담했다.", "ko", ("JP", "KR")),
    ("The government protested.", "en", ()),  # English outlets can be anywhere: no home words
])
def test_home_words_name_the_outlets_country(finder, text, lang, expected):
    assert found(finder, text, lang) == expected


def test_home_words_follow_the_outlet_when_given(finder):
    texts = ["政府は遺憾を表明した。"] * 3
    result = finder.find(texts, ["ja"] * 3, homes=["KR", None, "GB"])  # e.g. a Korean paper's Japanese edition
    assert [countries(m) for m in result] == [("KR",), ("JP",), ()]


def test_mentions_point_at_their_words_in_text_order(finder):
    text = "日韓首脳は東京で会談し、米国の支持を得た。"
    mentions = finder.find([text], ["ja"])[0]
    assert [m.text for m in mentions] == ["日韓", "日韓", "東京", "米国"]
    assert all(text[m.start:m.end] == m.text and m.via == "gazetteer" for m in mentions)
    assert [m.country for m in mentions[:2]] == ["JP", "KR"]


def test_find_keeps_input_order_across_languages(finder):
    texts = ["Seoul protested.", "北京で会談", "워싱턴 방문", "No country here.", "東京见面"]
    result = finder.find(texts, ["en", "ja", "ko", "en", "zh"])
    assert [countries(m) for m in result] == [("KR",), ("CN",), ("US",), (), ()]


def test_find_needs_one_language_per_text(finder):
    with pytest.raises(ValueError, match="one language"):
        finder.find(["a", "b"], ["en"])
    with pytest.raises(ValueError, match="one language"):
        finder.find(["a", "b"], ["en", "en"], homes=["KR"])


def test_countries_are_distinct_and_sorted():
    ms = [Mention("US", "米", 0, 1, "gazetteer"), Mention("JP", "日韓", 3, 5, "gazetteer"),
          Mention("KR", "日韓", 3, 5, "gazetteer"), Mention("US", "米国", 9, 11, "ner")]
    assert countries(ms) == ("JP", "KR", "US")
    assert countries([]) == ()


class FixedEntities:
    """A stand-in tagger: the entities given per text; records what it was asked to tag."""

    def __init__(self, by_text: dict[str, list[Entity]]):
        self.by_text, self.seen = by_text, []

    def entities(self, texts: Sequence[str], lang: str) -> list[list[Entity]]:
        self.seen += texts
        return [self.by_text.get(t, []) for t in texts]


def test_ner_vetoes_a_term_inside_a_veto_entity():
    text = "日本生命は米国の資産運用会社を買収した。"  # a company is not its country
    ner = FixedEntities({text: [Entity("日本生命", 0, 4, "Company"), Entity("米国", 5, 7, "Country")]})
    assert found(TargetFinder(load_gazetteer()), text, "ja") == ("JP", "US")
    assert found(TargetFinder(load_gazetteer(), ner), text, "ja") == ("US",)


def test_offices_are_not_vetoed():
    text = "経済産業相は韓国を優遇対象国に戻した。"  # ginza calls 経済産業相 a Company
    ner = FixedEntities({text: [Entity("経済産業相", 0, 5, "Company"), Entity("韓国", 6, 8, "Country")]})
    assert found(TargetFinder(load_gazetteer(), ner), text, "ja") == ("JP", "KR")


def test_a_person_entity_vetoes_a_place_but_not_a_leader():
    text = "Mr. Washington said Biden was right."
    ner = FixedEntities({text: [Entity("Washington", 4, 14, "PERSON"), Entity("Biden", 20, 25, "PERSON")]})
    mentions = TargetFinder(load_gazetteer(), ner).find([text], ["en"])[0]
    assert [(m.text, m.country) for m in mentions] == [("Biden", "US")]


def test_ner_confirms_an_ambiguous_term():
    text = "北のミサイル発射に抗議した。"
    ner = FixedEntities({text: [Entity("北", 0, 1, "Country")]})
    mentions = TargetFinder(load_gazetteer(), ner).find([text], ["ja"])[0]
    assert [(m.country, m.via) for m in mentions] == [("KP", "ner")]
    other = FixedEntities({text: [Entity("北", 0, 1, "Direction")]})
    assert found(TargetFinder(load_gazetteer(), other), text, "ja") == ()


def test_an_entity_whose_text_is_a_term_adds_a_mention_where_matching_missed_it():
    text = "Japanstyle curry from the US."  # no word boundary after "Japan": the gazetteer skips it
    ner = FixedEntities({text: [Entity("Japan", 0, 5, "GPE"), Entity("the US", 22, 28, "GPE")]})
    mentions = TargetFinder(load_gazetteer(), ner).find([text], ["en"])[0]
    assert [(m.country, m.text, m.via) for m in mentions] == [("JP", "Japan", "ner"), ("US", "US", "gazetteer")]


def test_ner_runs_only_where_a_term_occurs():
    ner = FixedEntities({})
    TargetFinder(load_gazetteer(), ner).find(["Nothing to see.", "Seoul said no."], ["en", "en"])
    assert ner.seen == ["Seoul said no."]


def test_target_f1_counts_pairs():
    gold = [{"JP", "KR"}, {"US"}, set()]
    pred = [{"JP"}, {"US", "CN"}, set()]
    scores = target_f1(gold, pred)
    assert scores["precision"] == pytest.approx(2 / 3)
    assert scores["recall"] == pytest.approx(2 / 3)
    assert scores["f1"] == pytest.approx(2 / 3)
    assert scores["exact"] == pytest.approx(1 / 3)
    assert (scores["per_country"]["KR"]["recall"], scores["per_country"]["KR"]["support"]) == (0.0, 1)
    assert scores["per_country"]["CN"]["precision"] == 0.0
    with pytest.raises(ValueError):
        target_f1(gold, pred[:2])


def test_gazetteer_has_every_country_in_every_language():
    gz = load_gazetteer()
    assert gz.version
    for lang in ("en", "ja", "ko"):
        named = {c for t in gz.terms[lang].values() if t.kind != "compound" for c in t.countries}
        assert named == {"CN", "JP", "KP", "KR", "US"}, lang


@pytest.mark.parametrize(("toml", "message"), [
    ('[countries.XX.en]\nnames = ["Xland"]', "unknown country"),
    ('[countries.JP.en]\nnames = ["Japan"]\nseats = ["Japan"]', "both"),
    ('[compounds.ja]\n"日英" = ["JP", "GB"]', "unknown countries"),
    ('[countries.JP.en]\nflags = ["Japan"]', "unknown kind"),
    ('[countries.JP.en]\nnames = ["Japan", "Japan"]', "twice"),
    ('[home.ja]\ncountry = "TW"\nterms = ["政府"]', "unknown countries"),
])
def test_a_malformed_gazetteer_says_what_to_fix(tmp_path, toml, message):
    path = tmp_path / "gazetteer.toml"
    path.write_text(f'version = "t"\n{toml}\n', encoding="utf-8")
    with pytest.raises(GazetteerError, match=message):
        load_gazetteer(path)
