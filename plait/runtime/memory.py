"""Memory over a long run: glibc's freed heap kept for reuse or handed back, and the garbage collector kept off
what outlives every step."""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import gc
from typing import Iterator

@functools.cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def keep_freed_memory() -> None:
    """Make glibc serve blocks of up to 64 MiB from its heap and keep freed ones for reuse (process-wide).

    By default glibc maps a large block afresh, or (once it has raised its threshold to that size) hands the
    freed top of its heap back as soon as it exceeds twice the threshold: either way the pages of a training
    step's tensors, or of init-vectors' numpy temporaries, are faulted in again at every step, several percent
    of the run's time. Where a process must stay small, `release_freed_memory` at intervals hands them back.
    """
    libc = _libc()
    if libc is not None and hasattr(libc, "mallopt"):
        libc.mallopt(-3, 64 << 20)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 128 << 20)  # M_TRIM_THRESHOLD


def release_freed_memory() -> None:
    """Return the free pages of glibc's heap to the OS (a no-op elsewhere).

    Tensors of a few MB, freed after each transformer batch, stay in glibc's heap, and the heap grows with every
    batch as their sizes vary; trimming after each batch keeps the resident size at what is live (figures:
    BENCHMARKS.md, "Transformers").
    """
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


@contextlib.contextmanager
def long_lived_frozen() -> Iterator[None]:
    """Leave every object alive on entry (pipeline, vocab, string store, stored corpus index) out of the garbage
    collector's passes until the block ends; meant for one training step at a time.

    A step makes thousands of tracked objects (docs, examples, tensors), so the collector's full pass, which
    otherwise walks all of those long-lived objects, runs again and again without finding them garbage. Freezing
    and unfreezing cost next to nothing, and garbage alive on entry waits only for the block's end. Where
    anything is frozen already (an outer block, or a host process that froze its own heap before forking), the
    block leaves the freeze as it is: unfreezing would end theirs too."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
