"""One optimizer step, the same for `plait train`, `plait pretrain` and `nlp.update`: forward, sum of losses,
backward, unscale, clip, optimizer step, zero grad. What surrounds a step (replay on resume, memory handling,
logging) is the loop's business (`loop.py`)."""
from __future__ import annotations

import math
from typing import Any, Protocol

import torch

from plait.core.training.stepper import Stepper
from plait.models.precision import autocast

CPU = torch.device("cpu")


class Objective(Protocol):
    """What a step asks of the thing being trained (the pipeline's heads, or a pretraining head)."""

    def losses(self, batch: list[Any], step: int) -> dict[str, torch.Tensor]:
        """The losses of one (sub-)batch at step index `step` (steps taken before it), graphs kept for backward."""

    def after_backward(self) -> None:
        """Free what a (sub-)batch's forward pass left behind (the listeners' share of the encoder output)."""

    def after_step(self) -> None:
        """Move per-step schedules that live in the models on by one step."""


def train_step(objective: Objective, batch: list[Any], stepper: Stepper, *, step: int, accumulate: int = 1,
               device: torch.device = CPU, mixed_precision: bool = False) -> dict[str, float]:
    """Take the optimizer step that follows `step` steps on `batch`, in `accumulate` parts whose gradients add
    up; return the step's losses (summed over the parts and the ranks). A non-finite loss or gradient norm
    raises DivergedError."""
    stepper.next_rates()
    size = max(1, -(-len(batch) // accumulate))
    losses: dict[str, float] = {}
    for start in range(0, len(batch), size):
        with autocast(device, mixed_precision):
            part = objective.losses(batch[start:start + size], step)  # forward
        values = {name: float(loss.detach()) for name, loss in part.items()}
        if part and all(math.isfinite(value) for value in values.values()):  # else the step raises below
            stepper.scaler.scale(sum(part.values())).backward()
        objective.after_backward()  # the listeners let go of the batch's encoder output
        for name, value in values.items():
            losses[name] = losses.get(name, 0.0) + value
    losses = stepper.sum_over_ranks(step + 1, losses)
    stepper.scaler.unscale_(stepper.optimizer)
    stepper.clip(step + 1)
    stepper.scaler.step(stepper.optimizer)
    stepper.scaler.update()
    stepper.optimizer.zero_grad(set_to_none=True)
    stepper.average(step + 1)
    objective.after_step()
    return losses


def skip_step(objective: Objective, stepper: Stepper) -> None:
    """Move every schedule on by one step without training (the steps a resumed run replays)."""
    stepper.next_rates()
    objective.after_step()
