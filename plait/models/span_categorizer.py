"""SpanCategorizer: one logit per label for each suggested span of a doc, from the tok2vec's token vectors.

A span is read as the vectors of its first and last tokens, the mean and the max of all its tokens, and a learned
embedding of its width in tokens (widths past `max_width` share the last row); a maxout hidden layer then a linear
layer give its logits. Every step is a tensor operation over a block of spans (no Python loop per span), and
spans are scored block by block (at most SPAN_ROWS token rows gathered, starts within SPAN_ROWS tokens), so a long
doc's suggestions never exist as pooled features all at once at inference.
"""
from __future__ import annotations

from typing import Any, Callable, Iterator, NamedTuple, Sequence

import numpy as np
import torch
from torch import nn

from plait.models.batch import TokenBatch
from plait.models.dropout import Dropout
from plait.models.heads import width_of
from plait.models.layers import Maxout
from plait.models.limits import INFERENCE_CHUNK, SPAN_ROWS
from plait.models.settings import MaxoutPieces, PositiveInt, Rate, SpanWidth


def flat_offsets(spans: Sequence[np.ndarray], lengths: Sequence[int]) -> np.ndarray:
    """Each doc's (n, 2) [start, end) token offsets moved to rows of the batch's flat token axis: (n_spans, 2)."""
    firsts = np.cumsum([0, *lengths[:-1]]) if len(lengths) else np.zeros(0, dtype=np.int64)
    moved = [np.asarray(s, dtype=np.int64).reshape(-1, 2) + first for s, first in zip(spans, firsts)]
    return np.concatenate(moved) if moved else np.zeros((0, 2), dtype=np.int64)


