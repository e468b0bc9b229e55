"""CharacterEmbed: embed each token's leading and trailing characters plus one hashed attribute."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch
from torch import nn

from plait.models.batch import TokenBatch
from plait.models.embed import HashEmbed
from plait.models.features import LexemeCache
from plait.models.layers import Maxout
from plait.models.settings import HashRows, LexicalAttr, PositiveInt
from plait.models.static_vectors import StaticVectors


def char_codes(word: str, n_chars: int) -> list[int]:
    """Code points of the first and last `n_chars // 2` characters of `word`, zero-padded in the middle."""
    half = n_chars // 2
    head = [ord(c) for c in word[:half]]
    tail = [ord(c) for c in word[-half:]] if len(word) > half else []
    return (head + [0] * (half - len(head))) + ([0] * (n_chars - half - len(tail)) + tail)


def lexeme_char_codes(n_chars: int) -> LexemeCache:
    """Per lexeme: its `char_codes` (n_lexemes, n_chars), computed once per word of the vocab."""
    return LexemeCache(lambda vocab, lex: np.array([char_codes(vocab.words[i], n_chars) for i in lex.tolist()],
                                                   dtype=np.int64).reshape(-1, n_chars))


class CharacterEmbed(nn.Module):
    """Character embeddings (one table per position) concatenated with a hashed `feature`, mixed to `width`.

    Input: docs. Output: TokenBatch (n_tokens, width). Code points are hashed into `char_rows` rows, so any
    script works. Recommended: width 128, rows 7000, n_chars 8, char_width 16.
    """

    tokenwise = True  # each token's row depends on that token alone (see Tok2Vec's chunked inference)

    def __init__(self, *, width: int, rows: int, n_chars: int, char_width: int, feature: str = "NORM",
                 char_rows: int = 4096, static_vectors: nn.Module | None = None) -> None:
        super().__init__()
        self.width, self.char_rows = width, char_rows
        self.n_chars = n_chars
        self.chars = lexeme_char_codes(n_chars)
        self.char_tables = nn.Embedding(char_rows * n_chars, char_width)
        self.feature = HashEmbed(width=width, rows=rows, attr=feature, seed=17)
        self.static_vectors = static_vectors  # optional: docs -> (n_tokens, width)
        n_static = width if static_vectors is not None else 0
        self.mix = Maxout(width + n_chars * char_width + n_static, width, pieces=3)
        self.norm = nn.LayerNorm(width)

    def forward(self, docs: Sequence[Any]) -> TokenBatch:
        ids = np.concatenate([self.chars(doc.vocab, doc.lex) for doc in docs]) if docs else np.zeros(
            (0, self.n_chars), np.int64)
        # position p of the window uses its own slice of the table: row = p * char_rows + code % char_rows
        offsets = np.arange(ids.shape[1], dtype=np.int64) * self.char_rows
        rows = torch.from_numpy(ids % self.char_rows + offsets).to(self.char_tables.weight.device)
        chars = self.char_tables(rows).flatten(1)  # (n_tokens, n_chars * char_width)
        parts = [self.feature(docs), chars]
        if self.static_vectors is not None:
            parts.append(self.static_vectors(docs))
        flat = self.norm(self.mix(torch.cat(parts, dim=-1)))  # (n_tokens, width)
        return TokenBatch(flat, [len(doc) for doc in docs])


def build_character_embed(*, width: PositiveInt, rows: HashRows, n_chars: PositiveInt, char_width: PositiveInt,
                          feature: LexicalAttr = "NORM",
                          include_static_vectors: bool = False) -> CharacterEmbed:
    """`plait.CharacterEmbed.v1`: the first and last `n_chars // 2` characters of each token, plus a hashed `feature`.

    Useful where words are rare or noisy (social media, morphology-rich languages). With
    `include_static_vectors`, the vocab's static vectors (projected to `width`) are mixed in too.
    """
    static = StaticVectors(width) if include_static_vectors else None
    return CharacterEmbed(width=width, rows=rows, n_chars=n_chars, char_width=char_width, feature=feature.upper(),
                          static_vectors=static)
