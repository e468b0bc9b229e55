"""Per-lexeme feature helpers for custom embeddings: attribute columns, cached lexeme values, id remapping."""
from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import numpy as np


def token_attr(docs: Sequence[Any], attr: str) -> np.ndarray:
    """The lexical attribute `attr` (e.g. "ORTH", "LOWER") of every token of `docs`, concatenated: (n_tokens,)."""
    if not docs:
        return np.zeros(0, dtype=np.uint64)
    return np.concatenate([doc.vocab.attr_column(doc.lex, attr) for doc in docs])


def remap_ids(keys: np.ndarray, mapping: Mapping[int, int], default: int) -> np.ndarray:
    """Map each key through `mapping` (keys it lacks get `default`): int64 ids, same length as `keys`."""
    get = mapping.get
    return np.fromiter((get(int(k), default) for k in keys), dtype=np.int64, count=len(keys))


class LexemeCache:
    """Values of `compute(vocab, lex_ids)` for every lexeme, computed once each and extended as the vocab grows.

    The cache starts over when it sees another vocab, or another vectors table on the same vocab
    (so values derived from the table stay in step with it).
    """

    def __init__(self, compute: Callable[[Any, np.ndarray], np.ndarray]) -> None:
        self.compute = compute
        self._vocab: Any = None
        self._vectors: Any = None
        self._values: np.ndarray | None = None

    def __call__(self, vocab: Any, lex: np.ndarray) -> np.ndarray:
        vectors = getattr(vocab, "vectors", None)
        if vocab is not self._vocab or vectors is not self._vectors or self._values is None:
            self._vocab, self._vectors = vocab, vectors
            self._values = np.asarray(self.compute(vocab, np.arange(len(vocab))))
        elif len(self._values) < len(vocab):
            new = np.asarray(self.compute(vocab, np.arange(len(self._values), len(vocab))))
            self._values = np.concatenate([self._values, new])
        return self._values[lex]

    def gather(self, docs: Sequence[Any]) -> np.ndarray:
        """The values of every token of `docs`, concatenated in doc order."""
        if not docs:
            return np.zeros(0, dtype=np.int64)
        vocab = docs[0].vocab
        if all(doc.vocab is vocab for doc in docs):  # one lookup for the batch: many short docs cost no more
            return self(vocab, np.concatenate([doc.lex for doc in docs]))
        return np.concatenate([self(doc.vocab, doc.lex) for doc in docs])
