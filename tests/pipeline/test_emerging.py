"""Emerging issues: issues the taxonomy does not know (whaling, a fisheries deal, a bird-flu import ban), written
in English, Japanese and Korean by several outlets, clustered among unrelated articles with the real encoder."""

from datetime import date

import numpy as np
import pytest

from pipeline.emerging import (EmergingInputError, EmergingTopic, centred, class_tfidf, content_words,
                               find_emerging, joined_across_languages)
from pipeline.tokenize import UnsupportedLanguage

DAY = date(2026, 11, 30)

# (id, outlet, source country, lang, text)
WHALING = [
    ("w1", "Kyodo", "JP", "en", "Japan sets new fin whale catch quota for commercial whaling. The Fisheries Agency added fin whales to the species its whaling fleet may hunt this season, drawing protests from conservation groups."),
    ("w2", "Korea Herald", "KR", "en", "Korean environmental groups condemn Japan's expanded whaling. Activists in Seoul said the decision to hunt fin whales in the North Pacific threatens whale populations that migrate through Korean waters."),
    ("w3", "朝日新聞", "JP", "ja", "水産庁、ナガスクジラの捕獲枠を設定　商業捕鯨の対象に追加。母船式捕鯨の船団は来月にも出港する予定で、捕鯨業界は鯨肉の供給拡大に期待を寄せている。"),
    ("w4", "読売新聞", "JP", "ja", "商業捕鯨でナガスクジラ捕獲へ、韓国の環境団体が反発。捕鯨船団が北太平洋で操業を始めれば、鯨の資源に影響が出ると韓国側は懸念を示した。"),
    ("w5", "연합뉴스", "KR", "ko", "일본, 상업 포경 대상에 참고래 추가…환경단체 반발. 일본 수산청이 참고래 포획 한도를 새로 정하자 국내 환경단체들은 고래 보호에 역행하는 결정이라고 비판했다."),
    ("w6", "한겨레", "KR", "ko", "일본 포경선단 북태평양 출항 예정…고래 개체수 우려. 환경운동연합은 일본의 포경 확대가 동해를 오가는 고래에도 영향을 줄 수 있다며 국제포경위원회의 대응을 촉구했다."),
]
FISHERIES = [
    ("f1", "Yonhap", "KR", "en", "South Korea and Japan fail again to agree on fishing quotas in each other's exclusive economic zones. The fisheries agreement talks have stalled for years, leaving Korean hairtail boats unable to operate in Japanese waters."),
    ("f2", "Japan Times", "JP", "en", "Fisheries talks with Seoul collapse over longline fishing boats. Japanese fishermen in Nagasaki say Korean vessels exceeded catch limits, while Korean fishermen demand access to the hairtail grounds."),
    ("f3", "毎日新聞", "JP", "ja", "日韓漁業協定の交渉、今年も決裂　排他的経済水域での相互入漁が途絶える。長崎の漁業者は韓国漁船の違法操業を問題視し、漁獲割当量の削減を求めている。"),
    ("f4", "産経新聞", "JP", "ja", "韓国はえ縄漁船の入漁交渉、合意できず。水産庁によると、タチウオ漁をめぐる漁獲枠と操業条件で日韓の主張が隔たったままだ。"),
    ("f5", "조선일보", "KR", "ko", "한일 어업협정 협상 또 결렬…갈치잡이 어선 일본 수역 조업 못 해. 제주 어민들은 배타적경제수역 입어 협상이 수년째 타결되지 않아 어획량이 크게 줄었다고 호소했다."),
    ("f6", "중앙일보", "KR", "ko", "해양수산부, 한일 어업협상 재개 추진. 정부는 일본 측이 요구하는 연승어선 감척과 어획할당량 축소 문제를 두고 어업인 단체와 협의하고 있다."),
]
BIRD_FLU = [
    ("b1", "Reuters", "US", "en", "South Korea suspends imports of Japanese poultry after bird flu outbreak in Kagoshima. The agriculture ministry said the ban on chicken and eggs will remain until Japan confirms the highly pathogenic avian influenza is contained."),
    ("b2", "NHK World", "JP", "en", "Avian influenza confirmed at a Kagoshima chicken farm; authorities cull 40,000 birds. South Korea responded by halting poultry imports from the prefecture."),
    ("b3", "日本経済新聞", "JP", "ja", "鹿児島の養鶏場で鳥インフルエンザ、4万羽を殺処分。韓国政府は日本産の鶏肉と鶏卵の輸入を一時停止すると発表した。"),
    ("b4", "NHK", "JP", "ja", "韓国、日本産家禽の輸入停止　鳥インフルエンザ発生受け。高病原性鳥インフルエンザの感染拡大を警戒し、養鶏農家への影響が懸念される。"),
    ("b5", "KBS", "KR", "ko", "농식품부, 일본산 가금류 수입 일시 중단…가고시마 조류인플루엔자 발생. 정부는 일본산 닭고기와 계란의 수입을 막고 국내 양계 농가의 방역을 강화하기로 했다."),
    ("b6", "동아일보", "KR", "ko", "일본 가고시마 양계장서 고병원성 조류인플루엔자 확인…국내 유입 차단 비상. 방역 당국은 철새 도래지 예찰을 강화했다."),
]
# One outlet writing the same local story five times: not an issue.
ONE_OUTLET = [
    ("r1", "Busan Ilbo", "KR", "ko", "부산 해운대 불꽃축제 올해 11월 개최…관람객 100만 명 예상. 부산시는 해운대 해수욕장 일대 교통 통제 계획을 발표했다."),
    ("r2", "Busan Ilbo", "KR", "ko", "해운대 불꽃축제 교통 통제…지하철 증편 운행. 부산시는 불꽃축제 당일 해운대 일대 도로를 통제한다."),
    ("r3", "Busan Ilbo", "KR", "ko", "불꽃축제 앞둔 해운대, 숙박업소 예약 꽉 차. 부산 해운대 호텔들은 불꽃축제 기간 객실이 모두 찼다고 밝혔다."),
    ("r4", "Busan Ilbo", "KR", "ko", "해운대 불꽃축제 안전요원 2천명 배치. 부산시와 경찰은 불꽃축제 인파 관리 대책을 마련했다."),
    ("r5", "Busan Ilbo", "KR", "ko", "부산 불꽃축제 명당 자리 경쟁 치열. 해운대 해변에는 불꽃축제 전날부터 시민들이 몰렸다."),
]
NOISE = [
    ("n1", "Nikkei Asia", "JP", "en", "Tokyo stocks close higher as chipmakers rally on strong US earnings. The Nikkei average gained 1.2 percent."),
    ("n2", "Korea JoongAng Daily", "KR", "en", "Seoul apartment prices rise for the tenth straight week amid low mortgage rates."),
    ("n3", "AP", "US", "en", "A typhoon is expected to make landfall in Okinawa on Thursday, bringing heavy rain and strong winds."),
    ("n4", "Korea Times", "KR", "en", "Samsung unveils a new foldable smartphone with a larger battery and an improved camera."),
    ("n5", "Japan Today", "JP", "en", "Shohei Ohtani hits his 50th home run of the season as the Dodgers beat the Giants."),
    ("n6", "東京新聞", "JP", "ja", "東京株式市場で日経平均株価が反発、半導体関連株に買いが広がった。"),
    ("n7", "NHK", "JP", "ja", "台風10号が沖縄に接近、気象庁は暴風と高波に警戒を呼びかけている。"),
    ("n8", "共同通信", "JP", "ja", "大谷翔平が今季50号本塁打、ドジャースがジャイアンツに勝利。"),
    ("n9", "時事通信", "JP", "ja", "岸田首相、少子化対策の財源について国会で答弁。"),
    ("n10", "매일경제", "KR", "ko", "코스피, 외국인 매수에 상승 마감…반도체주 강세."),
    ("n11", "SBS", "KR", "ko", "서울 아파트값 10주 연속 상승…대출 금리 하락 영향."),
    ("n12", "MBC", "KR", "ko", "삼성전자, 배터리 용량 늘린 새 폴더블폰 공개."),
    ("n13", "한국경제", "KR", "ko", "수능 D-30, 수험생 막바지 학습 전략은."),
    ("n14", "Yonhap", "KR", "en", "North Korea fires a short-range ballistic missile into the East Sea, Seoul's military says."),
    ("n15", "産経新聞", "JP", "ja", "北朝鮮が弾道ミサイルを発射、日本の排他的経済水域外に落下。"),  # shares 排他的経済水域 with FISHERIES
]
ISSUES = {"whaling": WHALING, "fisheries": FISHERIES, "bird_flu": BIRD_FLU}
# a word that names the issue, per language, among its top terms
KEY_TERMS = {"whaling": {"en": "whaling", "ja": "捕鯨", "ko": "포경"},
             "fisheries": {"en": "fisheries", "ja": "漁業", "ko": "어업"},
             "bird_flu": {"en": "influenza", "ja": "インフルエンザ", "ko": "조류인플루엔자"}}
