"""`plait train`: train a pipeline from a config, printing a progress table and saving the best model."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from plait.cli._common import CODE_HELP, OVERRIDES, VERBOSE_HELP, import_code, load_config_with_overrides
from plait.cli.device import device_for
from plait.cli.main import app
from plait.core.progress import progress_bar
from plait.core.training.initialize import init_nlp
from plait.core.training.loggers import MultiLogger, RunFiles, RunInfo, resolve_logger
from plait.core.training.loop import Progress, train_while_improving


@app.command("train", context_settings=OVERRIDES)
def train_command(
    ctx: typer.Context,
    config_path: Path = typer.Argument(..., help="Training config ('-' for stdin).", allow_dash=True),
    output: Path = typer.Option(None, "--output", "-o", help="Directory for model-best, model-last and metrics.jsonl."),
    code: Path = typer.Option(None, "--code", "-c", help=CODE_HELP),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU to train on (-1: CPU)."),
    verbose: bool = typer.Option(False, "--verbose", "-V", help=VERBOSE_HELP),
) -> None:
    """Train the pipeline a config describes; `--section.key value` overrides settings.

    The whole config is validated and every component built before any data is read. Exit codes:
    0 success, 2 bad config or data, 1 internal error.
    """
    import_code(code)
    config = load_config_with_overrides(config_path, ctx)
    device = device_for(gpu_id)
    logger = resolve_logger(config["training"])
    nlp, plan = init_nlp(config, device=device)
    typer.echo(f"pipeline {nlp.pipe_names} on {device}; frozen {plan.frozen_components or 'none'}", err=True)
    loggers = MultiLogger([logger] + ([RunFiles(output)] if output is not None else []))
    loggers.setup(RunInfo([n for n, c in nlp.pipeline if hasattr(c, "get_loss") and n not in plan.frozen_components],
                          [c.score_key for _, c in nlp.pipeline if hasattr(c, "score_key")], output))
    try:
        with progress_bar(total=plan.max_steps or None, desc="training", unit="step") as bar:
            for progress in train_while_improving(nlp, plan, device=device):
                bar.update(1)
                if progress.scores is None:
                    continue
                loggers.log(_record(progress))
                if output is not None and progress.is_best:
                    nlp.to_disk(output / "model-best")
    finally:
        loggers.finish()
    if output is not None:
        nlp.to_disk(output / "model-last")
        typer.echo(f"saved {output / 'model-best'} and {output / 'model-last'}", err=True)


def _record(progress: Progress) -> dict[str, Any]:
    """What every logger gets at an evaluation (and metrics.jsonl holds, one line each)."""
    return {"epoch": progress.epoch, "step": progress.step, "words": progress.words,
            "seconds": round(progress.seconds, 3), "losses": progress.losses, "score": progress.score,
            "is_best": progress.is_best, "scores": progress.scores}
