"""Turning `--gpu-id` into a torch device name, with a clear error when the GPU is not there."""
from __future__ import annotations

from plait.core.errors import UserError


def device_for(gpu_id: int) -> str:
    """"cpu" for -1, else "cuda:N" after checking that GPU N exists."""
    if gpu_id < 0:
        return "cpu"
    import torch  # only for a GPU: a command refusing its input on a CPU answers before torch loads (about 2 s)

    if not torch.cuda.is_available():
        raise UserError(f"--gpu-id {gpu_id}: no CUDA GPU is available (use --gpu-id -1 for CPU)")
    if gpu_id >= torch.cuda.device_count():
        raise UserError(f"--gpu-id {gpu_id}: only {torch.cuda.device_count()} GPU(s) present")
    return f"cuda:{gpu_id}"
