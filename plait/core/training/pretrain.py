"""Pretraining: train one subnetwork (a tok2vec) on raw text with a throwaway objective head.

The pieces are the training ones (config validation, seed, batcher, optimizer spec and its learning-rate
schedule, gradient clipping); only the loss differs: the objective's, on corrupted input.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import torch
from confection import Config
from torch import nn

from plait.core import config as config_lib
from plait.core.errors import ConfigError
from plait.core.pipeline import Language
from plait.core.training.init_components import set_initial_vectors
from plait.core.training.initialize import set_seed
from plait.core.training.checkpoint import Checkpoint, write_checkpoint
from plait.core.training.distributed import World
from plait.core.training.loop import RunState, epochs, run_steps
from plait.core.training.objective import set_module_dropout
from plait.core.training.optimizers import OptimizerSpec
from plait.core.training.stepper import Stepper
from plait.core.training.subnetwork import (
    describe,
    encoder_width,
    find_subnetwork,
    load_subnetwork_weights,
    save_weights,
)
from plait.objectives.head import PretrainHead


SUBNETWORK_FILE, HEAD_FILE = "subnetwork.safetensors", "head.safetensors"


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
    """One record per batch; `end_of_epoch` on the last batch of an epoch."""

    epoch: int
    step: int  # batches trained on since the run began (a resumed run counts on)
    words: int  # words trained on since the run began
    loss: float  # of this batch
    seconds: float  # reading, tokenizing and training time (not the caller's saving and logging)
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


def init_pretraining(config: Config, *, device: str = "cpu", validate: bool = True
                     ) -> tuple[Language, nn.Module, PretrainHead, PretrainingPlan]:
    """Validate the config (unless the caller has, as `plait pretrain` does before reading anything), build the
    pipeline, pick the subnetwork and build the objective for its width."""
    if validate:
        config_lib.validate_config(config)
    plan = resolve_pretraining(config)
    set_seed(plan.seed)
    nlp = Language.from_config(config, validate=False)
    set_initial_vectors(nlp, config["initialize"])
    module = find_subnetwork(nlp, plan.component, plan.layer)
    width = encoder_width(nlp, module, plan.where)
    try:
        objective = plan.objective(width, nlp.vocab)
    except ValueError as err:
        raise ConfigError(f"pretraining.objective: {err}") from err
    nlp.to(device)
    objective.to(device)
    return nlp, module, objective, plan


class PretrainObjective:
    """The step's objective (`step.Objective`) for `plait pretrain`: the head's loss on the subnetwork's output
    for corrupted docs.

    The corruption of step N is drawn from a generator seeded by (seed, N), so a resumed run draws the same."""

    def __init__(self, module: nn.Module, head: PretrainHead, seed: int) -> None:
        self.module, self.head, self.seed = module, head, seed

    def losses(self, batch: list[Any], step: int) -> dict[str, torch.Tensor]:
        rng = np.random.default_rng([self.seed % 2**32, step])
        return {"objective": self.head.get_loss(batch, self.module(self.head.corrupt(batch, rng)))}

    def after_backward(self) -> None:
        pass

    def after_step(self) -> None:
        pass


class Pretrainer:
    """A pretraining run: the subnetwork and its objective head, their optimizer and the run's position."""

    def __init__(self, nlp: Language, module: nn.Module, head: PretrainHead, plan: PretrainingPlan, *,
                 device: str = "cpu", world: World = World()) -> None:
        self.nlp, self.module, self.head, self.plan, self.world = nlp, module, head, plan, world
        self.device = torch.device(device)
        world.sync_modules([module, head])
        self.stepper = Stepper(plan.optimizer, {"pretraining": _parameters(module, head)}, device=self.device,
                               loss_names=["objective"], world=world)
        self.state = RunState()

    def restore(self, checkpoint: Checkpoint) -> None:
        """Continue from `checkpoint`: subnetwork and head weights, optimizer, random state, position."""
        load_subnetwork_weights(self.module, checkpoint.model_dir / SUBNETWORK_FILE, self.plan.where, "--resume")
        load_subnetwork_weights(self.head, checkpoint.model_dir / HEAD_FILE, "the objective's head", "--resume")
        checkpoint.restore(self.stepper)
        self.state = checkpoint.state

    def write_checkpoint(self, path: Path | None, config: Config) -> None:
        """Write a checkpoint (rank 0 writes, every rank takes part: each one's random state is in it)."""
        def write_model(folder: Path) -> None:
            save_weights(self.module, folder / SUBNETWORK_FILE)
            save_weights(self.head, folder / HEAD_FILE)

        write_checkpoint(path, config=config, kind="pretrain", state=self.state, stepper=self.stepper,
                         write_model=write_model, world=self.world)

    def train(self, *, start_epoch: int = 0) -> Iterator[PretrainProgress]:
        """Train from the run's position to max_epochs (a new run starts at `start_epoch`: a warm start from
        saved weights); yield after each batch."""
        plan, state = self.plan, self.state
        if not state.step:
            state.first_epoch = state.epoch = start_epoch
        set_module_dropout(self.module, plan.dropout)
        set_module_dropout(self.head, plan.dropout)
        self.module.train()
        self.head.train()
        stream = epochs(lambda epoch: plan.batcher(plan.corpus(self.nlp)), plan.max_epochs,
                        f"{plan.corpus_name}: the raw text corpus is empty (or every text is outside "
                        "min_length..max_length)", first=state.first_epoch)
        objective = PretrainObjective(self.module, self.head, plan.seed)
        for end_of_epoch, losses in run_steps(stream, state=state, stepper=self.stepper, objective=objective,
                                              device=self.device, world=self.world):
            yield PretrainProgress(state.epoch, state.step, state.words, losses["objective"], state.seconds,
                                   end_of_epoch)
        state.finished = True


def _parameters(*modules: nn.Module) -> list[nn.Parameter]:
    seen: set[int] = set()
    out: list[nn.Parameter] = []
    for module in modules:
        for p in module.parameters():
            if p.requires_grad and id(p) not in seen:
                seen.add(id(p))
                out.append(p)
    return out


def pretrain(nlp: Language, module: nn.Module, objective: PretrainHead, plan: PretrainingPlan, *,
             start_epoch: int = 0) -> Iterator[PretrainProgress]:
    """Train `module` and `objective` on the corpus from `start_epoch` to max_epochs (see Pretrainer.train)."""
    return Pretrainer(nlp, module, objective, plan).train(start_epoch=start_epoch)
