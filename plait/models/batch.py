"""TokenBatch: per-token vectors of a batch of docs, kept flat (no padding) with a padded view on demand."""
from __future__ import annotations

from typing import Callable, Iterator, Sequence

import numpy as np
import torch

from plait.models.limits import TRIM_AFTER_STEPS
from plait.runtime.memory import release_freed_memory


class TokenBatch:
    """The rows of every token of a batch of docs, concatenated in doc order, plus each doc's length.

    Encoders work on the flat rows, so no work is spent on padding; heads that want
    (batch, tokens, width) read `vectors` and `mask`, built once on first use. A batch may instead be given
    `rows_between(begin, end)`, which computes the rows of a range of tokens: then `map_rows` applies a function
    chunk by chunk without ever holding all rows (a transformer listener at inference on a long doc).
    """

    def __init__(self, flat: torch.Tensor | None, lengths: list[int], *,
                 rows_between: Callable[[int, int], torch.Tensor] | None = None,
                 windows: dict[int, torch.Tensor] | None = None) -> None:
        if (flat is None) == (rows_between is None):
            raise ValueError("TokenBatch needs either its rows or a function computing them")
        self._flat = flat  # (n_tokens, width)
        self._rows_between = rows_between
        self.lengths = list(lengths)
        self._padded: tuple[torch.Tensor, torch.Tensor] | None = None
        self._windows: dict[int, torch.Tensor] = dict(windows or {})  # `window_index` by window size, if known

    @property
    def flat(self) -> torch.Tensor:
        """(n_tokens, width): every token's row, computed on first use when the batch was made lazily."""
        if self._flat is None:
            self._flat = self._rows_between(0, sum(self.lengths))
        return self._flat

    def map_rows(self, fn: Callable[[torch.Tensor], torch.Tensor], chunk: int) -> torch.Tensor:
        """`fn(flat)` computed over at most `chunk` tokens at a time (for row-wise functions), concatenated.

        Each chunk's result is written into one preallocated tensor, so a long doc's temporaries never exist for
        all its tokens at once.
        """
        n = sum(self.lengths)
        if n <= chunk:
            return fn(self.flat)
        out = None
        for begin, rows in self.row_blocks(chunk):
            values = fn(rows)
            if out is None:
                out = values.new_empty((n, *values.shape[1:]))
            out[begin:begin + len(rows)] = values
        return out

    def row_blocks(self, chunk: int) -> Iterator[tuple[int, torch.Tensor]]:
        """(first row, rows) for consecutive blocks of at most `chunk` tokens; rows of a lazy batch are computed
        block by block. Over a long doc (more than TRIM_AFTER_STEPS blocks) the heap is trimmed after each
        block, or glibc keeps every block's freed temporaries."""
        n = sum(self.lengths)
        trim = n > TRIM_AFTER_STEPS * chunk
        for begin in range(0, n, chunk):
            end = min(begin + chunk, n)
            yield begin, self._flat[begin:end] if self._flat is not None else self._rows_between(begin, end)
            if trim:
                release_freed_memory()

    def with_flat(self, flat: torch.Tensor) -> "TokenBatch":
        """A batch of the same docs holding new rows (sharing the cached window indices)."""
        out = TokenBatch(flat, self.lengths)
        out._windows = self._windows
        return out

    def _pad(self) -> tuple[torch.Tensor, torch.Tensor]:
        if self._padded is None:
            self._padded = (self.pad(self.flat), self._mask(self.flat.device))
        return self._padded

    def _mask(self, device: torch.device) -> torch.Tensor:
        lens = torch.tensor(self.lengths, dtype=torch.long, device=device)
        # at least one column, all padding when every doc is empty: reductions over tokens need a non-empty axis
        positions = torch.arange(max(*self.lengths, 1) if self.lengths else 1, device=device)
        return positions[None, :] < lens[:, None]  # (batch, tokens)

    def pad(self, values: torch.Tensor) -> torch.Tensor:
        """Per-token `values` (n_tokens, ...) laid out as (batch, tokens, ...), zero on padding."""
        if len(self.lengths) == 1 and self.lengths[0]:
            return values.unsqueeze(0)
        mask = self._mask(values.device)
        padded = values.new_zeros((*mask.shape, *values.shape[1:]))
        padded[mask] = values
        return padded

    @property
    def vectors(self) -> torch.Tensor:
        """(batch, tokens, width), zero on padding."""
        return self._pad()[0]

    @property
    def mask(self) -> torch.Tensor:
        """(batch, tokens) bool, True on real tokens."""
        return self._pad()[1]

    def per_doc(self) -> list[torch.Tensor]:
        """One (doc_length, width) tensor per doc."""
        return list(torch.split(self.flat, self.lengths))

    def window_index(self, window_size: int) -> torch.Tensor:
        """(n_tokens, 2w+1) row ids of each token's neighbours within its own doc; n_tokens (a zero row) past an edge."""
        if window_size not in self._windows:
            index = window_index(self.lengths, window_size)
            self._windows[window_size] = torch.from_numpy(index).to(self.flat.device)
        return self._windows[window_size]


def window_index(lengths: Sequence[int], window_size: int) -> np.ndarray:
    """(n_tokens, 2w+1) row ids of each token's neighbours within its own doc, for docs of `lengths`; n_tokens
    (a zero row) past an edge."""
    n = int(sum(lengths))
    starts = np.repeat(np.cumsum([0, *lengths[:-1]]), lengths).astype(np.int64)
    ends = starts + np.repeat(lengths, lengths)
    positions = np.arange(n)
    offsets = np.arange(-window_size, window_size + 1)
    neighbours = positions[:, None] + offsets[None, :]
    inside = (neighbours >= starts[:, None]) & (neighbours < ends[:, None])
    return np.where(inside, neighbours, n)


def bounded_runs(lengths: Sequence[int], tokens: int) -> list[slice]:
    """Consecutive items (docs, sentences) of these lengths cut into runs of at most `tokens` tokens (a longer item
    is a run of its own): inference over a run at a time keeps temporaries bounded whatever the batch."""
    runs: list[slice] = []
    begin, total = 0, 0
    for k, length in enumerate(lengths):
        if total and total + length > tokens:
            runs.append(slice(begin, k))
            begin, total = k, 0
        total += int(length)
    if begin < len(lengths):
        runs.append(slice(begin, len(lengths)))
    return runs
