"""TokenBatch: per-token vectors of a batch of docs, padded once to (batch, tokens, width)."""
from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass
class TokenBatch:
    """Padded token vectors plus the length of each doc; padding rows are zero."""

    vectors: torch.Tensor  # (batch, tokens, width)
    lengths: torch.Tensor  # (batch,) int64, on the same device

    @property
    def mask(self) -> torch.Tensor:
        """(batch, tokens) bool, True on real tokens."""
        positions = torch.arange(self.vectors.shape[1], device=self.vectors.device)
        return positions[None, :] < self.lengths[:, None]

    def flat(self) -> torch.Tensor:
        """The real tokens' vectors in doc order, (n_tokens, width)."""
        return self.vectors[self.mask]

    def per_doc(self) -> list[torch.Tensor]:
        """One (doc_length, width) tensor per doc."""
        return [self.vectors[i, :n] for i, n in enumerate(self.lengths.tolist())]

    @classmethod
    def from_flat(cls, flat: torch.Tensor, lengths: list[int]) -> "TokenBatch":
        """Pad (n_tokens, width) rows, grouped by `lengths`, into a batch."""
        width = flat.shape[-1]
        out = flat.new_zeros((len(lengths), max(lengths, default=0), width))
        lens = torch.tensor(lengths, dtype=torch.long, device=flat.device)
        positions = torch.arange(out.shape[1], device=flat.device)
        out[positions[None, :] < lens[:, None]] = flat
        return cls(out, lens)
