"""Small layers shared by embeddings, encoders and heads."""
from __future__ import annotations

import torch
from torch import nn


def maxout(linear: nn.Linear, x: torch.Tensor, pieces: int) -> torch.Tensor:
    """The max over each output unit's `pieces` candidates in `linear(x)`, whose rows hold them unit by unit.
    The rows are taken piece by piece, so the max runs over `pieces` contiguous blocks: a max over a last axis of
    two or three values is a slow strided reduction on CPU, forward and backward."""
    n_out = linear.out_features // pieces
    weight = linear.weight.unflatten(0, (n_out, pieces)).transpose(0, 1).flatten(0, 1)
    bias = None if linear.bias is None else linear.bias.view(n_out, pieces).t().flatten()
    y = nn.functional.linear(x, weight, bias)
    return y.view(*y.shape[:-1], pieces, n_out).amax(dim=-2)


class Maxout(nn.Module):
    """Linear to `pieces` candidates per output unit, keep the max: (..., n_in) -> (..., n_out)."""

    def __init__(self, n_in: int, n_out: int, *, pieces: int) -> None:
        super().__init__()
        self.n_out, self.pieces = n_out, pieces
        self.linear = nn.Linear(n_in, n_out * pieces)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return maxout(self.linear, x, self.pieces)
