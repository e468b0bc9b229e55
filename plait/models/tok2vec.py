"""Tok2Vec: an embedding followed by a context encoder, mapping docs to per-token vectors."""
from __future__ import annotations

from typing import Any, Sequence

from torch import nn

from plait.models.batch import TokenBatch


class Tok2Vec(nn.Module):
    """docs -> TokenBatch (batch, tokens, width). `embed` and `encode` are any modules of those shapes."""

    def __init__(self, *, embed: nn.Module, encode: nn.Module) -> None:
        super().__init__()
        self.embed, self.encode = embed, encode
        self.width = getattr(encode, "width", getattr(embed, "width", None))

    def forward(self, docs: Sequence[Any]) -> TokenBatch:
        return self.encode(self.embed(docs))
