"""LoRA adapters on a HuggingFace encoder, through `peft`: only the adapters train, the pretrained weights stay frozen.

`add_lora` injects low-rank matrices beside the targeted layers (peft's `inject_adapter_in_model`, which leaves the
model a plain HuggingFace module) and freezes every other weight. A saved pipeline then needs only the adapters
(`adapter_state`) and a reference to the base model, or the weights with the adapters added in (`merged_state`),
which load as a plain fine-tuned model.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

import torch
from torch import nn

# peft's name for the one adapter plait injects, in every adapter weight's key.
ADAPTER_NAME = "default"
# peft's keyword for every linear layer of the model (its output layer excepted).
ALL_LINEAR = "all-linear"
_ADAPTER_KEY = ".lora_"
_BASE_KEY = ".base_layer"


class AdapterError(ValueError):
    """An adapter setting that does not fit the model (a target module it lacks, a rank above its layers' width);
    `key` is the setting."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class LoraAdapter:
    """LoRA settings: `rank` of the added matrices, their scale `alpha / rank`, `dropout` on their input, the
    `target_modules` they are added to, and whether a saved pipeline holds the merged weights (`merge_on_save`)."""

    rank: int
    alpha: float
    dropout: float
    target_modules: tuple[str, ...] | str
    merge_on_save: bool


def build_lora_adapter(*, rank: int = 8, alpha: float = 16.0, dropout: float = 0.1,
                       target_modules: list[str] | str = ALL_LINEAR, merge_on_save: bool = False) -> LoraAdapter:
    """`plait.LoraAdapter.v1`: LoRA adapters for `plait.TransformerModel.v1` (its `adapter` block).

    `target_modules` are module names (the last part of the dotted name, e.g. query, value for BERT; q_lin,
    v_lin for DistilBERT) or "all-linear". Rank 8 to 16 with alpha twice the rank are the usual choices.
    """
    if rank < 1:
        raise ValueError(f"rank must be at least 1, not {rank}")
    if alpha <= 0:
        raise ValueError(f"alpha must be positive, not {alpha}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), not {dropout}")
    if isinstance(target_modules, str) and target_modules != ALL_LINEAR:
        raise ValueError(f"target_modules must be a list of module names or {ALL_LINEAR!r}, not {target_modules!r}")
    if not target_modules:
        raise ValueError("target_modules must name at least one module")
    targets = target_modules if isinstance(target_modules, str) else tuple(target_modules)
    return LoraAdapter(rank=rank, alpha=float(alpha), dropout=float(dropout), target_modules=targets,
                       merge_on_save=merge_on_save)


def _adaptable(model: nn.Module) -> dict[str, nn.Module]:
    """The modules LoRA can adapt (linear layers, embeddings, GPT-2's Conv1D), by dotted name."""
    from transformers.pytorch_utils import Conv1D

    return {name: module for name, module in model.named_modules()
            if isinstance(module, (nn.Linear, nn.Embedding, Conv1D))}


def check_targets(model: nn.Module, adapter: LoraAdapter) -> None:
    """AdapterError naming a target module `model` lacks (and listing the ones it has), or a rank above the
    width of a targeted layer. `model` may sit on torch's meta device: nothing is allocated."""
    found = _adaptable(model)
    kind = model.config.model_type  # a HuggingFace model: its config names its architecture
    if adapter.target_modules == ALL_LINEAR:
        targeted = [m for m in found.values() if isinstance(m, nn.Linear)]
    else:
        has = sorted({name.rsplit(".", 1)[-1] for name in found})
        targeted = []
        for target in adapter.target_modules:
            matches = [m for name, m in found.items() if name == target or name.endswith(f".{target}")]
            if not matches:
                raise AdapterError("target_modules", f"{target!r} is not a module of this {kind} model; its layers "
                                   f"LoRA can adapt are {', '.join(has)}")
            targeted += matches
    for module in targeted:
        width = min(_sizes(module))
        if adapter.rank > width:
            raise AdapterError("rank", f"{adapter.rank} is above the width of the {kind} model's adapted layers "
                                       f"({width})")


def _sizes(module: nn.Module) -> tuple[int, int]:
    if isinstance(module, nn.Embedding):
        return module.num_embeddings, module.embedding_dim
    return tuple(module.weight.shape[:2])


def require_peft() -> None:
    """AdapterError when `peft` is not installed (it is an optional dependency: `plait[lora]`)."""
    try:
        import peft  # noqa: F401
    except ImportError as err:
        raise AdapterError("@architectures", "LoRA adapters need the peft package: pip install 'plait[lora]'") \
            from err


def add_lora(model: nn.Module, adapter: LoraAdapter) -> None:
    """Inject the adapters into `model` in place and freeze every weight but theirs."""
    require_peft()
    from peft import LoraConfig, inject_adapter_in_model

    check_targets(model, adapter)
    targets = adapter.target_modules if isinstance(adapter.target_modules, str) else list(adapter.target_modules)
    config = LoraConfig(r=adapter.rank, lora_alpha=adapter.alpha, lora_dropout=adapter.dropout,
                        target_modules=targets)
    inject_adapter_in_model(config, model, adapter_name=ADAPTER_NAME)
    for name, param in model.named_parameters():
        param.requires_grad_(_ADAPTER_KEY in name)


def save_hook(module: nn.Module, state: dict[str, Any], prefix: str, _metadata: Any) -> None:
    """state_dict hook of a TransformerModel with adapters: its frozen pretrained weights are left out (the
    pipeline refers to the base model), or, while `merged_saves` is on, the adapters are added into them."""
    if not module.adapted:  # registered on a TransformerModel only
        return
    own = f"{prefix}transformer."
    mine = {key: value for key, value in state.items() if key.startswith(own)}
    kept = merged_state(module.transformer, own, mine) if module.merging else adapter_state(mine)
    for key in mine:
        del state[key]
    state.update(kept)


def load_hook(module: nn.Module, state: dict[str, Any], prefix: str, *_: Any) -> None:
    """load_state_dict hook of a TransformerModel with adapters: the pretrained weights it already holds stand in
    for the ones a saved pipeline leaves out."""
    if not module.adapted:  # registered on a TransformerModel only
        return
    own = f"{prefix}transformer."
    for key, value in module.transformer.state_dict().items():
        if _ADAPTER_KEY not in key:
            state.setdefault(own + key, value)


def has_adapters(keys: Any) -> bool:
    """Whether state-dict `keys` hold LoRA adapter weights."""
    return any(_ADAPTER_KEY in key for key in keys)


def adapter_state(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The adapter weights of a state dict (what a saved pipeline stores besides a reference to the base model)."""
    return {key: value for key, value in state.items() if _ADAPTER_KEY in key}


def merged_state(model: nn.Module, prefix: str, state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """`state` (of `model`, keys under `prefix`) with each adapter added into its layer's weight, under the keys of
    the plain HuggingFace model: what a fine-tuned model without adapters would hold."""
    from peft.tuners.lora import LoraLayer

    with torch.no_grad():
        deltas = {f"{prefix}{name}.base_layer.weight": module.get_delta_weight(ADAPTER_NAME)
                  for name, module in model.named_modules() if isinstance(module, LoraLayer)}
    merged = {}
    for key, value in state.items():
        if _ADAPTER_KEY in key:
            continue
        if key in deltas:
            value = value + deltas[key].to(value.dtype)
        merged[key.replace(_BASE_KEY, "")] = value
    return merged


@contextmanager
def merged_saves(model: nn.Module) -> Iterator[None]:
    """Inside, the state_dict of each module of `model` with adapters and `merge_on_save` holds the merged
    weights: what a saved pipeline stores. Outside (loading, checking a file's layers) it holds the adapters."""
    merging = [m for m in model.modules() if getattr(m, "merge_on_save", False) and getattr(m, "adapted", False)]
    for module in merging:
        module.merging = True
    try:
        yield
    finally:
        for module in merging:
            module.merging = False


@contextmanager
def adapters_apart(modules: Sequence[nn.Module]) -> Iterator[None]:
    """Saves inside keep the adapters apart from the pretrained weights, whatever `merge_on_save` says: a
    checkpoint must resume exactly, and merged weights cannot be split back into base and adapters."""
    merging = [m for module in modules for m in module.modules() if getattr(m, "merge_on_save", False)]
    for module in merging:
        module.merge_on_save = False
    try:
        yield
    finally:
        for module in merging:
            module.merge_on_save = True
