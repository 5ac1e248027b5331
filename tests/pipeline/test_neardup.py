"""Syndicated copies: one story kept, the other carriers recorded with their similarity."""

from datetime import datetime, timedelta

from pipeline.dedup import not_stored
from pipeline.neardup import NearDupConfig, group_stories, shingles
from pipeline.normalize import article_id, content_hash
from pipeline.records import Article

T0 = datetime(2025, 7, 26, 3)
WIRE_EN = ("SEOUL, July 26 (Yonhap) -- South Korea and Japan agreed on Saturday to resume regular shuttle diplomacy "
           "and to set up a joint consultative body on the wartime forced labour compensation plan, officials said "
           "after the leaders met in Tokyo for ninety minutes. The two sides also discussed export controls.")
WIRE_KO = ("한국과 일본 정상은 26일 도쿄에서 정상회담을 열고 셔틀외교를 정례화하기로 합의했다. 양측은 강제징용 피해자 배상 "
           "해법과 관련한 공동 협의체를 설치하고 수출규제 문제도 논의했다고 대통령실 관계자가 밝혔다.")
WIRE_JA = ("日韓両首脳は26日、東京で会談し、シャトル外交を定例化することで合意した。両政府は元徴用工への賠償問題をめぐる"
           "共同協議体の設置でも一致し、輸出管理の問題についても意見を交わしたと政府関係者が明らかにした。")


def article(source: str, text: str, hours: float = 0, title: str = "Summit", country: str = "KR") -> Article:
    url = f"http://{source.lower().replace(' ', '')}.example/{abs(hash((source, text, hours))) % 10**8}"
    return Article(article_id(url), url, url, source, country, "en", T0 + timedelta(hours=hours), title, text,
                   content_hash(title, text))


def test_wire_copies_keep_the_earliest_and_record_the_others():
    original = article("Yonhap", WIRE_EN, hours=0)
    trimmed = article("Herald", WIRE_EN.replace(" for ninety minutes", "") + " (Yonhap)", hours=1)
    verbatim = article("Times", WIRE_EN, hours=2, title="Seoul, Tokyo agree on shuttle diplomacy")
    other = article("Herald", "The Bank of Korea held its policy rate at 2.5 percent on Thursday, citing household "
                              "debt and a weak won, and signalled cuts later in the year.", hours=1)
    stories = group_stories([verbatim, other, trimmed, original], [])
    assert {a.id for a in stories.kept} == {original.id, other.id}
    assert {(c.story_id, c.copy_source) for c in stories.copies} == {(original.id, "Herald"), (original.id, "Times")}
    assert all(0.7 <= c.similarity <= 1 for c in stories.copies)


def test_character_shingles_group_japanese_and_korean_copies():
    for text in (WIRE_KO, WIRE_JA):
        first = article("A", text, hours=0)
        edited = article("B", text[:-10] + "と伝えた。" if text is WIRE_JA else text[:-8] + "고 전했다.", hours=3)
        stories = group_stories([edited, first], [])
        assert [a.id for a in stories.kept] == [first.id] and [c.copy_id for c in stories.copies] == [edited.id]


def test_a_stored_story_stays_the_story_and_a_refetch_is_not_a_copy():
    stored = article("Yonhap", WIRE_EN, hours=0)
    refetched = stored
    copy = article("Times", WIRE_EN + " Reported by staff.", hours=-5)  # published earlier, but stored wins
    stories = group_stories([refetched, copy], [stored])
    assert stories.kept == [] and stories.known == 1
    assert [(c.story_id, c.copy_id) for c in stories.copies] == [(stored.id, copy.id)]


def test_different_stories_and_short_headlines_are_not_merged():
    a = article("A", WIRE_EN)
    b = article("B", WIRE_KO)
    c = article("C", "Japan protests", title="")
    d = article("D", "Japan protests!", title="")
    stories = group_stories([a, b, c, d], [])
    assert len(stories.kept) == 4 and stories.copies == []


def test_threshold_is_configurable():
    a = article("A", WIRE_EN)
    b = article("B", WIRE_EN[: len(WIRE_EN) * 2 // 3], hours=1)
    assert len(group_stories([a, b], [], NearDupConfig(threshold=0.95)).kept) == 2
    assert len(group_stories([a, b], [], NearDupConfig(threshold=0.5)).kept) == 1


def test_shingles_ignore_case_space_and_punctuation():
    assert shingles("Seoul, Tokyo!", 5) == shingles("seoul tokyo", 5)
    assert b"\xe6\x97\xa5\xe9\x9f\x93\xe4\xb8\xa1\xe9\xa6\x96\xe8\x84\xb3" in shingles("日韓両首脳は", 5)


def test_not_stored_keeps_one_per_url_and_drops_stored_ids():
    a, b = article("A", WIRE_EN), article("B", WIRE_KO)
    assert not_stored([a, a, b], {b.id}) == [a]
