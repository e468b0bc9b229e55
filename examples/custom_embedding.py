"""A custom embedding, used with `plait train CONFIG --code examples/custom_embedding.py`.

`custom.StaticPlusOrth.v1` adds two things per token: the projected static vector (plait's StaticVectors) and a
learned row for the word itself, found by remapping its ORTH id to its row in the vectors table (words beyond
the first `rows - 1` rows, or not in the table, share one out-of-vocabulary row). Use it as the tok2vec embed:

    [components.tok2vec.model.embed]
    @architectures = "custom.StaticPlusOrth.v1"
    width = 96
    rows = 5000

and set `[paths] vectors` to a table made by `plait init-vectors`.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch
from torch import nn

from plait import hash_string, registry
from plait.models.batch import TokenBatch
from plait.models.features import LexemeCache, remap_ids
from plait.models.static_vectors import StaticVectors


class StaticPlusOrth(nn.Module):
    """docs -> TokenBatch (n_tokens, width): static vector projection plus a learned row per table word."""

    def __init__(self, *, width: int, rows: int) -> None:
        super().__init__()
        self.width, self.oov = width, rows - 1
        self.static = StaticVectors(width)
        self.orth = nn.Embedding(rows, width)
        self.ids = LexemeCache(self._orth_ids)  # per lexeme, rebuilt when the vocab or its table changes
        self._mapping: tuple[Any, dict[int, int]] = (None, {})

    def _orth_ids(self, vocab: Any, lex: np.ndarray) -> np.ndarray:
        if self._mapping[0] is not vocab.vectors:  # ORTH (word hash) -> row, for the rows we have embeddings for
            rows = {} if vocab.vectors is None else vocab.vectors.word2row
            self._mapping = (vocab.vectors, {hash_string(w): row for w, row in rows.items() if row < self.oov})
        return remap_ids(vocab.attr_column(lex, "ORTH"), self._mapping[1], default=self.oov)

    def forward(self, docs: Sequence[Any]) -> TokenBatch:
        ids = torch.from_numpy(self.ids.gather(docs)).to(self.orth.weight.device)
        flat = self.static(docs) + self.orth(ids)  # (n_tokens, width)
        return TokenBatch(flat, [len(doc) for doc in docs])


def build_static_plus_orth(*, width: int, rows: int) -> StaticPlusOrth:
    """`custom.StaticPlusOrth.v1`: static vectors plus a learned embedding of the table's first `rows - 1` words."""
    return StaticPlusOrth(width=width, rows=rows)


registry.architectures.register("custom.StaticPlusOrth.v1", func=build_static_plus_orth)