DAY_ARTICLES = WHALING + FISHERIES + BIRD_FLU + ONE_OUTLET + NOISE


@pytest.fixture(scope="module")
def vectors() -> dict[str, np.ndarray]:
    from models.embeddings import embed

    return dict(zip([a[0] for a in DAY_ARTICLES], embed([a[4] for a in DAY_ARTICLES]), strict=True))


def run(articles, vectors, **options) -> list[EmergingTopic]:
    ids, sources, countries, langs, texts = (list(column) for column in zip(*articles, strict=True))
    return find_emerging(DAY, ids, texts, langs, sources, countries, np.stack([vectors[i] for i in ids]),
                         model_name="embedding.e5-small.v1", **options)


def topic_of(topics, issue) -> EmergingTopic:
    """The one candidate holding most of the issue's articles."""
    wanted = {a[0] for a in ISSUES[issue]}
    return max(topics, key=lambda t: len(wanted & set(t.article_ids)))


@pytest.fixture(scope="module")
def day_topics(vectors) -> list[EmergingTopic]:
    return run(DAY_ARTICLES, vectors)


@pytest.mark.slow
@pytest.mark.parametrize("issue", sorted(ISSUES))
def test_each_issue_is_one_candidate_across_languages_without_noise(day_topics, issue):
    topic = topic_of(day_topics, issue)
    assert set(topic.article_ids) == {a[0] for a in ISSUES[issue]}
    assert set(topic.langs) == {"en", "ja", "ko"} and topic.n_outlets == 6
    assert topic.n_articles == 6 and topic.cohesion > 0.1
    assert topic.cluster_id == f"2026-11-30-c{topic.rank}"


