"""The part every pretraining objective shares: a throwaway head on the encoder's per-token vectors."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch
from torch import nn

from plait.models.batch import TokenBatch
from plait.models.layers import Maxout
from plait.objectives.corruption import corrupt


class PretrainHead(nn.Module):
    """Maxout hidden layer, layer norm and a linear output over each token's vector: (n_tokens, n_out).

    Subclasses define the targets and the loss (`get_loss`). Inputs are corrupted before the encoder
    (`corrupt`), the loss is taken on every token: on a corrupted one only its context can say what it was,
    on the others the head learns to read the token back, which trains the embedding tables too.
    """

    def __init__(self, *, width: int, hidden_size: int, maxout_pieces: int, n_out: int, mask_rate: float,
                 replace_rate: float) -> None:
        super().__init__()
        self.mask_rate, self.replace_rate = mask_rate, replace_rate
        self.hidden = Maxout(width, hidden_size, pieces=maxout_pieces)
        self.norm = nn.LayerNorm(hidden_size)
        self.output = nn.Linear(hidden_size, n_out)

    def corrupt(self, docs: Sequence[Any], rng: np.random.Generator) -> list[Any]:
        """The docs the encoder sees: copies with some tokens masked or replaced."""
        return corrupt(docs, rng, mask_rate=self.mask_rate, replace_rate=self.replace_rate)

    def scores(self, batch: TokenBatch) -> torch.Tensor:
        return self.output(self.norm(self.hidden(batch.flat)))

    def get_loss(self, docs: Sequence[Any], batch: TokenBatch) -> torch.Tensor:
        """The loss of the encoder's output `batch` (of the corrupted docs) against the targets of `docs`."""
        raise NotImplementedError


def check_rates(mask_rate: float, replace_rate: float) -> None:
    """Both rates are shares of tokens, and together at most all of them."""
    if mask_rate < 0 or replace_rate < 0 or mask_rate + replace_rate > 1:
        raise ValueError(f"mask_rate ({mask_rate}) and replace_rate ({replace_rate}) must be >= 0 and sum to <= 1")
