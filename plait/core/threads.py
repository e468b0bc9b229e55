"""How many threads torch computes with, and how its idle OpenMP workers wait.

With libgomp's default wait policy an idle worker spins (burns a core) before it sleeps; when another process
wants that core, the spinning workers and the process preempt each other and a two-thread run ends up several
times slower than a one-thread run. plait's models do many small operations per step, so one thread is also
the faster choice on an idle machine (see BENCHMARKS.md). Hence plait's defaults: one torch thread, and
sleeping OpenMP workers for users who ask for more. Environment variables the user set always win.
"""
from __future__ import annotations

import os

DEFAULT_THREADS = 1


def set_openmp_defaults() -> None:
    """Make idle OpenMP workers sleep rather than spin, unless the user chose a policy.

    Only effective before torch (its OpenMP runtime) is loaded: `import plait` calls it first thing.
    """
    if "OMP_WAIT_POLICY" not in os.environ and "GOMP_SPINCOUNT" not in os.environ:
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"


def thread_count(threads: int = 0) -> int:
    """The torch threads to use: `threads` if positive, else OMP_NUM_THREADS if set, else DEFAULT_THREADS."""
    if threads > 0:
        return threads
    try:
        return max(1, int(os.environ.get("OMP_NUM_THREADS", "").split(",")[0]))
    except ValueError:
        return DEFAULT_THREADS


def use_threads(threads: int = 0) -> int:
    """Set torch's intra-op threads (see `thread_count`) and return the number; a no-op if already that."""
    import torch

    count = thread_count(threads)
    if torch.get_num_threads() != count:
        torch.set_num_threads(count)
    return count
