"""textcat and textcat_multilabel: document labels into `doc.cats`, one probability per label.

textcat: exclusive classes, one softmax; a doc's gold class is the label with the highest value in its
`cats`. textcat_multilabel: independent labels, one sigmoid each; a label absent from a doc's `cats` is
unknown rather than false, so partially annotated docs still train the labels they have. Docs with
empty `cats` are skipped in the loss and in scoring.
"""
from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

import numpy as np
import torch
from torch import nn

from plait.core.components.declaration import ComponentKind, declare, tok2vec_listener
from plait.core.components.token_heads import MISSING, add_label, initial_labels
from plait.core.doc import Doc
from plait.core.errors import ConfigError
from plait.core.scorer import score_cats
from plait.core.registries import registry
from plait.models import traits

if TYPE_CHECKING:
    from plait.core.data.example import Example


class TextCategorizer:
    """Scores every label for every doc; `exclusive` picks softmax (textcat) or sigmoid (textcat_multilabel)."""

    score_key = "cats_score"

    def __init__(self, vocab: Any, name: str, model: nn.Module, *, exclusive: bool, threshold: float = 0.5) -> None:
        declared = traits.exclusive_classes(model)
        if declared is not None and declared != exclusive:
            factory = "textcat" if exclusive else "textcat_multilabel"
            raise ConfigError(f"components.{name}.model: exclusive_classes = {str(declared).lower()} does not fit "
                              f"factory {factory!r}; set it to {str(exclusive).lower()}")
        self.vocab, self.name, self.model = vocab, name, model
        self.exclusive, self.threshold = exclusive, threshold
        self.labels: list[str] = []

    def set_labels(self, labels: Sequence[str]) -> None:
        self.labels = list(labels)
        self.model.resize(len(self.labels))

    def add_label(self, label: str) -> int:
        """Add a category (spaCy's `add_label`): 1 when new, 0 when known; trained weights are kept."""
        return add_label(self, label)

    def initialize(self, get_examples: Callable[[], Iterable[Example]], *, labels: Sequence[str] | None = None,
                   **_: Any) -> None:
        """Collect the labels of the reference docs' `cats` (or take `labels`)."""
        labels = initial_labels(self.name, get_examples, labels, lambda eg: eg.reference.cats, "doc.cats annotation",
                                known=self.labels)
        if self.exclusive and len(labels) < 2:
            raise ConfigError(f"components.{self.name}: exclusive classes need at least two labels, found "
                              f"{list(labels)}; use the textcat_multilabel factory for a single label")
        self.set_labels(labels)

    def get_loss(self, examples: Sequence[Example], scores: torch.Tensor) -> torch.Tensor:
        """Summed cross-entropy (exclusive) or binary cross-entropy over known labels (multilabel)."""
        scores = scores.float()
        cats = [eg.reference.cats for eg in examples]
        if self.exclusive:
            targets = torch.tensor([self._best(c) for c in cats], dtype=torch.long, device=scores.device)
            return nn.functional.cross_entropy(scores, targets, ignore_index=MISSING, reduction="sum")
        known = [[label in c for label in self.labels] for c in cats]
        truth = [[float(c.get(label, 0.0)) for label in self.labels] for c in cats]
        mask = torch.tensor(known, dtype=scores.dtype, device=scores.device).view_as(scores)
        truth_t = torch.tensor(truth, dtype=scores.dtype, device=scores.device).view_as(scores)
        return nn.functional.binary_cross_entropy_with_logits(scores, truth_t, weight=mask, reduction="sum")

    def _best(self, cats: dict[str, float]) -> int:
        """The id of the gold class of one doc, MISSING when none of the labels is annotated."""
        known = [i for i, label in enumerate(self.labels) if label in cats]
        return max(known, key=lambda i: cats[self.labels[i]]) if known else MISSING

    def predict(self, docs: Sequence[Doc]) -> np.ndarray:
        """Probabilities, (batch, n_labels): softmax rows for exclusive classes, else independent sigmoids."""
        self.model.eval()
        with torch.no_grad():
            scores = self.model(docs).float()
        probs = scores.softmax(dim=-1) if self.exclusive else scores.sigmoid()
        return probs.cpu().numpy()

    def set_annotations(self, docs: Sequence[Doc], predictions: np.ndarray) -> None:
        for doc, row in zip(docs, predictions.tolist()):
            doc.cats = dict(zip(self.labels, row))

    def score(self, examples: Sequence[Example]) -> dict[str, Any]:
        annotated = [eg for eg in examples if eg.reference.cats]
        return score_cats(annotated, self.labels, exclusive=self.exclusive, threshold=self.threshold)


# Hashed n-gram rows of the bag-of-words model (2**18, ample for sentence-level corpora).
_BOW_LENGTH = 262144
_SCORE_WEIGHTS = {"cats_score": 1.0, "cats_macro_f": None, "cats_micro_f": None, "cats_acc": None,
                  "cats_f_per_type": None}


def default_model(optimize: str, *, exclusive: bool) -> dict[str, Any]:
    """Efficiency: the bag-of-n-grams linear model alone (no tok2vec); accuracy: it plus a pooled listener."""
    bow = {"@architectures": "plait.TextCatBOW.v1", "ngram_size": 2, "length": _BOW_LENGTH,
           "exclusive_classes": exclusive}
    if optimize == "efficiency":
        return bow
    return {"@architectures": "plait.TextCatEnsemble.v1", "tok2vec": tok2vec_listener(), "linear_model": bow}


@registry.factories.register("textcat")
@declare(kind=ComponentKind.HEAD, default_model=partial(default_model, exclusive=True),
         score_weights=_SCORE_WEIGHTS)
def make_textcat(*, model: nn.Module) -> Callable[[Any, str], TextCategorizer]:
    """Factory `textcat`: exclusive classes (exactly one label per doc), scored by softmax."""
    return lambda nlp, name: TextCategorizer(nlp.vocab, name, model, exclusive=True)


@registry.factories.register("textcat_multilabel")
@declare(kind=ComponentKind.HEAD, default_model=partial(default_model, exclusive=False),
         score_weights=_SCORE_WEIGHTS)
def make_textcat_multilabel(*, model: nn.Module, threshold: float = 0.5) -> Callable[[Any, str], TextCategorizer]:
    """Factory `textcat_multilabel`: independent labels, each scored by a sigmoid; `threshold` decides in scoring."""
    return lambda nlp, name: TextCategorizer(nlp.vocab, name, model, exclusive=False, threshold=threshold)
