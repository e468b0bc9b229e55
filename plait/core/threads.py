"""How many threads torch computes with, and how its idle OpenMP workers wait.

With libgomp's default wait policy an idle worker spins (burns a core) before it sleeps; when another process
wants that core, the spinning workers and the process preempt each other and a two-thread run ends up several
times slower than a one-thread run. Training steps are many small operations, too small for a second thread to
pay for its hand-offs, so training uses one thread; inference's larger batches gain from two sleeping (passive)
workers, idle or busy, but only while the workers sleep rather than spin (see BENCHMARKS.md). Hence plait's
defaults: OMP_WAIT_POLICY=PASSIVE, one thread for training, two for inference where the policy is passive and
the process may use two cores. A count the user chose (`[system] threads`, OMP_NUM_THREADS) always wins.
"""
from __future__ import annotations

import contextlib
import os
import sys
from typing import Iterator

TRAINING_THREADS = 1
INFERENCE_THREADS = 2  # with passive waiting only; one thread otherwise
_pinned: int | None = None  # a count this process must keep whatever the task (n_process workers)


def set_openmp_defaults() -> None:
    """Make idle OpenMP workers sleep rather than spin, unless the user chose a policy.

    libgomp reads the variable when torch loads it, so this acts only before torch is imported: `import plait`
    calls it first thing, and sets nothing when torch came first (the variable would then not be true).
    """
    if "torch" in sys.modules:
        return
    if "OMP_WAIT_POLICY" not in os.environ and "GOMP_SPINCOUNT" not in os.environ:
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"


def passive_waiting() -> bool:
    """Whether torch's idle OpenMP workers sleep (so extra threads cannot spin against another process)."""
    return os.environ.get("OMP_WAIT_POLICY", "").strip().upper() == "PASSIVE"


def available_cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def thread_count(threads: int = 0, *, training: bool = False) -> int:
    """The torch threads to use: `threads` if positive, else OMP_NUM_THREADS if set, else one for training and
    INFERENCE_THREADS for inference (one where workers would spin or only one core is available)."""
    if _pinned is not None:
        return _pinned
    if threads > 0:
        return threads
    try:
        return max(1, int(os.environ.get("OMP_NUM_THREADS", "").split(",")[0]))
    except ValueError:
        pass
    if training or not passive_waiting():
        return TRAINING_THREADS
    return max(1, min(INFERENCE_THREADS, available_cores()))


def use_threads(threads: int = 0, *, training: bool = False) -> int:
    """Set torch's intra-op threads for training or inference (see `thread_count`); a no-op if already that."""
    import torch

    count = thread_count(threads, training=training)
    if torch.get_num_threads() != count:
        torch.set_num_threads(count)
    return count


def pin_threads(count: int) -> None:
    """Keep `count` torch threads in this process for every task (each n_process worker runs one)."""
    global _pinned
    _pinned = count
    use_threads(count)


@contextlib.contextmanager
def pinned_threads(count: int) -> Iterator[None]:
    """`pin_threads(count)` for the length of a block, then the pin and thread count from before (the parent
    process of `n_process`, which is one of the N)."""
    import torch

    global _pinned
    before, threads = _pinned, torch.get_num_threads()
    pin_threads(count)
    try:
        yield
    finally:
        _pinned = before
        torch.set_num_threads(threads)
