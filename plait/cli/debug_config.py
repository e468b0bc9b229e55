"""`plait debug-config`: validate a config and print it filled and interpolated."""
from __future__ import annotations

from pathlib import Path

import typer

from plait.cli._common import CODE_HELP, OVERRIDES, VERBOSE_HELP, import_code, load_config_with_overrides
from plait.cli.main import app
from plait.core.config import validate_config
from plait.core.model_memory import FLOAT_BYTES, check_fits, format_bytes


@app.command("debug-config", context_settings=OVERRIDES)
def debug_config(
    ctx: typer.Context,
    config_path: Path = typer.Argument(..., help="Config file to check ('-' for stdin).", allow_dash=True),
    code: Path = typer.Option(None, "--code", "-c", help=CODE_HELP),
    verbose: bool = typer.Option(False, "--verbose", "-V", help=VERBOSE_HELP),
) -> None:
    """Validate a config, build every component it names, and print it interpolated, with the memory each
    component's model would take.

    Extra arguments `--section.key value` override settings. Nothing is trained and no data is read.
    """
    import_code(code)
    config = load_config_with_overrides(config_path, ctx)
    components = config.get("components")
    # first, so that a model too large for this machine is named with its size even if a setting is out of range
    sizes = {name: check_fits(block, f"components.{name}") for name, block in
             (components.items() if isinstance(components, dict) else ()) if isinstance(block, dict)}
    validate_config(config)
    # torch and the models load only now: a config refused above is refused in the time it takes to read it
    from plait.core.pipeline import Language
    from plait.core.training.initialize import check_built, resolve_training
    from plait.core.training.pretrain import resolve_pretraining

    from plait.core.sourcing import expand_sources

    nlp = Language.from_config(expand_sources(config)[0], validate=False)
    pretraining = resolve_pretraining(config) if "pretraining" in config else None
    check_built(nlp, resolve_training(config), pretraining)  # the training blocks build too; no data is read
    typer.echo(config.to_str())
    for name, size in sizes.items():
        typer.echo(f"# components.{name}: about {format_bytes(size.bytes)} ({size.params:.3g} weights; "
                   f"{format_bytes(size.per_token * FLOAT_BYTES)} of activations per token in training)", err=True)
    if sizes:
        typer.echo("# (not counted: layers sized by the data, such as output layers, static vector projections and "
                   "a transformer's weights)", err=True)
    typer.echo(f"# ok: pipeline {nlp.pipe_names} built from {config_path}", err=True)
