"""StaticVectors: a trained projection of the vocab's static word vectors (the table itself is never trained)."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch
from torch import nn

from plait.models.batch import TokenBatch
from plait.models.features import LexemeCache
from plait.models.settings import PositiveInt

_NO_TABLE = ("the vocab has no static vectors table, but the model uses static vectors (include_static_vectors "
             "= true or plait.StaticVectors.v1): set [initialize] vectors to a table or pipeline directory "
             "(see plait init-vectors), or call nlp.set_vectors(table)")


def table_rows(vocab: Any, lex: np.ndarray) -> np.ndarray:
    """Per lexeme: the row of its word in `vocab.vectors`, else of its lowercase form, else -1."""
    table = vocab.vectors
    out = np.full(len(lex), -1, dtype=np.int64)
    for i, word in enumerate(vocab.words[int(n)] for n in lex):
        row = table.row(word)
        if row is None:
            row = table.row(word.lower())
        if row is not None:
            out[i] = row
    return out


class StaticVectors(nn.Module):
    """Look up each token's static vector in `doc.vocab.vectors` and project it to `width` (no bias).

    Input: docs. Output: (n_tokens, width). Words without a vector (nor a lowercase one) get zeros.
    The table is read from the vocab, converted to a tensor once and cached outside the state_dict;
    only the projection is trained. Call `initialize(table)` before training or loading: it sizes the
    projection from the table's dims and remembers the table's fingerprint, so that another table is refused.
    """

    def __init__(self, width: int) -> None:
        super().__init__()
        self.width = width
        self.projection: nn.Linear | None = None
        self.fingerprint: str | None = None
        self.table_name = ""
        self.rows = LexemeCache(table_rows)
        self._source: tuple[Any, Any] | None = None  # (table, table.data) the cached tensor was built from
        self._table: torch.Tensor | None = None  # (rows + 1, dims): the table plus a zero row for missing words

    def __getstate__(self) -> dict[str, Any]:
        # copies (replace_listeners deep-copies an encoder) rebuild the table cache instead of copying the table
        state = super().__getstate__()
        state.update(rows=LexemeCache(table_rows), _source=None, _table=None)
        return state

    def initialize(self, table: Any) -> None:
        """Size the projection from `table` (a Vectors) and bind the model to that table's fingerprint."""
        if table is None or table.shape[1] == 0:
            raise ValueError(f"StaticVectors: {_NO_TABLE}")
        dims = table.shape[1]
        if self.projection is None or self.projection.in_features != dims:
            device = next((p.device for p in self.parameters()), torch.device("cpu"))
            self.projection = nn.Linear(dims, self.width, bias=False, device=device)
        self.fingerprint, self.table_name = table.fingerprint(), table.name
        self._source, self._table = None, None

    def check_table(self, table: Any) -> None:
        """Raise ValueError unless `table` is the table this model was initialized with."""
        if table is None:
            raise ValueError(f"StaticVectors: {_NO_TABLE}")
        if self.projection is None or self.fingerprint is None:
            raise ValueError("StaticVectors: not initialized; init_nlp and plait.load do it, or call "
                             "nlp.set_vectors(table)")
        found = table.fingerprint()
        if found != self.fingerprint:
            raise ValueError(f"StaticVectors: the model was trained with vectors {self.table_name or 'unnamed'!r} "
                             f"(fingerprint {self.fingerprint}), but the vocab holds vectors "
                             f"{table.name or 'unnamed'!r} (fingerprint {found}); a model only works with the "
                             "table it was trained with")

    def _tensor(self, table: Any, device: torch.device) -> torch.Tensor:
        if self._source is None or self._source[0] is not table or self._source[1] is not table.data:
            self.check_table(table)
            data = np.asarray(table.data, dtype=np.float32)
            zeros = np.zeros((1, data.shape[1]), dtype=np.float32)
            self._table = torch.from_numpy(np.concatenate([data, zeros]))  # a copy, never a Parameter
            self._source = (table, table.data)
        if self._table.device != device:
            self._table = self._table.to(device)
        return self._table

    def forward(self, docs: Sequence[Any]) -> torch.Tensor:
        if self.projection is None:
            self.check_table(docs[0].vocab.vectors if docs else None)
        weight = self.projection.weight
        if not docs:
            return weight.new_zeros((0, self.width))
        table = self._tensor(docs[0].vocab.vectors, weight.device)
        rows = self.rows.gather(docs)  # -1 for words without a vector
        index = torch.from_numpy(np.where(rows < 0, len(table) - 1, rows)).to(weight.device)
        vectors = table.index_select(0, index)  # (n_tokens, dims), no gradient
        return self.projection(vectors)  # (n_tokens, width)


class StaticVectorsEmbed(nn.Module):
    """StaticVectors as a whole embedding layer: docs -> TokenBatch (n_tokens, width)."""

    tokenwise = True  # each token's row depends on that token alone (see Tok2Vec's chunked inference)

    def __init__(self, *, width: int) -> None:
        super().__init__()
        self.width = width
        self.vectors = StaticVectors(width)

    def forward(self, docs: Sequence[Any]) -> TokenBatch:
        return TokenBatch(self.vectors(docs), [len(doc) for doc in docs])


def build_static_vectors(*, width: PositiveInt) -> StaticVectorsEmbed:
    """`plait.StaticVectors.v1`: the vocab's static vectors projected to `width` (only the projection is trained).

    Usable as a Tok2Vec `embed` on its own; the table comes from `[initialize] vectors`.
    """
    return StaticVectorsEmbed(width=width)
