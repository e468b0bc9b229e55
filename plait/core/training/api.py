"""Training from Python, spaCy style: `nlp.initialize(get_examples)`, `nlp.update(examples, sgd=..., losses=...)`.

A thin layer over the trainer's parts: `nlp.update` takes the step `plait train` takes (`step.py:train_step`),
with the pipeline's heads as the objective.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable, ContextManager, Iterable

import torch

from plait.core.data.example import Example
from plait.core.gpu import chosen_device
from plait.core.data.readers import read_examples
from plait.core.training.init_components import initialize_components
from plait.core.training.objective import PipelineObjective, set_dropout, trainable_parameters
from plait.core.training.optimizers import OptimizerSpec, adam
from plait.core.training.step import train_step
from plait.core.training.stepper import Stepper
from plait.runtime.threads import use_threads

if TYPE_CHECKING:
    from plait.core.pipeline import Language


class Optimizer:
    """The trainer's Stepper over a pipeline's parameters: (per-component) learning-rate schedules, gradient
    clipping, and a stop at a loss or gradient norm that is not finite."""

    def __init__(self, nlp: "Language", spec: OptimizerSpec) -> None:
        groups = trainable_parameters(nlp, ())
        device = next((p.device for group in groups.values() for p in group), torch.device("cpu"))
        self.stepper = Stepper(spec, groups, device=device, loss_names=[])
        self.steps = 0  # steps taken

    def averaged(self) -> ContextManager[None]:
        """Inside the block the pipeline holds its weights' moving averages (with `use_averages`): to evaluate or
        save them, as `plait train` does."""
        return self.stepper.averaged()


def initialize(nlp: "Language", get_examples: Callable[[], Iterable[Example]] | None = None, *,
               sgd: OptimizerSpec | None = None) -> Optimizer:
    """Let every component learn its labels from `get_examples()` (as `plait train` does), then return an
    Optimizer for `nlp.update` (Adam with plait's defaults unless `sgd` is an optimizer spec)."""
    nlp.set_vectors(nlp.vocab.vectors)  # bound to whatever table the vocab holds
    initialize_components(nlp, get_examples or (lambda: iter(())))
    if (device := chosen_device()) is not None:  # plait.require_gpu(): a transformer loads its weights just now
        nlp.to(device)
    nlp.link_listeners()
    nlp.optimizer = Optimizer(nlp, sgd or adam())
    return nlp.optimizer


def update(nlp: "Language", examples: Iterable[Example], *, sgd: Optimizer | None = None,
           losses: dict[str, float] | None = None, drop: float = 0.0) -> dict[str, float]:
    """One training step on `examples`: add each component's loss to `losses` (returned) and step `sgd`
    (by default the optimizer `initialize` made). An empty batch takes no step and returns `losses` unchanged."""
    examples = list(examples)
    losses = {} if losses is None else losses
    if not examples:  # spaCy's behaviour: nothing to learn from, no step taken
        return losses
    optimizer = sgd or nlp.optimizer
    if optimizer is None:
        raise RuntimeError("nlp.update needs an optimizer: call nlp.initialize(get_examples) first, or pass sgd=")
    use_threads(nlp.threads, training=True)
    set_dropout(nlp, drop)
    values = train_step(PipelineObjective(nlp), examples, optimizer.stepper, step=optimizer.steps)
    optimizer.steps += 1
    for name, value in values.items():
        losses[name] = losses.get(name, 0.0) + value
    return losses


def read_corpus(path: str | Path, nlp: "Language", *, gold_preproc: bool = False) -> list[Example]:
    """The Examples of a corpus file or folder in any format plait reads, tokenized by `nlp`."""
    return list(read_examples(path, nlp.vocab, nlp.make_doc, gold_preproc=gold_preproc))
