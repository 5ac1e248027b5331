"""The e5 sentiment model: training overfits a tiny set and reloads from its saved artefacts; the
shipped artefacts load as the default model and read plain news sentences right in three languages."""

import pytest

from models.sentiment_data import Example

TINY = [
    ("The summit was a great success and both leaders praised the warm ties.", "en", "positive"),
    ("Seoul furiously condemned the ruling as an outrageous insult.", "en", "negative"),
    ("The meeting is scheduled for Tuesday.", "en", "neutral"),
    ("首脳会談は大成功で、両国の友好が深まったと歓迎された。", "ja", "positive"),
    ("政府は判決を強く非難し、激しく抗議した。", "ja", "negative"),
    ("会合は火曜日に開かれる予定だ。", "ja", "neutral"),
    ("정상회담은 큰 성공을 거뒀고 양국 우호가 깊어졌다고 환영받았다.", "ko", "positive"),
    ("정부는 판결을 강하게 규탄하며 격렬히 항의했다.", "ko", "negative"),
    ("회의는 화요일에 열릴 예정이다.", "ko", "neutral"),
]


@pytest.mark.slow
def test_training_overfits_a_tiny_set_and_its_saved_artefacts_reload_to_the_same_answers(tmp_path):
    from models.e5_sentiment import E5Sentiment
    from models.train_sentiment import TrainConfig, train

    rows = [Example(t, lang, label, "tiny", "train") for t, lang, label in TINY]
    config = TrainConfig(epochs=40, batch_size=len(rows), lr=3e-3, head_lr=3e-2, warmup=0.1,
                         calibration_rows=0, checkpoint_every=0)
    meta = train(rows, tmp_path, config, report=lambda message: None)
    assert meta["train"]["examples"] == len(rows) and meta["train"]["steps"] == 40
    adapter = (tmp_path / "adapter_model.safetensors").stat().st_size
    assert adapter < 5_000_000, "only the adapter and head are saved, not the 465 MB base"

    texts, langs, gold = zip(*TINY)
    reloaded = E5Sentiment(tmp_path, quantized=False).predict(list(texts), list(langs))
    assert reloaded.labels == list(gold)
    assert E5Sentiment(tmp_path, quantized=True).predict(list(texts), list(langs)).labels == list(gold)


@pytest.mark.slow
def test_the_shipped_model_is_the_default_and_reads_plain_news_sentences():
    from models.registry import load_sentiment
    from tremor.settings import Settings

    assert Settings().models.sentiment == "sentiment.e5.v1"
    model = load_sentiment("sentiment.e5.v1")
    assert model.name == "sentiment.e5.v1" and model.version
    clear = [
        ("Seoul bitterly condemned Tokyo's retaliation, calling it an outrageous attack.", "en", "negative"),
        ("Both leaders warmly welcomed the agreement as a historic breakthrough.", "en", "positive"),
        ("韓国政府は日本の対応を強く非難し、激しく反発した。", "ja", "negative"),
        ("両国首脳は合意を歓迎し、関係改善を高く評価した。", "ja", "positive"),
        ("정부는 일본의 보복 조치를 강하게 비난하며 강력히 반발했다.", "ko", "negative"),
        ("양국 정상은 합의를 환영하며 관계 개선을 높이 평가했다.", "ko", "positive"),
    ]
    texts, langs, gold = zip(*clear)
    predictions = model.predict(list(texts), list(langs))
    assert predictions.labels == list(gold)
    assert predictions.probs.shape == (6, 3) and abs(predictions.probs.sum(axis=1) - 1).max() < 1e-6
    assert model.predict(["双方对峰会表示满意。"], ["zh"]).labels == [None]
