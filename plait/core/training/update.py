"""One training update: the encoder runs once, every head adds its loss, one backward pass trains them all."""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import torch

from plait.core.components.contract import Encoder, Predictor, Trainable, model_of
from plait.core.listeners import encoders

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
        if getattr(layer, "keeps_own_dropout", False):
            continue
        if isinstance(layer, torch.nn.Dropout):
            layer.p = rate
        stack.extend(layer.children())


def forward_losses(nlp: "Language", examples: Sequence["Example"], *, frozen: Sequence[str] = (),
                   annotating: Sequence[str] = ()) -> dict[str, torch.Tensor]:
    """The loss of each trainable, unfrozen component on one batch (the graph kept for backward).

    Encoders run first and hand their output to their listeners; a frozen encoder still runs, without
    gradients. Annotating components set their predictions on the docs for the components after them.
    """
    docs = [eg.predicted for eg in examples]
    losses: dict[str, torch.Tensor] = {}
    for name, component in nlp.pipeline:
        model = model_of(component)
        if model is None:
            continue
        is_frozen = name in frozen
        model.train(not is_frozen)
        if isinstance(component, Encoder):
            with torch.set_grad_enabled(not is_frozen and torch.is_grad_enabled()):
                component.encode(docs)
        elif not is_frozen and isinstance(component, Trainable):
            losses[name] = component.get_loss(examples, model(docs))
        if name in annotating and isinstance(component, Predictor):
            component.set_annotations(docs, component.predict(docs))
    return losses


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


def advance_listeners(nlp: "Language") -> None:
    """Move per-step schedules held by listeners (a transformer listener's grad_factor) on by one step."""
    for _, encoder in encoders(nlp):
        for listener in encoder.listeners:
            listener.advance()