@pytest.mark.slow
@pytest.mark.parametrize("issue", sorted(ISSUES))
def test_top_terms_name_the_issue_in_each_language(day_topics, issue):
    topic = topic_of(day_topics, issue)
    assert set(topic.terms) == {"en", "ja", "ko"}
    for lang, word in KEY_TERMS[issue].items():
        assert word in topic.terms[lang], (lang, topic.terms[lang])
    assert all(len(terms) == 10 for terms in topic.terms.values())
    assert all(part for part in topic.label.split(" / ")) and len(topic.label.split(" / ")) == 3


@pytest.mark.slow
def test_examples_are_members_nearest_the_centroid_first(day_topics, vectors):
    for topic in day_topics:
        assert topic.examples == topic.article_ids[:5]
        assert len(set(topic.article_ids)) == topic.n_articles
    whaling = topic_of(day_topics, "whaling")
    # nearest first, in the space the clusters were found in (centred per language over the day)
    ids = [a[0] for a in DAY_ARTICLES]
    space = dict(zip(ids, centred(np.stack([vectors[i] for i in ids]).astype(float), [a[3] for a in DAY_ARTICLES])))
    members = np.stack([space[i] for i in whaling.article_ids])
    closeness = members @ members.mean(axis=0)
    assert list(closeness) == sorted(closeness, reverse=True)


