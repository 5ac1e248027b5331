"""The ONNX Runtime backend of the shipped e5 classifier: exported once into the cache (atomically,
replacing older builds), reused, and giving torch's logits and labels on real en/ja/ko sentences."""

import os
import time

import numpy as np
import pytest

SENTENCES = [
    "Seoul bitterly condemned Tokyo's retaliation, calling it an outrageous attack.",
    "Both leaders warmly welcomed the agreement as a historic breakthrough.",
    "The meeting is scheduled for Tuesday.",
    "The foreign ministers will meet in Tokyo next week to discuss export controls, the ministry said.",
    "韓国政府は日本の対応を強く非難し、激しく反発した。",
    "両国首脳は合意を歓迎し、関係改善を高く評価した。",
    "会合は火曜日に開かれる予定だ。",
    "정부는 일본의 보복 조치를 강하게 비난하며 강력히 반발했다.",
    "양국 정상은 합의를 환영하며 관계 개선을 높이 평가했다.",
    "회의는 화요일에 열릴 예정이다.",
]


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """A fresh cache root holding the already-rebuilt base (linked) and a stale export."""
    from models import e5_classifier, e5_rebuild

    real_base = e5_classifier.cache_dir()
    e5_rebuild.build_model(real_base)  # no-op when the base is cached
    root = tmp_path_factory.mktemp("tremor-cache")
    (root / "e5-small").symlink_to(real_base, target_is_directory=True)
    (root / "sentiment-e5-v2-0123456789abcdef.onnx").write_bytes(b"an older build")
    mp = pytest.MonkeyPatch()
    mp.setenv("TREMOR_CACHE_DIR", str(root))
    yield root
    mp.undo()


@pytest.fixture(scope="module")
def exported(cache):
    from models import e5_onnx

    return e5_onnx.prepare()


@pytest.mark.slow
def test_the_export_is_published_atomically_beside_the_base_and_replaces_older_builds(cache, exported):
    from models import e5_onnx

    assert exported.parent == cache and exported.name.startswith("sentiment-e5-v2-") and exported.suffix == ".onnx"
    assert sorted(p.name for p in cache.iterdir()) == sorted(["e5-small", exported.name])  # no temp dirs, stale gone
    assert exported.stat().st_size > 400_000_000  # the fp32 weights, in one file

    mtime, started = exported.stat().st_mtime_ns, time.monotonic()
    assert e5_onnx.prepare() == exported and exported.stat().st_mtime_ns == mtime
    assert time.monotonic() - started < 5, "a cached export is reused, not rebuilt"


@pytest.mark.slow
def test_onnx_gives_torchs_logits_and_labels_on_real_sentences(exported):
    from models import e5_inference, e5_onnx
    from models.e5_sentiment import E5Sentiment

    torch_model = E5Sentiment(backend="torch", precision="fp32")  # ONNX runs the fp32 weights
    onnx_model = E5Sentiment(backend="onnx", batch_size=4)  # several length buckets, results in input order
    assert os.path.samefile(e5_onnx.model_path(), exported)
    assert (onnx_model.name, onnx_model.version) == (torch_model.name, torch_model.version)

    expected = e5_inference.logits(torch_model.model, torch_model.tokenizer, SENTENCES, batch_size=32, by_length=False)
    got = e5_onnx.logits(onnx_model.session, onnx_model.tokenizer, SENTENCES, batch_size=4)
    assert np.abs(got - expected).max() < 1e-3

    langs = ["en"] * 4 + ["ja"] * 3 + ["ko"] * 3
    a, b = torch_model.predict(SENTENCES, langs), onnx_model.predict(SENTENCES, langs)
    assert a.labels == b.labels and np.abs(a.probs - b.probs).max() < 1e-3
    assert len(e5_onnx.logits(onnx_model.session, onnx_model.tokenizer, [])) == 0


def test_a_quantized_onnx_backend_is_refused_with_what_to_use_instead():
    from models.e5_sentiment import E5Sentiment

    with pytest.raises(ValueError, match="backend='torch'"):
        E5Sentiment(backend="onnx", quantized=True)
