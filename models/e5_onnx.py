"""ONNX Runtime backend for the e5 classifier: the same LoRA-merged fp32 weights, exported once.

`prepare()` exports the merged classifier (models/e5_classifier.py) with torch's TorchScript exporter
(dynamic batch and sequence axes; eager attention), checks its logits against torch's on en/ja/ko
probes and publishes it atomically beside the rebuilt base, as
$TREMOR_CACHE_DIR/<artefacts folder>-<hash of artefacts and versions>.onnx (20-60 s on 2 cores,
2.6 GB peak RSS, once). Sessions fuse at load (ORT_ENABLE_ALL: LayerNorm, exact erf BiasGelu,
FusedMatMul); inference keeps models/e5_inference.py's length-bucketed batches and loads no torch
model (1.16 GB peak RSS). Tried and measured no faster: ORT's offline BERT optimizer (Attention,
SkipLayerNorm; and 4.1 GB to build) and torch's dynamo exporter (3x slower to export).
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import tempfile
import warnings
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path

import numpy as np

from models import e5_classifier, e5_inference, e5_rebuild

EXPORT_FORMAT = 1  # bump when the export or fusion recipe changes: the cache key changes with it
TOLERANCE = 1e-3  # max |logit difference| from torch on the probes
PROBES = ["Seoul bitterly condemned Tokyo's retaliation, calling it an outrageous attack.",
          "The meeting is scheduled for Tuesday.", "両国首脳は合意を歓迎し、関係改善を高く評価した。",
          "会合は火曜日に開かれる予定だ。", "정부는 일본의 보복 조치를 강하게 비난하며 강력히 반발했다.", "회의는 화요일에 열릴 예정이다."]


class ExportMismatch(RuntimeError):
    """The exported graph does not reproduce torch's logits."""


def model_path(artefacts: Path = e5_classifier.SHIPPED) -> Path:
    """Where the exported model of `artefacts` lives (whether or not it exists yet)."""
    e5_classifier.check_artefacts(artefacts)
    digest = hashlib.sha256(f"{EXPORT_FORMAT} torch {version('torch')} ort {version('onnxruntime')}".encode())
    for name in e5_classifier.ADAPTER_FILES:
        digest.update((artefacts / name).read_bytes())
    return e5_classifier.cache_dir().parent / f"{artefacts.name}-{digest.hexdigest()[:16]}.onnx"


def prepare(artefacts: Path = e5_classifier.SHIPPED) -> Path:
    """The exported model of `artefacts`, built on first use (~1 min on 2 cores); older builds removed."""
    path = model_path(artefacts)
    if path.is_file():
        return path
    loaded = e5_classifier.load(artefacts)
    max_length = loaded.max_length
    expected = e5_inference.logits(loaded.model, loaded.tokenizer, PROBES, max_length)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{path.stem}.tmp-", dir=path.parent) as tmp:
        exported = Path(tmp) / "model.onnx"
        _export(loaded.model, exported)
        del loaded
        gc.collect()
        got = logits(session(exported), tokenizer(), PROBES, max_length, batch_size=4)
        if not np.abs(got - expected).max() <= TOLERANCE:
            raise ExportMismatch(f"ONNX logits differ from torch's by {np.abs(got - expected).max():.2g} "
                                 f"(> {TOLERANCE}); use backend='torch' and report the torch/onnxruntime versions")
        os.replace(exported, path)
    for old in path.parent.glob(f"{artefacts.name}-{'[0-9a-f]' * 16}.onnx"):
        if old != path:
            old.unlink(missing_ok=True)
    return path


def _export(model, out: Path) -> None:
    import torch

    model.encoder.set_attn_implementation("eager")  # SDPA exports with extra IsNaN/Where guards per layer
    ids = torch.tensor([[0, 5, 6, 7, 2, 1], [0, 8, 9, 10, 11, 2]])
    axes = {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
            "logits": {0: "batch"}}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the exporter's own deprecation and tracer notes
        torch.onnx.export(model, (ids, (ids != 1).long()), str(out), input_names=["input_ids", "attention_mask"],
                          output_names=["logits"], dynamic_axes=axes, opset_version=17, dynamo=False)


def session(path: Path, threads: int = 0):
    """An ORT CPU session; `threads` 0 = ORT's default (one per physical core, as torch)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def tokenizer():
    """The e5 tokenizer, from the rebuilt base (rebuilt if absent)."""
    from transformers import AutoTokenizer

    if not (e5_classifier.cache_dir() / "tokenizer.json").is_file():
        e5_rebuild.build_model(e5_classifier.cache_dir())
    return AutoTokenizer.from_pretrained(e5_classifier.cache_dir())


def load(artefacts: Path = e5_classifier.SHIPPED, threads: int = 0) -> tuple[object, object, dict]:
    """(session, tokenizer, meta) of `artefacts`; exports on first use."""
    path = prepare(artefacts)
    meta = json.loads((artefacts / "meta.json").read_text(encoding="utf-8"))
    return session(path, threads), tokenizer(), meta


def logits(sess, tokenizer, texts: Sequence[str], max_length: int = 128, batch_size: int = 32,
           progress=None) -> np.ndarray:
    """Raw logits (n x 3) in input order, batches bucketed by length. `progress(done)` after each batch."""
    out = np.zeros((len(texts), 3), dtype=np.float32)
    if not texts:
        return out
    done = 0
    for pos, input_ids, mask in e5_inference.batches(e5_inference.token_ids(tokenizer, texts, max_length),
                                                     batch_size, tokenizer.pad_token_id):
        out[pos] = sess.run(None, {"input_ids": input_ids.numpy(), "attention_mask": mask.numpy()})[0]
        done += len(pos)
        if progress is not None:
            progress(done)
    return out
