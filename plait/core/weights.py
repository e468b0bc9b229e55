"""Model weights as safetensors files: read them, compare them with a model's keys and shapes, write them.

The one home for every weights file plait reads or writes (a saved component's model.safetensors, pretrained
subnetwork weights, checkpoint tensors); callers turn a `WeightsFileError` into their own error naming a setting.
"""
from __future__ import annotations

import os
import stat
import warnings
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable, Iterator

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file

from plait.core.fs import file_mode


class WeightsFileError(ValueError):
    """A weights file that cannot be read (not safetensors, cut short)."""


def read_tensors(path: Path) -> dict[str, torch.Tensor]:
    """Every tensor of a safetensors file (no pickle involved)."""
    _check_regular(path)
    try:
        return load_file(str(path))
    except (SafetensorError, OSError, ValueError, RuntimeError) as err:
        raise WeightsFileError(" ".join(str(err).split())) from err


def tensor_shapes(path: Path) -> dict[str, tuple[int, ...]]:
    """The name and shape of every tensor in a safetensors file, read from its header (nothing is loaded)."""
    _check_regular(path)
    try:
        with safe_open(str(path), framework="pt") as f:
            return {key: tuple(f.get_slice(key).get_shape()) for key in f.keys()}
    except (SafetensorError, OSError, ValueError, RuntimeError) as err:
        raise WeightsFileError(" ".join(str(err).split())) from err


def _check_regular(path: Path) -> None:
    """Refuse a named pipe or a device before the reader opens it (it would block, or never end)."""
    try:
        mode = os.stat(path).st_mode
    except OSError as err:
        raise WeightsFileError(" ".join(str(err).split())) from err
    if not stat.S_ISREG(mode):
        raise WeightsFileError("not a regular file")


def mismatch(module: torch.nn.Module, tensors: dict[str, Any]) -> str | None:
    """The first way `tensors` does not fit `module` (a missing, extra or differently shaped layer), or None."""
    expected = dict(_flat_state(module))
    for key, value in expected.items():
        if key not in tensors:
            return f"layer {key} is missing from the file"
        if tuple(tensors[key].shape) != tuple(value.shape):
            return f"layer {key} is {tuple(tensors[key].shape)} in the file but {tuple(value.shape)} in the model"
    extra = sorted(set(tensors) - set(expected))
    return f"layer {extra[0]} in the file is not in the model" if extra else None


def load_into(module: torch.nn.Module, path: Path, fail: Callable[[str, str], Exception]) -> None:
    """Load a safetensors file into `module`: every layer present with its shape, no other layer in the file.

    Linear layers the file holds as int8 (a dynamically quantized model's) are quantized in `module` first.
    Otherwise raises `fail(problem, detail)`, the caller's own error, where problem is "missing" (no such file),
    "unreadable" (not safetensors, cut short) or "mismatch" (detail names the first layer that does not fit).
    """
    if not path.exists():
        raise fail("missing", str(path))
    try:
        tensors = read_tensors(path)
    except WeightsFileError as err:
        raise fail("unreadable", str(err)) from err
    problem = quantize_like(module, tensors) or mismatch(module, tensors)
    if problem:
        raise fail("mismatch", problem)
    module.load_state_dict(_state_of(module, tensors))


