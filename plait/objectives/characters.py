"""The characters objective: predict the first and last few UTF-8 bytes of each token from its context."""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
import torch

from plait.models.batch import TokenBatch
from plait.models.features import LexemeCache
from plait.models.settings import MaxoutPieces, PositiveInt, Share
from plait.objectives.head import PretrainHead, check_rates

N_BYTES = 256


def edge_bytes(word: str, n: int) -> list[int]:
    """The first `n` and last `n` UTF-8 bytes of `word`, zero-padded (a zero byte never occurs in text)."""
    data = word.encode("utf8")
    return list(data[:n].ljust(n, b"\0") + data[-n:].rjust(n, b"\0"))


class CharactersObjective(PretrainHead):
    """Scores 256 byte values at each of 2 * n_characters positions; cross-entropy averaged over them."""

    def __init__(self, *, width: int, hidden_size: int, maxout_pieces: int, n_characters: int, mask_rate: float,
                 replace_rate: float) -> None:
        super().__init__(width=width, hidden_size=hidden_size, maxout_pieces=maxout_pieces,
                         n_out=2 * n_characters * N_BYTES, mask_rate=mask_rate, replace_rate=replace_rate)
        self.n_characters = n_characters
        self.targets = LexemeCache(lambda vocab, lex: np.array(
            [edge_bytes(vocab.words[i], n_characters) for i in lex.tolist()], dtype=np.int64
        ).reshape(len(lex), 2 * n_characters))

    def get_loss(self, docs: Sequence[Any], batch: TokenBatch) -> torch.Tensor:
        targets = torch.from_numpy(self.targets.gather(docs).reshape(-1)).to(batch.flat.device)
        scores = self.scores(batch).view(-1, N_BYTES)
        return torch.nn.functional.cross_entropy(scores, targets)


def build_pretrain_characters(*, maxout_pieces: MaxoutPieces = 3, hidden_size: PositiveInt = 300,
                              n_characters: PositiveInt = 4, mask_rate: Share = 0.3, replace_rate: Share = 0.05
                              ) -> Callable[[int, Any], CharactersObjective]:
    """`plait.PretrainCharacters.v1`: predict each token's first and last `n_characters` UTF-8 bytes.

    Inputs are corrupted first: `mask_rate` of the tokens become a mask word and `replace_rate` a random word
    of the batch; the loss covers every token. Why 30% and 5%: BERT's mix (Devlin et al. 2019: 12% masked,
    1.5% replaced; its table 8 found mask-plus-replace better than masking alone) counts the loss on the
    corrupted tokens only, and here most of the loss is on tokens the model can read back from their own
    features, so a larger share must be corrupted to teach context (benchmarks/pretrain_usefulness.py; figures:
    BENCHMARKS.md, "Pretraining"). Returns a builder from the encoder's width and the vocab to the objective
    module.
    """
    if n_characters < 1:
        raise ValueError("n_characters must be at least 1")
    check_rates(mask_rate, replace_rate)
    return lambda width, vocab: CharactersObjective(width=width, hidden_size=hidden_size, maxout_pieces=maxout_pieces,
                                                    n_characters=n_characters, mask_rate=mask_rate,
                                                    replace_rate=replace_rate)
