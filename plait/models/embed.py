"""Hashed embeddings of lexical attributes: MultiHashEmbed and the pieces it is built from."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch
from torch import nn

from plait.models.batch import TokenBatch
from plait.models.features import LexemeCache
from plait.models.layers import Maxout
from plait.models.settings import HashRows, LexicalAttr, PositiveInt
from plait.models.static_vectors import StaticVectors

# Four seeds per attribute: a word collides with another only if all four rows collide.
N_SEEDS = 4
_MULT = np.uint64(0x9E3779B97F4A7C15)


def hash_ids(keys: np.ndarray, rows: int, seed: int) -> np.ndarray:
    """Rows in [0, rows) for 64-bit keys, N_SEEDS per key: (n_keys, N_SEEDS) int64."""
    out = np.empty((len(keys), N_SEEDS), dtype=np.int64)
    with np.errstate(over="ignore"):
        for s in range(N_SEEDS):
            h = keys ^ np.uint64((seed * N_SEEDS + s + 1) * 0x632BE59BD9B4E019 & 0xFFFFFFFFFFFFFFFF)
            h = h * _MULT
            h ^= h >> np.uint64(29)
            h = h * _MULT
            h ^= h >> np.uint64(32)
            out[:, s] = (h % np.uint64(rows)).astype(np.int64)
    return out


def lexeme_hash_ids(attr: str, rows: int, seed: int) -> LexemeCache:
    """Hash ids (n_lexemes, N_SEEDS) of lexical attribute `attr`, computed once per word of the vocab."""
    return LexemeCache(lambda vocab, lex: hash_ids(vocab.attr_column(lex, attr).astype(np.uint64), rows, seed))


class HashEmbed(nn.Module):
    """Embed one lexical attribute: each token's N_SEEDS hashed rows are summed (as one bag each, so the
    (n_tokens, N_SEEDS, width) gather is never held). Output (n_tokens, width)."""

    def __init__(self, *, width: int, rows: int, attr: str, seed: int) -> None:
        super().__init__()
        self.attr = attr
        self.table = nn.Embedding(rows, width)
        nn.init.uniform_(self.table.weight, -0.1, 0.1)
        self.ids = lexeme_hash_ids(attr, rows, seed)

    def forward(self, docs: Sequence[Any]) -> torch.Tensor:
        ids = self.ids.gather(docs) if docs else np.zeros((0, N_SEEDS), np.int64)
        weight = self.table.weight
        return nn.functional.embedding_bag(torch.from_numpy(ids).to(weight.device), weight, mode="sum")


class MultiHashEmbed(nn.Module):
    """Concatenate hashed embeddings of several attributes (and optionally static vectors), mix down to `width`.

    Input: docs. Output: a TokenBatch of (batch, tokens, width). Recommended: width 96 for speed, 256 for accuracy;
    attrs NORM, PREFIX, SUFFIX, SHAPE with rows 5000, 1000, 2500, 2500.
    """

    tokenwise = True  # each token's row depends on that token alone (see Tok2Vec's chunked inference)

    def __init__(self, *, width: int, attrs: Sequence[str], rows: Sequence[int],
                 static_vectors: nn.Module | None = None) -> None:
        super().__init__()
        if len(attrs) != len(rows):
            raise ValueError(f"MultiHashEmbed: {len(attrs)} attrs but {len(rows)} rows")
        self.width = width
        self.embeds = nn.ModuleList(HashEmbed(width=width, rows=r, attr=a, seed=i)
                                    for i, (a, r) in enumerate(zip(attrs, rows)))
        self.static_vectors = static_vectors
        n_inputs = len(attrs) + (1 if static_vectors is not None else 0)
        self.mix = Maxout(width * n_inputs, width, pieces=3)
        self.norm = nn.LayerNorm(width)

    def forward(self, docs: Sequence[Any]) -> TokenBatch:
        parts = [embed(docs) for embed in self.embeds]  # each (n_tokens, width)
        if self.static_vectors is not None:
            parts.append(self.static_vectors(docs))
        flat = self.norm(self.mix(torch.cat(parts, dim=-1)))  # (n_tokens, width)
        return TokenBatch(flat, [len(doc) for doc in docs])


def build_multi_hash_embed(*, width: PositiveInt, attrs: list[LexicalAttr], rows: list[HashRows],
                           include_static_vectors: bool = False) -> MultiHashEmbed:
    """`plait.MultiHashEmbed.v1`: hashed embeddings of `attrs` (one table of `rows` each), mixed to `width`.

    With `include_static_vectors`, the vocab's static vectors table is projected and concatenated too
    (never updated).
    """
    static = StaticVectors(width) if include_static_vectors else None
    return MultiHashEmbed(width=width, attrs=[a.upper() for a in attrs], rows=rows, static_vectors=static)
