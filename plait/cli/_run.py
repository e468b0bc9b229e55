"""What `plait train` and `plait pretrain` share as long-running jobs: the run folder, resuming, signals."""
from __future__ import annotations

import contextlib
import shlex
from pathlib import Path
from typing import Callable, Iterator

import typer
from confection import Config

from plait.cli import main
from plait.core import config as config_lib
from plait.core.errors import DivergedError
from plait.core.training.checkpoint import Checkpoint
from plait.core.training.run_dir import RunDir
from plait.core.training.signals import StopRequest

RESUME_HELP = "Continue the run in the output folder from its last checkpoint (exactly where it stopped)."
OVERWRITE_HELP = "Replace the run the output folder holds (only once the new run has saved its first model)."


@contextlib.contextmanager
def run_folder(path: Path | None, config: Config, *, kind: str, resume: bool, overwrite: bool, log_name: str,
               last_name: str) -> Iterator[tuple[RunDir | None, Checkpoint | None]]:
    """Validate the config, open and lock the run folder and read the checkpoint to resume, before any data
    is read; release the folder at the end (no folder: `(None, None)`)."""
    config_lib.validate_config(config)
    if path is None:
        yield None, None
        return
    run_dir = RunDir.open(path, resume=resume, overwrite=overwrite, log_name=log_name, last_name=last_name)
    try:
        checkpoint = run_dir.resume(config, kind) if resume else None
        if resume and checkpoint is None:
            typer.echo(f"{path}: no checkpoint to resume yet; starting the run from the beginning", err=True)
        yield run_dir, checkpoint
    finally:
        run_dir.close()


def resume_command() -> str:
    """The command line that resumes this run: the one given, with --resume instead of --overwrite."""
    args = [a for a in main.invocation if a not in ("--overwrite", "--resume")]
    return shlex.join(["plait", *args, "--resume"])


def say_interrupted(stop: StopRequest, step: int, saved: bool) -> None:
    """One line: which signal stopped the run, at which step, and how to go on."""
    if saved:
        typer.echo(f"stopped by {stop.name} after step {step}; saved a checkpoint and model-last: continue "
                   f"with `{resume_command()}`", err=True)
    else:
        typer.echo(f"stopped by {stop.name} after step {step}; nothing saved (no output folder)", err=True)


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
