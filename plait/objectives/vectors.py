"""The vectors objective: predict each token's static word vector from its context."""
from __future__ import annotations

from typing import Any, Callable, Literal, Sequence

import numpy as np
import torch

from plait.models.batch import TokenBatch
from plait.models.features import LexemeCache
from plait.models.settings import MaxoutPieces, PositiveInt, Share
from plait.models.static_vectors import table_rows
from plait.objectives.head import PretrainHead, check_rates

LOSSES = ("cosine", "L2")


class VectorsObjective(PretrainHead):
    """Regresses the vocab's vector of each token (its lowercase form's if it has none); tokens without a vector
    add no loss. `loss` is "cosine" (1 - cosine similarity) or "L2" (squared distance)."""

    def __init__(self, *, width: int, hidden_size: int, maxout_pieces: int, loss: str, table: Any, mask_rate: float,
                 replace_rate: float) -> None:
        super().__init__(width=width, hidden_size=hidden_size, maxout_pieces=maxout_pieces, n_out=table.shape[1],
                         mask_rate=mask_rate, replace_rate=replace_rate)
        self.loss = loss
        self.rows = LexemeCache(table_rows)
        self.table = torch.from_numpy(np.asarray(table.data, dtype=np.float32).copy())  # never trained

    def get_loss(self, docs: Sequence[Any], batch: TokenBatch) -> torch.Tensor:
        predicted = self.scores(batch)
        rows = torch.from_numpy(self.rows.gather(docs)).to(predicted.device)
        found = rows >= 0
        if not bool(found.any()):
            return predicted.sum() * 0.0
        self.table = self.table.to(predicted.device)
        target, predicted = self.table.index_select(0, rows[found]), predicted[found]
        if self.loss == "cosine":
            return 1.0 - torch.nn.functional.cosine_similarity(predicted, target, dim=-1).mean()
        return (predicted - target).pow(2).sum(dim=-1).mean()


def build_pretrain_vectors(*, maxout_pieces: MaxoutPieces = 3, hidden_size: PositiveInt = 300,
                           loss: Literal["cosine", "L2"] = "cosine", mask_rate: Share = 0.3, replace_rate: Share = 0.05
                           ) -> Callable[[int, Any], VectorsObjective]:
    """`plait.PretrainVectors.v1`: predict each token's static vector (needs `[initialize] vectors`).

    Corruption as in `plait.PretrainCharacters.v1` (see there for the measurements behind the default
    shares). Returns a builder from the
    encoder's width and the vocab to the objective module; it raises ValueError when the vocab has no vectors.
    """
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(LOSSES)}, not {loss!r}")
    check_rates(mask_rate, replace_rate)

    def build(width: int, vocab: Any) -> VectorsObjective:
        table = getattr(vocab, "vectors", None)
        if table is None or table.shape[0] == 0 or table.shape[1] == 0:
            raise ValueError("plait.PretrainVectors.v1 predicts static vectors, but the vocab has none: set "
                             "[initialize] vectors (e.g. --paths.vectors DIR from plait init-vectors)")
        return VectorsObjective(width=width, hidden_size=hidden_size, maxout_pieces=maxout_pieces, loss=loss,
                                table=table, mask_rate=mask_rate, replace_rate=replace_rate)

    return build
