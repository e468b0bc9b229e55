"""How many threads torch computes with, chosen from how busy the other processes keep the machine's cores.

OpenMP workers that wait for work spin on their core before they sleep (libgomp's default). On a free core that
is what makes a second thread pay (a sleeping worker costs a wake-up per operation); on a core another process
wants, the spinning worker and that process preempt each other and a two-thread run ends up several times slower
than a one-thread run (see BENCHMARKS.md). Training uses one thread: two are faster on an idle machine once
batches reach a few hundred words, but the trained model depends on the thread count, and one keeps the same
config and seed giving the same model whatever else runs. Inference uses two while other processes leave two
cores free, judged when `nlp.pipe` starts and again every RECHECK_SECONDS while it runs, and one otherwise. A
count the user chose (`[system] threads`, OMP_NUM_THREADS) always wins.
"""
from __future__ import annotations

import contextlib
import functools
import os
import time
from pathlib import Path
from typing import Iterator

TRAINING_THREADS = 1
INFERENCE_THREADS = 2  # while other processes leave two cores free; one otherwise
_pinned: int | None = None  # a count this process must keep whatever the task (n_process workers)
RECHECK_SECONDS = 1.0  # how often a running nlp.pipe judges again how busy the other processes keep the cores
FREE_MARGIN = 0.3  # a core counts as free while other processes use at most FREE_MARGIN of it
_last_sample: tuple[float, float, float] | None = None  # (wall, busy CPU seconds of our cores, our CPU seconds)
_last_others = 0.0


def available_cores() -> int:
    """CPU cores this process may run on: its affinity set, capped by a cgroup CPU quota (a container's limit)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    quota = _cgroup_quota()
    return cores if quota is None else max(1, min(cores, int(quota)))


@functools.cache
def _cgroup_quota() -> float | None:
    """Cores' worth of CPU time this process's cgroup may use (cgroup v2, else v1); None if unlimited or unknown."""
    root = Path("/sys/fs/cgroup")
    try:
        quota, period = (root / "cpu.max").read_text().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:
        quota, period = (int((root / "cpu" / name).read_text()) for name in ("cpu.cfs_quota_us", "cpu.cfs_period_us"))
        return quota / period if quota > 0 and period > 0 else None
    except (OSError, ValueError):
        return None


def _read_proc_stat() -> list[bytes] | None:
    try:
        with open("/proc/stat", "rb") as f:
            return f.read().split(b"\n")
    except OSError:
        return None


def _cpu_sample(lines: list[bytes], cores: set[int]) -> tuple[float, float, float] | None:
    """(wall seconds, CPU seconds spent so far on `cores` by anyone, hypervisor steal included, CPU seconds of
    this process) from /proc/stat's `lines`, or None where they are not in the format this reads. Where
    /proc/stat numbers the CPUs otherwise than the affinity set does (a container's view), the machine's total
    stands in, scaled to the set's size."""
    per_cpu: dict[int, int] = {}
    total = 0
    for line in lines:
        name, _, rest = line.partition(b" ")
        if name[:3] != b"cpu":
            continue
        try:
            fields = [int(x) for x in rest.split()]
        except ValueError:  # not the format this reads: judge nothing rather than fail the caller
            return None
        busy = sum(fields[:3]) + sum(fields[5:8])  # user nice system, irq softirq steal
        if name == b"cpu":
            total = busy
        elif name[3:].isdigit():
            per_cpu[int(name[3:])] = busy
    if cores <= per_cpu.keys():
        busy = sum(per_cpu[c] for c in cores)
    else:
        busy = total * len(cores) / max(1, len(per_cpu))
    own = os.times()
    return time.monotonic(), busy / os.sysconf("SC_CLK_TCK"), own.user + own.system


def _others_runnable_now(lines: list[bytes], cores: set[int]) -> int:
    """Tasks ready to run at this instant (/proc/stat's `lines`) that are not this process's own (machine-wide, at
    most len(cores))."""
    try:
        running = next((int(line.split()[1]) for line in lines if line.startswith(b"procs_running")), 1)
    except (ValueError, IndexError):
        running = 1
    own = 0
    for stat in Path("/proc/self/task").glob("*/stat"):
        try:
            text = stat.read_bytes()
        except OSError:  # the thread ended
            continue
        own += text[text.rfind(b")") + 2:][:1] == b"R"
    return min(len(cores), max(0, running - max(own, 1)))


def others_busy() -> float:
    """Cores of this process's set that other processes (and the hypervisor) keep busy: their CPU time over the
    wall time since the previous look, taken at most every RECHECK_SECONDS; at the first look, the other tasks
    runnable at that instant."""
    global _last_sample, _last_others
    if _last_sample is not None and time.monotonic() - _last_sample[0] < RECHECK_SECONDS:
        return _last_others
    try:
        cores = os.sched_getaffinity(0)
    except AttributeError:  # not on Linux: nothing to judge from
        return 0.0
    lines = _read_proc_stat()
    sample = None if lines is None else _cpu_sample(lines, cores)
    if sample is None:
        return 0.0
    if _last_sample is None:
        _last_others = float(_others_runnable_now(lines, cores))
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
