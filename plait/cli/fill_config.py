"""`plait fill-config`: add every default setting to a partial config."""
from __future__ import annotations

import difflib
from pathlib import Path

import typer

from plait.cli._common import (
    CODE_HELP,
    OVERRIDES,
    VERBOSE_HELP,
    import_code,
    load_config_with_overrides,
    output_file,
    write_text_atomic,
)
from plait.cli.main import app
from plait.core.config import fill_config
from plait.core.config_text import commented


@app.command("fill-config", context_settings=OVERRIDES)
def fill_config_command(
    ctx: typer.Context,
    base: Path = typer.Argument(..., help="Partial config to fill ('-' for stdin).", allow_dash=True),
    output: str = typer.Argument("-", help="Where to write the full config ('-' for stdout).",
                                callback=output_file),
    diff: bool = typer.Option(False, "--diff", "-D", help="Also print what was added, as a diff."),
    pretraining: bool = typer.Option(False, "--pretraining",
                                     help="Add a [pretraining] section for `plait pretrain`."),
    code: Path = typer.Option(None, "--code", "-c", help=CODE_HELP),
    verbose: bool = typer.Option(False, "--verbose", "-V", help=VERBOSE_HELP),
) -> None:
    """Fill a partial config with every default value, so that training hides no setting.

    A component block without a model gets its factory's default one, with its own encoder (as nlp.add_pipe).

    Extra arguments `--section.key value` set values before filling.
    """
    import_code(code)
    config = load_config_with_overrides(base, ctx, interpolate=False)
    text = commented(fill_config(config, pretraining=pretraining))
    write_text_atomic(output, text)
    if diff:
        before = config.to_str().splitlines()
        for line in difflib.unified_diff(before, text.splitlines(), str(base), output, lineterm=""):
            typer.echo(line, err=True)
    if output != "-":
        typer.echo(f"wrote {output}", err=True)