def span_blocks(offsets: np.ndarray, rows: int = SPAN_ROWS) -> Iterator[slice]:
    """Consecutive runs of spans whose gathered token rows (spans x the longest span) stay within `rows` and whose
    starts lie within `rows` tokens (spans sorted by start, as suggesters give them), so that a run's projected
    tokens are bounded too."""
    longest = int((offsets[:, 1] - offsets[:, 0]).max()) if len(offsets) else 1
    step = max(1, rows // max(longest, 1))
    starts = offsets[:, 0]
    begin = 0
    while begin < len(offsets):
        end = min(begin + step, int(np.searchsorted(starts, starts[begin] + rows, side="left")))
        end = max(end, begin + 1)
        yield slice(begin, end)
        begin = end


class SpanLogits(NamedTuple):
    """The spans a model scored (one (n, 2) [start, end) array a doc) and their (n_spans, n_labels) logits."""

    spans: list[np.ndarray]
    logits: torch.Tensor


Suggest = Callable[[Sequence[Any]], list[np.ndarray]]


class SpanCategorizer(nn.Module):
    """docs and their spans -> (n_spans, n_labels) logits, spans in doc order then as given.

    `width` None (a transformer listener) means the token width is read from the tok2vec at `resize`, as
    TokenClassifier does. The output layer is made by `resize(n_labels, bias)` once the labels are known.
    `suggester` (set by the component that owns the model) proposes the spans when a call names none, so that
    `model(docs)` works as every head's does.
    """

    suggester: Suggest | None = None

    def __init__(self, *, tok2vec: nn.Module, width: int | None, hidden_width: int, maxout_pieces: int,
                 width_embedding: int, max_width: int, dropout: float) -> None:
        super().__init__()
        self.tok2vec = tok2vec
        self.hidden_width, self.maxout_pieces, self.max_width = hidden_width, maxout_pieces, max_width
        self.widths = nn.Embedding(max_width + 1, width_embedding)  # row 0 unused: spans have at least one token
        self.dropout = Dropout(dropout)
        self.hidden: Maxout | None = None
        self.norm: nn.LayerNorm | None = None
        if width is not None:
            self._build_hidden(width)
        self.output: nn.Linear | None = None

    def _build_hidden(self, width: int) -> None:
        self.hidden = Maxout(4 * width + self.widths.embedding_dim, self.hidden_width, pieces=self.maxout_pieces)
        self.norm = nn.LayerNorm(self.hidden_width)

    def resize(self, n_labels: int, bias: float = 0.0) -> None:
        """(Re)create the output layer for `n_labels` logits: zero weights, every bias `bias` (a spancat starts
        from a low prior, as most suggested spans are no entity)."""
        device = self.widths.weight.device
        if self.hidden is None:
            self._build_hidden(self.tok2vec.width)
            self.hidden.to(device)
            self.norm.to(device)
        self.output = nn.Linear(self.hidden_width, n_labels, device=device)
        nn.init.zeros_(self.output.weight)
        nn.init.constant_(self.output.bias, bias)

    def forward(self, docs: Sequence[Any], spans: list[np.ndarray] | None = None) -> SpanLogits:
        """The logits of every span of every doc (`spans`: one (n, 2) [start, end) array a doc; default: the
        suggester's)."""
        spans = self.suggest(docs) if spans is None else spans
        batch: TokenBatch = self.tok2vec(docs)
        offsets = flat_offsets(spans, batch.lengths)
        rows = batch.flat
        if not len(offsets):
            return SpanLogits(spans, rows.new_zeros((0, self._n_labels())))
        return SpanLogits(spans, torch.cat([self._score(rows, offsets[block]) for block in span_blocks(offsets)]))

    def suggest(self, docs: Sequence[Any]) -> list[np.ndarray]:
        """The suggester's spans of each doc."""
        if self.suggester is None:
            raise RuntimeError("the span categorizer has no suggester: give it one or pass the spans")
        return self.suggester(docs)

    def score_blocks(self, docs: Sequence[Any], spans: list[np.ndarray]) -> Iterator[tuple[int, torch.Tensor]]:
        """Inference: (index of the block's first span, its logits) for consecutive blocks of spans, so that a
        caller reducing each block never holds a long doc's pooled spans or scores at once."""
        batch: TokenBatch = self.tok2vec(docs)
        offsets = flat_offsets(spans, batch.lengths)
        rows = batch.map_rows(lambda block: block, INFERENCE_CHUNK) if len(offsets) else None
        for block in span_blocks(offsets):
            yield block.start, self._score(rows, offsets[block])

    def _n_labels(self) -> int:
        return _require(self.output).out_features

    def _score(self, rows: torch.Tensor, offsets: np.ndarray) -> torch.Tensor:
        """Logits of spans `offsets` (n, 2) over the flat token `rows` (n_tokens, width): (n, n_labels).

        The hidden layer is linear in the first, last and mean vectors, so their share is computed once a token
        (over the tokens the spans cover; the mean's from a running sum), not once a span: with four spans a token
        that is less than half the multiplications. The max and the width go in per span. Rows are picked with
        index_select and the max taken one token position at a time: on CPU, advanced indexing and a max over a
        (spans, longest, width) tensor cost several times the matrix products.
        """
        low, high = int(offsets[:, 0].min()), int(offsets[:, 1].max())
        bounds = torch.from_numpy(offsets - low).to(rows.device)
        starts, ends = bounds[:, 0].contiguous(), bounds[:, 1].contiguous()
        lengths = ends - starts
        tokens = self.dropout(rows[low:high])  # (covered, width)
        linear = _require_hidden(self.hidden).linear
        width = tokens.shape[1]
        weight = linear.weight  # (pieces * hidden, 4 * width + embed): first, last, mean, max, width columns
        first, last, mean = (nn.functional.linear(tokens, weight[:, k * width:(k + 1) * width]) for k in range(3))
        running = torch.cat([mean.new_zeros((1, mean.shape[1])), mean.cumsum(dim=0)])  # (covered + 1, units)
        padded = torch.cat([tokens, tokens.new_full((1, width), float("-inf"))])  # row `covered`: never the max
        peak = padded.index_select(0, starts)
        for step in range(1, int(lengths.max())):
            at = torch.where(lengths > step, starts + step, len(tokens))
            peak = torch.maximum(peak, padded.index_select(0, at))  # (n, width)
        by_width = nn.functional.linear(self.widths.weight, weight[:, 4 * width:])  # (max_width + 1, units)
        # summed in place: each out-of-place sum would allocate (and fault in) another (n, units) tensor
        units = nn.functional.linear(peak, weight[:, 3 * width:4 * width], linear.bias)  # (n, pieces * hidden)
        units.add_(first.index_select(0, starts)).add_(last.index_select(0, ends - 1))
        units.add_(running.index_select(0, ends).sub_(running.index_select(0, starts))
                   .div_(lengths[:, None].to(rows.dtype)))
        units.add_(by_width.index_select(0, lengths.clamp(max=self.max_width)))
        hidden = units.view(len(units), linear.pieces, linear.n_out).amax(dim=-2)
        return _require(self.output)(self.norm(hidden))


def _require_hidden(hidden: Maxout | None) -> Maxout:
    if hidden is None:
        raise RuntimeError("the span categorizer's hidden layer is made once its input width is known (resize)")
    return hidden


def _require(output: nn.Linear | None) -> nn.Linear:
    if output is None:
        raise RuntimeError("the span categorizer has no labels yet: initialize the component (or load it) first")
    return output


def build_span_categorizer(*, tok2vec: nn.Module, hidden_width: PositiveInt = 128, maxout_pieces: MaxoutPieces = 2,
                           width_embedding: PositiveInt = 16, max_width: SpanWidth = 16,
                           dropout: Rate = 0.1) -> SpanCategorizer:
    """`plait.SpanCategorizer.v1`: first, last, mean and max token vectors of each span and its width's embedding
    (widths past `max_width` share one), a maxout hidden layer, one logit per label."""
    return SpanCategorizer(tok2vec=tok2vec, width=width_of(tok2vec), hidden_width=hidden_width,
                           maxout_pieces=maxout_pieces, width_embedding=width_embedding, max_width=max_width,
                           dropout=dropout)
