"""The objective of `plait train` and `nlp.update`: every unfrozen head's loss, the encoders run once per batch,
so that one backward pass trains them all; and the training settings of a pipeline's models (dropout, parameters)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import torch

from plait.core.components.contract import Encoder, Predictor, Trainable, model_of
from plait.core.listeners import encoders
from plait.models import traits

if TYPE_CHECKING:
    from plait.core.data.example import Example
    from plait.core.pipeline import Language


def set_dropout(nlp: "Language", rate: float) -> None:
    """Set the dropout layers of every component's model to `rate` (see set_module_dropout)."""
    for _, component in nlp.components:
        model = model_of(component)
        if model is not None:
            set_module_dropout(model, rate)


def set_module_dropout(module: torch.nn.Module, rate: float) -> None:
    """Set the dropout layers inside `module` to `rate`, except inside a module marked `keeps_own_dropout`
    (a pretrained transformer, whose rates come from its own config)."""
    stack = [module]
    while stack:
        layer = stack.pop()
        if traits.keeps_own_dropout(layer):
            continue
        if isinstance(layer, torch.nn.Dropout):
            layer.p = rate
        stack.extend(layer.children())


class PipelineObjective:
    """The step's objective (`step.Objective`) for a pipeline. What each component does in a step is decided
    once: the pipeline does not change while it trains, and each check against the contract's protocols costs
    5-25 us, a dozen of them a step.

    Encoders run first and hand their output to their listeners; a frozen encoder still runs, without
    gradients. Every unfrozen head adds its loss; annotating components set their predictions on the docs for
    the components after them.
    """

    def __init__(self, nlp: "Language", *, frozen: Sequence[str] = (), annotating: Sequence[str] = ()) -> None:
        self.parts: list[tuple[str, Any, torch.nn.Module, bool, bool, bool, bool]] = []
        for name, component in nlp.pipeline:
            model = model_of(component)
            if model is None:
                continue
            is_frozen, is_encoder = name in frozen, isinstance(component, Encoder)
            is_head = not is_encoder and not is_frozen and isinstance(component, Trainable)
            annotates = name in annotating and isinstance(component, Predictor)
            self.parts.append((name, component, model, is_frozen, is_encoder, is_head, annotates))
        self.encoders = [encoder for _, encoder in encoders(nlp)]

    def losses(self, examples: Sequence["Example"], step: int = 0) -> dict[str, torch.Tensor]:
        """The loss of each trainable, unfrozen component on one batch (the graph kept for backward); the same
        at every step."""
        docs = [eg.predicted for eg in examples]
        losses: dict[str, torch.Tensor] = {}
        for name, component, model, is_frozen, is_encoder, is_head, annotates in self.parts:
            model.train(not is_frozen)
            if is_encoder:
                with torch.set_grad_enabled(not is_frozen and torch.is_grad_enabled()):
                    component.encode(docs)
            elif is_head:
                losses[name] = component.get_loss(examples, model(docs))
            if annotates:
                component.set_annotations(docs, component.predict(docs))
        return losses

    def after_backward(self) -> None:
        """Drop the encoders' outputs held by listeners, so the batch's tensors (and graph) can be freed."""
        for encoder in self.encoders:
            encoder.clear_listeners()

    def after_step(self) -> None:
        """Move per-step schedules held by listeners (a transformer listener's grad_factor) on by one step."""
        for encoder in self.encoders:
            for listener in encoder.listeners:
                listener.advance()


def trainable_parameters(nlp: "Language", frozen: Sequence[str]) -> dict[str, list[torch.nn.Parameter]]:
    """Parameters of every unfrozen component's model, by component; a shared module counts for its first owner."""
    seen: set[int] = set()
    groups: dict[str, list[torch.nn.Parameter]] = {}
    for name, component in nlp.components:
        model = model_of(component)
        if model is None or name in frozen:
            continue
        groups[name] = [p for p in model.parameters() if p.requires_grad and id(p) not in seen]
        seen.update(id(p) for p in groups[name])
    return groups
