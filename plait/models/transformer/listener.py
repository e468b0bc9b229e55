"""TransformerListener: a head's view of a shared transformer, pooling wordpiece rows into token vectors.

The transformer component runs once per batch and hands its output to every listener. Each listener scales
the gradient it sends back by its `grad_factor` (0: the head trains on a frozen transformer; a schedule
such as `plait.constant_then.v1` freezes it for the first steps), then pools. The gradients of several
listeners add up in the one transformer through autograd.
"""
from __future__ import annotations

import itertools
from typing import Any, Callable, Iterator, Sequence

import torch
from torch import nn

from plait.models.batch import TokenBatch
from plait.models.listener import Listener, OutputKind
from plait.models.transformer.pooling import Pooling
from plait.models.transformer.model import TransformerOutput
from plait.models.transformer.data import join_doc_data


def scale_grad(x: torch.Tensor, factor: float) -> torch.Tensor:
    """`x` unchanged in the forward pass; its gradient multiplied by `factor` in the backward pass."""
    if factor == 1.0:
        return x
    if factor == 0.0:
        return x.detach()
    return x.detach() + factor * (x - x.detach())


class TransformerListener(Listener):
    """docs -> TokenBatch of pooled transformer rows; its width is the upstream model's hidden size."""

    reads = OutputKind.WORDPIECES

    def __init__(self, *, pooling: Pooling, grad_factor: float | Iterator[float] = 1.0, upstream: str = "*") -> None:
        super().__init__(width=None, upstream=upstream)
        self.pooling = pooling
        self._factors = itertools.repeat(float(grad_factor)) if isinstance(grad_factor, (int, float)) else grad_factor
        self.grad_factor = next(self._factors)
        self._upstream_width: Callable[[], int | None] | None = None

    @property
    def width(self) -> int | None:
        """The upstream transformer's hidden size, from its model config (None until linked)."""
        return self._upstream_width() if self._upstream_width is not None else None

    def link(self, upstream_name: str, owner: str, upstream_width: Callable[[], int | None]) -> None:
        super().link(upstream_name, owner, upstream_width)
        self._upstream_width = upstream_width

    def advance(self) -> None:
        """Move the grad_factor schedule on by one optimizer step."""
        self.grad_factor = float(next(self._factors))

    def forward(self, docs: Sequence[Any]) -> TokenBatch:
        output: TransformerOutput = self._lookup(docs)
        if not self.training:  # pooled on demand, a range of tokens at a time (see TokenBatch.map_rows)
            return TokenBatch(None, output.lengths, rows_between=_RangePooler(output, self.pooling))
        rows = scale_grad(output.last_hidden_state, self.grad_factor)
        return TokenBatch(self.pooling(rows, output.token, output.row, output.n_tokens), output.lengths)

    def _from_docs(self, docs: Sequence[Any]) -> TransformerOutput | None:
        """The batch rebuilt from the `doc._.trf_data` the transformer component set at inference, or None."""
        data = [getattr(doc._, "trf_data", None) if doc._.has("trf_data") else None for doc in docs]
        if any(d is None for d in data):
            return None
        return join_doc_data(data)


class _RangePooler:
    """Pools the rows of any range of a batch's tokens: the (token, row) pairs sorted by token once, then sliced."""

    def __init__(self, output: TransformerOutput, pooling: Pooling) -> None:
        order = torch.argsort(output.token, stable=True)
        self.token, self.row = output.token[order], output.row[order]
        self.rows, self.pooling = output.last_hidden_state, pooling

    def __call__(self, begin: int, end: int) -> torch.Tensor:
        first, last = torch.searchsorted(self.token, torch.tensor([begin, end], device=self.token.device)).tolist()
        return self.pooling(self.rows, self.token[first:last] - begin, self.row[first:last], end - begin)


def build_transformer_listener(*, pooling: nn.Module, grad_factor: float | Iterator[float] = 1.0,
                               upstream: str = "*") -> TransformerListener:
    """`plait.TransformerListener.v1`: token vectors pooled from the shared transformer's wordpiece rows.

    `grad_factor` scales the gradient sent back to the transformer (0: never fine-tune it from this head);
    it may be a schedule, e.g. `plait.constant_then.v1` with rate 0 to freeze it for the first steps.
    """
    return TransformerListener(pooling=pooling, grad_factor=grad_factor, upstream=upstream)
