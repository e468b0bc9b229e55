"""The subnetwork that pretraining trains and `[initialize] init_tok2vec` loads: a component's model or a
named layer inside it, saved and loaded as safetensors with errors that name the mismatched layer."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from torch import nn

from plait.core import fs, weights
from plait.core.components.contract import model_of
from plait.core.errors import ConfigError
from plait.models.batch import TokenBatch
from plait.models.listener import Listener

if TYPE_CHECKING:
    from plait.core.pipeline import Language


def describe(component: str, layer: str) -> str:
    """How messages name a subnetwork: `component 'textcat' layer 'tok2vec'`."""
    return f"component {component!r}" + (f" layer {layer!r}" if layer else "")


def find_subnetwork(nlp: "Language", component: str, layer: str) -> nn.Module:
    """`component`'s whole model (`layer = ""`) or its sub-module at the dotted path `layer`.

    A listener is refused: it holds no weights, it only passes on the output of a shared encoder.
    """
    if not nlp.has_pipe(component):
        raise ConfigError(f"pretraining.component: no component named {component!r} in the pipeline "
                          f"({', '.join(nlp.component_names)})")
    model = model_of(nlp.get_pipe(component))
    if model is None:
        raise ConfigError(f"pretraining.component: component {component!r} has no model to pretrain")
    if layer:
        model = _named_layer(model, component, layer)
    if isinstance(model, Listener):
        upstream = model.upstream_name or model.upstream
        raise ConfigError(f"pretraining: {describe(component, layer)} is a listener, not an encoder: it passes on "
                          f"the output of the shared encoder {upstream!r}; pretrain that one instead "
                          f"(component = \"{upstream}\", layer = \"\")")
    return model


def _named_layer(model: nn.Module, component: str, layer: str) -> nn.Module:
    """The sub-module at the dotted path `layer`, else the shallowest one whose own name is `layer` (so
    "tok2vec" finds a text classifier's `neural.tok2vec`); ConfigError when there is none or the name is ambiguous."""
    try:
        return model.get_submodule(layer)
    except AttributeError:
        pass
    found = [(name.count("."), name, module) for name, module in model.named_modules()
             if name.rsplit(".", 1)[-1] == layer]
    if not found:
        names = ", ".join(name for name, _ in model.named_children()) or "none"
        raise ConfigError(f"pretraining.layer: component {component!r} has no layer {layer!r} "
                          f"(its layers: {names})")
    depth = min(f[0] for f in found)
    shallowest = [f for f in found if f[0] == depth]
    if len(shallowest) > 1:
        raise ConfigError(f"pretraining.layer: {layer!r} names several layers of component {component!r} "
                          f"({', '.join(f[1] for f in shallowest)}): give the dotted path")
    return shallowest[0][2]


def encoder_width(nlp: "Language", module: nn.Module, where: str) -> int:
    """The width of the per-token vectors `module` makes from docs; ConfigError if it makes anything else."""
    module.eval()
    try:
        with torch.no_grad():
            output = module([nlp.make_doc("A probe sentence.")])
    except (RuntimeError, ValueError, TypeError, AttributeError) as err:
        listeners = [name for name, layer in module.named_modules() if isinstance(layer, Listener)]
        why = (f"its layer {listeners[0]!r} is a listener: pretrain the shared encoder it listens to" if listeners
               else str(err))
        raise ConfigError(f"pretraining: {where} cannot be pretrained: it does not map docs to per-token vectors "
                          f"({why})") from err
    if not isinstance(output, TokenBatch):
        raise ConfigError(f"pretraining: {where} maps docs to {type(output).__name__}, not to per-token vectors "
                          "(a TokenBatch): choose its encoder, e.g. layer = \"tok2vec\"")
    return int(output.flat.shape[-1])


def save_weights(module: nn.Module, path: Path) -> None:
    """Write `module`'s tensors to `path` as safetensors, through a temporary file renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}{fs.TMP_MARK}{os.getpid()}")
    try:
        weights.write_tensors(weights.module_tensors(module), tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def load_subnetwork_weights(module: nn.Module, path: Path, where: str, setting: str) -> None:
    """Load `path` into `module`; a missing, corrupt or mismatched file is a ConfigError naming `setting`,
    the file and the first layer that does not match."""
    messages = {"missing": "does not exist", "unreadable": "is not a safetensors weights file ({})",
                "mismatch": f"does not fit {where}: {{}} (weights of another architecture?)"}
    weights.load_into(module, path, lambda problem, detail: ConfigError(f"{setting}: {path} "
                                                                       + messages[problem].format(detail)))
