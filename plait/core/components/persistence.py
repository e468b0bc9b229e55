"""Saving and loading a component: its state (JSON, see contract.get_state) and weights (safetensors), with
errors naming the file."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import srsly

from plait.core.components.contract import WithFiles, get_state, model_of, set_state
from plait.core.errors import ModelLoadError

if TYPE_CHECKING:  # torch is imported by the components that have weights, not by loading a pipeline of tables
    import torch

WEIGHTS_FILE = "model.safetensors"
STATE_FILE = "cfg.json"


def save_component(component: Any, directory: Path) -> None:
    """Write the component's state to cfg.json and its weights to model.safetensors."""
    directory.mkdir(parents=True, exist_ok=True)
    if isinstance(component, WithFiles):
        component.save_files(directory)
    srsly.write_json(directory / STATE_FILE, get_state(component))
    model = model_of(component)
    if model is not None:
        from plait.core import weights

        weights.write_tensors(weights.module_tensors(model), directory / WEIGHTS_FILE)


def load_component(component: Any, directory: Path) -> None:
    """Restore state then weights; a missing or corrupt file raises ModelLoadError naming it."""
    state_path = directory / STATE_FILE
    if not state_path.exists():
        raise ModelLoadError(f"{state_path}: missing component state file")
    try:
        state = srsly.read_json(state_path)
    except ValueError as err:
        raise ModelLoadError(f"{state_path}: corrupt component state file ({err})") from err
    if isinstance(component, WithFiles):
        try:
            component.load_files(directory)
        except (OSError, ValueError) as err:
            raise ModelLoadError(f"{directory}: cannot load the component's files ({' '.join(str(err).split())})") \
                from err
    try:
        set_state(component, state)
    except (KeyError, TypeError, ValueError, AttributeError) as err:  # the file does not hold what the component saved
        detail = f"missing key {err}" if isinstance(err, KeyError) else " ".join(str(err).split())
        raise ModelLoadError(f"{state_path}: corrupt component state file ({detail})") from err
    model = model_of(component)
    if model is not None:
        load_weights(model, directory / WEIGHTS_FILE)


def weight_shapes(path: Path) -> dict[str, tuple[int, ...]]:
    """The shape of every tensor in a component's weights file; ModelLoadError naming it if it is corrupt."""
    from plait.core import weights

    try:
        return weights.tensor_shapes(path)
    except weights.WeightsFileError as err:
        raise ModelLoadError(f"{path}: corrupt weights file ({err})") from err


_LOAD_ERRORS = {"missing": "missing weights file", "unreadable": "corrupt weights file ({})",
                "mismatch": "weights do not match the model ({})"}


def load_weights(model: torch.nn.Module, path: Path) -> None:
    """Load a safetensors file into `model`; every tensor must be present with the right shape."""
    from plait.core import weights

    weights.load_into(model, path, lambda problem, detail: ModelLoadError(f"{path}: "
                                                                         + _LOAD_ERRORS[problem].format(detail)))
