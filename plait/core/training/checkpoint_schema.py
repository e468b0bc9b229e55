"""What a checkpoint's files must hold, checked before anything is restored from them: `training.json` key by
key (the loop's position as `RunState` declares it, the optimizer's and random generators' state as the live
objects write it) and `state.safetensors` tensor by tensor. Any mismatch is one line, "damaged checkpoint:
FILE: what is wrong"; a checkpoint of another format, command or config is not damaged (see checkpoint.py)."""
from __future__ import annotations

import dataclasses
import re
import types
import typing
from pathlib import Path
from typing import Any

import torch

from plait.core.errors import UserError
from plait.core.training.loop import RunState

# Every key of training.json and the JSON type of its value (write_checkpoint writes exactly these).
INFO_TYPES: dict[str, Any] = {"format": int, "plait_version": str, "kind": str, "config": str, "state": dict,
                              "optimizer": dict, "scaler": dict, "rng": list}
OPTIMIZER_KEYS = ("state", "param_groups")
_TENSOR = re.compile(r"optimizer\.(\d+)\.(.+)|average\.(\d+)|rng\.(\d+)\.(torch|cuda\.\d+)")


def damaged(path: Path, what: str) -> UserError:
    """The one-line error for a checkpoint file that does not hold what plait wrote."""
    return UserError(f"damaged checkpoint: {path}: {what}")


def check_info(info: dict[str, Any], path: Path, live_random: dict[str, Any]) -> None:
    """Refuse a training.json whose keys or value types differ from what write_checkpoint writes; `live_random`
    is this process's random generators' state, as the writer puts it in `rng`."""
    _check_keys(info, INFO_TYPES, "", path)
    for key, kind in INFO_TYPES.items():
        _check_type(info[key], kind, key, path)
    hints = typing.get_type_hints(RunState)
    _check_keys(info["state"], {f.name: None for f in dataclasses.fields(RunState)}, "state.", path)
    for key, value in info["state"].items():
        _check_type(value, hints[key], f"state.{key}", path)
    optimizer = info["optimizer"]
    _check_keys(optimizer, dict.fromkeys(OPTIMIZER_KEYS), "optimizer.", path)
    _check_type(optimizer["state"], dict[str, dict], "optimizer.state", path)
    _check_type(optimizer["param_groups"], list[dict], "optimizer.param_groups", path)
    for index in optimizer["state"]:
        if not index.isdigit():
            raise damaged(path, f"optimizer.state.{index}: not a parameter's number")
    for n, group in enumerate(optimizer["param_groups"]):
        _check_type(group.get("params"), list[int], f"optimizer.param_groups.{n}.params", path)
    if not info["rng"]:
        raise damaged(path, "rng: no process's random state")
    for rank, state in enumerate(info["rng"]):
        like(state, live_random, f"rng.{rank}", path)


def check_tensor_names(info: dict[str, Any], shapes: dict[str, tuple[int, ...]], path: Path) -> None:
    """Refuse a state.safetensors that lacks a tensor training.json names or holds one nobody wrote."""
    wanted = {f"optimizer.{index}.{key}" for index, entry in info["optimizer"]["state"].items()
              for key, value in entry.items() if value == "tensor"}
    wanted |= {f"rng.{rank}.torch" for rank in range(len(info["rng"]))}
    for name in sorted(wanted - set(shapes)):
        raise damaged(path, f"no tensor {name!r}")
    for name in sorted(set(shapes) - wanted):
        match = _TENSOR.fullmatch(name)
        if match is None or match.group(1) is not None or match.group(4) and int(match.group(4)) >= len(info["rng"]):
            raise damaged(path, f"a tensor nobody wrote: {name!r}")
    averages = sum(1 for name in shapes if name.startswith("average."))
    if any(f"average.{i}" not in shapes for i in range(averages)):
        raise damaged(path, f"the weights' averages are not numbered 0 to {averages - 1}")


def like(saved: Any, live: Any, where: str, path: Path) -> None:
    """Refuse `saved` unless it has the structure of `live` (what this plait writes in its place): the same
    keys, list lengths and value types (a whole number may stand for a float, a float for None)."""
    if isinstance(live, dict):
        _check_type(saved, dict, where, path)
        _check_keys(saved, live, f"{where}.", path)
        for key in live:
            like(saved[key], live[key], f"{where}.{key}", path)
    elif isinstance(live, (list, tuple)):
        if not isinstance(saved, list) or len(saved) != len(live):
            raise damaged(path, f"{where}: a list of {len(live)} values expected, not {_show(saved)}")
        for i, (a, b) in enumerate(zip(saved, live)):
            like(a, b, f"{where}.{i}", path)
    elif not _same_kind(saved, live):
        raise damaged(path, f"{where}: {type(live).__name__} expected, not {_show(saved)}")


def check_tensor(tensor: torch.Tensor, shapes: tuple[tuple[int, ...], ...], floating: bool, name: str,
                 path: Path) -> None:
    """Refuse a tensor whose shape is none of `shapes` or whose dtype is not floating (or uint8)."""
    if tuple(tensor.shape) not in shapes:
        raise damaged(path, f"tensor {name!r} has shape {list(tensor.shape)}, not {list(shapes[0])}")
    if tensor.is_floating_point() != floating or (not floating and tensor.dtype != torch.uint8):
        raise damaged(path, f"tensor {name!r} holds {str(tensor.dtype).removeprefix('torch.')} values")


def _check_keys(node: dict[str, Any], expected: dict[str, Any], prefix: str, path: Path) -> None:
    for key in node:
        if key not in expected:
            raise damaged(path, f"{prefix}{key}: unknown key")
    for key in expected:
        if key not in node:
            raise damaged(path, f"{prefix}{key}: missing")


def _check_type(value: Any, kind: Any, where: str, path: Path) -> None:
    """`kind`: a JSON type, `X | None`, `list[X]` or `dict[str, X]`; whole numbers (counts) must be >= 0."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (types.UnionType, typing.Union):
        if value is None and type(None) in args:
            return
        kind = next(a for a in args if a is not type(None))
        origin, args = typing.get_origin(kind), typing.get_args(kind)
    base = origin or kind
    ok = isinstance(value, base) and not (isinstance(value, bool) and base is not bool)
    if base is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if base is int and ok and value < 0:
        raise damaged(path, f"{where}: must be >= 0, not {value}")
    if not ok:
        raise damaged(path, f"{where}: {getattr(base, '__name__', base)} expected, not {_show(value)}")
    if origin is list:
        for i, item in enumerate(value):
            _check_type(item, args[0], f"{where}.{i}", path)
    elif origin is dict:
        for key, item in value.items():
            _check_type(item, args[1], f"{where}.{key}", path)


def _same_kind(a: Any, b: Any) -> bool:
    numbers = (int, float)
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b)
    if isinstance(a, numbers) and isinstance(b, numbers):
        return isinstance(b, float) or isinstance(a, int)  # a whole number for a float, never the reverse
    return type(a) is type(b) or {type(a), type(b)} <= {type(None), float}


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
