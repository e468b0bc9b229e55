"""Assemble, then initialize: build the pipeline from a validated config, then learn labels from data."""
from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import torch
from confection import Config

from plait.core import config as config_lib
from plait.core.components.contract import Encoder, SelfChecking, Trainable
from plait.core.data.corpus import Corpus
from plait.core.data.doc_store import DocStore
from plait.core.errors import ConfigError, DataError
from plait.core.listeners import encoders
from plait.core.pipeline import Language
from plait.core.sourcing import expand_sources, load_sources
from plait.core.training.evaluate import check_score_weights
from plait.core.training.init_components import initialize_components, set_initial_vectors
from plait.core.training.loggers import ConsoleLogger, Logger, checked
from plait.core.training.optimizers import OptimizerSpec
from plait.core.training.subnetwork import describe, find_subnetwork, load_subnetwork_weights


@dataclass
class TrainingPlan:
    """The resolved [training] section: everything the loop needs besides the pipeline."""

    seed: int
    dropout: float
    accumulate_gradient: int
    patience: int
    max_epochs: int
    max_steps: int
    eval_frequency: int
    checkpoint_every: int  # steps between checkpoints; 0: at each evaluation
    frozen_components: list[str]
    annotating_components: list[str]
    mixed_precision: bool
    score_weights: dict[str, float]
    batcher: Callable[[Any], Iterator[list[Any]]]
    optimizer: OptimizerSpec
    train_corpus: Corpus
    dev_corpus: Corpus
    train_store: DocStore | None = None  # the training corpus, read once by init_nlp into a file on disk


def set_seed(seed: int) -> None:
    """Seed every random generator training uses, so a run repeats exactly on CPU."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _corpus(config: Config, dotted: str) -> Corpus:
    section, _, name = dotted.partition(".")
    try:
        block = config[section][name]
    except KeyError:
        raise ConfigError(f"training: no corpus block [{dotted}]") from None
    return config_lib.resolve_block(block, dotted)


def resolve_training(config: Config) -> TrainingPlan:
    """Build the batcher, optimizer and corpora of [training]; plain settings are copied."""
    t = config["training"]
    names = set(config["nlp"]["pipeline"])
    for key in ("frozen_components", "annotating_components"):
        unknown = [n for n in t[key] if n not in names]
        if unknown:
            raise ConfigError(f"training.{key}: no component named {unknown[0]!r} in nlp.pipeline")
    if t["accumulate_gradient"] < 1:
        raise ConfigError("training.accumulate_gradient: must be at least 1")
    if not isinstance(t["checkpoint_every"], int) or t["checkpoint_every"] < 0:
        raise ConfigError(f"training.checkpoint_every: must be a whole number >= 0 (0: at each evaluation), not "
                          f"{t['checkpoint_every']!r}")
    optimizer = config_lib.resolve_block(t["optimizer"], "training.optimizer")
    unknown = [n for n in optimizer.component_learn_rates if n not in names]
    if unknown:
        raise ConfigError(f"training.optimizer.component_learn_rates: no component named {unknown[0]!r} in "
                          f"nlp.pipeline")
    return TrainingPlan(
        seed=t["seed"], dropout=t["dropout"], accumulate_gradient=t["accumulate_gradient"], patience=t["patience"],
        max_epochs=t["max_epochs"], max_steps=t["max_steps"], eval_frequency=t["eval_frequency"],
        checkpoint_every=t["checkpoint_every"],
        frozen_components=list(t["frozen_components"]), annotating_components=list(t["annotating_components"]),
        mixed_precision=t["mixed_precision"], score_weights=dict(t["score_weights"]),
        batcher=config_lib.resolve_block(t["batcher"], "training.batcher"),
        optimizer=optimizer,
        train_corpus=_corpus(config, t["train_corpus"]), dev_corpus=_corpus(config, t["dev_corpus"]),
    )


def resolve_logger(training: dict[str, Any]) -> Logger:
    """The logger `[training.logger]` describes; the console table when the block is absent."""
    block = training.get("logger")
    if block is None:
        return ConsoleLogger()
    if not isinstance(block, dict):
        raise ConfigError("training.logger: must be a block naming a function, e.g. @loggers = \"plait.ConsoleLogger.v1\"")
    return checked(config_lib.resolve_block(block, "training.logger"), "training.logger")


def check_built(nlp: Language, plan: TrainingPlan, pretraining: Any = None) -> None:
    """Checks that need the built pipeline but no data: score weights, transformer settings (config.json) and
    the subnetwork a PretrainingPlan (`pretraining`) names."""
    check_score_weights(nlp, plan.score_weights)
    if pretraining is None and not any(isinstance(c, Trainable) and not isinstance(c, Encoder)
                                       and name not in plan.frozen_components for name, c in nlp.components):
        raise ConfigError("training.frozen_components: nothing to train: no component that learns from the data is "
                          f"left unfrozen (pipeline {nlp.pipe_names}, frozen {plan.frozen_components})")
    for _, component in nlp.components:
        if isinstance(component, SelfChecking):
            component.check_settings()
    if pretraining:
        find_subnetwork(nlp, pretraining.component, pretraining.layer)


def init_nlp(config: Config, *, device: str = "cpu", validate: bool = True) -> tuple[Language, TrainingPlan]:
    """Validate the whole config (unless the caller has, as `plait train` does before reading anything), build
    the pipeline and training plan, then initialize from the training data and move the pipeline to `device`.

    Components with `source = "path"` are copied from that saved pipeline and not initialized again.
    """
    config, sources = expand_sources(config)
    if validate:
        config_lib.validate_config(config)
    plan = resolve_training(config)
    set_seed(plan.seed)
    nlp = Language.from_config(config, validate=False)
    check_built(nlp, plan)
    load_sources(nlp, sources)
    init = config["initialize"]
    set_initial_vectors(nlp, init)
    plan.train_store = store = DocStore(nlp.vocab, plan.train_corpus(nlp))
    if next(iter(store), None) is None:  # reads (and stores) only the first example
        raise DataError(f"{plan.train_corpus.path}: the training corpus is empty")
    initialize_components(nlp, lambda: iter(store), skip=plan.frozen_components, settings=init.get("components"))
    if init.get("init_tok2vec"):
        _load_init_tok2vec(nlp, Path(init["init_tok2vec"]), config.get("pretraining"))
    nlp.to(device)  # once, after every layer exists (initialize sizes output layers, binding the projections)
    return nlp, plan


def _load_init_tok2vec(nlp: Language, path: Path, pretraining: dict | None) -> None:
    """Load pretrained weights into the subnetwork [pretraining] names, else into the first encoder component."""
    if pretraining:
        component, layer = pretraining["component"], pretraining["layer"]
    else:
        found = [name for name, _ in encoders(nlp)]
        if not found:
            raise ConfigError("initialize.init_tok2vec: the pipeline has no tok2vec component to load weights into")
        component, layer = found[0], ""
    module = find_subnetwork(nlp, component, layer)
    load_subnetwork_weights(module, path, describe(component, layer), "initialize.init_tok2vec")
