"""trainable_lemmatizer: one lemma edit (see lemma_edits) predicted per token, applied to its form.

The classes are the edits seen at least `min_freq` times in the training pairs (rarer ones are one-off
spellings the classifier could not learn). At prediction the best of the `top_k` highest-scoring edits that
applies to the form is used; when none applies the lemma backs off to the form itself.
"""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

import numpy as np
import torch

from plait.core.components.batching import write_column
from plait.core.components.declaration import ComponentKind, declare
from plait.core.components.lemma_edits import Edit, apply_edit, edit_of
from plait.core.components.token_heads import token_head_loss, token_head_model
from plait.core.doc import Doc
from plait.core.errors import ConfigError
from plait.core.scorer import score_token_attr
from plait.core.registries import registry
from plait.models.batch import bounded_runs
from plait.models.heads import INFERENCE_CHUNK, TokenClassifier

if TYPE_CHECKING:
    from plait.core.data.example import Example


class EditLemmatizer:
    """Per-token classifier over lemma edits, writing the LEMMA column."""

    score_key = "lemma_acc"

    def __init__(self, vocab: Any, name: str, model: TokenClassifier, *, min_freq: int = 3, top_k: int = 3,
                 overwrite: bool = False) -> None:
        if min_freq < 1 or top_k < 1:
            raise ConfigError(f"components.{name}: min_freq and top_k must be at least 1")
        self.vocab, self.name, self.model = vocab, name, model
        self.min_freq, self.top_k, self.overwrite = min_freq, top_k, overwrite
        self.labels: list[Edit] = []
        self._ids: dict[Edit, int] = {}

    def set_labels(self, labels: Sequence[Sequence[Any]]) -> None:
        self.labels = [Edit(*label) for label in labels]
        self._ids = {edit: i for i, edit in enumerate(self.labels)}
        self.model.resize(len(self.labels))

    def initialize(self, get_examples: Callable[[], Iterable[Example]], *, labels: Sequence[Any] | None = None,
                   **_: Any) -> None:
        """Collect the edits of the reference docs' (form, lemma) pairs seen at least min_freq times."""
        if labels is None:
            counts: Counter[Edit] = Counter()
            for eg in get_examples():
                ref = eg.reference
                counts.update(edit_of(f, lemma) for f, lemma in zip(ref.words, ref.strings_of("LEMMA")) if lemma)
            labels = sorted(edit for edit, n in counts.items() if n >= self.min_freq)
        if not labels:
            raise ConfigError(f"components.{self.name}: the training data has no LEMMA annotation "
                              f"(or no edit seen {self.min_freq} times)")
        self.set_labels(labels)

    def get_loss(self, examples: Sequence[Example], scores: torch.Tensor) -> torch.Tensor:
        gold = [[edit_of(form, lemma) if lemma else None for form, lemma in zip(eg.predicted.words,
                                                                               eg.get_aligned("LEMMA"))]
                for eg in examples]
        return token_head_loss(scores, gold, self._ids)

    def predict(self, docs: Sequence[Doc]) -> list[list[str]]:
        """The lemma of each token of each doc; docs are scored a few thousand tokens at a time, as the edit
        scores (tokens x edits) are large."""
        self.model.eval()
        lemmas: list[list[str]] = []
        for run in bounded_runs([len(doc) for doc in docs], INFERENCE_CHUNK):
            with torch.no_grad():
                scores = self.model.flat_scores(docs[run])
            ranked = iter(scores.topk(min(self.top_k, scores.shape[-1]), dim=-1).indices.cpu().numpy())
            lemmas += [[self._lemma(form, next(ranked)) for form in doc.words] for doc in docs[run]]
        return lemmas

    def _lemma(self, form: str, ranked: np.ndarray) -> str:
        for label in ranked.tolist():
            lemma = apply_edit(self.labels[label], form)
            if lemma is not None:
                return lemma
        return form

    def set_annotations(self, docs: Sequence[Doc], predictions: list[list[str]]) -> None:
        add = self.vocab.strings.add
        for doc, lemmas in zip(docs, predictions):
            values = np.fromiter((add(lemma) for lemma in lemmas), dtype=np.uint64, count=len(lemmas))
            write_column(doc.columns["LEMMA"], values, self.overwrite)

    def score(self, examples: Sequence[Example]) -> dict[str, Any]:
        return {"lemma_acc": score_token_attr(examples, "LEMMA")}


@registry.factories.register("trainable_lemmatizer")
@declare(kind=ComponentKind.HEAD, default_model=token_head_model, score_weights={"lemma_acc": 1.0})
def make_trainable_lemmatizer(*, model: TokenClassifier, min_freq: int = 3, top_k: int = 3,
                              overwrite: bool = False) -> Callable[[Any, str], EditLemmatizer]:
    """Factory `trainable_lemmatizer`: lemmas from predicted prefix/suffix edits, backing off to the form."""
    return lambda nlp, name: EditLemmatizer(nlp.vocab, name, model, min_freq=min_freq, top_k=top_k,
                                            overwrite=overwrite)
