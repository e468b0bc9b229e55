"""Tok2Vec: an embedding followed by a context encoder, mapping docs to per-token vectors."""
from __future__ import annotations

from typing import Any, Sequence

import torch
from torch import nn

from plait.models.batch import TokenBatch


class Tok2Vec(nn.Module):
    """docs -> TokenBatch (batch, tokens, width). `embed` and `encode` are any modules of those shapes.

    The embed may return a TokenBatch, one (n_tokens, width) tensor for the whole batch, or one
    (tokens, width) tensor per doc (the shapes of the reference design's custom embeddings).
    """

    def __init__(self, *, embed: nn.Module, encode: nn.Module) -> None:
        super().__init__()
        for name, part in (("embed", embed), ("encode", encode)):
            if not isinstance(part, nn.Module):
                raise TypeError(f"Tok2Vec: its {name} must be a torch module, not {type(part).__name__} "
                                f"(check the function registered for the {name} block)")
        self.embed, self.encode = embed, encode
        self.width = getattr(encode, "width", getattr(embed, "width", None))

    def forward(self, docs: Sequence[Any]) -> TokenBatch:
        return self.encode(as_token_batch(self.embed(docs), docs, type(self.embed).__name__))


def as_token_batch(output: Any, docs: Sequence[Any], where: str) -> TokenBatch:
    """An embedding's output as a TokenBatch; TypeError naming `where` for any other kind of output."""
    lengths = [len(doc) for doc in docs]
    if isinstance(output, TokenBatch):
        return output
    if isinstance(output, (list, tuple)) and all(isinstance(t, torch.Tensor) and t.dim() == 2 for t in output) \
            and [len(t) for t in output] == lengths:
        return TokenBatch(torch.cat(list(output)) if output else torch.zeros(0, 0), lengths)
    if isinstance(output, torch.Tensor) and output.dim() == 2 and len(output) == sum(lengths):
        return TokenBatch(output, lengths)
    shape = tuple(output.shape) if isinstance(output, torch.Tensor) else type(output).__name__
    raise TypeError(f"{where} returned {shape} for {len(docs)} docs of {sum(lengths)} tokens: an embed must "
                    "return a TokenBatch, one (n_tokens, width) tensor or one (tokens, width) tensor per doc")
