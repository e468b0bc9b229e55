"""Pooling wordpiece rows into token vectors: each token gets the mean, max, sum, first or last of its rows.

Input: `rows` (n_rows, width) and the aligned pairs `token[i]` <- `row[i]`. A token with no rows gets zeros.
All reductions are scatter operations, so the backward pass is as cheap as the forward.
"""
from __future__ import annotations

import torch
from torch import nn


class Pooling(nn.Module):
    """What every reduction is: `forward(rows, token, row, n_tokens) -> (n_tokens, width)`, no weights."""


def _summed(rows: torch.Tensor, token: torch.Tensor, row: torch.Tensor, n_tokens: int,
            weights: torch.Tensor | None = None) -> torch.Tensor:
    """Sum (or weighted sum) of each token's rows as one sparse (tokens x rows) product: no (pairs, width) copy."""
    values = weights if weights is not None else rows.new_ones(len(row))
    pairs = torch.sparse_coo_tensor(torch.stack([token, row]), values.to(rows.dtype), (n_tokens, rows.shape[0]),
                                    check_invariants=False)
    with torch.autocast(rows.device.type, enabled=False):  # autocast would make the backward's dtypes disagree
        return torch.sparse.mm(pairs, rows)


class ReduceSum(Pooling):
    """`plait.reduce_sum.v1`: the sum of a token's rows."""

    def forward(self, rows: torch.Tensor, token: torch.Tensor, row: torch.Tensor, n_tokens: int) -> torch.Tensor:
        return _summed(rows, token, row, n_tokens)


class ReduceMean(Pooling):
    """`plait.reduce_mean.v1`: the mean of a token's rows (a token over two windows averages both)."""

    def forward(self, rows: torch.Tensor, token: torch.Tensor, row: torch.Tensor, n_tokens: int) -> torch.Tensor:
        counts = torch.bincount(token, minlength=n_tokens).clamp(min=1).to(rows.dtype)
        return _summed(rows, token, row, n_tokens, weights=1.0 / counts[token])


class ReduceMax(Pooling):
    """`plait.reduce_max.v1`: the element-wise maximum of a token's rows."""

    def forward(self, rows: torch.Tensor, token: torch.Tensor, row: torch.Tensor, n_tokens: int) -> torch.Tensor:
        width = rows.shape[1]
        out = rows.new_zeros((n_tokens, width))
        return out.scatter_reduce(0, token[:, None].expand(-1, width), rows.index_select(0, row), "amax",
                                  include_self=False)


class _ReduceEdge(Pooling):
    """The row with the smallest (first) or largest (last) index among a token's rows."""

    reduce = "amin"

    def forward(self, rows: torch.Tensor, token: torch.Tensor, row: torch.Tensor, n_tokens: int) -> torch.Tensor:
        missing = -1 if self.reduce == "amax" else rows.shape[0]
        pick = torch.full((n_tokens,), missing, dtype=row.dtype, device=row.device)
        pick = pick.scatter_reduce(0, token, row, self.reduce, include_self=True)
        has = (pick >= 0) & (pick < rows.shape[0])
        out = rows.index_select(0, pick.clamp(0, max(rows.shape[0] - 1, 0))) if rows.shape[0] else \
            rows.new_zeros((n_tokens, rows.shape[1]))
        return out * has[:, None].to(rows.dtype)


class ReduceFirst(_ReduceEdge):
    """`plait.reduce_first.v1`: a token's first wordpiece row (BERT-style taggers use this)."""

    reduce = "amin"


class ReduceLast(_ReduceEdge):
    """`plait.reduce_last.v1`: a token's last wordpiece row."""

    reduce = "amax"


def build_reduce_mean() -> ReduceMean:
    """`plait.reduce_mean.v1`: a token's vector is the mean of its wordpiece rows."""
    return ReduceMean()


def build_reduce_max() -> ReduceMax:
    """`plait.reduce_max.v1`: the element-wise max of a token's wordpiece rows."""
    return ReduceMax()


def build_reduce_sum() -> ReduceSum:
    """`plait.reduce_sum.v1`: the sum of a token's wordpiece rows."""
    return ReduceSum()


def build_reduce_first() -> ReduceFirst:
    """`plait.reduce_first.v1`: a token's first wordpiece row."""
    return ReduceFirst()


def build_reduce_last() -> ReduceLast:
    """`plait.reduce_last.v1`: a token's last wordpiece row."""
    return ReduceLast()
