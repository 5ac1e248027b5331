"""bf16 inference of the shipped e5 classifier: chosen by "auto" only where the CPU multiplies bf16
natively, marked in the version on every row, and reading real en/ja/ko sentences as fp32 does."""

import numpy as np
import pytest
import torch

from tests.models.test_e5_onnx import SENTENCES

LANGS = ["en"] * 4 + ["ja"] * 3 + ["ko"] * 3


@pytest.fixture(scope="module")
def fp32():
    from models.e5_sentiment import E5Sentiment

    return E5Sentiment(precision="fp32")


@pytest.mark.slow
def test_bf16_gives_fp32s_labels_on_real_sentences_and_says_so_in_its_version(fp32):
    from models.e5_sentiment import E5Sentiment

    bf16 = E5Sentiment(precision="bf16")
    assert bf16.bf16 and not fp32.bf16
    assert next(bf16.model.encoder.parameters()).dtype == torch.bfloat16
    assert bf16.model.head.weight.dtype == torch.float32
    assert bf16.version == fp32.version + "+bf16" and "+" not in fp32.version
    a, b = fp32.predict(SENTENCES, LANGS), bf16.predict(SENTENCES, LANGS)
    assert a.labels == b.labels
    assert 0 < np.abs(a.probs - b.probs).max() < 0.05  # bf16 arithmetic: close to fp32, not identical
    assert np.allclose(b.probs.sum(axis=1), 1, atol=1e-6)


@pytest.mark.slow
def test_auto_picks_bf16_only_where_the_cpu_has_it(monkeypatch, fp32):
    from models import e5_inference
    from models.e5_sentiment import E5Sentiment, _bf16

    monkeypatch.setattr(e5_inference, "bf16_native", lambda: False)
    auto = E5Sentiment()
    assert not auto.bf16 and auto.version == fp32.version
    assert next(auto.model.parameters()).dtype == torch.float32
    monkeypatch.setattr(e5_inference, "bf16_native", lambda: True)
    assert _bf16("auto", possible=True) and _bf16("bf16", possible=True)
    assert not _bf16("auto", possible=False)  # int8, ONNX Runtime or CUDA: stays as it is
    assert not _bf16("fp32", possible=True)


def test_impossible_or_unknown_precisions_are_refused_with_the_choices():
    from models.e5_sentiment import E5Sentiment
    from models.registry import load_sentiment

    with pytest.raises(ValueError, match="CPU only, without int8"):
        E5Sentiment(quantized=True, precision="bf16")
    with pytest.raises(ValueError, match="auto, fp32, bf16"):
        load_sentiment("sentiment.e5.v1", "fp16")


def test_the_lexicon_baseline_ignores_precision():
    from models.registry import load_sentiment

    assert load_sentiment("sentiment.lexicon.v1", "bf16").name == "sentiment.lexicon.v1"


def test_eval_sentiment_refuses_an_unknown_precision(tmp_path):
    from typer.testing import CliRunner

    from tremor.cli import app

    result = CliRunner().invoke(app, ["eval", "sentiment", "--data", str(tmp_path), "--precision", "fp16"])
    assert result.exit_code == 2 and "auto, fp32, bf16" in result.output


def test_the_precision_setting_is_read_from_the_environment_and_checked(monkeypatch):
    from tremor.settings import Settings

    assert Settings().models.precision == "auto"
    monkeypatch.setenv("TREMOR_MODELS__PRECISION", "fp32")
    assert Settings().models.precision == "fp32"
    monkeypatch.setenv("TREMOR_MODELS__PRECISION", "fp16")
    with pytest.raises(ValueError, match="precision"):
        Settings()
