"""Training from Python, spaCy style: `nlp.initialize(get_examples)`, `nlp.update(examples, sgd=..., losses=...)`.

A thin layer over the trainer's parts (forward_losses, the optimizer spec): one update is one forward pass
of every component, one backward pass and one optimizer step.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

import torch

from plait.core.data.example import Example
from plait.core.data.readers import read_examples
from plait.core.static_vectors import size_static_vectors
from plait.core.training.optimizers import OptimizerSpec, adam
from plait.core.training.update import (advance_listeners, clear_listeners, forward_losses, set_dropout,
                                        trainable_parameters)

if TYPE_CHECKING:
    from plait.core.pipeline import Language


class Optimizer:
    """A torch optimizer over a pipeline's parameters, stepped with the spec's (per-component) learning rates."""

    def __init__(self, nlp: "Language", spec: OptimizerSpec) -> None:
        self.spec = spec
        groups = trainable_parameters(nlp, ())
        self.params = [p for group in groups.values() for p in group]
        self.torch = spec.build(groups)
        self._rates = spec.component_rates(groups)

    def step(self) -> None:
        """Clip the gradients, set this step's learning rates, step and zero the gradients."""
        rates = next(self._rates)
        for group in self.torch.param_groups:
            group["lr"] = rates[group["component"]]
        if self.spec.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(self.params, self.spec.grad_clip, foreach=True)
        self.torch.step()
        self.torch.zero_grad(set_to_none=True)


def initialize(nlp: "Language", get_examples: Callable[[], Iterable[Example]] | None = None, *,
               sgd: OptimizerSpec | None = None) -> Optimizer:
    """Let every component learn its labels from `get_examples()` (as `plait train` does), then return an
    Optimizer for `nlp.update` (Adam with plait's defaults unless `sgd` is an optimizer spec)."""
    size_static_vectors(nlp)
    for name, component in nlp.components:
        if hasattr(component, "initialize") and name not in nlp.sourced:
            component.initialize(get_examples or (lambda: iter(())))
    nlp.link_listeners()
    nlp.optimizer = Optimizer(nlp, sgd or adam())
    return nlp.optimizer


def update(nlp: "Language", examples: Sequence[Example], *, sgd: Optimizer | None = None,
           losses: dict[str, float] | None = None, drop: float = 0.0) -> dict[str, float]:
    """One training step on `examples`: add each component's loss to `losses` (returned) and step `sgd`
    (by default the optimizer `initialize` made)."""
    optimizer = sgd or nlp.optimizer
    if optimizer is None:
        raise RuntimeError("nlp.update needs an optimizer: call nlp.initialize(get_examples) first, or pass sgd=")
    losses = {} if losses is None else losses
    set_dropout(nlp, drop)
    component_losses = forward_losses(nlp, examples)
    if component_losses:
        sum(component_losses.values()).backward()
    for name, value in component_losses.items():
        losses[name] = losses.get(name, 0.0) + float(value.detach())
    clear_listeners(nlp)
    optimizer.step()
    advance_listeners(nlp)
    return losses


def read_corpus(path: str | Path, nlp: "Language", *, gold_preproc: bool = False) -> list[Example]:
    """The Examples of a corpus file or folder in any format plait reads, tokenized by `nlp`."""
    return list(read_examples(path, nlp.vocab, nlp.make_doc, gold_preproc=gold_preproc))
