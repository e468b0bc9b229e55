"""tagger: predicts one label per token into a doc column (fine-grained TAG by default, or POS)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

import numpy as np
import torch

from plait.core.components.batching import write_column
from plait.core.components.declaration import ComponentKind, declare
from plait.core.components.token_heads import (
    add_label,
    initial_labels,
    label_hashes,
    predict_token_labels,
    token_head_loss,
    token_head_model,
)
from plait.core.doc import Doc
from plait.core.errors import ConfigError
from plait.core.scorer import score_token_attr
from plait.core.registries import registry
from plait.models.heads import TokenClassifier

if TYPE_CHECKING:
    from plait.core.data.example import Example

SCORE_KEYS = {"TAG": "tag_acc", "POS": "pos_acc"}


class Tagger:
    """Per-token classifier over the labels seen in the training data."""

    def __init__(self, vocab: Any, name: str, model: TokenClassifier, *, column: str = "TAG",
                 overwrite: bool = False) -> None:
        if column not in SCORE_KEYS:
            raise ConfigError(f"components.{name}.column: must be one of {sorted(SCORE_KEYS)}, not {column!r}")
        self.vocab, self.name, self.model, self.column, self.overwrite = vocab, name, model, column, overwrite
        self.labels: list[str] = []
        self._hashes = np.zeros(0, dtype=np.uint64)
        self._ids: dict[str, int] = {}

    @property
    def score_key(self) -> str:
        return SCORE_KEYS[self.column]

    def set_labels(self, labels: Sequence[str]) -> None:
        self.labels = list(labels)
        self._hashes = label_hashes(self.vocab, self.labels)
        self._ids = {label: i for i, label in enumerate(self.labels)}
        self.model.resize(len(self.labels))

    def add_label(self, label: str) -> int:
        """Add a tag (spaCy's `add_label`): 1 when new, 0 when known; trained weights are kept."""
        return add_label(self, label)

    def initialize(self, get_examples: Callable[[], Iterable[Example]], *, labels: Sequence[str] | None = None,
                   **_: Any) -> None:
        """Collect the label set from the reference docs (or take `labels`, e.g. from a labels file)."""
        self.set_labels(initial_labels(self.name, get_examples, labels,
                                       lambda eg: (s for s in eg.reference.strings_of(self.column) if s),
                                       f"{self.column} annotation", known=self.labels))

    def get_loss(self, examples: Sequence[Example], scores: torch.Tensor) -> torch.Tensor:
        gold = [eg.get_aligned(self.column) for eg in examples]
        return token_head_loss(scores, gold, self._ids)

    def predict(self, docs: Sequence[Doc]) -> list[np.ndarray]:
        return predict_token_labels(self.model, docs)

    def set_annotations(self, docs: Sequence[Doc], predictions: list[np.ndarray]) -> None:
        for doc, ids in zip(docs, predictions):
            column = doc.columns[self.column]
            values = self._hashes[ids]
            write_column(column, values, self.overwrite)

    def score(self, examples: Sequence[Example]) -> dict[str, Any]:
        return {self.score_key: score_token_attr(examples, self.column)}


@registry.factories.register("tagger")
@declare(kind=ComponentKind.HEAD, default_model=token_head_model,
         score_weights={"tag_acc": 1.0, "pos_acc": None})  # pos_acc: with column POS
def make_tagger(*, model: TokenClassifier, column: str = "TAG", overwrite: bool = False) -> Callable[[Any, str], Tagger]:
    """Factory `tagger`: fine-grained tags (column TAG: XPOS, PTB) by default; column POS for UPOS."""
    return lambda nlp, name: Tagger(nlp.vocab, name, model, column=column, overwrite=overwrite)
