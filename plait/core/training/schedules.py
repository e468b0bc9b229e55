"""Schedules: infinite iterators of numbers (batch sizes, learning rates, grad factors)."""
from __future__ import annotations

import itertools
from typing import Iterator

from plait.models.settings import FiniteFloat, NonNegativeFloat, NonNegativeInt, PositiveFloat, PositiveInt


def constant(*, rate: FiniteFloat) -> Iterator[float]:
    """The same value forever."""
    return itertools.repeat(float(rate))


def compounding(*, start: FiniteFloat, stop: FiniteFloat, compound: PositiveFloat) -> Iterator[float]:
    """Start at `start`, multiply by `compound` each step, never pass `stop` (either direction)."""
    value = float(start)
    clip = min if stop >= start else max
    while True:
        yield clip(value, stop)
        value *= compound


def warmup_linear(*, initial_rate: NonNegativeFloat, warmup_steps: NonNegativeInt, total_steps: PositiveInt) -> Iterator[float]:
    """Rise linearly from 0 to `initial_rate` over `warmup_steps`, then fall linearly to 0 at `total_steps`."""
    step = 0
    while True:
        if step < warmup_steps:
            factor = step / max(1, warmup_steps)
        else:
            factor = max(0.0, (total_steps - step) / max(1, total_steps - warmup_steps))
        yield initial_rate * factor
        step += 1


def constant_then(*, rate: FiniteFloat, steps: NonNegativeInt, schedule: Iterator[float]) -> Iterator[float]:
    """`rate` for the first `steps` steps, then the values of `schedule` (e.g. grad_factor 0 then 1)."""
    yield from itertools.repeat(float(rate), steps)
    yield from schedule
