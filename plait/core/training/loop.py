"""The training loop: a generator of progress records; the caller prints, logs and saves."""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator

import torch

from plait.core.errors import DataError
from plait.core.training.evaluate import evaluate, main_scores, weighted_score
from plait.core.training.update import (
    advance_listeners,
    clear_listeners,
    forward_losses,
    set_dropout,
    trainable_parameters,
)
from plait.models.precision import autocast

if TYPE_CHECKING:
    from plait.core.pipeline import Language
    from plait.core.training.initialize import TrainingPlan


@dataclass
class Progress:
    """One record per optimizer step; `scores` is set on evaluation steps."""

    epoch: int
    step: int
    words: int  # training words seen so far
    losses: dict[str, float]  # summed since the last evaluation
    scores: dict[str, Any] | None = None
    score: float | None = None
    is_best: bool = False
    seconds: float = 0.0  # training time so far (evaluation excluded)


def train_batches(nlp: "Language", plan: "TrainingPlan") -> Iterator[tuple[int, list[Any]]]:
    """(epoch, batch) pairs: the training corpus is read once, shuffled every epoch with the run's seed."""
    examples = list(plan.train_examples) or list(plan.train_corpus(nlp))
    if not examples:
        raise DataError(f"{plan.train_corpus.path}: the training corpus is empty")
    rng = random.Random(plan.seed)
    epoch = 0
    while plan.max_epochs <= 0 or epoch < plan.max_epochs:
        rng.shuffle(examples)
        for batch in plan.batcher(examples):
            yield epoch, batch
        epoch += 1


def _grad_scaler(nlp: "Language", plan: "TrainingPlan", device: torch.device) -> torch.amp.GradScaler | None:
    """fp16 on a GPU needs loss scaling: for `training.mixed_precision`, or a model that runs in mixed precision
    itself (a transformer), with that model's `grad_scaler_config`."""
    if device.type != "cuda":
        return None
    settings: dict[str, Any] = {}
    wanted = plan.mixed_precision
    for _, component in nlp.components:
        model = getattr(component, "model", None)
        if getattr(model, "mixed_precision", False):
            wanted = True
            settings.update(getattr(model, "grad_scaler_config", {}))
    return torch.amp.GradScaler("cuda", **settings) if wanted else None


def train_while_improving(nlp: "Language", plan: "TrainingPlan", *, device: str = "cpu") -> Iterator[Progress]:
    """Train until max_steps, max_epochs or patience says stop; evaluate every eval_frequency steps.

    Yields a Progress after each optimizer step. Stopping rules follow spaCy: 0 means no limit.
    """
    dev_examples = list(plan.dev_corpus(nlp))
    if not dev_examples:
        raise DataError(f"{plan.dev_corpus.path}: the dev corpus is empty")
    groups = trainable_parameters(nlp, plan.frozen_components)
    params = [p for group in groups.values() for p in group]
    optimizer = plan.optimizer.build(groups)
    rates = plan.optimizer.component_rates(groups)
    torch_device = torch.device(device)
    scaler = _grad_scaler(nlp, plan, torch_device)
    weights = plan.score_weights or {k: 1.0 for k in main_scores(nlp)}
    best_score, best_step = float("-inf"), 0
    losses: dict[str, float] = {}
    words = step = epoch = 0
    elapsed = 0.0
    for epoch, batch in train_batches(nlp, plan):
        started = time.perf_counter()
        set_dropout(nlp, plan.dropout)
        step_rates = next(rates)
        for group in optimizer.param_groups:
            group["lr"] = step_rates[group["component"]]
        size = max(1, -(-len(batch) // plan.accumulate_gradient))
        for start in range(0, len(batch), size):
            sub = batch[start:start + size]
            with autocast(torch_device, plan.mixed_precision):
                component_losses = forward_losses(nlp, sub, frozen=plan.frozen_components,
                                                  annotating=plan.annotating_components)
            if component_losses:
                total = sum(component_losses.values())
                (scaler.scale(total) if scaler else total).backward()
            for name, value in component_losses.items():
                losses[name] = losses.get(name, 0.0) + float(value.detach())
            clear_listeners(nlp)
        if scaler:
            scaler.unscale_(optimizer)
        if plan.optimizer.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(params, plan.optimizer.grad_clip, foreach=True)
        if scaler:
            scaler.step(optimizer)
            scaler.update()
        else:
            optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        advance_listeners(nlp)
        step += 1
        words += sum(len(eg.reference) for eg in batch)
        elapsed += time.perf_counter() - started
        progress = Progress(epoch, step, words, dict(losses), seconds=elapsed)
        if step % plan.eval_frequency == 0:
            _score(nlp, dev_examples, weights, progress)
            if progress.score > best_score:
                best_score, best_step, progress.is_best = progress.score, step, True
            losses = {}
        yield progress
        if plan.max_steps and step >= plan.max_steps:
            break
        if plan.patience and step - best_step >= plan.patience and best_step:
            break
    if step % plan.eval_frequency:
        # the last step was not an evaluation step: score the final weights too
        final = Progress(epoch, step, words, dict(losses), seconds=elapsed)
        _score(nlp, dev_examples, weights, final)
        final.is_best = final.score > best_score
        yield final


def _score(nlp: "Language", dev: list[Any], weights: dict[str, float], progress: Progress) -> None:
    with torch.no_grad():
        progress.scores = evaluate(nlp, dev)
    progress.score = weighted_score(progress.scores, weights)
