"""init_vectors: turn a word-vectors file into a blank pipeline whose vocab carries the vectors table."""
from __future__ import annotations

import importlib
import shutil
import time
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

from plait.core import fs
from plait.core.errors import DataError, UserError
from plait.core.vectors.table import Vectors
from plait.core.vectors.readers import read_vectors, text_layout
from plait.core.vectors.readers.parallel import read_text_table
from plait.runtime.cpu import native_bf16

MODES = ("default", "subword")
BF16_UNIT = 2.0 ** -8  # relative rounding error of bfloat16 (8 significant bits)
SUM_ERROR = 1.1 * 2.0 ** -24  # times dims: float32 summation error of a dot product of unit vectors (rounded up)
MAX_CANDIDATES = 64  # per query row on average; more (degenerate tables) and a batch is searched in float32


def init_vectors(lang: str, vectors_loc: str | Path, output_dir: str | Path, *, prune: int = 0, truncate: int = 0,
                 name: str | None = None, mode: str = "default", force: bool = False,
                 progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Read `vectors_loc`, write OUTPUT_DIR as a blank `lang` pipeline with the table; return a summary.

    truncate: keep only the first N rows (the rest of the file is not read). prune: keep the first N rows and
    map every other word to its nearest kept row by cosine (the exact nearest, ties to the lower row), so no
    word loses its vector. Duplicate words keep their first vector. `progress` is called with the number of
    rows read so far. A non-empty OUTPUT_DIR is replaced only with `force`. Nothing is written on error. An
    uncompressed text file is parsed by all CPUs straight into the table's `.npy`, which the pipeline then
    takes over without a copy.
    """
    if mode not in MODES:
        raise UserError(f"--mode must be one of {', '.join(MODES)}, not {mode!r}")
    if prune < 0 or truncate < 0:
        raise UserError("--prune and --truncate take a positive number of rows (0 = off)")
    start, path, output_dir = time.perf_counter(), Path(vectors_loc), Path(output_dir)
    if not path.is_file():
        raise UserError(f"{path}: no such vectors file")
    fs.check_output_dir(output_dir, replace=force)
    scratch = fs.temp_dir_for(output_dir)  # same filesystem as the output: the .npy is linked, not copied
    try:
        layout = text_layout(path) if mode == "default" and not truncate else None
        found = None
        if layout is not None:
            # forked workers parse; meanwhile this process imports the pipeline code (torch) it needs next
            found = read_text_table(path, layout, scratch / "vectors.npy", progress=progress,
                                    meanwhile=lambda: importlib.import_module("plait.core.pipeline"))
        subwords = None
        if found is not None:
            words, data, duplicates = _drop_duplicates(*found)
        else:
            chunks, subwords = read_vectors(path, mode=mode)
            words, data, duplicates = _collect(chunks, truncate, progress)
        if not words:
            raise DataError(f"{path}:1: no vectors in file")
        _check_finite(path, words, data)
        pruned: dict[str, int] = {}
        if 0 < prune < len(words):
            rows = nearest_kept(data, prune)
            pruned = {word: int(row) for word, row in zip(words[prune:], rows)}
            words, data = words[:prune], data[:prune]
        # the table's .npy already holds exactly these rows: the saved pipeline links it instead of a copy
        data_file = scratch / "vectors.npy" if found is not None and data is found[1] and not pruned else None
        table = Vectors(data, words, name=name or f"{lang}_{path.name.split('.')[0]}", pruned=pruned,
                        subwords=subwords, data_file=data_file)
        from plait.core.pipeline import Language

        nlp = Language.blank(lang)
        nlp.set_vectors(table)
        nlp.to_disk(output_dir)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {"rows": table.shape[0], "dims": table.shape[1], "words": len(table.word2row),
            "duplicates": duplicates, "pruned": len(pruned), "name": table.name,
            "fingerprint": table.fingerprint(), "subword": subwords is not None,
            "seconds": round(time.perf_counter() - start, 3)}


def _check_finite(path: Path, words: list[str], data: np.ndarray, block: int = 65536) -> None:
    """DataError naming the first word whose vector holds NaN or infinity: it would poison every model reading it."""
    for start in range(0, len(data), block):
        finite = np.isfinite(data[start:start + block]).all(axis=1)
        if not finite.all():
            row = start + int(np.flatnonzero(~finite)[0])
            raise DataError(f"{path}: the vector of {words[row]!r} (row {row + 1}) holds NaN or infinite values")


def _drop_duplicates(words: list[str], data: np.ndarray) -> tuple[list[str], np.ndarray, int]:
    """Keep the first row of each word (the rare file with repeats gets an in-memory copy of the kept rows)."""
    first = dict.fromkeys(words)
    if len(first) == len(words):
        return words, data, 0
    seen: set[str] = set()
    keep = [i for i, word in enumerate(words) if not (word in seen or seen.add(word))]
    return list(first), np.ascontiguousarray(data[keep]), len(words) - len(keep)


def _collect(chunks: Iterable[tuple[list[str], np.ndarray]], truncate: int,
             progress: Callable[[int], None] | None) -> tuple[list[str], np.ndarray, int]:
    """Concatenate chunks, dropping repeated words (the first wins) and stopping after `truncate` rows."""
    seen: set[str] = set()
    words: list[str] = []
    blocks: list[np.ndarray] = []
    duplicates = read = 0
    for chunk_words, chunk_data in chunks:
        keep = []
        for i, word in enumerate(chunk_words):
            if word in seen:
                duplicates += 1
            elif not truncate or len(words) < truncate:
                seen.add(word)
                words.append(word)
                keep.append(i)
        blocks.append(chunk_data if len(keep) == len(chunk_words) else chunk_data[keep])
        read += len(chunk_words)
        if progress is not None:
            progress(read)
        if truncate and len(words) >= truncate:
            break
    dims = blocks[0].shape[1] if blocks else 0
    data = np.concatenate(blocks) if blocks else np.zeros((0, dims), dtype=np.float32)
    return words, np.ascontiguousarray(data, dtype=np.float32), duplicates


def nearest_kept(data: np.ndarray, keep: int, batch_size: int = 1024, block: int = 4096) -> np.ndarray:
    """For each row after the first `keep`, the kept row nearest by cosine: exactly, ties to the lower row.

    Exact search is one float32 matrix product per batch (about 2 TFLOP for 180,000 rows against 20,000).
    Where the CPU multiplies bfloat16 natively, a bfloat16 product (several times faster, through torch) finds
    candidates instead, and only they are rescored in float32: see `_bf16_search` for why the exact nearest row
    is always among them. A zero vector gets row 0 (all its scores are 0). All else runs in numpy: torch's
    threads cost more than they save on these small steps.
    """
    kept = _unit(np.asarray(data[:keep], dtype=np.float32))
    kept_bf16 = _to_bf16(kept) if native_bf16() else None
    kept_error = 0.0 if kept_bf16 is None else float(np.linalg.norm(_from_bf16(kept_bf16) - kept, axis=1).max())
    out = np.empty(len(data) - keep, dtype=np.int64)
    for begin in range(keep, len(data), batch_size):
        queries = _unit(np.asarray(data[begin:begin + batch_size], dtype=np.float32))
        found = None if kept_bf16 is None else _bf16_search(queries, kept, kept_bf16, kept_error, block)
        out[begin - keep:begin - keep + len(queries)] = (queries @ kept.T).argmax(axis=1) if found is None else found
    return out


def _unit(rows: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)


def _to_bf16(values: np.ndarray) -> np.ndarray:
    """The bfloat16 bit patterns (int16) of float32 values, rounded to nearest even as torch and CPUs do."""
    bits = values.view(np.uint32)
    return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16).view(np.int16)


def _from_bf16(bits: np.ndarray) -> np.ndarray:
    """float32 values of bfloat16 bit patterns (int16)."""
    return (bits.astype(np.int32) << 16).view(np.float32)


def _bf16_search(queries: np.ndarray, kept: np.ndarray, kept_bf16: np.ndarray, kept_error: float,
                 block: int) -> np.ndarray | None:
    """The exact nearest kept row of each unit query, from bfloat16 candidates rescored in float32; None if too many.

    With q' = q + dq and k' = k + dk the bfloat16 roundings, q'.k' - q.k = q.dk + dq.k', so a bfloat16 score
    (float32 sums, rounded to bfloat16) is within E = |dk| + |dq|(1 + |dk|) + dims SUM_ERROR + u|score| of the exact
    one (u = BF16_UNIT; |dk| is bounded by `kept_error`, the largest over the kept rows). If m scores best in
    bfloat16 and j* is the exact nearest row, then score'(j*) >= score(j*) - E >= score(m) - E >= score'(m) - 2E:
    every row scoring at least score'(m) - 2E is a candidate, and the best exact score among them is the answer.
    The bfloat16 scores are compared as int16 keys ordered like the numbers, with the threshold rounded down.
    """
    import torch

    queries_bf16 = _to_bf16(queries)
    base_error = kept_error + np.linalg.norm(_from_bf16(queries_bf16) - queries, axis=1) * (1 + kept_error) \
        + SUM_ERROR * queries.shape[1]
    left = torch.from_numpy(queries_bf16).view(torch.bfloat16)
    right = torch.from_numpy(kept_bf16).view(torch.bfloat16)
    best = np.full(len(queries), np.iinfo(np.int16).min, dtype=np.int16)
    found_rows, found_cols, found_keys = [], [], []
    count = 0
    for first in range(0, len(kept), block):  # blocks of kept rows keep the score matrix in cache
        # the bit patterns of scores >= 0 are already their keys, and all others are below them: the (costly)
        # reordering is needed only where a row's best or threshold in this block is below 0
        keys = (left @ right[first:first + block].T).view(torch.int16).numpy()
        block_best = keys.max(axis=1)
        ordered = bool(block_best.min() < 0)
        if ordered:
            keys = _order_keys(keys)
            block_best = keys.max(axis=1)
        np.maximum(best, block_best, out=best)
        floor = _floor_keys(best, base_error)
        if not ordered and floor.min() < 0:
            keys = _order_keys(keys)
        live = np.flatnonzero(block_best >= floor)  # rows with a candidate in this block: all in the first
        live_keys = keys[live]
        hits = np.flatnonzero(live_keys >= floor[live, None])
        count += len(hits)
        if count > MAX_CANDIDATES * len(queries):
            return None
        found_rows.append(live[hits // keys.shape[1]])
        found_cols.append(hits % keys.shape[1] + first)
        found_keys.append(live_keys.ravel()[hits])
    rows, cols, keys = np.concatenate(found_rows), np.concatenate(found_cols), np.concatenate(found_keys)
    close = keys >= _floor_keys(best, base_error)[rows]  # against the final best score, not the running one
    rows, cols = rows[close], cols[close]
    exact = np.einsum("ij,ij->i", queries[rows], kept[cols])
    order = np.lexsort((cols, -exact, rows))  # per row: best exact score first, then the lowest kept row
    first_of_row = np.ones(len(order), dtype=bool)
    first_of_row[1:] = rows[order][1:] != rows[order][:-1]
    out = np.zeros(len(queries), dtype=np.int64)
    out[rows[order][first_of_row]] = cols[order][first_of_row]
    return out


def _order_keys(bits: np.ndarray) -> np.ndarray:
    """int16 keys that order like the bfloat16 numbers with these bit patterns (and back: it is an involution)."""
    return bits ^ ((bits >> 15) & 0x7FFF)


def _floor_keys(best: np.ndarray, base_error: np.ndarray) -> np.ndarray:
    """Per row, the key of a bfloat16 number at most 2E below the best score (a key); E as in `_bf16_search`."""
    top = (_order_keys(best).astype(np.int32) << 16).view(np.float32)
    # candidates score within 2E of the best, so |score| <= |best| + 0.05 bounds u|score| in E (E < 0.025)
    floor = top - 2 * (base_error + BF16_UNIT / (1 - BF16_UNIT) * (np.abs(top) + 0.05))
    return _order_keys((floor.astype(np.float32).view(np.int32) >> 16).astype(np.int16)) - 1  # truncation rounds up
