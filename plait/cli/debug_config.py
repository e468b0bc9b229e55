"""`plait debug-config`: validate a config and print it filled and interpolated."""
from __future__ import annotations

from pathlib import Path

import typer

from plait.cli._common import CODE_HELP, OVERRIDES, VERBOSE_HELP, import_code, load_config_with_overrides
from plait.cli.main import app
from plait.core.config import validate_config
from plait.core.pipeline import Language
from plait.core.training.initialize import check_built, resolve_training
from plait.core.training.pretrain import resolve_pretraining


@app.command("debug-config", context_settings=OVERRIDES)
def debug_config(
    ctx: typer.Context,
    config_path: Path = typer.Argument(..., help="Config file to check ('-' for stdin).", allow_dash=True),
    code: Path = typer.Option(None, "--code", "-c", help=CODE_HELP),
    verbose: bool = typer.Option(False, "--verbose", "-V", help=VERBOSE_HELP),
) -> None:
    """Validate a config, build every component it names, and print it interpolated.

    Extra arguments `--section.key value` override settings. Nothing is trained and no data is read.
    """
    import_code(code)
    config = load_config_with_overrides(config_path, ctx)
    validate_config(config)
    nlp = Language.from_config(config, validate=False)
    pretraining = resolve_pretraining(config) if "pretraining" in config else None
    check_built(nlp, resolve_training(config), pretraining)  # the training blocks build too; no data is read
    typer.echo(config.to_str())
    typer.echo(f"# ok: pipeline {nlp.pipe_names} built from {config_path}", err=True)
