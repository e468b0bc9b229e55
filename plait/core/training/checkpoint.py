"""Checkpoints: everything a killed run needs to go on exactly where it was, without pickle.

A checkpoint folder holds `model/` (what the caller writes: a pipeline, or a subnetwork's weights),
`state.safetensors` (optimizer tensors, torch's random state) and `training.json` (the config, the loop's
position, the optimizer's and scaler's settings, python's and numpy's random state). It is written to a
temporary folder and swapped into place, so the previous checkpoint stays complete until the new one is.
"""
from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import srsly
import torch
from confection import Config

from plait.core import fs, weights
from plait.core.about import version
from plait.core.errors import UserError
from plait.core.training.checkpoint_schema import (
    check_info,
    check_tensor,
    check_tensor_names,
    damaged,
    like,
)
from plait.core.training.distributed import World
from plait.core.training.loop import RunState
from plait.core.training.stepper import Stepper

FORMAT = 3  # 3: optimizer state and weight averages of maxout layers held piece by piece (PiecewiseLinear)
STATE_FILE, INFO_FILE, MODEL_DIR = "state.safetensors", "training.json", "model"
INFO_LIMIT = 64 * fs.MiB  # training.json: the config text, the optimizer's settings, each rank's random state
# Settings that only say when to stop: a resumed run may change them (to train longer, say).
STOPPING_RULES = ("training.max_steps", "training.max_epochs", "training.patience", "pretraining.max_epochs")


@dataclass
class Checkpoint:
    """A checkpoint read back from disk."""

    path: Path
    state: RunState
    info: dict[str, Any]

    @property
    def model_dir(self) -> Path:
        return self.path / MODEL_DIR

    def extends(self, config: Config) -> bool:
        """Whether `config` changes a stopping rule of the checkpoint's run (a finished run may train on)."""
        saved = _flatten(Config().from_str(self.info["config"], interpolate=False))
        current = _flatten(config)
        return any(saved.get(key, _MISSING) != current.get(key, _MISSING) for key in STOPPING_RULES)

    def restore(self, stepper: Stepper) -> None:
        """Put the optimizer, the scaler and every random generator back as they were when it was written."""
        tensors = _read_tensors(fs.path_inside(self.path, STATE_FILE))
        self._check_fits(stepper, tensors)
        optimizer = self.info["optimizer"]
        state = {int(index): {key: tensors[f"optimizer.{index}.{key}"] if value == "tensor" else value
                              for key, value in entry.items()}
                 for index, entry in optimizer["state"].items()}
        groups = [{**group, "betas": tuple(group["betas"])} if "betas" in group else group
                  for group in optimizer["param_groups"]]
        try:
            stepper.optimizer.load_state_dict({"state": state, "param_groups": groups})
        except (ValueError, KeyError) as err:
            raise UserError(f"{self.path}: the optimizer state does not fit this pipeline ({err})") from err
        if self.info["scaler"]:
            stepper.scaler.load_state_dict(self.info["scaler"])
        if stepper.averages is not None and "average.0" in tensors:
            stepper.averages = [tensors[f"average.{i}"].to(p.device) for i, p in enumerate(stepper.params)]
        _set_random_state(self.info["rng"][stepper.world.rank], tensors, stepper.world.rank)

    def _check_fits(self, stepper: Stepper, tensors: dict[str, torch.Tensor]) -> None:
        """Refuse what `read_checkpoint` could not check without the optimizer: the values of each parameter
        group, the shapes of the optimizer's tensors and of the weights' averages, the random states' tensors."""
        info_file, state_file = self.path / INFO_FILE, self.path / STATE_FILE
        ranks = self.info["rng"]
        if len(ranks) != stepper.world.size:
            raise UserError(f"{self.path}: the checkpoint was written by {len(ranks)} process(es); resume it with as "
                            f"many, not {stepper.world.size}")
        live = stepper.optimizer.state_dict()["param_groups"]
        for n, (saved, group) in enumerate(zip(self.info["optimizer"]["param_groups"], live)):
            for key in saved.keys() & group.keys():  # a key of another torch version is load_state_dict's business
                like(saved[key], group[key], f"optimizer.param_groups.{n}.{key}", info_file)
        params = {index: param for saved, group in zip(live, stepper.optimizer.param_groups)
                  for index, param in zip(saved["params"], group["params"])}
        for index, entry in self.info["optimizer"]["state"].items():
            if int(index) not in params:
                raise damaged(info_file, f"optimizer.state.{index}: the optimizer has no parameter {index}")
            for key, value in entry.items():
                if value == "tensor":
                    name = f"optimizer.{index}.{key}"
                    check_tensor(tensors[name], (tuple(params[int(index)].shape), ()), True, name, state_file)
        averages = [name for name in tensors if name.startswith("average.")]
        if averages and len(averages) != len(stepper.params):
            raise damaged(state_file, f"{len(averages)} averaged weights for {len(stepper.params)} parameters")
        for i, param in enumerate(stepper.params if averages else ()):
            check_tensor(tensors[f"average.{i}"], (tuple(param.shape),), True, f"average.{i}", state_file)
        name = f"rng.{stepper.world.rank}.torch"
        check_tensor(tensors[name], (tuple(torch.get_rng_state().shape),), False, name, state_file)


