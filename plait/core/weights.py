"""Model weights as safetensors files: read them, compare them with a model's keys and shapes, write them.

The one home for every weights file plait reads or writes (a saved component's model.safetensors, pretrained
subnetwork weights, checkpoint tensors); callers turn a `WeightsFileError` into their own error naming a setting.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any, Callable

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
    expected = module.state_dict()
    for key, value in expected.items():
        if key not in tensors:
            return f"layer {key} is missing from the file"
        if tuple(tensors[key].shape) != tuple(value.shape):
            return f"layer {key} is {tuple(tensors[key].shape)} in the file but {tuple(value.shape)} in the model"
    extra = sorted(set(tensors) - set(expected))
    return f"layer {extra[0]} in the file is not in the model" if extra else None


def load_into(module: torch.nn.Module, path: Path, fail: Callable[[str, str], Exception]) -> None:
    """Load a safetensors file into `module`: every layer present with its shape, no other layer in the file.

    Otherwise raises `fail(problem, detail)`, the caller's own error, where problem is "missing" (no such file),
    "unreadable" (not safetensors, cut short) or "mismatch" (detail names the first layer that does not fit).
    """
    if not path.exists():
        raise fail("missing", str(path))
    try:
        tensors = read_tensors(path)
    except WeightsFileError as err:
        raise fail("unreadable", str(err)) from err
    problem = mismatch(module, tensors)
    if problem:
        raise fail("mismatch", problem)
    module.load_state_dict(tensors)


def module_tensors(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    """A module's weights as contiguous CPU tensors, ready to write."""
    return {k: v.detach().contiguous().cpu() for k, v in module.state_dict().items()}


def write_tensors(tensors: dict[str, Any], path: Path) -> None:
    """Write tensors to a safetensors file with the permissions the user's umask gives a new file
    (safetensors itself writes owner-only files)."""
    save_file(tensors, str(path), metadata={"format": "pt"})
    path.chmod(file_mode())
