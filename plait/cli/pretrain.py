"""`plait pretrain`: train a pipeline's tok2vec on raw text before `plait train`, saving its weights."""
from __future__ import annotations

import re
from pathlib import Path

import typer
from tqdm import tqdm

from plait.cli._common import (CODE_HELP, OFFLINE_HELP, OVERRIDES, VERBOSE_HELP, go_offline, import_code,
                               load_config_with_overrides, output_folder)
from plait.cli._run import OVERWRITE_HELP, RESUME_HELP, Job, job, say_interrupted, saving_on_divergence
from plait.cli.main import app
from plait.core.errors import UserError
from plait.core.training.pretrain import PretrainProgress, Pretrainer, init_pretraining
from plait.core.training.run_dir import CHECKPOINT_DIR
from plait.core.training.signals import StopRequest
from plait.core.training.subnetwork import load_subnetwork_weights, save_weights

LAST = "model-last.safetensors"

_EPOCH_FILE = re.compile(r"model(\d+)\.safetensors$")


@app.command("pretrain", context_settings=OVERRIDES)
def pretrain_command(
    ctx: typer.Context,
    config_path: Path = typer.Argument(..., help="Config with a [pretraining] section ('-' for stdin).",
                                       allow_dash=True),
    output_dir: Path = typer.Argument(..., help="Folder for model{N}.safetensors, model-last.safetensors, "
                                                "checkpoint and log.jsonl.", callback=output_folder),
    resume: bool = typer.Option(False, "--resume", help=RESUME_HELP),
    overwrite: bool = typer.Option(False, "--overwrite", help=OVERWRITE_HELP),
    code: Path = typer.Option(None, "--code", "-c", help=CODE_HELP),
    resume_path: Path = typer.Option(None, "--resume-path", "-r", help="Start a new run from these weights (a "
                                                                         "warm start; --resume continues exactly)."),
    epoch_resume: int = typer.Option(None, "--epoch-resume", help="Epoch a warm start begins with (default: N + 1 "
                                                                         "for a file named modelN.safetensors)."),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU to train on (-1: CPU)."),
    offline: bool = typer.Option(False, "--offline", help=OFFLINE_HELP, callback=go_offline),
    verbose: bool = typer.Option(False, "--verbose", "-V", help=VERBOSE_HELP),
) -> None:
    """Pretrain the subnetwork [pretraining] names (component, layer) on raw text with its objective.

    Weights are saved after each epoch and every n_save_every batches, each time with a checkpoint; load them in
    `plait train` with `--paths.init_tok2vec FILE`. Exit codes: 0 success, 2 bad input, 3 diverged,
    130/143 stopped by SIGINT/SIGTERM (after saving a checkpoint), 1 internal error.
    """
    import_code(code)
    config = load_config_with_overrides(config_path, ctx)
    if resume and resume_path is not None:
        raise UserError("--resume continues the run in OUTPUT_DIR, --resume-path starts a new one from saved "
                        "weights: pass one of them")
    start_epoch = _start_epoch(resume_path, epoch_resume)
    with job(output_dir, config, kind="pretrain", resume=resume, overwrite=overwrite, gpu_id=gpu_id,
             log_name="log.jsonl", last_name=LAST) as run:
        _pretrain(run, resume_path, start_epoch)


