"""Parse an uncompressed text vectors file in several processes, straight into a memory-mapped `.npy`.

The file is cut at line starts into a few pieces per CPU (so that a worker slowed by another process on its core
parses fewer of them, and the others do not wait for it); forked workers count the lines of their pieces (so each
knows the row its piece starts at), then parse them block by block and write the rows into one shared
`np.lib.format.open_memmap` file, so the table is never held twice and never copied into the pipeline. Any
irregularity (a bad line, blank lines, a row count that disagrees with the header) makes the reader return
None: the caller then reads the file sequentially, which reports the first problem as `FILE:LINE`.
"""
from __future__ import annotations

import multiprocessing
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from plait.core.errors import DataError
from plait.core.vectors.readers.text import TEXT_BLOCK_BYTES, parse_lines, text_blocks
from plait.runtime.memory import keep_freed_memory

MIN_PIECE_BYTES = 32 << 20  # smaller files are parsed in this process: forking costs more than it saves
WORKER_BLOCK_BYTES = 1 << 20  # with the allocator tuned (see keep_freed_memory), larger blocks parse faster
PIECES_PER_WORKER = 4  # handed out one at a time: the work evens out when some cores are busy with other work


@dataclass(frozen=True)
class TextLayout:
    """Where the rows of a plain text vectors file start (byte offset and line number), how many, how wide."""

    offset: int
    first_line: int
    rows: int
    dims: int


def read_text_table(path: Path, layout: TextLayout, out_path: Path, *,
                    progress: Callable[[int], None] | None = None, meanwhile: Callable[[], Any] | None = None,
                    min_piece_bytes: int = MIN_PIECE_BYTES) -> tuple[list[str], np.ndarray] | None:
    """Parse the rows into a new float32 `.npy` at `out_path`; (words, memory-mapped table), or None if irregular.

    `meanwhile` runs once in this process while the workers parse (the caller imports what it needs next).
    """
    size = path.stat().st_size
    workers = min(_cpus(), (size - layout.offset) // max(min_piece_bytes, 1))
    out = np.lib.format.open_memmap(out_path, mode="w+", dtype=np.float32, shape=(layout.rows, layout.dims))
    pieces = _pieces(path, layout.offset, size, max(workers * PIECES_PER_WORKER, 1))
    if not workers or "fork" not in multiprocessing.get_all_start_methods():
        if meanwhile is not None:
            meanwhile()
        found = _parse_piece(path, *pieces[0], layout.first_line, 0, out_path, layout, TEXT_BLOCK_BYTES, progress)
        return (found[0], out) if found is not None and found[1] == layout.rows else None
    context = multiprocessing.get_context("fork")
    counter = context.Value("q", 0)
    with context.Pool(workers, initializer=_start_worker, initargs=(counter,)) as pool:
        lines = pool.starmap(count_lines, [(path, begin, end) for begin, end in pieces], chunksize=1)
        starts = np.concatenate([[0], np.cumsum(lines)[:-1]]).tolist()
        tasks = [(path, begin, end, layout.first_line + start, start, out_path, layout, WORKER_BLOCK_BYTES)
                 for (begin, end), start in zip(pieces, starts)]
        pending = pool.starmap_async(_parse_piece, tasks, chunksize=1)
        if meanwhile is not None:
            meanwhile()
        while not pending.ready():
            pending.wait(0.05)
            if progress is not None:
                progress(counter.value)
        found = pending.get()
    if progress is not None:
        progress(sum(f[1] for f in found if f is not None))
    if any(f is None for f in found) or any(f[1] != n for f, n in zip(found[:-1], lines[:-1])) \
            or sum(f[1] for f in found) != layout.rows:
        return None
    return [word for piece_words, _ in found for word in piece_words], out


_counter: Any = None  # the rows-parsed counter shared with the parent, in a worker process


def _start_worker(counter: Any) -> None:
    """Pool initializer: keep the shared progress counter in a global, tune the allocator."""
    global _counter
    _counter = counter
    keep_freed_memory()  # only in the short-lived workers: it is process-wide (fresh mappings halve the parser)


def _cpus() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _pieces(path: Path, begin: int, end: int, n: int) -> list[tuple[int, int]]:
    """`n` byte ranges covering [begin, end), each starting at a line start."""
    cuts = [begin]
    with open(path, "rb") as f:
        for i in range(1, n):
            f.seek(max(begin + (end - begin) * i // n - 1, cuts[-1]))
            f.readline()  # move to the start of the next line
            cuts.append(min(max(f.tell(), cuts[-1]), end))
    cuts.append(end)
    return list(zip(cuts[:-1], cuts[1:]))


def count_lines(path: Path, begin: int, end: int) -> int:
    """The number of newlines in a byte range of the file (numpy's compare-and-count outruns bytes.count)."""
    count = 0
    buffer = bytearray(1 << 24)
    with open(path, "rb") as f:
        f.seek(begin)
        while begin < end:
            size = f.readinto(memoryview(buffer)[:min(len(buffer), end - begin)])
            if not size:
                break
            count += int(np.count_nonzero(np.frombuffer(buffer, dtype=np.uint8, count=size) == 10))
            begin += size
    return count


def _parse_piece(path: Path, begin: int, end: int, first_line: int, row: int, out_path: Path, layout: TextLayout,
                 block_bytes: int, progress: Callable[[int], None] | None = None) -> tuple[list[str], int] | None:
    """Parse the lines in [begin, end) into rows `row`... of the `.npy`; (words, rows), or None on any problem.

    In a worker, rows parsed are added to the shared counter; in this process, `progress` gets the row count.
    """
    out = np.load(out_path, mmap_mode="r+")
    words: list[str] = []
    line, done = first_line, 0
    with open(path, "rb") as f:
        f.seek(begin)
        for block in text_blocks(f, size=block_bytes, limit=end - begin):
            try:
                block_words, data = parse_lines(path, line, block, layout.dims)
            except DataError:
                return None
            if row + done + len(block_words) > layout.rows:
                return None
            out[row + done:row + done + len(block_words)] = data
            words += block_words
            done += len(block_words)
            line += block.count(b"\n")
            if _counter is not None:
                with _counter.get_lock():
                    _counter.value += len(block_words)
            if progress is not None:
                progress(row + done)
    return words, done
