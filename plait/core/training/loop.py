"""The loop that train and pretrain share, and its position: one step (`step.py`) per batch, resumable at any
step.

Only the objective differs between the two commands: the pipeline's heads (train) or a pretraining head on
one subnetwork (pretrain). A resumed run replays the batch stream up to its position without training, so
every schedule (batch sizes, learning rates, grad factors) is where the uninterrupted run had it.
"""
from __future__ import annotations

import contextlib
import functools
import itertools
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

import torch

from plait.core.errors import DataError
from plait.core.training.distributed import World
from plait.core.training.step import Objective, skip_step, train_step
from plait.core.training.stepper import Stepper
from plait.runtime.memory import keep_freed_memory, long_lived_frozen, release_freed_memory

# Steps between handing glibc's freed heap back to the OS: batches of varying sizes leave freed temporaries in
# the heap, and without it a run's resident size crept up with its number of steps. Between two trims the
# steps reuse the freed heap (`keep_freed_memory`) instead of faulting in fresh mappings.
TRIM_EVERY = 20

# glibc's settings are process-wide, and each mallopt call consolidates the heap: set them once per process.
_keep_freed_memory = functools.cache(keep_freed_memory)

Stream = Iterable[tuple[int, list[Any], bool]]  # (epoch, batch, is the epoch's last batch)


@dataclass
class RunState:
    """Where a run is: what the loop needs besides weights and optimizer to continue exactly."""

    step: int = 0  # optimizer steps taken
    epoch: int = 0
    first_epoch: int = 0  # where the run's epochs start (a pretraining warm start may begin later)
    words: int = 0  # training words seen
    seconds: float = 0.0  # training time (evaluation and saving excluded)
    losses: dict[str, float] = field(default_factory=dict)  # summed since the last evaluation or log record
    best_score: float | None = None
    best_step: int = 0
    finished: bool = False  # the run took its last step and scored it
    metrics_rows: int = 0  # rows of the metrics log that belong to the run up to `step`


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


def replayed(stream: Stream, steps: int, skip: Callable[[], None]) -> Iterator[tuple[int, list[Any], bool]]:
    """`stream` after its first `steps` batches, which are drawn (now) without training, `skip` called for each."""
    stream = iter(stream)
    for _ in itertools.islice(stream, steps):
        skip()
    return stream


@contextlib.contextmanager
def step_memory(step: int) -> Iterator[None]:
    """Memory around step number `step`: glibc keeps freed blocks for the next step's tensors, the garbage
    collector skips what was alive before the step, and every TRIM_EVERY steps the freed heap goes back."""
    _keep_freed_memory()
    with long_lived_frozen():  # one step at a time: a generator dropped while paused leaves nothing frozen
        yield
    if step % TRIM_EVERY == 0:
        release_freed_memory()


def run_steps(stream: Stream, *, state: RunState, stepper: Stepper, objective: Objective, device: torch.device,
              accumulate: int = 1, mixed_precision: bool = False, load: Callable[[list[Any]], list[Any]] = list,
              world: World = World()) -> Iterator[tuple[bool, dict[str, float]]]:
    """Take one optimizer step per (global) batch of `stream`, updating `state`; yield after each step whether
    it ended an epoch and the step's losses (also summed into `state.losses`, which the caller empties when it
    logs). Each rank trains on its share of the batch, `load`ed (e.g. read from disk). The first `state.step`
    batches are replayed without training (a resumed run). `state.seconds` counts reading the batches and
    training on them, not the caller's work between steps."""
    stream = replayed(stream, state.step, lambda: skip_step(objective, stepper))
    started = time.perf_counter()
    for epoch, batch, last in stream:
        with step_memory(state.step + 1):
            losses = train_step(objective, load(world.share(batch)), stepper, step=state.step,
                                accumulate=accumulate, device=device, mixed_precision=mixed_precision)
        for name, value in losses.items():
            state.losses[name] = state.losses.get(name, 0.0) + value
        state.step += 1
        state.epoch = epoch
        state.words += sum(len(item) for item in batch)
        state.seconds += time.perf_counter() - started
        yield last, losses
        started = time.perf_counter()
