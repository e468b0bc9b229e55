"""Pretraining: train one subnetwork (a tok2vec) on raw text with a throwaway objective head.

The pieces are the training ones (config validation, seed, batcher, optimizer spec and its learning-rate
schedule, gradient clipping); only the loss differs: the objective's, on corrupted input.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import torch
from confection import Config
from torch import nn

from plait.core import config as config_lib
from plait.core.errors import ConfigError, DataError
from plait.core.pipeline import Language
from plait.core.static_vectors import size_static_vectors
from plait.core.training.initialize import load_vectors, set_seed
from plait.core.training.optimizers import OptimizerSpec
from plait.core.training.subnetwork import describe, encoder_width, find_subnetwork
from plait.core.training.update import set_module_dropout
from plait.objectives.head import PretrainHead


@dataclass
class PretrainingPlan:
    """The resolved [pretraining] section."""

    seed: int
    max_epochs: int
    dropout: float
    n_save_every: int
    n_save_epoch: int
    component: str
    layer: str
    corpus: Callable[[Language], Iterator[Any]]
    corpus_name: str
    batcher: Callable[[Any], Iterator[list[Any]]]
    optimizer: OptimizerSpec
    objective: Callable[[int, Any], PretrainHead]

    @property
    def where(self) -> str:
        return describe(self.component, self.layer)


@dataclass
class PretrainProgress:
    """One record per batch, and one more (`end_of_epoch`) after each epoch's last batch."""

    epoch: int
    step: int  # batches trained in this run
    words: int  # words trained on in this run
    loss: float  # of this batch (0.0 on end-of-epoch records)
    seconds: float  # time in this run: reading, tokenizing and training (not the caller's saving and logging)
    end_of_epoch: bool = False


def resolve_pretraining(config: Config) -> PretrainingPlan:
    """Build the corpus, batcher, optimizer and objective builder that [pretraining] names."""
    if "pretraining" not in config:
        raise ConfigError("[pretraining]: missing section (add the defaults with `plait fill-config CONFIG OUT "
                          "--pretraining`)")
    p = config["pretraining"]
    section, _, name = p["corpus"].partition(".")
    if name not in config.get(section, {}):
        raise ConfigError(f"pretraining.corpus: no corpus block [{p['corpus']}]")
    for key in ("n_save_every", "n_save_epoch", "max_epochs"):
        if not isinstance(p[key], int) or p[key] < 0:
            raise ConfigError(f"pretraining.{key}: must be a whole number >= 0, not {p[key]!r}")
    try:
        objective = config_lib.resolve_block(p["objective"], "pretraining.objective")
    except ValueError as err:
        raise ConfigError(f"pretraining.objective: {err}") from err
    optimizer = config_lib.resolve_block(p["optimizer"], "pretraining.optimizer")
    if getattr(optimizer, "component_learn_rates", None):
        raise ConfigError("pretraining.optimizer.component_learn_rates: pretraining trains one subnetwork; set "
                          "learn_rate instead")
    return PretrainingPlan(
        seed=config["system"]["seed"], max_epochs=p["max_epochs"], dropout=p["dropout"],
        n_save_every=p["n_save_every"], n_save_epoch=p["n_save_epoch"], component=p["component"], layer=p["layer"],
        corpus=config_lib.resolve_block(config[section][name], p["corpus"]), corpus_name=p["corpus"],
        batcher=config_lib.resolve_block(p["batcher"], "pretraining.batcher"),
        optimizer=optimizer, objective=objective,
    )


def init_pretraining(config: Config, *, device: str = "cpu") -> tuple[Language, nn.Module, PretrainHead,
                                                                       PretrainingPlan]:
    """Validate the config, build the pipeline, pick the subnetwork and build the objective for its width."""
    config_lib.validate_config(config)
    plan = resolve_pretraining(config)
    set_seed(plan.seed)
    nlp = Language.from_config(config, validate=False)
    if config["initialize"].get("vectors"):
        nlp.vocab.vectors = load_vectors(Path(config["initialize"]["vectors"]))
    try:
        size_static_vectors(nlp)
    except ValueError as err:
        raise ConfigError(f"initialize.vectors: {err}") from err
    module = find_subnetwork(nlp, plan.component, plan.layer)
    width = encoder_width(nlp, module, plan.where)
    try:
        objective = plan.objective(width, nlp.vocab)
    except ValueError as err:
        raise ConfigError(f"pretraining.objective: {err}") from err
    nlp.to(device)
    objective.to(device)
    return nlp, module, objective, plan


def _parameters(*modules: nn.Module) -> list[nn.Parameter]:
    seen: set[int] = set()
    out: list[nn.Parameter] = []
    for module in modules:
        for p in module.parameters():
            if p.requires_grad and id(p) not in seen:
                seen.add(id(p))
                out.append(p)
    return out


def _batches(nlp: Language, plan: PretrainingPlan, start_epoch: int) -> Iterator[tuple[int, list[Any] | None]]:
    """(epoch, docs) for every batch, then (epoch, None) at the end of each epoch; the corpus is streamed."""
    epoch = start_epoch
    while plan.max_epochs == 0 or epoch < plan.max_epochs:
        empty = True
        for docs in plan.batcher(plan.corpus(nlp)):
            empty = False
            yield epoch, docs
        if empty:
            raise DataError(f"{plan.corpus_name}: the raw text corpus is empty (or every text is outside "
                            "min_length..max_length)")
        yield epoch, None
        epoch += 1


def pretrain(nlp: Language, module: nn.Module, objective: PretrainHead, plan: PretrainingPlan, *,
             start_epoch: int = 0) -> Iterator[PretrainProgress]:
    """Train `module` and `objective` on the corpus from `start_epoch` to max_epochs; yield after each batch."""
    params = _parameters(module, objective)
    optimizer = plan.optimizer.build(params)
    rates = plan.optimizer.rates()
    rng = np.random.default_rng([plan.seed, start_epoch])
    set_module_dropout(module, plan.dropout)
    set_module_dropout(objective, plan.dropout)
    module.train()
    objective.train()
    step = words = 0
    elapsed = 0.0
    resumed = time.perf_counter()  # the time spent by the caller between records (saving, logging) is not counted
    for epoch, docs in _batches(nlp, plan, start_epoch):
        if docs is None:
            elapsed += time.perf_counter() - resumed
            yield PretrainProgress(epoch, step, words, 0.0, elapsed, end_of_epoch=True)
            resumed = time.perf_counter()
            continue
        for group in optimizer.param_groups:
            group["lr"] = next(rates)
        loss = objective.get_loss(docs, module(objective.corrupt(docs, rng)))
        loss.backward()
        if plan.optimizer.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(params, plan.optimizer.grad_clip, foreach=True)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        value = float(loss.detach())
        if not math.isfinite(value):
            raise ConfigError(f"pretraining.optimizer.learn_rate: pretraining diverged at epoch {epoch}, batch "
                              f"{step + 1} (loss {value}); lower the learning rate")
        step += 1
        words += sum(len(doc) for doc in docs)
        elapsed += time.perf_counter() - resumed
        yield PretrainProgress(epoch, step, words, value, elapsed)
        resumed = time.perf_counter()