def _pretrain(run: Job, resume_path: Path | None, start_epoch: int) -> None:
    main = run.world.is_main
    say = run.say
    if run.finished:
        say(f"{run.path}: the run finished at epoch {run.checkpoint.state.epoch}; nothing to resume",
            err=True)
        return
    # `job` validated the config
    nlp, module, objective, plan = init_pretraining(run.config, device=run.device, validate=False)
    trainer = Pretrainer(nlp, module, objective, plan, device=run.device, world=run.world)
    if run.checkpoint:
        trainer.restore(run.checkpoint)
        trainer.state.finished = False
    elif resume_path is not None:
        load_subnetwork_weights(module, resume_path, plan.where, "--resume-path")
    state = trainer.state
    ranks = f" x {run.world.size} ranks" if run.world.size > 1 else ""
    say(f"pretraining {plan.where} ({sum(p.numel() for p in module.parameters()):,} weights) on {run.device}"
        f"{ranks}, from epoch {state.epoch if state.step else start_epoch}, batch {state.step}", err=True)
    say(f"{'EPOCH':>5}  {'BATCHES':>8}  {'WORDS':>10}  {'LOSS':>8}  {'WORDS/S':>8}")
    log = _Log(run, trainer)
    bar = tqdm(desc=f"epoch {state.epoch}", unit="batch", leave=False, disable=None if main else True)
    with StopRequest() as stop, saving_on_divergence(run.run_dir, log.save_last, lambda: state.step):
        for progress in trainer.train(start_epoch=start_epoch):
            bar.update(1)
            bar.set_postfix(loss=f"{progress.loss:.4f}", refresh=False)
            if progress.end_of_epoch:
                bar.close()
                final = plan.max_epochs and progress.epoch == plan.max_epochs - 1
                if not plan.n_save_epoch or progress.epoch % plan.n_save_epoch == 0 or final:
                    log.save_last(f"model{progress.epoch}.safetensors")
                else:
                    log.save_last()
                say(log.write(progress))
                log.checkpoint()
                bar = tqdm(desc=f"epoch {progress.epoch + 1}", unit="batch", leave=False,
                           disable=None if main else True)
            elif plan.n_save_every and progress.step % plan.n_save_every == 0:
                log.save_last()
                log.write(progress)
                log.checkpoint()
            if run.world.any(bool(stop)):
                break
    bar.close()
    log.save_last()
    log.checkpoint()
    if not state.finished:  # a signal stopped the run (on this rank or another)
        if main:
            say_interrupted(stop, state.step, saved=True)
        raise typer.Exit(stop.exit_code if stop else 143)
    say(f"saved {run.path / LAST}", err=True)


class _Log:
    """log.jsonl rows (loss and speed since the previous row) and the saves that go with them. Every rank
    calls it at the same points (a checkpoint holds every rank's random state); rank 0 writes."""

    def __init__(self, run: Job, trainer: Pretrainer) -> None:
        self.run_dir, self.trainer, self.config = run.run_dir, trainer, run.config
        rows = self.run_dir.log_rows() if self.run_dir and run.checkpoint else []
        self.last = rows[-1] if rows else {"step": trainer.state.step, "words": trainer.state.words,
                                           "seconds": trainer.state.seconds}

    def write(self, progress: PretrainProgress) -> str:
        state = self.trainer.state
        words, seconds = progress.words - self.last["words"], progress.seconds - self.last["seconds"]
        batches = max(progress.step - self.last["step"], 1)
        record = {"epoch": progress.epoch, "step": progress.step, "words": progress.words,
                  "loss": round(state.losses.get("objective", 0.0) / batches, 6),
                  "words_per_second": round(words / seconds, 1) if seconds > 0 else 0.0,
                  "seconds": round(progress.seconds, 3)}
        state.losses = {}
        if self.run_dir:
            self.run_dir.append_log([record])
        state.metrics_rows += 1
        self.last = record
        return (f"{progress.epoch:>5}  {progress.step:>8}  {progress.words:>10}  {record['loss']:>8.4f}  "
                f"{record['words_per_second']:>8.0f}")

    def save_last(self, *also: str) -> Path | None:
        """model-last.safetensors, and each file named in `also` (a copy of it: model{N}.safetensors)."""
        if not self.run_dir:
            return None
        with self.trainer.stepper.averaged():  # the averaged weights with use_averages
            for name in (*also, LAST):
                save_weights(self.trainer.module, self.run_dir.path / name)
        self.run_dir.saved(LAST, *also)
        return self.run_dir.path / LAST

    def checkpoint(self) -> None:
        self.trainer.write_checkpoint(self.run_dir.checkpoint_path if self.run_dir else None, self.config)
        if self.run_dir:
            self.run_dir.saved(CHECKPOINT_DIR)


def _start_epoch(resume_path: Path | None, epoch_resume: int | None) -> int:
    """The epoch to start with: 0, --epoch-resume, or N + 1 for a resumed file named modelN.safetensors."""
    if resume_path is None:
        if epoch_resume is not None:
            raise UserError("--epoch-resume: only used with --resume-path")
        return 0
    if epoch_resume is not None:
        if epoch_resume < 0:
            raise UserError(f"--epoch-resume: must be >= 0, not {epoch_resume}")
        return epoch_resume
    match = _EPOCH_FILE.search(resume_path.name)
    if match is None:
        raise UserError(f"--resume-path {resume_path}: the epoch is not in the file name (modelN.safetensors); "
                        "pass --epoch-resume N")
    return int(match.group(1)) + 1
