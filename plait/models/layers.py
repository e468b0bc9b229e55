"""Small layers shared by embeddings, encoders and heads."""
from __future__ import annotations

from typing import Any

import torch
from torch import nn


def _by_piece(tensor: torch.Tensor, n_out: int, pieces: int) -> torch.Tensor:
    """Rows held unit by unit (each unit's candidates together) reordered piece by piece."""
    return tensor.unflatten(0, (n_out, pieces)).transpose(0, 1).flatten(0, 1)


def _by_unit(tensor: torch.Tensor, n_out: int, pieces: int) -> torch.Tensor:
    """Rows held piece by piece reordered unit by unit (the inverse of `_by_piece`)."""
    return tensor.unflatten(0, (pieces, n_out)).transpose(0, 1).flatten(0, 1)


class PiecewiseLinear(nn.Linear):
    """A linear layer to `pieces` candidates for each of `n_out` units, its rows held piece by piece (every
    unit's first candidate, then every unit's second...), so that maxout's max runs over contiguous blocks: a
    max over a last axis of two or three values is a slow strided reduction on CPU, forward and backward, and
    reordering the weight at every call cost a copy each way. `state_dict` and `load_state_dict` keep the unit
    by unit order that plait's weights files have always had."""

    def __init__(self, n_in: int, n_out: int, pieces: int) -> None:
        super().__init__(n_in, n_out * pieces)
        self.n_out, self.pieces = n_out, pieces
        with torch.no_grad():  # drawn unit by unit as before, so a seed gives the same model
            for param in (self.weight, self.bias):
                param.copy_(_by_piece(param.clone(), n_out, pieces))
        self.register_state_dict_post_hook(_save_by_unit)
        self.register_load_state_dict_pre_hook(_load_by_piece)


def _save_by_unit(module: PiecewiseLinear, state: dict[str, Any], prefix: str, _metadata: Any) -> None:
    for name in ("weight", "bias"):
        if prefix + name in state:
            state[prefix + name] = _by_unit(state[prefix + name], module.n_out, module.pieces)


def _load_by_piece(module: PiecewiseLinear, state: dict[str, Any], prefix: str, *_: Any) -> None:
    for name in ("weight", "bias"):
        value = state.get(prefix + name)
        if isinstance(value, torch.Tensor) and value.shape == module.get_parameter(name).shape:
            state[prefix + name] = _by_piece(value, module.n_out, module.pieces)  # a wrong shape is load's to report


def maxout(linear: PiecewiseLinear, x: torch.Tensor) -> torch.Tensor:
    """The max over each output unit's candidates in `linear(x)`."""
    y = linear(x)
    return y.view(*y.shape[:-1], linear.pieces, linear.n_out).amax(dim=-2)


class Maxout(nn.Module):
    """Linear to `pieces` candidates per output unit, keep the max: (..., n_in) -> (..., n_out)."""

    def __init__(self, n_in: int, n_out: int, *, pieces: int) -> None:
        super().__init__()
        self.n_out, self.pieces = n_out, pieces
        self.linear = PiecewiseLinear(n_in, n_out, pieces)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return maxout(self.linear, x)
