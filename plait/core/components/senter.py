"""senter: sentence boundaries as one decision per token (starts a sentence or not), without a parser.

A per-token classifier over the shared token vectors is far cheaper than parsing, and the window
encoder sees enough context (punctuation, capitalisation of the next word) for most boundaries.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

import numpy as np
import torch

from plait.core.components.batching import write_column
from plait.core.components.declaration import ComponentKind, declare
from plait.core.components.token_heads import predict_token_labels, token_head_loss, token_head_model
from plait.core.doc import Doc
from plait.core.errors import ConfigError
from plait.core.scorer import score_sents
from plait.core.registries import registry
from plait.models.heads import TokenClassifier

if TYPE_CHECKING:
    from plait.core.data.example import Example

LABELS = ("I", "S")  # inside a sentence / starts a sentence
_IDS = {-1: 0, 1: 1}  # SENT_START code -> label id
_CODES = np.array([-1, 1], dtype=np.int8)  # label id -> SENT_START code


class SentenceRecognizer:
    """Predicts the SENT_START column (1 starts a sentence, -1 does not), so `doc.sents` works."""

    score_key = "sents_f"

    def __init__(self, vocab: Any, name: str, model: TokenClassifier, *, overwrite: bool = False) -> None:
        self.vocab, self.name, self.model, self.overwrite = vocab, name, model, overwrite
        self.labels = list(LABELS)
        self.model.resize(len(LABELS))  # the label set is fixed: the head can be sized at once

    def initialize(self, get_examples: Callable[[], Iterable[Example]], **_: Any) -> None:
        """Check that the training data marks sentence boundaries (the labels themselves are fixed)."""
        if not any(eg.reference.has_annotation("SENT_START") for eg in get_examples()):
            raise ConfigError(f"components.{self.name}: the training data has no sentence boundaries")

    def get_loss(self, examples: Sequence[Example], scores: torch.Tensor) -> torch.Tensor:
        gold = [eg.get_aligned_sent_starts() for eg in examples]
        return token_head_loss(scores, gold, _IDS)

    def predict(self, docs: Sequence[Doc]) -> list[np.ndarray]:
        best = predict_token_labels(self.model, docs)
        for ids in best:
            ids[:1] = _IDS[1]  # a doc's first token always starts a sentence
        return best

    def set_annotations(self, docs: Sequence[Doc], predictions: list[np.ndarray]) -> None:
        for doc, ids in zip(docs, predictions):
            column = doc.columns["SENT_START"]
            codes = _CODES[ids]
            write_column(column, codes, self.overwrite)

    def score(self, examples: Sequence[Example]) -> dict[str, Any]:
        return score_sents(examples)


@registry.factories.register("senter")
@declare(kind=ComponentKind.HEAD, default_model=token_head_model,
         score_weights={"sents_p": None, "sents_r": None, "sents_f": 1.0})
def make_senter(*, model: TokenClassifier, overwrite: bool = False) -> Callable[[Any, str], SentenceRecognizer]:
    """Factory `senter`: sentence starts per token; `overwrite` replaces boundaries set by earlier components."""
    return lambda nlp, name: SentenceRecognizer(nlp.vocab, name, model, overwrite=overwrite)
