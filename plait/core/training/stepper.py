"""The optimizer side of every update, shared by train and pretrain: scale, backward, unscale, clip, step."""
from __future__ import annotations

import math
from typing import Any, Iterator, Sequence

import torch

from plait.core.errors import DivergedError
from plait.core.training.distributed import World
from plait.core.training.optimizers import OptimizerSpec


class Stepper:
    """One optimizer over named parameter groups, with their learning-rate schedules, gradient clipping and a
    GradScaler (enabled for fp16 on CUDA only). Under torchrun the ranks' gradients and losses are summed
    before the step, so every rank takes the same step. A non-finite loss or gradient norm stops the run (a
    non-finite gradient with the scaler on is the scaler's business: it skips the step)."""

    def __init__(self, spec: OptimizerSpec, groups: dict[str, list[torch.nn.Parameter]], *,
                 device: torch.device, loss_names: Sequence[str], scale_loss: bool = False,
                 scaler_settings: dict[str, Any] | None = None, world: World = World()) -> None:
        self.world, self.loss_names = world, list(loss_names)
        self.optimizer = spec.build(groups)
        self.params = [p for group in groups.values() for p in group]
        self.groups = {name: params for name, params in groups.items() if params}
        self.grad_clip = spec.grad_clip
        self._rates: Iterator[dict[str, float]] = spec.component_rates(groups)
        self.learn_rates: dict[str, float] = {}
        self.scaler = torch.amp.GradScaler(device.type, enabled=scale_loss and device.type == "cuda",
                                           **(scaler_settings or {}))

    def next_rates(self) -> None:
        """Move every group's learning rate on by one step of its schedule."""
        self.learn_rates = next(self._rates)
        for group in self.optimizer.param_groups:
            group["lr"] = self.learn_rates[group["component"]]

    def backward(self, losses: dict[str, torch.Tensor]) -> dict[str, float]:
        """Backpropagate the sum of `losses` (a part of the step's batch) and return their values."""
        values = {name: float(loss.detach()) for name, loss in losses.items()}
        if losses and all(math.isfinite(v) for v in values.values()):
            self.scaler.scale(sum(losses.values())).backward()
        return values

    def step(self, step: int, losses: dict[str, float]) -> dict[str, float]:
        """Sum the ranks' gradients and `losses` (this rank's, of the whole step), check them, unscale, clip and
        apply the gradients, then clear them; return the step's losses over all ranks."""
        losses = self.world.sum_gradients(self.params, losses, self.loss_names)
        for name, value in losses.items():
            if not math.isfinite(value):
                self.optimizer.zero_grad(set_to_none=True)
                raise DivergedError(f"training diverged at step {step}: the loss of {name!r} is {value} (lower "
                                    "the learning rate)")
        self.scaler.unscale_(self.optimizer)
        grads = [p.grad for p in self.params if p.grad is not None]
        total = torch.nn.utils.get_total_norm(grads, foreach=True) if grads else torch.zeros(())
        norm = float(total)
        if not math.isfinite(norm) and not self.scaler.is_enabled():
            self.optimizer.zero_grad(set_to_none=True)
            raise DivergedError(f"training diverged at step {step}: the gradient norm of {self._culprit()!r} is "
                                f"{norm} (lower the learning rate)")
        if self.grad_clip > 0 and grads:
            torch.nn.utils.clip_grads_with_norm_(self.params, self.grad_clip, total, foreach=True)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.optimizer.zero_grad(set_to_none=True)
        return losses

    def _culprit(self) -> str:
        for name, params in self.groups.items():
            grads = [p.grad for p in params if p.grad is not None]
            if grads and not math.isfinite(float(torch.nn.utils.get_total_norm(grads))):
                return name
        return next(iter(self.groups), "?")
