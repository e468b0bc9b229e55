"""Task heads: per-token classifiers and document classifiers on top of a tok2vec (or listener)."""
from __future__ import annotations

from typing import Any, Iterator, Sequence

import numpy as np
import torch
from torch import nn

from plait.models import traits
from plait.models.batch import TokenBatch
from plait.models.dropout import Dropout
from plait.models.layers import Maxout
from plait.models.listener import Listener, OutputKind
from plait.models.limits import INFERENCE_CHUNK
from plait.models.settings import MaxoutPieces, PositiveInt, Rate



def _zero_linear(n_in: int, n_out: int, device: torch.device) -> nn.Linear:
    layer = nn.Linear(n_in, n_out, device=device)
    nn.init.zeros_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


def _device_of(module: nn.Module) -> torch.device:
    return next((p.device for p in module.parameters()), torch.device("cpu"))


def _require(output: nn.Linear | None) -> nn.Linear:
    if output is None:
        raise RuntimeError("the head has no labels yet: initialize the component (or load it) before use")
    return output


class TokenClassifier(nn.Module):
    """tok2vec, optional maxout hidden layer, linear scores per label: docs -> (batch, tokens, n_labels).

    The output layer is sized by `resize(n_labels)` once the labels are known (from data or a saved state).
    `width` None (a transformer listener) means the input width is read from the tok2vec at `resize`,
    when the transformer has been loaded; the hidden layer is built then too.
    """

    def __init__(self, *, tok2vec: nn.Module, width: int | None, hidden_width: int = 0, maxout_pieces: int = 2,
                 dropout: float = 0.1) -> None:
        super().__init__()
        self.tok2vec = tok2vec
        self.dropout = Dropout(dropout)
        self.hidden_width, self.maxout_pieces = hidden_width, maxout_pieces
        self.hidden: Maxout | None = None
        if width is not None:
            self._build_hidden(width)
        self.output: nn.Linear | None = None

    def _build_hidden(self, width: int) -> None:
        if self.hidden_width:
            self.hidden = Maxout(width, self.hidden_width, pieces=self.maxout_pieces)

    def resize(self, n_labels: int) -> None:
        """(Re)create the output layer for `n_labels` labels, zero-initialised (uniform scores at start)."""
        if self.hidden_width and self.hidden is None:
            self._build_hidden(self.tok2vec.width)
            self.hidden.to(_device_of(self))
        n_in = self.hidden_width or self.tok2vec.width
        self.output = _zero_linear(n_in, n_labels, _device_of(self))

    def forward(self, docs: Sequence[Any]) -> torch.Tensor:
        if self.training:
            batch: TokenBatch = self.tok2vec(docs)
            return batch.pad(self._score(batch.flat))
        return torch.cat(list(self.score_blocks(docs)), dim=1)  # (batch, tokens, n_labels)

    def best_labels(self, docs: Sequence[Any]) -> list[np.ndarray]:
        """Inference: each doc's best label id per token, taken over the unpadded rows INFERENCE_CHUNK tokens at
        a time, so no padded (batch, tokens, n_labels) scores are built."""
        if not docs:
            return []
        batch: TokenBatch = self.tok2vec(docs)
        best = batch.map_rows(lambda rows: self._score(rows).argmax(dim=-1), INFERENCE_CHUNK)
        return np.split(best.cpu().numpy(), np.cumsum(batch.lengths)[:-1])

    def score_blocks(self, docs: Sequence[Any]) -> Iterator[torch.Tensor]:
        """Inference: forward's (batch, tokens, n_labels) scores as consecutive blocks along the token axis.

        Rows are scored INFERENCE_CHUNK tokens at a time (a transformer listener then never holds every token's
        pooled row), and one doc on its own comes back block by block, so a caller that reduces each block
        (argmax, a Viterbi step) never holds a long doc's scores at once.
        """
        batch: TokenBatch = self.tok2vec(docs)
        if len(docs) == 1 and batch.lengths[0] > INFERENCE_CHUNK:
            for _, rows in batch.row_blocks(INFERENCE_CHUNK):
                yield self._score(rows).unsqueeze(0)
        else:
            yield batch.pad(batch.map_rows(self._score, INFERENCE_CHUNK))

    def flat_scores(self, docs: Sequence[Any]) -> torch.Tensor:
        """Inference: (n_tokens, n_labels) scores of every token in doc order, without padding (for a caller
        that reduces each token's scores over many labels, where padding to the longest doc would cost most)."""
        return self.tok2vec(docs).map_rows(self._score, INFERENCE_CHUNK)

    def _score(self, rows: torch.Tensor) -> torch.Tensor:
        x = self.dropout(rows)
        if self.hidden is not None:
            x = self.hidden(x)
        return _require(self.output)(x)


class TextClassifier(nn.Module):
    """Mean- and max-pooled tok2vec vectors, then linear scores per label: docs -> (batch, n_labels)."""

    def __init__(self, *, tok2vec: nn.Module, dropout: float = 0.1) -> None:
        super().__init__()
        self.tok2vec = tok2vec
        self.dropout = Dropout(dropout)
        self.output: nn.Linear | None = None

    def resize(self, n_labels: int) -> None:
        """(Re)create the output layer for `n_labels` labels, zero-initialised; its input width is read now."""
        self.output = _zero_linear(2 * self.tok2vec.width, n_labels, _device_of(self))

    def forward(self, docs: Sequence[Any]) -> torch.Tensor:
        batch: TokenBatch = self.tok2vec(docs)
        mask = batch.mask[..., None]  # (batch, tokens, 1)
        total = (batch.vectors * mask).sum(dim=1)
        lengths = torch.tensor(batch.lengths, device=total.device, dtype=total.dtype)
        mean = total / lengths.clamp(min=1)[:, None]
        peak = batch.vectors.masked_fill(~mask, float("-inf")).amax(dim=1)
        peak = torch.where(torch.isfinite(peak), peak, torch.zeros_like(peak))
        return _require(self.output)(self.dropout(torch.cat([mean, peak], dim=-1)))  # (batch, n_labels)


def width_of(tok2vec: nn.Module) -> int | None:
    """The tok2vec's output width; None for a transformer listener, whose width is known once the model loads."""
    if isinstance(tok2vec, Listener) and tok2vec.reads is OutputKind.WORDPIECES:
        return None
    width = traits.width(tok2vec)
    if not isinstance(width, int):
        raise ValueError("the tok2vec module must expose its output `width`")
    return width


def build_tagger_model(*, tok2vec: nn.Module, dropout: Rate = 0.1) -> TokenClassifier:
    """`plait.Tagger.v1`: a linear layer over the token vectors, one score per tag."""
    return TokenClassifier(tok2vec=tok2vec, width=width_of(tok2vec), dropout=dropout)


def build_entity_tagger_model(*, tok2vec: nn.Module, hidden_width: PositiveInt = 64, maxout_pieces: MaxoutPieces = 2,
                              dropout: Rate = 0.1) -> TokenClassifier:
    """`plait.EntityTagger.v1`: a maxout hidden layer then BILUO tag scores (decoded with constraints)."""
    return TokenClassifier(tok2vec=tok2vec, width=width_of(tok2vec), hidden_width=hidden_width,
                           maxout_pieces=maxout_pieces, dropout=dropout)


def build_text_classifier(*, tok2vec: nn.Module, dropout: Rate = 0.1) -> TextClassifier:
    """`plait.TextClassifier.v1`: mean and max pooled token vectors, then a linear layer."""
    width_of(tok2vec)
    return TextClassifier(tok2vec=tok2vec, dropout=dropout)