@pytest.mark.slow
def test_candidates_are_ranked_by_size_and_issues_hold_no_noise(day_topics):
    sizes = [t.n_articles for t in day_topics]
    assert sizes == sorted(sizes, reverse=True) and [t.rank for t in day_topics] == list(range(1, len(sizes) + 1))
    noise = {a[0] for a in NOISE + ONE_OUTLET}
    for issue in ISSUES:
        assert not noise & set(topic_of(day_topics, issue).article_ids)


@pytest.mark.slow
def test_the_same_articles_in_any_order_give_the_same_candidates(day_topics, vectors):
    assert run(DAY_ARTICLES, vectors) == day_topics
    shuffled = [DAY_ARTICLES[i] for i in np.random.default_rng(7).permutation(len(DAY_ARTICLES))]
    assert run(shuffled, vectors) == day_topics


@pytest.mark.slow
def test_an_outlet_repeating_itself_is_not_an_issue(vectors):
    articles = WHALING + FISHERIES + BIRD_FLU + ONE_OUTLET
    one_outlet = {a[0] for a in ONE_OUTLET}
    topics = run(articles, vectors)
    assert topics and not any(one_outlet & set(t.article_ids) for t in topics)
    assert all(t.n_outlets >= 2 for t in topics)
    alone = run(articles, vectors, min_outlets=1)  # the cluster is there: the outlet rule drops it
    assert [t.outlets for t in alone if set(t.article_ids) == one_outlet] == [("Busan Ilbo",)]


def test_a_day_smaller_than_a_cluster_has_no_candidates():
    rng = np.random.default_rng(0)
    few = rng.normal(size=(3, 8))
    assert find_emerging(DAY, ["a", "b", "c"], ["x"] * 3, ["en"] * 3, ["o1", "o2", "o3"], ["JP"] * 3, few,
                         model_name="m") == []
    assert find_emerging(DAY, [], [], [], [], [], np.zeros((0, 384)), model_name="m") == []


def test_misaligned_or_repeated_input_is_refused():
    vectors = np.eye(6)
    with pytest.raises(EmergingInputError, match="aligned"):
        find_emerging(DAY, list("abcdef"), ["x"] * 5, ["en"] * 6, ["o"] * 6, ["JP"] * 6, vectors, model_name="m")
    with pytest.raises(EmergingInputError, match="deduplicate"):
        find_emerging(DAY, list("abcdea"), ["x"] * 6, ["en"] * 6, ["o"] * 6, ["JP"] * 6, vectors, model_name="m")
    with pytest.raises(EmergingInputError, match="finite"):
        find_emerging(DAY, list("abcdef"), ["x"] * 6, ["en"] * 6, ["o"] * 6, ["JP"] * 6, vectors * np.nan,
                      model_name="m")


def synthetic_day(rng):
    """Two issues (A: 8 articles, B: 6) in en and ko, each language shifted far off, plus two stray stories
    told in both languages."""
    dim = 64
    offset = {"en": 4 * rng.normal(size=dim), "ko": 4 * rng.normal(size=dim)}
    text = {"en": "whaling fleet quota protest", "ko": "포경 선단 한도 반발"}
    rows = []
    for issue, n in (("A", 8), ("B", 6), ("z", 4)):
        centre = 2 * rng.normal(size=dim)
        for i in range(n):
            lang = ("en", "ko")[i % 2]
            if issue == "z" and lang == "en":
                centre = 2 * rng.normal(size=dim)  # a new stray story
            rows.append((f"{issue}{i}", f"outlet{i % 3}", "JP", lang, f"{text[lang]} {issue}",
                         offset[lang] + centre + 0.3 * rng.normal(size=dim)))
    vectors = np.stack([r[5] for r in rows])
    return rows, vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_centring_per_language_lets_an_issue_span_languages():
    rows, vectors = synthetic_day(np.random.default_rng(1))
    ids, sources, countries, langs, texts = (list(c) for c in zip(*[r[:5] for r in rows], strict=True))
    topics = find_emerging(DAY, ids, texts, langs, sources, countries, vectors, model_name="m")
    assert [sorted(t.article_ids) for t in topics] == [[f"A{i}" for i in range(8)], [f"B{i}" for i in range(6)]]
    assert [t.cluster_id for t in topics] == ["2026-11-30-c1", "2026-11-30-c2"]
    assert all(set(t.langs) == {"en", "ko"} for t in topics)
    raw = vectors @ vectors.T  # without centring, two articles of one language are closer than one issue's
    a_en_ko, en_a_z = raw[ids.index("A0"), ids.index("A1")], raw[ids.index("A0"), ids.index("z0")]
    assert en_a_z > a_en_ko
    centred_rows = centred(vectors, langs) @ centred(vectors, langs).T
    assert centred_rows[ids.index("A0"), ids.index("A1")] > centred_rows[ids.index("A0"), ids.index("z0")]


