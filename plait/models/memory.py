"""Handing freed heap memory back to the operating system between large steps."""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os

# Tokens an encoder or a head works on at once at inference (a longer doc goes in pieces of this size), so that
# memory does not grow with a doc's length.
INFERENCE_CHUNK = 4096

# Most padded wordpieces in one transformer forward pass: the default of the transformer component's
# max_batch_items.
DEFAULT_MAX_BATCH_ITEMS = 4096

# A long doc at inference: more than this many transformer batches, or head chunks, of one doc. Its freed memory
# is handed back after each step; short docs skip that, as faulting the pages in again cost 12% of bf16
# nlp.pipe time.
TRIM_AFTER_STEPS = 8

# Allocations at least this large get pages of their own from the OS (mallopt's M_MMAP_THRESHOLD, -3).
OWN_PAGES_FROM = 128 * 1024
_M_MMAP_THRESHOLD = -3


@functools.cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def release_freed_memory() -> None:
    """Return the free pages of glibc's heap to the OS (a no-op elsewhere).

    Tensors of a few MB, freed after each transformer batch, stay in glibc's heap, and the heap grows with every
    batch as their sizes vary; trimming after each batch keeps the resident size at what is live (figures:
    BENCHMARKS.md, "Transformers").
    """
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


def map_large_allocations() -> None:
    """Give every allocation of `OWN_PAGES_FROM` bytes or more (a tensor) its own pages, returned when freed.

    glibc's default threshold rises to 32 MiB after the first such block is freed, so a training run's
    tensors, whose sizes vary from batch to batch, end up in the heap and fragment it: peak memory then grew
    with the number of steps. A user's own `MALLOC_MMAP_THRESHOLD_` is left alone.
    """
    libc = _libc()
    if libc is not None and "MALLOC_MMAP_THRESHOLD_" not in os.environ:
        libc.mallopt(_M_MMAP_THRESHOLD, OWN_PAGES_FROM)
