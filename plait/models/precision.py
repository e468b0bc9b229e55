"""Mixed precision: the one place that says which dtype autocast uses on which device."""
from __future__ import annotations

import contextlib

import torch

from plait.runtime.cpu import native_bf16


def autocast_dtype(device: torch.device) -> torch.dtype | None:
    """fp16 on a GPU, bf16 elsewhere; None (stay in float32) on a CPU without native bf16, where torch emulates
    bf16 matmuls many times slower than float32 ones (see BENCHMARKS.md, "Transformers")."""
    if device.type == "cuda":
        return torch.float16
    return torch.bfloat16 if device.type != "cpu" or native_bf16() else None


def autocast(device: torch.device, enabled: bool = True) -> contextlib.AbstractContextManager:
    """Autocast to `autocast_dtype(device)`; a no-op if not enabled or if that is None."""
    dtype = autocast_dtype(device) if enabled else None
    return contextlib.nullcontext() if dtype is None else torch.autocast(device.type, dtype=dtype)


def precision_note(device: torch.device, wanted: bool) -> str | None:
    """The line to tell a user who asked for mixed precision on `device` where it stays off, else None."""
    if wanted and autocast_dtype(device) is None:
        return "mixed precision is off: this CPU has no native bf16 (AVX512-BF16 or AMX), where float32 is faster"
    return None
