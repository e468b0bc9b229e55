"""Saving and loading a component: its state (JSON, see contract.get_state) and weights (safetensors), with
errors naming the file."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import srsly

from plait.core import fs
from plait.core.components.exported import GRAPH_FILE, exported_graph, load_exported
from plait.core.components.contract import WithFiles, get_state, model_of, set_state
from plait.core.errors import ModelLoadError, UserError

if TYPE_CHECKING:  # torch is imported by the components that have weights, not by loading a pipeline of tables
    import torch

WEIGHTS_FILE = "model.safetensors"
STATE_FILE = "cfg.json"
STATE_LIMIT = 512 * fs.MiB  # bytes of cfg.json: labels and settings, or an entity ruler's patterns


def save_component(component: Any, directory: Path) -> None:
    """Write the component's state to cfg.json and its weights to model.safetensors."""
    directory.mkdir(parents=True, exist_ok=True)
    if isinstance(component, WithFiles):
        component.save_files(directory)
    srsly.write_json(directory / STATE_FILE, get_state(component))
    model = model_of(component)
    if model is None:
        return
    graph = exported_graph(model)
    if graph is not None:  # an exported encoder: its weights are inside the graph
        graph.save(directory / GRAPH_FILE)
        return
    from plait.core import weights
    from plait.models.transformer.adapter import merged_saves

    try:
        with merged_saves(model):  # LoRA adapters with merge_on_save: the weights with them added in
            tensors = weights.module_tensors(model)
    except weights.WeightsFileError as err:
        raise UserError(f"{directory.name}: cannot save the component's weights ({err})") from None
    weights.write_tensors(tensors, directory / WEIGHTS_FILE)


def load_component(component: Any, directory: Path, *, exported: bool = False) -> None:
    """Restore state, then files (which may need the state: the base model LoRA adapters were trained on), then
    weights (an `exported` encoder: its ONNX graph); a missing or corrupt file raises ModelLoadError naming it."""
    state_path = directory / STATE_FILE
    try:
        state = srsly.json_loads(fs.read_bytes_inside(directory, STATE_FILE, limit=STATE_LIMIT))
    except FileNotFoundError:
        raise ModelLoadError(f"{state_path}: missing component state file") from None
    except UserError as err:  # a special file, a link out of the folder, or too large
        raise ModelLoadError(str(err)) from None
    except ValueError as err:
        detail = " ".join(str(err).split())
        raise ModelLoadError(f"{state_path}: corrupt component state file ({detail[:160]})") from err
    if isinstance(component, WithFiles):
        try:
            fs.check_files_inside(directory)  # the library opens its files by itself: check them all first
        except UserError as err:
            raise ModelLoadError(str(err)) from None
    try:
        set_state(component, state)
    except (KeyError, TypeError, ValueError, AttributeError) as err:  # the file does not hold what the component saved
        detail = f"missing key {err}" if isinstance(err, KeyError) else " ".join(str(err).split())
        raise ModelLoadError(f"{state_path}: corrupt component state file ({detail})") from err
    if isinstance(component, WithFiles) and not exported:  # an exported encoder's files are read with its graph
        try:
            component.load_files(directory)
        except (OSError, ValueError) as err:
            raise ModelLoadError(f"{directory}: cannot load the component's files ({' '.join(str(err).split())})") \
                from err
    model = model_of(component)
    if exported:
        load_exported(component, directory)
    elif model is not None:
        try:
            weights_path = fs.path_inside(directory, WEIGHTS_FILE)
        except UserError as err:
            raise ModelLoadError(str(err)) from None
        load_weights(model, weights_path)


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
