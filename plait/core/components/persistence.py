"""Saving and loading a component's weights (safetensors) and state (JSON), with errors naming the file."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import srsly
from safetensors import SafetensorError, safe_open

from plait.core import fs
from plait.core.errors import ModelLoadError

if TYPE_CHECKING:  # torch is imported by the components that have weights, not by loading a pipeline of tables
    import torch

WEIGHTS_FILE = "model.safetensors"
STATE_FILE = "cfg.json"


class Component(Protocol):
    """What the pipeline needs from a component; `model` may be None for rule-based components."""

    name: str
    model: torch.nn.Module | None

    def __call__(self, doc: Any) -> Any: ...

    def get_state(self) -> dict[str, Any]: ...

    def set_state(self, state: dict[str, Any]) -> None: ...


def save_component(component: Component, directory: Path) -> None:
    """Write the component's state to cfg.json and its weights to model.safetensors."""
    directory.mkdir(parents=True, exist_ok=True)
    if hasattr(component, "save_files"):  # files a component needs besides state and weights (a tokenizer)
        component.save_files(directory)
    srsly.write_json(directory / STATE_FILE, component.get_state())
    if component.model is not None:
        tensors = {k: v.detach().contiguous().cpu() for k, v in component.model.state_dict().items()}
        fs.save_tensors(tensors, directory / WEIGHTS_FILE)


def load_component(component: Component, directory: Path) -> None:
    """Restore state then weights; a missing or corrupt file raises ModelLoadError naming it."""
    state_path = directory / STATE_FILE
    if not state_path.exists():
        raise ModelLoadError(f"{state_path}: missing component state file")
    try:
        state = srsly.read_json(state_path)
    except ValueError as err:
        raise ModelLoadError(f"{state_path}: corrupt component state file ({err})") from err
    if hasattr(component, "load_files"):
        try:
            component.load_files(directory)
        except (OSError, ValueError) as err:
            raise ModelLoadError(f"{directory}: cannot load the component's files ({' '.join(str(err).split())})") \
                from err
    try:
        component.set_state(state)
    except (KeyError, TypeError, ValueError, AttributeError) as err:  # the file does not hold what the component saved
        detail = f"missing key {err}" if isinstance(err, KeyError) else " ".join(str(err).split())
        raise ModelLoadError(f"{state_path}: corrupt component state file ({detail})") from err
    if component.model is not None:
        load_weights(component.model, directory / WEIGHTS_FILE)


def weight_shapes(path: Path) -> dict[str, tuple[int, ...]]:
    """The name and shape of every tensor in a safetensors file, read from its header (nothing is loaded)."""
    try:
        with safe_open(str(path), framework="pt") as f:
            return {key: tuple(f.get_slice(key).get_shape()) for key in f.keys()}
    except (SafetensorError, OSError, ValueError, RuntimeError) as err:
        raise ModelLoadError(f"{path}: corrupt weights file ({' '.join(str(err).split())})") from err


def load_weights(model: torch.nn.Module, path: Path) -> None:
    """Load a safetensors file into `model`; every tensor must be present with the right shape."""
    from safetensors.torch import load_file

    if not path.exists():
        raise ModelLoadError(f"{path}: missing weights file")
    try:
        tensors = load_file(str(path))
    except (SafetensorError, OSError, ValueError, RuntimeError) as err:
        raise ModelLoadError(f"{path}: corrupt weights file ({' '.join(str(err).split())})") from err
    expected = model.state_dict()
    missing = sorted(set(expected) - set(tensors))
    unexpected = sorted(set(tensors) - set(expected))
    if missing or unexpected:
        detail = f"missing {missing[:3]}" if missing else f"unexpected {unexpected[:3]}"
        raise ModelLoadError(f"{path}: weights do not match the model ({detail})")
    for key, value in tensors.items():
        if tuple(value.shape) != tuple(expected[key].shape):
            raise ModelLoadError(
                f"{path}: weights do not match the model ({key}: file {tuple(value.shape)}, "
                f"model {tuple(expected[key].shape)})"
            )
    model.load_state_dict(tensors)