def module_tensors(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    """A module's weights as contiguous CPU tensors, ready to write (a quantized layer's as int8 values, scales
    and zero points: safetensors holds plain tensors only)."""
    return {k: v.detach().contiguous().cpu() for k, v in _flat_state(module)}


# A dynamically quantized Linear (torch.ao.quantization.quantize_dynamic) keeps its weight and bias packed in
# one state entry beside its dtype; in a weights file its weight is four plain tensors under these suffixes.
_PACKED, _DTYPE = "._packed_params._packed_params", "._packed_params.dtype"
_INT8, _SCALE, _ZERO, _AXIS = ".weight.int8", ".weight.scale", ".weight.zero_point", ".weight.axis"


def _flat_state(module: torch.nn.Module) -> Iterator[tuple[str, torch.Tensor]]:
    """(name, tensor) for every entry of the state dict, a quantized Linear's unpacked into plain tensors."""
    for key, value in module.state_dict().items():
        if key.endswith(_DTYPE):
            if value != torch.qint8:
                raise WeightsFileError(f"layer {key[:-len(_DTYPE)]} is quantized to {value}: only int8 dynamic "
                                       "quantization can be saved")
        elif key.endswith(_PACKED):
            prefix = key[:-len(_PACKED)]
            weight, bias = value
            yield from _unpacked(prefix, weight)
            if bias is not None:
                yield prefix + ".bias", bias
        elif isinstance(value, torch.Tensor) and value.is_quantized:
            raise WeightsFileError(f"layer {key} is a quantized tensor outside a dynamically quantized Linear: "
                                   "only those can be saved")
        else:
            yield key, value


def _unpacked(prefix: str, weight: torch.Tensor) -> Iterator[tuple[str, torch.Tensor]]:
    """A quantized weight as its int8 values, scale(s), zero point(s) and (per channel) axis."""
    yield prefix + _INT8, weight.int_repr()
    if weight.qscheme() == torch.per_tensor_affine:
        yield prefix + _SCALE, torch.tensor(weight.q_scale(), dtype=torch.float64)
        yield prefix + _ZERO, torch.tensor(weight.q_zero_point(), dtype=torch.int64)
    elif weight.qscheme() == torch.per_channel_affine:
        yield prefix + _SCALE, weight.q_per_channel_scales()
        yield prefix + _ZERO, weight.q_per_channel_zero_points()
        yield prefix + _AXIS, torch.tensor(weight.q_per_channel_axis(), dtype=torch.int64)
    else:
        raise WeightsFileError(f"layer {prefix} is quantized with {weight.qscheme()}: only affine schemes can be "
                               "saved")


def quantize_like(module: torch.nn.Module, tensors: dict[str, Any]) -> str | None:
    """Quantize (int8, dynamic) the Linear layers of `module` that `tensors` holds quantized, so the file loads;
    the first layer that cannot be, or None."""
    prefixes = [key[:-len(_INT8)] for key in tensors if key.endswith(_INT8)]
    todo = {}
    for prefix in prefixes:
        try:
            layer = module.get_submodule(prefix)
        except AttributeError:
            return f"layer {prefix}{_INT8} in the file is not in the model"
        if type(layer) is torch.nn.Linear:
            per_channel = prefix + _AXIS in tensors
            todo[prefix] = (torch.ao.quantization.per_channel_dynamic_qconfig if per_channel
                            else torch.ao.quantization.default_dynamic_qconfig)
        elif not hasattr(layer, "_packed_params"):
            return f"layer {prefix} is int8 in the file but a {type(layer).__name__} in the model, not a Linear"
    if todo:
        with warnings.catch_warnings():  # torch.ao.quantization's deprecation notices: the format is torch's still
            warnings.simplefilter("ignore")
            torch.ao.quantization.quantize_dynamic(module, todo, dtype=torch.qint8, inplace=True)
    return None


def _state_of(module: torch.nn.Module, tensors: dict[str, torch.Tensor]) -> dict[str, Any]:
    """The state dict `module.load_state_dict` takes for `tensors` (read from a file `mismatch` accepts), with the
    module's own format versions (a quantized Linear reads its entries by them)."""
    state = OrderedDict(tensors)
    own = module.state_dict()  # an OrderedDict that torch gives the format versions as `_metadata`
    state._metadata = own._metadata  # type: ignore[attr-defined]
    for key in [k for k in tensors if k.endswith(_INT8)]:
        prefix = key[:-len(_INT8)]
        values, scale, zero = (state.pop(prefix + suffix) for suffix in (_INT8, _SCALE, _ZERO))
        axis = state.pop(prefix + _AXIS, None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            weight = _quantized(values, scale, zero, axis)
        state[prefix + _PACKED] = (weight, state.pop(prefix + ".bias", None))
        state[prefix + _DTYPE] = torch.qint8
    return state


def _quantized(values: torch.Tensor, scale: torch.Tensor, zero: torch.Tensor, axis: torch.Tensor | None
               ) -> torch.Tensor:
    """The quantized tensor of these int8 values, scale(s), zero point(s) and (per channel) axis."""
    if axis is None:
        return torch.quantize_per_tensor((values.float() - float(zero)) * float(scale), float(scale), int(zero),
                                         torch.qint8)
    shape = [-1 if d == int(axis) else 1 for d in range(values.dim())]
    real = ((values.double() - zero.view(shape).double()) * scale.view(shape)).float()
    return torch.quantize_per_channel(real, scale, zero, int(axis), torch.qint8)


def write_tensors(tensors: dict[str, Any], path: Path) -> None:
    """Write tensors to a safetensors file with the permissions the user's umask gives a new file
    (safetensors itself writes owner-only files)."""
    save_file(tensors, str(path), metadata={"format": "pt"})
    path.chmod(file_mode())
