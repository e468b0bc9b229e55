"""init_vectors: turn a word-vectors file into a blank pipeline whose vocab carries the vectors table."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

import plait
from plait.core.errors import DataError, UserError
from plait.core.vectors import Vectors
from plait.core.vectors_io import read_vectors

MODES = ("default", "subword")


def init_vectors(lang: str, vectors_loc: str | Path, output_dir: str | Path, *, prune: int = 0, truncate: int = 0,
                 name: str | None = None, mode: str = "default",
                 progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Read `vectors_loc`, write OUTPUT_DIR as `plait.blank(lang)` with the table; return a summary.

    truncate: keep only the first N rows (the rest of the file is not read). prune: keep the first N rows and
    map every other word to its nearest kept row by cosine, so no word loses its vector. Duplicate words keep
    their first vector. `progress` is called with the number of rows read so far. Nothing is written on error.
    """
    if mode not in MODES:
        raise UserError(f"--mode must be one of {', '.join(MODES)}, not {mode!r}")
    if prune < 0 or truncate < 0:
        raise UserError("--prune and --truncate take a positive number of rows (0 = off)")
    start, path = time.perf_counter(), Path(vectors_loc)
    chunks, subwords = read_vectors(path, mode=mode)
    words, data, duplicates = _collect(chunks, truncate, progress)
    if not words:
        raise DataError(f"{path}:1: no vectors in file")
    pruned: dict[str, int] = {}
    if 0 < prune < len(words):
        pruned = prune_rows(words, data, prune)
        words, data = words[:prune], data[:prune]
    table = Vectors(data, words, name=name or f"{lang}_{path.name.split('.')[0]}", pruned=pruned, subwords=subwords)
    nlp = plait.blank(lang)
    nlp.vocab.vectors = table
    nlp.to_disk(output_dir)
    return {"rows": table.shape[0], "dims": table.shape[1], "words": len(table.word2row),
            "duplicates": duplicates, "pruned": len(pruned), "name": table.name,
            "fingerprint": table.fingerprint(), "subword": subwords is not None,
            "seconds": round(time.perf_counter() - start, 3)}


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


def prune_rows(words: list[str], data: np.ndarray, keep: int, batch_size: int = 1024) -> dict[str, int]:
    """Map each word after the first `keep` to the kept row nearest by cosine (batched matrix products)."""
    kept = Vectors(data[:keep], words[:keep])
    _, rows, _ = kept.most_similar(data[keep:], n=1, batch_size=batch_size)
    return {word: int(row) for word, row in zip(words[keep:], rows[:, 0])}
