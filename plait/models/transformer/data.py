"""TransformerData: one doc's share of a transformer batch, kept on the doc as `doc._.trf_data`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from plait.models.transformer.model import TransformerOutput
from plait.models.transformer.wordpieces import Wordpieces


@dataclass
class TransformerData:
    """The wordpieces of one doc's windows, the model's outputs for them and their alignment to the tokens.

    `tensors[0]` (also `last_hidden_state`) has one row per wordpiece of every window, special tokens
    included, windows in order; `per_row[i]` says whether `tensors[i]` is per wordpiece row or per window
    (a pooler output). `token[k]`, `row[k]` pair a token of the doc with one of its rows.
    """

    ids: list[np.ndarray]
    tensors: list[torch.Tensor]
    per_row: list[bool]
    token: np.ndarray
    row: np.ndarray
    n_tokens: int
    tokenizer: Any = None

    @property
    def last_hidden_state(self) -> torch.Tensor:
        return self.tensors[0]

    @property
    def width(self) -> int:
        return int(self.tensors[0].shape[1])

    @property
    def strings(self) -> list[list[str]]:
        """The wordpiece strings of each window, as the tokenizer spells them."""
        return [self.tokenizer.convert_ids_to_tokens(ids.tolist()) for ids in self.ids]

    def rows_of(self, i: int) -> np.ndarray:
        """The rows of `last_hidden_state` aligned with token `i` (empty for a token with no wordpiece)."""
        return self.row[self.token == i]

    def tokens_of(self, row: int) -> np.ndarray:
        """The tokens a wordpiece row is aligned with (empty for special tokens)."""
        return self.token[self.row == row]


def split_by_doc(output: TransformerOutput, tokenizer: Any) -> list[TransformerData]:
    """One TransformerData per doc of the batch; tensors are views of the batch's, not copies."""
    wp = output.wordpieces
    n_docs = len(wp.doc_lengths)
    token_base = np.concatenate([[0], np.cumsum(wp.doc_lengths)]).astype(np.int64)
    window_bounds = np.searchsorted(wp.window_doc, np.arange(n_docs + 1), side="left")
    pair_doc = np.searchsorted(token_base, wp.token, side="right") - 1
    pair_bounds = np.searchsorted(pair_doc, np.arange(n_docs + 1), side="left")
    out = []
    for d in range(n_docs):
        w0, w1 = window_bounds[d], window_bounds[d + 1]
        r0, r1 = int(wp.row_starts[w0]), int(wp.row_starts[w1])
        p0, p1 = pair_bounds[d], pair_bounds[d + 1]
        tensors = [t[r0:r1] if rows else t[w0:w1] for t, rows in zip(output.tensors, output.per_row)]
        out.append(TransformerData(wp.ids[w0:w1], tensors, list(output.per_row), wp.token[p0:p1] - token_base[d],
                                   wp.row[p0:p1] - r0, wp.doc_lengths[d], tokenizer))
    return out


def join_doc_data(data: list[TransformerData]) -> TransformerOutput:
    """The batch output rebuilt from per-doc data (a listener called on docs the transformer processed earlier)."""
    ids = [x for d in data for x in d.ids]
    window_doc = np.repeat(np.arange(len(data)), [len(d.ids) for d in data]).astype(np.int64)
    token_base = np.cumsum([0] + [d.n_tokens for d in data])
    row_base = np.cumsum([0] + [int(d.tensors[0].shape[0]) for d in data])
    token = np.concatenate([d.token + token_base[i] for i, d in enumerate(data)])
    row = np.concatenate([d.row + row_base[i] for i, d in enumerate(data)])
    wordpieces = Wordpieces(ids, window_doc, token.astype(np.int64), row.astype(np.int64), [d.n_tokens for d in data])
    tensors = [torch.cat([d.tensors[i] for d in data]) for i in range(len(data[0].tensors))]
    return TransformerOutput(wordpieces, tensors, list(data[0].per_row))
