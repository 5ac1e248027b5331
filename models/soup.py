"""Average trained passes into one model: a uniform "model soup" (Wortsman et al., 2022).

Passes that continue one another (``--init``) stay close enough in weight space that their average
often reads better than any one of them. For LoRA passes the average is exact: the mean of the
passes' weight deltas, mean(B_i A_i), is itself a LoRA of rank k·r whose A stacks the A_i and whose
B stacks the B_i / k (a pass without a layer contributes zeros). The heads are averaged weight by
weight, and the temperature is fitted afresh on calibration rows. The stacked adapter is stored in
float16 (half the bytes; loading casts it back to float32 before the merge).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import torch

from models import e5_classifier
from models.sentiment_data import Example
from models.train_sentiment import recalibrate


def check_passes(passes: Sequence[Path], out: Path) -> tuple[list[dict], int]:
    """Raise ValueError (FileNotFoundError for missing artefacts) unless `passes` can be averaged into
    `out`; returns their adapter configs and how many top layers the average adapts."""
    if len(passes) < 2:
        raise ValueError("averaging needs at least two passes")
    if out.resolve() in {p.resolve() for p in passes}:
        raise ValueError(f"{out}: write the average to a new folder, not over one of its passes")
    for folder in passes:
        e5_classifier.check_artefacts(folder)
    configs = [json.loads((p / "adapter_config.json").read_text(encoding="utf-8")) for p in passes]
    if len({(c["r"], c["lora_alpha"]) for c in configs}) != 1:
        raise ValueError("passes of different LoRA rank or alpha: "
                         + ", ".join(f"{p} (rank {c['r']}, alpha {c['lora_alpha']})" for p, c in zip(passes, configs)))
    layers = set().union(*(e5_classifier.adapted_layers(c["target_modules"]) for c in configs))
    top = len(layers)
    if layers != set(range(e5_classifier.N_LAYERS - top, e5_classifier.N_LAYERS)):
        raise ValueError(f"the passes adapt layers {sorted(layers)}, not a top block")
    return configs, top


def average(passes: Sequence[Path], out: Path, calibration: Sequence[Example], version: str,
            report: Callable[[str], None] = print) -> dict:
    """Write the average of the trained artefacts in `passes` into `out`; returns its meta."""
    from safetensors.torch import load_file, save_file

    configs, top = check_passes(passes, out)
    k = len(passes)
    adapters = [load_file(p / "adapter_model.safetensors") for p in passes]
    stacked = {}
    for key in sorted(set().union(*adapters)):
        like = next(a[key] for a in adapters if key in a)
        parts = [a.get(key, torch.zeros_like(like)) for a in adapters]
        if ".lora_A." in key:
            stacked[key] = torch.cat(parts, dim=0)
        elif ".lora_B." in key:
            stacked[key] = torch.cat(parts, dim=1) / k
        else:
            raise ValueError(f"{key}: not a LoRA weight; only LoRA adapters can be averaged here")
    out.mkdir(parents=True, exist_ok=True)
    save_file({key: w.to(torch.float16).contiguous() for key, w in stacked.items()}, out / "adapter_model.safetensors")
    config = dict(configs[0], r=configs[0]["r"] * k, lora_alpha=configs[0]["lora_alpha"] * k,
                  target_modules=e5_classifier.lora_target(top))
    (out / "adapter_config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    heads = [load_file(p / "head.safetensors") for p in passes]
    save_file({key: (sum(h[key] for h in heads) / k).contiguous() for key in heads[0]}, out / "head.safetensors")

    metas = [json.loads((p / "meta.json").read_text(encoding="utf-8")) for p in passes]
    meta = {key: metas[0][key] for key in ("name", "base", "labels", "max_length")}
    meta.update(version=version, temperature=1.0,
                train={"average_of": [{"version": m["version"], **m["train"]} for m in metas],
                       "calibration_rows": len(calibration)})
    (out / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    meta = recalibrate(out, calibration, f"{len(calibration)} training rows", report=lambda _: None)
    report(f"averaged {k} passes (LoRA rank {config['r']} on the top {top} layers); "
           f"calibration temperature {meta['temperature']}")
    return meta
