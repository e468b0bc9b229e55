"""Functions shared by per-token heads (tagger, ner, senter, morphologizer): prediction batches and loss."""
from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

import numpy as np
import torch
from torch import nn

from plait.core.components.declaration import tok2vec_listener
from plait.core.errors import ConfigError

MISSING = -100  # target id ignored by the loss (token without gold annotation)


def token_head_model(optimize: str) -> dict[str, Any]:
    """The default model of a per-token head at either `optimize`: a linear layer over the shared tok2vec."""
    return {"@architectures": "plait.Tagger.v1", "tok2vec": tok2vec_listener()}


def token_targets(gold: Iterable[Sequence[Any]], label_ids: dict[Any, int], device: torch.device,
                  width: int) -> torch.Tensor:
    """Padded (batch, width) target ids from per-doc gold labels; None, "-" or unknown labels are MISSING."""
    rows = []
    for labels in gold:
        ids = [label_ids.get(label, MISSING) if label not in (None, "-") else MISSING for label in labels]
        rows.append(ids + [MISSING] * (width - len(ids)))
    return torch.tensor(rows, dtype=torch.long, device=device).view(len(rows), width)


def token_loss(scores: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Summed cross-entropy over tokens with gold labels (summed, so longer batches weigh more, as words do)."""
    return nn.functional.cross_entropy(scores.reshape(-1, scores.shape[-1]).float(), targets.reshape(-1),
                                       ignore_index=MISSING, reduction="sum")


def token_head_loss(scores: torch.Tensor, gold: Iterable[Sequence[Any]], label_ids: dict[Any, int]) -> torch.Tensor:
    """The loss of per-token scores (batch, tokens, n_labels) against per-doc gold labels."""
    return token_loss(scores, token_targets(gold, label_ids, scores.device, scores.shape[1]))


def predict_token_labels(model: nn.Module, docs: Sequence[Any]) -> list[np.ndarray]:
    """The best label id of each token of each doc, in inference mode; a long doc's scores are reduced block
    by block (TokenClassifier.best_labels), never held at once."""
    model.eval()
    with torch.no_grad():
        return model.best_labels(docs)


def initial_labels(name: str, get_examples: Callable[[], Iterable[Any]], labels: Sequence[Any] | None,
                   labels_of: Callable[[Any], Iterable[Any]], missing: str, known: Sequence[Any] = ()) -> list[Any]:
    """A head's label set: `labels` when given (`[initialize.components.NAME] labels`), else the `known` labels
    (those `add_label` gave it) and then every other label `labels_of(example)` yields over the training
    examples, sorted; ConfigError naming `missing` if none."""
    if labels is None:
        found = {label for eg in get_examples() for label in labels_of(eg)}
        labels = [*known, *sorted(found - set(known))]
    if not labels:
        raise ConfigError(f"components.{name}: the training data has no {missing}")
    return list(labels)


def label_hashes(vocab: Any, labels: Sequence[str]) -> np.ndarray:
    """The string-store hash of each label, to write predictions into a doc column in one step."""
    return np.array([vocab.strings.add(label) for label in labels], dtype=np.uint64)


def add_label(component: Any, label: str) -> int:
    """spaCy's `pipe.add_label(label)`: 0 when the component knows `label`, else 1 after appending it. The
    model's output grows by the new label's rows; the rows of the labels it knew keep their trained weights."""
    if not isinstance(label, str) or not label:
        raise ValueError(f"{component.name}.add_label takes a non-empty string, not {label!r}")
    if label in component.labels:
        return 0
    before = {key: value.detach().clone() for key, value in component.model.state_dict().items()}
    component.set_labels([*component.labels, label])
    with torch.no_grad():
        for key, value in component.model.state_dict().items():
            old = before.get(key)
            if old is not None and old.dim() == value.dim() and all(a <= b for a, b in zip(old.shape, value.shape)):
                value[tuple(slice(0, n) for n in old.shape)] = old  # the known labels come first, in order
    return 1
