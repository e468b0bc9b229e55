"""ner: named entities as BILUO tags per token, decoded under BILUO constraints.

Why this decoder: a per-token softmax over BILUO tags trains in one batched pass (no transition system to
step through token by token, as a transition parser must), and a constrained Viterbi at inference rules
out ill-formed sequences (an I- after O, an entity left open), which is where plain argmax tagging loses
F1. The maxout hidden layer on top of the shared tok2vec gives the head its own capacity. A CRF would
learn transition scores as well, at the cost of a forward-backward pass in training; with hard BILUO
constraints the transitions carry little extra information, so the cheaper softmax is the default.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

import numpy as np
import torch

from plait.core.components.declaration import ComponentKind, declare, tok2vec_listener
from plait.core.components.token_heads import add_label, initial_labels, token_head_loss
from plait.core.doc import Doc
from plait.core.scorer import score_ents
from plait.core.registries import registry
from plait.models.biluo import biluo_spans, biluo_tags, constrained_viterbi, transition_mask
from plait.models.heads import TokenClassifier

if TYPE_CHECKING:
    from plait.core.data.example import Example


class EntityRecognizer:
    """Predicts entity spans into `doc.ents`."""

    score_key = "ents_f"

    def __init__(self, vocab: Any, name: str, model: TokenClassifier) -> None:
        self.vocab, self.name, self.model = vocab, name, model
        self.labels: list[str] = []
        self.tags: list[str] = []
        self._ids: dict[str, int] = {}

    def set_labels(self, labels: Sequence[str]) -> None:
        self.labels = list(labels)
        self.tags = biluo_tags(self.labels)
        self._ids = {tag: i for i, tag in enumerate(self.tags)}
        self._constraints = transition_mask(self.tags)
        self.model.resize(len(self.tags))

    def add_label(self, label: str) -> int:
        """Add an entity type (spaCy's `add_label`): 1 when new, 0 when known; trained weights are kept."""
        return add_label(self, label)

    def initialize(self, get_examples: Callable[[], Iterable[Example]], *, labels: Sequence[str] | None = None,
                   **_: Any) -> None:
        """Collect entity types from the reference docs (or take `labels`)."""
        self.set_labels(initial_labels(self.name, get_examples, labels,
                                       lambda eg: (ent.label_ for ent in eg.reference.ents), "entity annotation",
                                       known=self.labels))

    def get_loss(self, examples: Sequence[Example], scores: torch.Tensor) -> torch.Tensor:
        gold = [eg.get_aligned_ents_biluo() for eg in examples]
        return token_head_loss(scores, gold, self._ids)

    def predict(self, docs: Sequence[Doc]) -> list[np.ndarray]:
        self.model.eval()
        with torch.no_grad():
            blocks = (scores.float().log_softmax(dim=-1) for scores in self.model.score_blocks(docs))
            return constrained_viterbi(blocks, [len(d) for d in docs], *self._constraints)

    def set_annotations(self, docs: Sequence[Doc], predictions: list[np.ndarray]) -> None:
        """Predicted entities; those a doc already has (from an entity_ruler before the ner) are kept."""
        for doc, ids in zip(docs, predictions):
            spans = biluo_spans(ids, self.labels)
            if doc.has_annotation("ENT_IOB"):
                preset = [(e.start, e.end, e.label) for e in doc.ents]
                taken = {i for start, end, _ in preset for i in range(start, end)}
                spans = preset + [s for s in spans if taken.isdisjoint(range(s[0], s[1]))]
            doc.set_ents(spans)

    def score(self, examples: Sequence[Example]) -> dict[str, Any]:
        return score_ents(examples)


def default_model(optimize: str) -> dict[str, Any]:
    """The default model at either `optimize`: BILUO scores from a maxout layer over the shared tok2vec."""
    return {"@architectures": "plait.EntityTagger.v1", "hidden_width": 128, "maxout_pieces": 2,
            "tok2vec": tok2vec_listener()}


@registry.factories.register("ner")
@declare(kind=ComponentKind.HEAD, default_model=default_model,
         score_weights={"ents_p": None, "ents_r": None, "ents_f": 1.0, "ents_per_type": None})
def make_ner(*, model: TokenClassifier) -> Callable[[Any, str], EntityRecognizer]:
    """Factory `ner`: BILUO tagging with constrained Viterbi decoding."""
    return lambda nlp, name: EntityRecognizer(nlp.vocab, name, model)
