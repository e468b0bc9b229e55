"""The loop skeleton that train and pretrain share: one optimizer step per batch, resumable at any step.

Only the objective differs between the two commands: the pipeline's heads (train) or a pretraining head on
one subnetwork (pretrain). A resumed run replays the batch stream up to its checkpoint without training, so
every schedule (batch sizes, learning rates, grad factors) is where the uninterrupted run had it.
"""
from __future__ import annotations

import time
from typing import Any, Callable, Iterable, Iterator, Protocol

import torch

from plait.core.errors import DataError
from plait.core.training.checkpoint import RunState
from plait.core.training.distributed import World
from plait.core.training.stepper import Stepper
from plait.models.memory import keep_freed_memory, long_lived_frozen, release_freed_memory
from plait.models.precision import autocast

# Steps between handing glibc's freed heap back to the OS: batches of varying sizes leave freed temporaries in
# the heap, and without it a run's resident size crept up with its number of steps. Between two trims the
# steps reuse the freed heap (`keep_freed_memory`) instead of faulting in fresh mappings.
TRIM_EVERY = 20


class Objective(Protocol):
    """What the loop asks of the thing being trained."""

    def losses(self, batch: list[Any], step: int) -> dict[str, torch.Tensor]:
        """The losses of one (sub-)batch at optimizer step `step`, graphs kept for backward."""

    def after_backward(self) -> None:
        """Free what a (sub-)batch's forward pass left behind."""

    def after_step(self) -> None:
        """Move per-step schedules that live in the models on by one step."""


def epochs(make_batches: Callable[[int], Iterable[list[Any]]], max_epochs: int, empty: str, *, first: int = 0
           ) -> Iterator[tuple[int, list[Any], bool]]:
    """(epoch, batch, is the epoch's last batch) for epochs `first`.. until `max_epochs` (0: no limit); an
    epoch without a batch is the DataError `empty`."""
    epoch = first
    while not max_epochs or epoch < max_epochs:
        batches = iter(make_batches(epoch))
        batch = next(batches, None)
        if batch is None:
            raise DataError(empty)
        for following in batches:
            yield epoch, batch, False
            batch = following
        yield epoch, batch, True
        epoch += 1


def run_steps(stream: Iterable[tuple[int, list[Any], bool]], *, state: RunState, stepper: Stepper,
              objective: Objective, device: torch.device, accumulate: int = 1, mixed_precision: bool = False,
              load: Callable[[list[Any]], list[Any]] = list, world: World = World()
              ) -> Iterator[tuple[bool, dict[str, float]]]:
    """Take one optimizer step per (global) batch of `stream`, updating `state`; yield after each step whether
    it ended an epoch and the step's losses (also summed into `state.losses`, which the caller empties when it
    logs). Each rank trains on its share of the batch, `load`ed (e.g. read from disk). The first `state.step`
    batches are replayed without training (a resumed run). `state.seconds` counts reading the batches and
    training on them, not the caller's work between steps."""
    keep_freed_memory()
    replayed = 0
    started = time.perf_counter()
    for epoch, batch, last in stream:
        stepper.next_rates()
        if replayed < state.step:
            replayed += 1
            objective.after_step()
            started = time.perf_counter()
            continue
        with long_lived_frozen():  # one step at a time: a generator dropped while paused leaves nothing frozen
            share = load(world.share(batch))
            size = max(1, -(-len(share) // accumulate))
            step_losses: dict[str, float] = {}
            for start in range(0, len(share), size):
                with autocast(device, mixed_precision):
                    losses = objective.losses(share[start:start + size], state.step)
                for name, value in stepper.backward(losses).items():
                    step_losses[name] = step_losses.get(name, 0.0) + value
                objective.after_backward()
            step_losses = stepper.step(state.step + 1, step_losses)
        for name, value in step_losses.items():
            state.losses[name] = state.losses.get(name, 0.0) + value
        objective.after_step()
        state.step += 1
        replayed += 1
        state.epoch = epoch
        state.words += sum(len(item) for item in batch)
        if state.step % TRIM_EVERY == 0:
            release_freed_memory()
        state.seconds += time.perf_counter() - started
        yield last, step_losses
        started = time.perf_counter()