def test_a_loose_cluster_is_not_a_candidate():
    rows, vectors = synthetic_day(np.random.default_rng(1))
    ids, sources, countries, langs, texts = (list(c) for c in zip(*[r[:5] for r in rows], strict=True))
    topics = find_emerging(DAY, ids, texts, langs, sources, countries, vectors, model_name="m")
    strict = find_emerging(DAY, ids, texts, langs, sources, countries, vectors, model_name="m",
                           min_cohesion=(topics[0].cohesion + topics[1].cohesion) / 2)
    assert [t.article_ids for t in strict] == [max(topics, key=lambda t: t.cohesion).article_ids]


def test_content_words_keep_nouns_and_drop_particles_numbers_and_stopwords():
    ja = content_words("2025年、水産庁は商業捕鯨の対象にナガスクジラを追加した。", "ja")
    assert {"水産庁", "商業捕鯨", "捕鯨", "ナガスクジラ", "追加"} <= set(ja)
    assert not {"は", "の", "に", "を", "した", "2025", "年"} & set(ja)
    ko = content_words("일본 수산청이 참고래 포획 한도를 2025년에 새로 정했다.", "ko")
    assert {"수산청", "참고래", "포획", "한도"} <= set(ko)
    assert not {"이", "를", "에", "2025", "새로", "정하"} & set(ko)
    en = content_words("The Fisheries Agency added 3 fin whales to the whaling quota, it said.", "en")
    assert {"fisheries", "agency", "fisheries agency", "whales", "fin whales", "whaling quota"} <= set(en)
    assert not {"the", "to", "it", "said", "3", ","} & set(en)
    with pytest.raises(UnsupportedLanguage):
        content_words("捕鲸", "zh")


def test_class_tfidf_prefers_what_sets_a_class_apart():
    docs = [["japan", "whaling", "quota"], ["japan", "whaling", "fleet"], ["japan", "stocks"], ["japan", "rain"],
            ["japan", "typhoon"]]
    ranked = class_tfidf(docs, [0, 0, -1, -1, -1], n_terms=3)
    assert ranked[0][0] == "whaling" and "japan" not in ranked[0][:2]


def test_one_story_split_by_language_is_joined_but_two_multilingual_stories_are_not():
    rng = np.random.default_rng(3)
    story, other = rng.normal(size=32), rng.normal(size=32)
    groups = [("en", story), ("ja", story), ("ko", story), ("en", other), ("ja", other), ("ko", other)]
    vectors, langs, labels = [], [], []
    for label, (lang, centre) in enumerate(groups):  # six monolingual clusters: two stories, three languages
        for _ in range(4):
            vectors.append(centre + rng.normal(size=32))
            langs.append(lang)
            labels.append(label)
    vectors = np.stack(vectors)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    joined = joined_across_languages(vectors, np.array(labels), langs, join_cosine=0.2)
    assert joined.tolist() == [0] * 12 + [3] * 12
    assert joined_across_languages(vectors, np.array(labels), langs, join_cosine=0.99).tolist() == labels
    mixed = np.array([0] * 12 + [1] * 12)  # the two stories, each already in three languages: never joined
    assert joined_across_languages(vectors, mixed, langs, join_cosine=-1.0).tolist() == mixed.tolist()
    noise = np.array([-1] * 4 + labels[4:])  # noise stays noise
    assert joined_across_languages(vectors, noise, langs, join_cosine=0.2).tolist()[:4] == [-1] * 4
