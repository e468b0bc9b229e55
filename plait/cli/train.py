"""`plait train`: train a pipeline from a config, printing a progress table and saving the best model."""
from __future__ import annotations

from pathlib import Path

import typer

from plait.cli._common import (CODE_HELP, OFFLINE_HELP, OVERRIDES, VERBOSE_HELP, go_offline, import_code,
                               load_config_with_overrides, output_folder)
from plait.cli._run import OVERWRITE_HELP, RESUME_HELP, Job, job, say_interrupted, saving_on_divergence
from plait.cli.main import app
from plait.core import fs
from plait.core.components.contract import Trainable
from plait.core.progress import progress_bar
from plait.core.training.evaluate import main_scores
from plait.core.training.initialize import init_nlp, resolve_logger
from plait.core.training.loggers import Logger, RunInfo
from plait.core.training.trainer import Progress, Trainer, loss_scaling
from plait.core.training.signals import StopRequest
from plait.models.precision import precision_note

BEST, LAST, CHECKPOINT, REPORT = "model-best", "model-last", "checkpoint", "report.html"


@app.command("train", context_settings=OVERRIDES)
def train_command(
    ctx: typer.Context,
    config_path: Path = typer.Argument(..., help="Training config ('-' for stdin).", allow_dash=True),
    output: Path = typer.Option(None, "--output", "-o", help="Folder for model-best, model-last, checkpoint, "
                                                               "metrics.jsonl and report.html.",
                                callback=output_folder),
    resume: bool = typer.Option(False, "--resume", help=RESUME_HELP),
    overwrite: bool = typer.Option(False, "--overwrite", help=OVERWRITE_HELP),
    code: Path = typer.Option(None, "--code", "-c", help=CODE_HELP),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU to train on (-1: CPU)."),
    offline: bool = typer.Option(False, "--offline", help=OFFLINE_HELP, callback=go_offline),
    verbose: bool = typer.Option(False, "--verbose", "-V", help=VERBOSE_HELP),
) -> None:
    """Train the pipeline a config describes; `--section.key value` overrides settings.

    The whole config is validated and every component built before any data is read. A checkpoint is written
    every `training.checkpoint_every` steps (0: at each evaluation) and when SIGINT or SIGTERM stops the run.
    Exit codes: 0 success, 2 bad input, 3 training diverged, 130/143 stopped by SIGINT/SIGTERM, 1 internal error.
    """
    import_code(code)
    config = load_config_with_overrides(config_path, ctx)
    with job(output, config, kind="train", resume=resume, overwrite=overwrite, gpu_id=gpu_id,
             log_name="metrics.jsonl", last_name=LAST) as run:
        _train(run)


def _train(run: Job) -> None:
    main = run.world.is_main
    logger = resolve_logger(run.config["training"]) if main else Logger()  # checked before any data is read
    nlp, plan = init_nlp(run.config, device=run.device, validate=False)  # `job` validated it
    trainer = Trainer(nlp, plan, device=run.device, world=run.world)
    if run.checkpoint:
        trainer.restore(run.checkpoint)
    saver = _Saver(trainer, run) if run.path else None
    if run.finished:  # its checkpoint is written at the last step: model-last may have been cut short after it
        saver.save_last_only()
        run.say(f"{run.path}: the run finished at step {trainer.state.step}; nothing to resume (saved "
                f"{run.path / LAST} again)", err=True)
        return
    if run.checkpoint:
        run.say(f"resuming {run.path} after step {trainer.state.step}", err=True)
    ranks = f" x {run.world.size} ranks" if run.world.size > 1 else ""
    run.say(f"pipeline {nlp.pipe_names} on {run.device}{ranks}; frozen {plan.frozen_components or 'none'}",
            err=True)
    if note := precision_note(trainer.device, loss_scaling(nlp, plan)[0]):
        run.say(note, err=True)
    logger.setup(RunInfo([n for n, c in nlp.pipeline if isinstance(c, Trainable) and n not in plan.frozen_components],
                         list(main_scores(nlp)), run.path))
    try:
        with StopRequest() as stop, saving_on_divergence(run.run_dir, saver and saver.save_last_only,
                                                         lambda: trainer.state.step), \
                progress_bar(total=plan.max_steps or None, desc="training", unit="step") as bar:
            bar.disable = bar.disable or not main
            bar.update(trainer.state.step)
            for progress in trainer.train():
                bar.update(progress.step - bar.n)
                if progress.scores is not None:
                    logger.log(_record(progress))
                if saver:
                    saver.after_step(progress)
                if run.world.any(bool(stop)):
                    break
    finally:
        logger.finish()
    if saver:
        saver.save_last()
    if not trainer.state.finished:  # a signal stopped the run (on this rank or another)
        if main:
            say_interrupted(stop, trainer.state.step, saved=saver is not None)
        raise typer.Exit(stop.exit_code if stop else 143)
    if saver:
        run.say(f"saved {run.path / BEST} and {run.path / LAST}", err=True)


class _Saver:
    """What a run writes to its folder: metrics rows and model-best at evaluations, checkpoints, model-last.
    Every rank calls it at the same points (a checkpoint holds every rank's random state); rank 0 writes."""

    def __init__(self, trainer: Trainer, run: Job) -> None:
        self.trainer, self.run_dir, self.config = trainer, run.run_dir, run.config
        self.every = trainer.plan.checkpoint_every

    def after_step(self, progress: Progress) -> None:
        if progress.scores is not None and self.run_dir:
            if progress.is_best:
                self._save(BEST)
            self.run_dir.append_log([_record(progress)])
            self._report()
        if progress.scores is not None:
            self.trainer.state.metrics_rows += 1
        due = progress.step % self.every == 0 if self.every else progress.scores is not None
        if due:
            self.checkpoint()

    def _report(self) -> None:
        """report.html: every curve of the run so far, rewritten at each evaluation."""
        from plait.visual.curves import Run
        from plait.visual.report import render_report

        fs.write_text_atomic(self.run_dir.path / REPORT, render_report([Run(self.run_dir.path.name,
                                                                            self.run_dir.log_rows())]))
        self.run_dir.saved(REPORT)

    def checkpoint(self) -> None:
        self.trainer.write_checkpoint(self.run_dir.path / CHECKPOINT if self.run_dir else None, self.config)
        if self.run_dir:
            self.run_dir.saved(CHECKPOINT)

    def save_last_only(self) -> Path | None:
        if not self.run_dir:
            return None
        self._save(LAST)
        return self.run_dir.path / LAST

    def _save(self, name: str) -> None:
        """Save the pipeline as `name` (its averaged weights with `use_averages`; checkpoints keep the last)."""
        with self.trainer.stepper.averaged():
            self.trainer.nlp.to_disk(self.run_dir.path / name)
        self.run_dir.saved(name)

    def save_last(self) -> None:
        """model-last and a checkpoint of the run's current state."""
        self.save_last_only()
        self.checkpoint()


def _record(progress: Progress) -> dict:
    """What every logger gets at an evaluation, and metrics.jsonl holds (one line each)."""
    return {"epoch": progress.epoch, "step": progress.step, "words": progress.words,
            "seconds": round(progress.seconds, 3), "losses": progress.losses, "learn_rate": progress.learn_rates,
            "score": progress.score, "is_best": progress.is_best, "scores": progress.scores}
