"""Fast CPU inference for the e5 classifier: length-bucketed batches, bf16, int8 dynamic quantisation.

Bucketing: texts are tokenised once, sorted by token count and batched with their neighbours, so a
batch pads to its own longest text rather than to the longest of a random batch; results are put
back in input order.

bf16 (`to_bf16`): the encoder's weights and activations in bfloat16, the pooled vector and the head
in fp32. Fast only where the CPU multiplies bf16 natively (AVX512-BF16 or AMX; `bf16_native()`);
elsewhere it is emulated and slower than fp32. (Autocast, which keeps layer norms and residual sums
in fp32, was measured slower on this CPU at the same label agreement; see README "Speed".)
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence

import numpy as np
import torch
from torch import nn

from models.e5_classifier import PREFIX


def token_ids(tokenizer, texts: Sequence[str], max_length: int) -> list[list[int]]:
    enc = tokenizer([PREFIX + t for t in texts], truncation=True, max_length=max_length,
                    add_special_tokens=True)
    return enc["input_ids"]


def batches(ids: Sequence[Sequence[int]], batch_size: int, pad_id: int,
            by_length: bool = True) -> Iterator[tuple[np.ndarray, torch.Tensor, torch.Tensor]]:
    """(positions in input order, input_ids, attention_mask) per batch, padded to the batch's longest."""
    order = np.argsort([len(x) for x in ids], kind="stable") if by_length else np.arange(len(ids))
    for start in range(0, len(order), batch_size):
        pos = order[start:start + batch_size]
        yield (pos, *pad(ids, pos, pad_id))


def pad(ids: Sequence[Sequence[int]], positions: Sequence[int], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(input_ids, attention_mask) of the texts at `positions`, padded to the longest of them."""
    width = max(len(ids[i]) for i in positions)
    input_ids = torch.full((len(positions), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(positions), width), dtype=torch.long)
    for row, i in enumerate(positions):
        input_ids[row, :len(ids[i])] = torch.tensor(ids[i], dtype=torch.long)
        mask[row, :len(ids[i])] = 1
    return input_ids, mask


@torch.inference_mode()
def logits(model: nn.Module, tokenizer, texts: Sequence[str], max_length: int = 128, batch_size: int = 32,
           by_length: bool = True, progress=None, device: torch.device | None = None) -> np.ndarray:
    """Raw logits (n x 3) in input order. `progress(done)` is called after each batch."""
    out = np.zeros((len(texts), 3), dtype=np.float32)
    if not texts:
        return out
    ids = token_ids(tokenizer, texts, max_length)
    done = 0
    for pos, input_ids, mask in batches(ids, batch_size, tokenizer.pad_token_id, by_length):
        if device is not None and device.type != "cpu":
            input_ids, mask = input_ids.to(device), mask.to(device)
        out[pos] = model(input_ids=input_ids, attention_mask=mask).float().cpu().numpy()
        done += len(pos)
        if progress is not None:
            progress(done)
    return out


def to_bf16(model: nn.Module) -> nn.Module:
    """The classifier with its encoder in bfloat16 (in place); the head stays fp32."""
    model.encoder.to(torch.bfloat16)
    return model


def bf16_native() -> bool:
    """Whether this CPU multiplies bfloat16 natively (oneDNN's check: AVX512-BF16 or AMX)."""
    try:
        return bool(torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def probabilities(raw_logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = raw_logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def quantize(model: nn.Module) -> nn.Module:
    """int8 dynamic quantisation of every Linear (weights int8, activations quantised per batch)."""
    with warnings.catch_warnings():  # torch 2.13 flags its own quantized-tensor constructors as legacy
        warnings.simplefilter("ignore", UserWarning)
        return torch.ao.quantization.quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8)
