"""Tok2Vec: an embedding followed by a context encoder, mapping docs to per-token vectors."""
from __future__ import annotations

from typing import Any, Iterator, Sequence

import torch
from torch import nn

from plait.models import traits
from plait.models.batch import TokenBatch
from plait.models.limits import INFERENCE_CHUNK



class Tok2Vec(nn.Module):
    """docs -> TokenBatch (batch, tokens, width). `embed` and `encode` are any modules of those shapes.

    The embed may return a TokenBatch, one (n_tokens, width) tensor for the whole batch, or one
    (tokens, width) tensor per doc (the shapes of the reference design's custom embeddings).

    At inference, with a per-token embed (`tokenwise`) and an encoder of bounded `receptive_field`, the docs
    are encoded `chunk` tokens at a time, a long doc in overlapping pieces that each see every neighbour
    their tokens depend on, so the vectors are those of the whole-doc pass in bounded memory.
    """

    def __init__(self, *, embed: nn.Module, encode: nn.Module) -> None:
        super().__init__()
        # the embed is checked, by what it returns, when the pipeline is built (plait.core.embed_check)
        if not isinstance(encode, nn.Module):  # a config error: the registered function returned something else
            raise ValueError(f"Tok2Vec: its encode must be a torch module, not {type(encode).__name__} "
                             "(check the function registered for the encode block)")
        self.embed, self.encode = embed, encode
        width = traits.width(encode)
        self.width = width if width is not None else traits.width(embed)
        self.chunk = INFERENCE_CHUNK

    @property
    def receptive_field(self) -> int | None:
        """Tokens either side that one token's vector depends on; None when unbounded or unknown."""
        if not traits.tokenwise(self.embed):
            return None
        return traits.receptive_field(self.encode)

    def forward(self, docs: Sequence[Any]) -> TokenBatch:
        field = self.receptive_field
        if self.training or torch.is_grad_enabled() or field is None or self.width is None:
            return self._run(docs)
        lengths = [len(doc) for doc in docs]
        out = None
        for group, places in self._groups(docs, field):
            rows = self._run(group).flat
            if out is None:
                out = rows.new_empty((sum(lengths), rows.shape[1]))
            for (begin, keep_from, keep), doc_rows in zip(places, torch.split(rows, [len(d) for d in group])):
                out[begin:begin + keep] = doc_rows[keep_from:keep_from + keep]
        if out is None:  # no tokens at all
            out = torch.zeros((0, self.width), device=next(self.parameters()).device)
        return TokenBatch(out, lengths)

    def _run(self, docs: Sequence[Any]) -> TokenBatch:
        return self.encode(as_token_batch(self.embed(docs), docs, type(self.embed).__name__))

    def _groups(self, docs: Sequence[Any], field: int) -> Iterator[tuple[list[Any], list[tuple[int, int, int]]]]:
        """Groups of at most `chunk` tokens (a longer doc split in pieces widened by `field` tokens each side),
        with where each piece's kept rows go: (first output row, first kept row of the piece, rows kept)."""
        group: list[Any] = []
        places: list[tuple[int, int, int]] = []
        size = offset = 0
        for doc in docs:
            n = len(doc)
            spans = [(0, n)] if n <= self.chunk else [(s, min(s + self.chunk, n)) for s in range(0, n, self.chunk)]
            for start, end in spans:
                lo, hi = max(0, start - field), min(n, end + field)
                piece = doc if (lo, hi) == (0, n) else doc.slice(lo, hi)
                if group and size + (hi - lo) > self.chunk:
                    yield group, places
                    group, places, size = [], [], 0
                group.append(piece)
                places.append((offset + start, start - lo, end - start))
                size += hi - lo
            offset += n
        if group and size:
            yield group, places


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


def build_tok2vec(*, embed: nn.Module, encode: nn.Module) -> Tok2Vec:
    """`plait.Tok2Vec.v1`: an embedding then a context encoder, docs -> (batch, tokens, width)."""
    widths = traits.width(embed), traits.width(encode)
    if None not in widths and widths[0] != widths[1]:
        raise ValueError(f"embed.width {widths[0]} must equal encode.width {widths[1]} (the encoder reads the "
                         f"embedding's rows)")
    return Tok2Vec(embed=embed, encode=encode)
