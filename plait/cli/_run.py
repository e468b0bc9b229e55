"""What `plait train` and `plait pretrain` share as long-running jobs: the run folder, resuming, signals."""
from __future__ import annotations

import contextlib
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import typer
from confection import Config

from plait.cli import main
from plait.cli.device import device_for
from plait.core import config as config_lib
from plait.core.errors import DivergedError, UserError
from plait.core.training.checkpoint import Checkpoint, read_checkpoint
from plait.core.training.distributed import World, join_world, leave_world, rank_device
from plait.core.training.run_dir import CHECKPOINT_DIR, RunDir, has_checkpoint
from plait.core.training.signals import StopRequest

RESUME_HELP = "Continue the run in the output folder from its last checkpoint (exactly where it stopped)."
OVERWRITE_HELP = "Replace the run the output folder holds (only once the new run has saved its first model)."


@dataclass
class Job:
    """A run as the command sees it: its process among the ranks, its device and its output folder."""

    world: World
    device: str
    config: Config
    path: Path | None  # the output folder (on every rank; only rank 0 writes to it)
    run_dir: RunDir | None = None  # the open output folder, on rank 0
    checkpoint: Checkpoint | None = None  # what to resume from

    def say(self, message: str, *, err: bool = False) -> None:
        """Print on rank 0 only."""
        if self.world.is_main:
            typer.echo(message, err=err)

    @property
    def finished(self) -> bool:
        """The checkpoint is of a finished run that the config does not extend: nothing to do."""
        return bool(self.checkpoint and self.checkpoint.state.finished and not self.checkpoint.extends(self.config))


@contextlib.contextmanager
def job(output: Path | None, config: Config, *, kind: str, resume: bool, overwrite: bool, gpu_id: int,
        log_name: str, last_name: str) -> Iterator[Job]:
    """Validate the config, join torchrun's ranks (if launched by it), open and lock the output folder and
    read the checkpoint to resume, all before any data is read; release everything at the end."""
    config_lib.validate_config(config)
    if output is None and (resume or overwrite):
        raise UserError("--resume and --overwrite need an output folder")
    world = join_world()
    together = False  # whether every rank leaves here: at the end, or stopped by a signal they all heard
    try:
        device = device_for(gpu_id) if world.size == 1 else rank_device(world, gpu_id)
        if output is None:
            yield Job(world, device, config, None)
        elif not world.is_main:
            path = output / CHECKPOINT_DIR
            checkpoint = read_checkpoint(path, config=config, kind=kind) if resume and has_checkpoint(path) else None
            yield Job(world, device, config, output, checkpoint=checkpoint)
        else:
            run_dir = RunDir.open(output, resume=resume, overwrite=overwrite, log_name=log_name, last_name=last_name)
            try:
                checkpoint = run_dir.resume(config, kind) if resume else None
                if resume and checkpoint is None:
                    typer.echo(f"{output}: no checkpoint to resume yet; starting the run from the beginning",
                               err=True)
                yield Job(world, device, config, output, run_dir=run_dir, checkpoint=checkpoint)
            finally:
                run_dir.close()
        together = True
    except typer.Exit:
        together = True
        raise
    finally:
        leave_world(world, together=together)


def resume_command() -> str:
    """The command line that resumes this run: the one given, with --resume instead of --overwrite."""
    args = [a for a in main.invocation if a not in ("--overwrite", "--resume")]
    return shlex.join(["plait", *args, "--resume"])


def say_interrupted(stop: StopRequest, step: int, saved: bool) -> None:
    """One line: which signal stopped the run, at which step, and how to go on."""
    name = stop.name or "a signal to another rank"
    if saved:
        typer.echo(f"stopped by {name} after step {step}; saved a checkpoint and model-last: continue "
                   f"with `{resume_command()}`", err=True)
    else:
        typer.echo(f"stopped by {name} after step {step}; nothing saved (no output folder)", err=True)


@contextlib.contextmanager
def saving_on_divergence(run_dir: RunDir | None, save_last: Callable[[], Path], step: Callable[[], int]
                         ) -> Iterator[None]:
    """A run that diverges keeps its last finite weights as model-last (`save_last` writes it), unless it would
    replace an earlier run that it has not replaced yet; the error says which."""
    try:
        yield
    except DivergedError as err:
        if run_dir is None:
            raise DivergedError(f"{err}; nothing saved (no --output)") from err
        if run_dir.replaces_run:
            raise DivergedError(f"{err}; the earlier run in {run_dir.path} is untouched") from err
        raise DivergedError(f"{err}; {save_last()} holds the weights after step {step()}") from err
