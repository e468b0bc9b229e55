"""morphologizer: universal POS and morphological features, predicted jointly as one label per token.

The label joins the two, "POS=NOUN|Number=Sing" ("POS=ADP" for a token without features), so one
softmax learns which features go with which part of speech and never predicts a feature set the
training data never paired with that POS. `set_annotations` splits the label back into the POS and
MORPH columns.
"""
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

_POS = "POS="


def join_label(pos: str, morph: str) -> str:
    """The joint label of a UPOS tag and a FEATS string ("" for no features)."""
    return f"{_POS}{pos}|{morph}" if morph else f"{_POS}{pos}"


def split_label(label: str) -> tuple[str, str]:
    """(UPOS, FEATS) from a joint label; ValueError if it does not start with "POS="."""
    if not label.startswith(_POS):
        raise ValueError(f"morphologizer label {label!r} does not start with {_POS!r}")
    pos, _, morph = label[len(_POS):].partition("|")
    return pos, morph


def gold_labels(example: Example) -> list[str | None]:
    """The joint gold label of each predicted token; None where the gold POS is unknown or unaligned."""
    pos, morph = example.get_aligned("POS"), example.get_aligned("MORPH")
    return [join_label(p, m or "") if p else None for p, m in zip(pos, morph)]


class Morphologizer:
    """Per-token classifier over the POS+FEATS combinations seen in the training data."""

    score_key = "pos_acc"

    def __init__(self, vocab: Any, name: str, model: TokenClassifier, *, overwrite: bool = False) -> None:
        self.vocab, self.name, self.model, self.overwrite = vocab, name, model, overwrite
        self.labels: list[str] = []
        self._ids: dict[str, int] = {}
        self._hashes = {"POS": np.zeros(0, dtype=np.uint64), "MORPH": np.zeros(0, dtype=np.uint64)}

    def set_labels(self, labels: Sequence[str]) -> None:
        self.labels = list(labels)
        self._ids = {label: i for i, label in enumerate(self.labels)}
        pos, morph = zip(*map(split_label, self.labels)) if self.labels else ((), ())
        self._hashes = {"POS": label_hashes(self.vocab, pos), "MORPH": label_hashes(self.vocab, morph)}
        self.model.resize(len(self.labels))

    def add_label(self, label: str) -> int:
        """Add a joint "POS|features" label (spaCy's `add_label`): 1 when new, 0 when known; trained weights are kept."""
        return add_label(self, label)

    def initialize(self, get_examples: Callable[[], Iterable[Example]], *, labels: Sequence[str] | None = None,
                   **_: Any) -> None:
        """Collect the POS+FEATS combinations of the reference docs (or take joint `labels`)."""
        def joint(eg: Example) -> Iterable[str]:
            ref = eg.reference
            return (join_label(p, m) for p, m in zip(ref.strings_of("POS"), ref.strings_of("MORPH")) if p)

        labels = initial_labels(self.name, get_examples, labels, joint, "POS annotation", known=self.labels)
        try:
            self.set_labels(labels)
        except ValueError as err:
            raise ConfigError(f"initialize.components.{self.name}.labels: {err}") from err

    def get_loss(self, examples: Sequence[Example], scores: torch.Tensor) -> torch.Tensor:
        gold = [gold_labels(eg) for eg in examples]
        return token_head_loss(scores, gold, self._ids)

    def predict(self, docs: Sequence[Doc]) -> list[np.ndarray]:
        return predict_token_labels(self.model, docs)

    def set_annotations(self, docs: Sequence[Doc], predictions: list[np.ndarray]) -> None:
        for doc, ids in zip(docs, predictions):
            for name, hashes in self._hashes.items():
                column, values = doc.columns[name], hashes[ids]
                write_column(column, values, self.overwrite)

    def score(self, examples: Sequence[Example]) -> dict[str, Any]:
        return {"pos_acc": score_token_attr(examples, "POS"), "morph_acc": score_token_attr(examples, "MORPH")}


@registry.factories.register("morphologizer")
@declare(kind=ComponentKind.HEAD, default_model=token_head_model,
         score_weights={"pos_acc": 0.5, "morph_acc": 0.5})
def make_morphologizer(*, model: TokenClassifier, overwrite: bool = False) -> Callable[[Any, str], Morphologizer]:
    """Factory `morphologizer`: UPOS into the POS column and FEATS into the MORPH column, from one joint label."""
    return lambda nlp, name: Morphologizer(nlp.vocab, name, model, overwrite=overwrite)
