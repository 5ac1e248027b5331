"""Speed, memory and agreement of the shipped sentiment inference path against plain transformers fp32.

    .venv/bin/python benchmarks/sentiment_speed.py            # 2,000 texts, prints a table

Texts: 2,000 mixed en/ja/ko news sentences from the demo pools (tremor/demo/pools): every pool
sentence and headline once, then pairs of consecutive sentences (news-length, up to 128 tokens)
until 2,000, in a seeded order. Each path runs in its own subprocess (so peak RSS is its own),
loads the same trained weights, scores the same texts, and reports texts/second (model load
excluded, reported apart) and peak RSS (ru_maxrss of the process):

* plain    — transformers fp32: the LoRA-merged model, batches of 32 in input order, the
             tokenizer's own padding (to the longest text of each batch), torch's default threads;
* shipped  — what `tremor` runs (models/e5_sentiment.py): the same fp32 weights, length-bucketed
             batches;
* int8     — the shipped path plus int8 dynamic quantisation of every Linear (not the default:
             see the agreement column).

Label agreement is measured against `plain`. Targets (issue 3): >= 40 texts/s, >= 2.5x plain,
>= 99 % agreement, <= 2 GB peak RSS.
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POOLS = ROOT / "tremor" / "demo" / "pools"
N_TEXTS = 2000
BATCH = 32
MAX_LENGTH = 128


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


def run_path(path: str) -> dict:
    import numpy as np
    import torch

    from models import e5_classifier, e5_inference
    from models.e5_sentiment import E5Sentiment
    from models.sentiment_data import LABELS

    items = texts()
    started = time.monotonic()
    if path in ("shipped", "int8"):
        model = E5Sentiment(quantized=path == "int8")
        load_s = time.monotonic() - started
        t0 = time.monotonic()
        probs = model.probabilities(items)
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


def main() -> int:
    results = {}
    for path in ("plain", "shipped", "int8"):
        proc = subprocess.run([sys.executable, __file__, "--path", path], capture_output=True, text=True, cwd=ROOT)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            return proc.returncode
        results[path] = json.loads(proc.stdout.strip().splitlines()[-1])
    plain = results["plain"]
    print(f"{N_TEXTS} mixed en/ja/ko news sentences, max {MAX_LENGTH} tokens, batch {BATCH}, "
          f"{plain['threads']} threads")
    print(f"{'path':10s} {'texts/s':>8s} {'x plain':>8s} {'agree':>7s} {'peak RSS MB':>12s} {'load s':>7s}")
    for path, r in results.items():
        rate = r["texts"] / r["seconds"]
        agree = sum(a == b for a, b in zip(r["labels"], plain["labels"], strict=True)) / r["texts"]
        print(f"{path:10s} {rate:8.1f} {rate / (plain['texts'] / plain['seconds']):8.2f} {agree:7.2%} "
              f"{r['peak_rss_mb']:12.0f} {r['load_seconds']:7.1f}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--path":
        sys.path.insert(0, str(ROOT))
        print(json.dumps(run_path(sys.argv[2])))
        raise SystemExit(0)
    raise SystemExit(main())
