"""The optimizer side of every step (`step.py`), shared by train, pretrain and `nlp.update`: the optimizer,
its learning-rate schedules, the GradScaler, gradient clipping and the weights' moving averages."""
from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Any, Iterator, Sequence

import torch

from plait.core.errors import DivergedError
from plait.core.training.distributed import World
from plait.core.training.optimizers import OptimizerSpec

# The moving average's decay after step t is (1 + t) / (10 + t), so early steps count for more, up to this.
MAX_DECAY = 0.9999


class Stepper:
    """One optimizer over named parameter groups, with their learning-rate schedules, gradient clipping and a
    GradScaler (enabled for fp16 on CUDA only). Under torchrun the ranks' gradients and losses are summed
    before the step, so every rank takes the same step. A non-finite loss or gradient norm stops the run (a
    non-finite gradient with the scaler on is the scaler's business: it skips the step). With `use_averages` it
    keeps a moving average of every parameter, which `averaged()` puts in place of the weights."""

    def __init__(self, spec: OptimizerSpec, groups: dict[str, list[torch.nn.Parameter]], *,
                 device: torch.device, loss_names: Sequence[str], scale_loss: bool = False,
                 scaler_settings: dict[str, Any] | None = None, world: World = World()) -> None:
        self.world, self.loss_names = world, list(loss_names)
        self.optimizer = spec.build(groups)
        self.params = [p for group in groups.values() for p in group]
        self.groups = {name: params for name, params in groups.items() if params}
        self.grad_clip = spec.grad_clip
        self.averages: list[torch.Tensor] | None = [] if spec.use_averages else None
        self._rates: Iterator[dict[str, float]] = spec.component_rates(groups)
        self.learn_rates: dict[str, float] = {}
        self.scaler = torch.amp.GradScaler(device.type, enabled=scale_loss and device.type == "cuda",
                                           **(scaler_settings or {}))

    def next_rates(self) -> None:
        """Move every group's learning rate on by one step of its schedule."""
        self.learn_rates = next(self._rates)
        for group in self.optimizer.param_groups:
            group["lr"] = self.learn_rates[group["component"]]

    def sum_over_ranks(self, step: int, losses: dict[str, float]) -> dict[str, float]:
        """Sum the ranks' gradients and `losses` (this rank's, of the whole step) and return the summed losses;
        a non-finite one stops the run."""
        losses = self.world.sum_gradients(self.params, losses, self.loss_names)
        for name, value in losses.items():
            if not math.isfinite(value):
                self.optimizer.zero_grad(set_to_none=True)
                raise DivergedError(f"training diverged at step {step}: the loss of {name!r} is {value} (lower "
                                    "the learning rate)")
        return losses

    def clip(self, step: int) -> None:
        """Scale the (unscaled) gradients down to a total norm of `grad_clip`; a non-finite norm stops the run
        (with the scaler on it is the scaler's business: it skips the step)."""
        grads = [p.grad for p in self.params if p.grad is not None]
        total = torch.nn.utils.get_total_norm(grads, foreach=True) if grads else torch.zeros(())
        norm = float(total)
        if not math.isfinite(norm) and not self.scaler.is_enabled():
            self.optimizer.zero_grad(set_to_none=True)
            raise DivergedError(f"training diverged at step {step}: the gradient norm of {self._culprit()!r} is "
                                f"{norm} (lower the learning rate)")
        if self.grad_clip > 0 and grads:
            torch.nn.utils.clip_grads_with_norm_(self.params, self.grad_clip, total, foreach=True)

    def average(self, step: int) -> None:
        """Move the weights' moving averages (with `use_averages`) towards the weights after `step`."""
        if self.averages is None:
            return
        weights = [p.detach() for p in self.params]
        if len(self.averages) != len(weights):
            self.averages = [w.clone() for w in weights]
        torch._foreach_lerp_(self.averages, weights, 1.0 - min(MAX_DECAY, (1 + step) / (10 + step)))

    @contextmanager
    def averaged(self) -> Iterator[None]:
        """The parameters hold their moving averages inside the block (with `use_averages`, once a step was
        taken), their weights again after it."""
        if not self.averages:
            yield
            return
        weights = [p.detach() for p in self.params]
        kept = [w.clone() for w in weights]
        torch._foreach_copy_(weights, self.averages)
        try:
            yield
        finally:
            torch._foreach_copy_(weights, kept)

    def _culprit(self) -> str:
        for name, params in self.groups.items():
            grads = [p.grad for p in params if p.grad is not None]
            if grads and not math.isfinite(float(torch.nn.utils.get_total_norm(grads))):
                return name
        return next(iter(self.groups), "?")
