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


ROWS = [Example(t, lang, label, "tiny", "train") for t, lang, label in TINY]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    """Artefacts of 40 epochs on TINY: LoRA on the top 6 layers, fp32."""
    from models.train_sentiment import TrainConfig, train

    out = tmp_path_factory.mktemp("tiny")
    config = TrainConfig(epochs=40, batch_size=len(ROWS), lr=3e-3, head_lr=3e-2, warmup=0.1,
                         calibration_rows=0, checkpoint_every=0)
    return out, train(ROWS, out, config, report=lambda message: None)


@pytest.mark.slow
def test_training_overfits_a_tiny_set_and_its_saved_artefacts_reload_to_the_same_answers(tiny_model):
    from models.e5_sentiment import E5Sentiment

    out, meta = tiny_model
    assert meta["train"]["examples"] == len(ROWS) and meta["train"]["steps"] == 40
    adapter = (out / "adapter_model.safetensors").stat().st_size
    assert adapter < 5_000_000, "only the adapter and head are saved, not the 465 MB base"

    texts, langs, gold = zip(*TINY)
    reloaded = E5Sentiment(out, quantized=False).predict(list(texts), list(langs))
    assert reloaded.labels == list(gold)
    assert E5Sentiment(out, quantized=True).predict(list(texts), list(langs)).labels == list(gold)


@pytest.fixture(scope="module")
def widened_model(tiny_model, tmp_path_factory):
    """A second pass over TINY from tiny_model, widened to all 12 layers, in bf16 autocast."""
    from models.train_sentiment import TrainConfig, train

    out = tmp_path_factory.mktemp("widened")
    config = TrainConfig(top_layers=12, precision="bf16", epochs=5, batch_size=len(ROWS), lr=1e-3, head_lr=1e-2,
                         calibration_rows=0, checkpoint_every=0)
    return out, train(ROWS, out, config, report=lambda message: None, init=tiny_model[0])


@pytest.mark.slow
def test_a_pass_can_widen_the_adapter_to_more_layers_and_train_in_bf16(tiny_model, widened_model):
    import json

    from models import e5_classifier, e5_inference
    from models.e5_sentiment import E5Sentiment

    init, out, meta = tiny_model[0], *widened_model
    texts, langs, gold = zip(*TINY)
    before = e5_classifier.load(init)
    widened, tokenizer = e5_classifier.new_for_training(12, 16, 32, 0.0, init=init)
    trainable = {name.split(".")[name.split(".").index("layer") + 1]
                 for name, p in widened.encoder.named_parameters() if p.requires_grad}
    assert trainable == {str(i) for i in range(12)}
    # the six new layers start as no change at all: the widened model answers as its init did
    raw_before = e5_inference.logits(before.model, before.tokenizer, list(texts))
    raw_widened = e5_inference.logits(widened.eval(), tokenizer, list(texts))
    assert abs(raw_before - raw_widened).max() < 1e-4

    adapter_config = json.loads((out / "adapter_config.json").read_text())
    assert e5_classifier.adapted_layers(adapter_config["target_modules"]) == set(range(12))
    assert meta["train"]["config"]["precision"] == "bf16" and meta["train"]["continued_from"]["steps"] == 40
    assert E5Sentiment(out, quantized=False).predict(list(texts), list(langs)).labels == list(gold)
    with pytest.raises(ValueError, match="larger --top-layers"):
        e5_classifier.check_init(out, top_layers=6)
    with pytest.raises(ValueError, match="rank 16"):
        e5_classifier.check_init(out, top_layers=12, rank=8, alpha=16)


@pytest.mark.slow
def test_the_average_of_two_passes_is_the_mean_of_their_weights(tiny_model, widened_model, tmp_path):
    import torch

    from models import e5_classifier
    from models.soup import average

    first, second = tiny_model[0], widened_model[0]
    meta = average([first, second], tmp_path / "avg", ROWS, "9.9.9", report=lambda message: None)
    assert meta["version"] == "9.9.9" and [m["version"] for m in meta["train"]["average_of"]] == ["1.0.0", "1.0.0"]
    assert meta["temperature"] > 0 and meta["train"]["calibration_rows"] == len(ROWS)

    a, b, mean = (e5_classifier.load(p).model.state_dict() for p in (first, second, tmp_path / "avg"))
    assert a.keys() == mean.keys()
    moved = 0
    for key in mean:
        assert torch.allclose(mean[key], (a[key] + b[key]) / 2, atol=1e-5), key
        moved += not torch.equal(a[key], b[key])
    assert moved > 70, "both passes' layers (0-11) and the head differ, so the check is not vacuous"

    with pytest.raises(ValueError, match="at least two"):
        average([first], tmp_path / "one", ROWS, "9.9.9")
    with pytest.raises(ValueError, match="new folder"):
        average([first, second], second, ROWS, "9.9.9")


@pytest.mark.slow
def test_the_shipped_model_is_the_default_and_reads_plain_news_sentences():
    from models.registry import load_sentiment
    from tremor.settings import Settings

    assert Settings().models.sentiment == "sentiment.e5.v2"
    model = load_sentiment("sentiment.e5.v2")
    assert model.name == "sentiment.e5.v2" and model.version
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
