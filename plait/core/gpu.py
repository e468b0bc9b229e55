"""spaCy's device switches, `require_gpu(0)`, `prefer_gpu()`, `require_cpu()` and `set_gpu_allocator("pytorch")`.

A switch sets the device that every component built afterwards (`plait.load`, `Language.from_config`,
`nlp.add_pipe`) is moved to, as spaCy's switches do for the models created after them; a pipeline already built
is moved with `nlp.to(device)`. torch loads only when a GPU is asked for.
"""
from __future__ import annotations

from plait.core.errors import UserError

_chosen: list[str] = []  # the device a switch chose ("cuda:0", "cpu"); empty: none chosen, components stay on CPU


def chosen_device() -> str | None:
    """The device the last switch chose, or None when no switch was called."""
    return _chosen[0] if _chosen else None


def _choose(device: str) -> None:
    _chosen[:] = [device]


def require_gpu(gpu_id: int = 0) -> bool:
    """Build every later component on CUDA GPU `gpu_id`; UserError when that GPU is not there."""
    import torch

    if not torch.cuda.is_available():
        raise UserError(f"require_gpu({gpu_id}): no CUDA GPU is available to torch (use plait.prefer_gpu() to "
                        "fall back to the CPU)")
    if not 0 <= gpu_id < torch.cuda.device_count():
        raise UserError(f"require_gpu({gpu_id}): only {torch.cuda.device_count()} GPU(s) present")
    _choose(f"cuda:{gpu_id}")
    return True


def prefer_gpu(gpu_id: int = 0) -> bool:
    """Use GPU `gpu_id` when torch sees it (True), else stay on the CPU (False)."""
    import torch

    if torch.cuda.is_available() and 0 <= gpu_id < torch.cuda.device_count():
        return require_gpu(gpu_id)
    return False


def require_cpu() -> bool:
    """Build every later component on the CPU (undoes `require_gpu`)."""
    _choose("cpu")
    return True


def set_gpu_allocator(allocator: str) -> None:
    """Accept spaCy's `set_gpu_allocator("pytorch")`: plait's tensors are torch's, so torch's caching allocator
    already holds every GPU allocation; any other allocator is refused."""
    if allocator != "pytorch":
        raise UserError(f"set_gpu_allocator({allocator!r}): plait allocates GPU memory through PyTorch alone; the "
                        "only allocator is 'pytorch'")
