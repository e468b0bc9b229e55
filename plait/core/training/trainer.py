"""Training a pipeline: the shared loop (`loop.py`) with the pipeline's heads as the objective, evaluation every
eval_frequency steps, and the stopping rules; the caller prints, logs and saves."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

import torch
from confection import Config

from plait.core.components.contract import Trainable, model_of
from plait.core.components.persistence import load_component
from plait.core.data.doc_store import DocStore
from plait.core.training.checkpoint import Checkpoint, write_checkpoint
from plait.core.training.distributed import World
from plait.runtime.threads import use_threads
from plait.core.training.evaluate import evaluate, main_scores, weighted_score
from plait.core.training.loop import RunState, epochs, run_steps
from plait.core.training.objective import PipelineObjective, set_dropout, trainable_parameters
from plait.core.training.stepper import Stepper
from plait.models import traits
from plait.models.transformer.adapter import adapters_apart
from plait.runtime.memory import release_freed_memory
from plait.core.errors import DataError

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
    learn_rates: dict[str, float] = field(default_factory=dict)  # of this step, per component


def epoch_order(n: int, seed: int, epoch: int) -> list[int]:
    """The order of `n` training examples in `epoch`: a permutation that depends only on the seed and epoch."""
    order = list(range(n))
    random.Random(f"plait-epoch:{seed}:{epoch}").shuffle(order)
    return order


class Trainer:
    """A training run of a pipeline: its optimizer and its position, which a checkpoint saves and restores."""

    def __init__(self, nlp: "Language", plan: "TrainingPlan", *, device: str = "cpu", world: World = World()
                 ) -> None:
        self.nlp, self.plan, self.world = nlp, plan, world
        self.device = torch.device(device)
        world.sync_modules([m for _, c in nlp.components if (m := model_of(c)) is not None])
        self.stepper = self._stepper()
        self.state = RunState()

    def _stepper(self) -> Stepper:
        scale, settings = loss_scaling(self.nlp, self.plan)
        heads = [n for n, c in self.nlp.pipeline if isinstance(c, Trainable) and n not in self.plan.frozen_components]
        return Stepper(self.plan.optimizer, trainable_parameters(self.nlp, self.plan.frozen_components),
                       device=self.device, loss_names=heads, scale_loss=scale, scaler_settings=settings,
                       world=self.world)

    def restore(self, checkpoint: Checkpoint) -> None:
        """Continue from `checkpoint`: component weights and labels, optimizer, random state, position."""
        for name, component in self.nlp.components:
            load_component(component, checkpoint.model_dir / name)
        self.nlp.to(self.device)
        self.stepper = self._stepper()  # loading labels may have rebuilt output layers: new parameters
        checkpoint.restore(self.stepper)
        self.state = checkpoint.state

    def write_checkpoint(self, path: Path | None, config: Config) -> None:
        """Write a checkpoint (rank 0 writes, every rank takes part: each one's random state is in it)."""
        write_checkpoint(path, config=config, kind="train", state=self.state, stepper=self.stepper,
                         write_model=self._write_model, world=self.world)

    def _write_model(self, path: Path) -> None:
        with adapters_apart([m for _, c in self.nlp.components if (m := model_of(c)) is not None]):
            self.nlp.to_disk(path)

    def train(self) -> Iterator[Progress]:
        """Train until max_steps, max_epochs or patience says stop; evaluate every eval_frequency steps.

        Yields a Progress after each optimizer step (and a last one scoring the final weights when the last
        step was no evaluation step). Stopping rules follow spaCy: 0 means no limit. They are checked before
        every step (a resumed run never takes a step past them), and the run's last Progress comes with
        `state.finished` set, so a checkpoint written for it says the run is over.
        """
        nlp, plan, state = self.nlp, self.plan, self.state
        dev = list(plan.dev_corpus(nlp)) if self.world.is_main else []
        if self.world.is_main and not dev:
            raise DataError(f"{plan.dev_corpus.path}: the dev corpus is empty")
        store = plan.train_store if plan.train_store is not None else DocStore(nlp.vocab, plan.train_corpus(nlp))
        weights = plan.score_weights or {k: 1.0 for k in main_scores(nlp)}
        set_dropout(nlp, plan.dropout)
        use_threads(nlp.threads, training=True)
        stream = epochs(lambda epoch: plan.batcher(store.refs(epoch_order(len(store), plan.seed, epoch))),
                        plan.max_epochs, f"{plan.train_corpus.path}: the training corpus is empty")
        objective = PipelineObjective(nlp, frozen=plan.frozen_components, annotating=plan.annotating_components)
        # whether the weights at the run's position were scored (a resumed run may stand at its last step)
        scored = state.finished or state.step % plan.eval_frequency == 0
        state.finished = False  # a finished run resumed with a changed stopping rule: it goes on if the rule lets it
        if self._should_stop():  # resumed at its last step: no step to take, the rates of the last one taken
            for _ in range(state.step):
                self.stepper.next_rates()
            steps: Iterable[Any] = ()
        else:
            steps = run_steps(stream, state=state, stepper=self.stepper, objective=objective, device=self.device,
                              accumulate=plan.accumulate_gradient, mixed_precision=plan.mixed_precision,
                              load=store.load, world=self.world)
        for _ in steps:
            progress = self._progress()
            scored = state.step % plan.eval_frequency == 0
            if scored:
                self._evaluate(dev, weights, progress)
            if self._should_stop():
                break
            yield progress
        else:  # the batches ran out (max_epochs), or no step was due: every Progress is out
            progress = None
        if not scored:  # the last step was no evaluation step: score the final weights too
            if progress is not None:
                yield progress
            progress = self._progress()
            self._evaluate(dev, weights, progress)
        state.finished = True
        if progress is not None:
            yield progress

    def _should_stop(self) -> bool:
        """Whether max_steps or patience ends the run at its position (max_epochs ends the batch stream)."""
        plan, state = self.plan, self.state
        return bool(plan.max_steps and state.step >= plan.max_steps
                    or plan.patience and state.best_step and state.step - state.best_step >= plan.patience)

    def _progress(self) -> Progress:
        s = self.state
        return Progress(s.epoch, s.step, s.words, dict(s.losses), seconds=s.seconds,
                        learn_rates=dict(self.stepper.learn_rates))

    def _evaluate(self, dev: list[Any], weights: dict[str, float], progress: Progress) -> None:
        """Rank 0 scores the dev corpus; every rank learns the scores (for the best step and patience)."""
        if self.world.is_main:
            release_freed_memory()  # evaluate from the live set, not on top of the training steps' freed heap
            with torch.no_grad(), self.stepper.averaged():
                progress.scores = evaluate(self.nlp, dev)  # with inference's threads
            use_threads(self.nlp.threads, training=True)
        progress.scores = self.world.broadcast(progress.scores)
        progress.score = weighted_score(progress.scores, weights)
        if self.state.best_score is None or progress.score > self.state.best_score:
            self.state.best_score, self.state.best_step, progress.is_best = progress.score, progress.step, True
        self.state.losses = {}


def train_while_improving(nlp: "Language", plan: "TrainingPlan", *, device: str = "cpu") -> Iterator[Progress]:
    """Train `nlp` as `plan` says (see Trainer.train), from the start, in this process."""
    return Trainer(nlp, plan, device=device).train()


def loss_scaling(nlp: "Language", plan: "TrainingPlan") -> tuple[bool, dict[str, Any]]:
    """fp16 on a GPU needs loss scaling: for `training.mixed_precision`, or a model that runs in mixed precision
    itself (a transformer), with that model's `grad_scaler_config`."""
    wanted, settings = plan.mixed_precision, {}
    for _, component in nlp.components:
        model = model_of(component)
        if traits.mixed_precision(model):
            wanted = True
            settings.update(traits.grad_scaler_config(model))
    return wanted, settings