def _random_state(rank: int) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """Python's, numpy's and torch's random generators of this process: JSON, and tensors keyed by rank."""
    np_state = np.random.get_state()
    tensors = {f"rng.{rank}.torch": torch.get_rng_state()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        tensors.update({f"rng.{rank}.cuda.{i}": s for i, s in enumerate(torch.cuda.get_rng_state_all())})
    info = {"python": random.getstate(),
            "numpy": [np_state[0], np_state[1].tolist(), *(float(x) if isinstance(x, float) else int(x)
                                                            for x in np_state[2:])]}
    return info, tensors


def _set_random_state(info: dict[str, Any], tensors: dict[str, torch.Tensor], rank: int) -> None:
    python = info["python"]
    random.setstate((python[0], tuple(python[1]), python[2]))
    kind, keys, pos, has_gauss, cached = info["numpy"]
    np.random.set_state((kind, np.asarray(keys, dtype=np.uint32), pos, has_gauss, cached))
    torch.set_rng_state(tensors[f"rng.{rank}.torch"])
    cuda = [tensors[k] for k in sorted(tensors) if k.startswith(f"rng.{rank}.cuda.")]
    if cuda and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(cuda)


def write_checkpoint(path: Path | None, *, config: Config, kind: str, state: RunState, stepper: Stepper,
                     write_model: Callable[[Path], None], world: World = World()) -> None:
    """Write a checkpoint to `path`, replacing the previous one only once this one is complete. Under torchrun
    every rank calls this (each one's random state goes in) and rank 0 writes (`path` is None elsewhere)."""
    rng_info, rng_tensors = _random_state(world.rank)
    ranks = world.gather((rng_info, {k: v.tolist() for k, v in rng_tensors.items()}))
    if not world.is_main:
        return
    tensors: dict[str, torch.Tensor] = {}
    for _, rank_tensors in ranks:
        tensors.update({k: torch.tensor(v, dtype=torch.uint8) for k, v in rank_tensors.items()})
    optimizer = stepper.optimizer.state_dict()
    entries: dict[str, dict[str, Any]] = {}
    for index, entry in optimizer["state"].items():
        entries[str(index)] = {}
        for key, value in entry.items():
            if isinstance(value, torch.Tensor):
                tensors[f"optimizer.{index}.{key}"] = value.detach().cpu().contiguous()
                entries[str(index)][key] = "tensor"
            else:
                entries[str(index)][key] = value
    tensors.update({f"average.{i}": a.detach().cpu().contiguous() for i, a in enumerate(stepper.averages or [])})
    info = {
        "format": FORMAT, "plait_version": version(), "kind": kind, "config": config.to_str(),
        "state": asdict(state),
        "optimizer": {"state": entries, "param_groups": optimizer["param_groups"]},
        "scaler": stepper.scaler.state_dict() if stepper.scaler.is_enabled() else {},
        "rng": [rank_info for rank_info, _ in ranks],
    }
    with fs.writing_dir(path) as tmp:
        write_model(tmp / MODEL_DIR)
        weights.write_tensors(tensors, tmp / STATE_FILE)
        srsly.write_json(tmp / INFO_FILE, info)


def read_checkpoint(path: Path, *, config: Config, kind: str) -> Checkpoint:
    """Read the checkpoint at `path`, refusing one made by another command, format or config (one line, naming
    the first setting that differs). Stopping rules may differ: a run can be continued for longer."""
    info_path = path / INFO_FILE
    try:  # a regular file inside the checkpoint folder, bounded: a FIFO or a link elsewhere is never read
        info = srsly.json_loads(fs.read_bytes_inside(path, INFO_FILE, limit=INFO_LIMIT))
    except UserError as err:
        raise UserError(f"damaged checkpoint: {err}") from None
    except (OSError, ValueError) as err:
        raise damaged(info_path, f"not JSON ({' '.join(str(err).split())})") from err
    if not isinstance(info, dict):
        raise damaged(info_path, f"a JSON object expected, not {type(info).__name__}")
    if info.get("format") != FORMAT:
        raise UserError(f"{path}: checkpoint format {info.get('format')!r} is not this plait's ({FORMAT}); it was "
                        f"written by plait {info.get('plait_version', '?')}")
    if info.get("kind") != kind:
        raise UserError(f"{path}: a checkpoint of `plait {info.get('kind')}`, not of `plait {kind}`")
    check_info(info, info_path, _random_state(0)[0])
    try:
        saved = Config().from_str(info["config"], interpolate=False)
    except Exception as err:  # confection raises several kinds on text that is no config
        raise damaged(info_path, f"config: not a config ({' '.join(str(err).split())[:80]})") from err
    try:
        shapes = weights.tensor_shapes(fs.path_inside(path, STATE_FILE))
    except weights.WeightsFileError as err:
        raise damaged(path / STATE_FILE, str(err)) from err
    check_tensor_names(info, shapes, path / STATE_FILE)
    difference = config_difference(saved, config)
    if difference:
        raise UserError(f"{path}: the checkpoint was made with another config ({difference}); resume with the "
                        "same config and overrides, or start a new run with --overwrite")
    return Checkpoint(path, RunState(**info["state"]), info)


def config_difference(saved: Config, current: Config) -> str | None:
    """The first setting (dotted) whose value differs between two configs, ignoring stopping rules."""
    a, b = _flatten(saved), _flatten(current)
    for key in sorted(set(a) | set(b)):
        if key in STOPPING_RULES or a.get(key, _MISSING) == b.get(key, _MISSING):
            continue
        return f"{key}: {_show(a.get(key, _MISSING))} in the checkpoint, {_show(b.get(key, _MISSING))} now"
    return None


_MISSING = object()


def _show(value: Any) -> str:
    return "not set" if value is _MISSING else repr(value)


def _flatten(node: Any, prefix: str = "") -> dict[str, Any]:
    if not isinstance(node, dict):
        return {prefix: node}
    out: dict[str, Any] = {}
    for key, value in node.items():
        out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return out


def _read_tensors(path: Path) -> dict[str, torch.Tensor]:
    try:
        return weights.read_tensors(path)
    except weights.WeightsFileError as err:
        raise damaged(path, str(err)) from err
