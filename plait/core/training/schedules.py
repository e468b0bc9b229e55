"""Schedules: infinite iterators of numbers (batch sizes, learning rates, grad factors)."""
from __future__ import annotations

import itertools
from typing import Iterator


def constant(*, rate: float) -> Iterator[float]:
    """The same value forever."""
    return itertools.repeat(float(rate))


def compounding(*, start: float, stop: float, compound: float) -> Iterator[float]:
    """Start at `start`, multiply by `compound` each step, never pass `stop` (either direction)."""
    value = float(start)
    clip = min if stop >= start else max
    while True:
        yield clip(value, stop)
        value *= compound


def warmup_linear(*, initial_rate: float, warmup_steps: int, total_steps: int) -> Iterator[float]:
    """Rise linearly from 0 to `initial_rate` over `warmup_steps`, then fall linearly to 0 at `total_steps`."""
    step = 0
    while True:
        if step < warmup_steps:
            factor = step / max(1, warmup_steps)
        else:
            factor = max(0.0, (total_steps - step) / max(1, total_steps - warmup_steps))
        yield initial_rate * factor
        step += 1


def constant_then(*, rate: float, steps: int, schedule: Iterator[float]) -> Iterator[float]:
    """`rate` for the first `steps` steps, then the values of `schedule` (e.g. grad_factor 0 then 1)."""
    yield from itertools.repeat(float(rate), steps)
    yield from schedule
