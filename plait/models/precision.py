"""Mixed precision: the one place that says which dtype autocast uses on which device."""
from __future__ import annotations

import contextlib

import torch


def autocast(device: torch.device, enabled: bool = True) -> contextlib.AbstractContextManager:
    """Autocast to bf16 on a CPU (native on CPUs with avx512_bf16 or AMX) and fp16 on a GPU; a no-op if not enabled."""
    if not enabled:
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=torch.float16 if device.type == "cuda" else torch.bfloat16)
