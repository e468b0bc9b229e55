"""Small layers shared by embeddings, encoders and heads."""
from __future__ import annotations

import torch
from torch import nn


class Maxout(nn.Module):
    """Linear to `pieces` candidates per output unit, keep the max: (..., n_in) -> (..., n_out)."""

    def __init__(self, n_in: int, n_out: int, *, pieces: int) -> None:
        super().__init__()
        self.n_out, self.pieces = n_out, pieces
        self.linear = nn.Linear(n_in, n_out * pieces)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.linear(x)
        return y.view(*y.shape[:-1], self.n_out, self.pieces).amax(dim=-1)
