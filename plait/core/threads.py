"""How many threads torch computes with, chosen from how busy the other processes keep the machine's cores.

OpenMP workers that wait for work spin on their core before they sleep (libgomp's default). On a free core that
is what makes a second thread pay (a sleeping worker costs a wake-up per operation); on a core another process
wants, the spinning worker and that process preempt each other and a two-thread run ends up several times slower
than a one-thread run (see BENCHMARKS.md). Training steps are many small operations, too small for a second
thread to pay for its hand-offs, so training uses one thread. Inference uses two while other processes leave two
cores free, judged when `nlp.pipe` starts and again every RECHECK_SECONDS while it runs, and one otherwise. A
count the user chose (`[system] threads`, OMP_NUM_THREADS) always wins.
"""
from __future__ import annotations

import contextlib
import os
import sys
import time
from typing import Iterator

TRAINING_THREADS = 1
INFERENCE_THREADS = 2  # while other processes leave two cores free; one otherwise
_pinned: int | None = None  # a count this process must keep whatever the task (n_process workers)
RECHECK_SECONDS = 1.0  # how often a running nlp.pipe judges again how busy the other processes keep the cores
STALE_SECONDS = 10.0  # a previous sample older than this says little about now: look at what is runnable instead
FREE_MARGIN = 0.3  # a core counts as free while other processes use less than 1 - FREE_MARGIN of it
_last_sample: tuple[float, float, float] | None = None  # (wall, busy CPU seconds of our cores, our CPU seconds)
_last_others = 0.0


def available_cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _cpu_sample(cores: set[int]) -> tuple[float, float, float] | None:
    """(wall seconds, CPU seconds spent so far on `cores` by anyone, hypervisor steal included, CPU seconds of
    this process), or None where /proc/stat cannot be read."""
    try:
        with open("/proc/stat", "rb") as f:
            lines = f.read().split(b"\n")
    except OSError:
        return None
    busy = 0
    for line in lines:
        name, _, rest = line.partition(b" ")
        if name[:3] == b"cpu" and name[3:].isdigit() and int(name[3:]) in cores:
            fields = [int(x) for x in rest.split()]
            busy += sum(fields[:3]) + sum(fields[5:8])  # user nice system, irq softirq steal
    own = os.times()
    return time.monotonic(), busy / os.sysconf("SC_CLK_TCK"), own.user + own.system


def _runnable_now() -> int:
    """Tasks the kernel has ready to run at this instant, machine-wide (this one included); 1 if unknown."""
    try:
        with open("/proc/stat", "rb") as f:
            for line in f:
                if line.startswith(b"procs_running"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 1


def others_busy() -> float:
    """Cores of this process's set that other processes (and the hypervisor) keep busy: their CPU time over the
    wall time since the previous call, at most every RECHECK_SECONDS; the first time (or after STALE_SECONDS),
    the tasks runnable now besides this one."""
    global _last_sample, _last_others
    try:
        cores = os.sched_getaffinity(0)
    except AttributeError:  # not on Linux: nothing to judge from
        return 0.0
    now = time.monotonic()
    if _last_sample is not None and now - _last_sample[0] < RECHECK_SECONDS:
        return _last_others
    sample = _cpu_sample(cores)
    if sample is None:
        return 0.0
    if _last_sample is None or now - _last_sample[0] > STALE_SECONDS:
        _last_others = float(min(len(cores), max(0, _runnable_now() - 1)))
    else:
        wall, busy, own = (a - b for a, b in zip(sample, _last_sample))
        _last_others = max(0.0, (busy - own) / wall) if wall > 0 else _last_others
    _last_sample = sample
    return _last_others


def free_cores() -> int:
    """Cores of this process's set that other processes leave free (at least one)."""
    return max(1, int(available_cores() - others_busy() + FREE_MARGIN))


def thread_count(threads: int = 0, *, training: bool = False) -> int:
    """The torch threads to use: `threads` if positive, else OMP_NUM_THREADS if set, else one for training and
    INFERENCE_THREADS for inference, fewer where other processes leave fewer cores free."""
    if _pinned is not None:
        return _pinned
    if threads > 0:
        return threads
    try:
        return max(1, int(os.environ.get("OMP_NUM_THREADS", "").split(",")[0]))
    except ValueError:
        pass
    if training:
        return TRAINING_THREADS
    return min(INFERENCE_THREADS, free_cores())


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
