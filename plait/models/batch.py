"""TokenBatch: per-token vectors of a batch of docs, kept flat (no padding) with a padded view on demand."""
from __future__ import annotations

import numpy as np
import torch


class TokenBatch:
    """The rows of every token of a batch of docs, concatenated in doc order, plus each doc's length.

    Encoders work on the flat rows, so no work is spent on padding; heads that want
    (batch, tokens, width) read `vectors` and `mask`, built once on first use.
    """

    def __init__(self, flat: torch.Tensor, lengths: list[int]) -> None:
        self.flat = flat  # (n_tokens, width)
        self.lengths = list(lengths)
        self._padded: tuple[torch.Tensor, torch.Tensor] | None = None
        self._windows: dict[int, torch.Tensor] = {}

    def with_flat(self, flat: torch.Tensor) -> "TokenBatch":
        """A batch of the same docs holding new rows (sharing the cached window indices)."""
        out = TokenBatch(flat, self.lengths)
        out._windows = self._windows
        return out

    def _pad(self) -> tuple[torch.Tensor, torch.Tensor]:
        if self._padded is None:
            lens = torch.tensor(self.lengths, dtype=torch.long, device=self.flat.device)
            positions = torch.arange(max(self.lengths, default=0), device=self.flat.device)
            mask = positions[None, :] < lens[:, None]  # (batch, tokens)
            padded = self.flat.new_zeros((*mask.shape, self.flat.shape[-1]))
            padded[mask] = self.flat
            self._padded = (padded, mask)
        return self._padded

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
            n = int(sum(self.lengths))
            starts = np.repeat(np.cumsum([0] + self.lengths[:-1]), self.lengths)
            ends = starts + np.repeat(self.lengths, self.lengths)
            positions = np.arange(n)
            offsets = np.arange(-window_size, window_size + 1)
            neighbours = positions[:, None] + offsets[None, :]
            inside = (neighbours >= starts[:, None]) & (neighbours < ends[:, None])
            index = np.where(inside, neighbours, n)
            self._windows[window_size] = torch.from_numpy(index).to(self.flat.device)
        return self._windows[window_size]
