"""`plait package`: a saved pipeline as a wheel that `pip install` takes and `plait.load(NAME)` finds."""
from __future__ import annotations

from pathlib import Path

import typer

from plait.cli._common import VERBOSE_HELP, output_folder
from plait.cli.main import app


@app.command("package")
def package_command(
    model: Path = typer.Argument(..., help="Saved pipeline folder (e.g. training/model-best)."),
    out_dir: Path = typer.Argument(..., help="Folder to write the wheel to.", callback=output_folder),
    name: str = typer.Option(..., "--name", "-n", help="Distribution name, e.g. en_plait_web."),
    version: str = typer.Option(..., "--version", "-v", help="Package version, e.g. 1.0.0."),
    meta: Path = typer.Option(None, "--meta", "-m", exists=True, dir_okay=False,
                              help="JSON with description, license, author, sources (list) and scores to record."),
    verbose: bool = typer.Option(False, "--verbose", "-V", help=VERBOSE_HELP),
) -> None:
    """Build a wheel holding the pipeline and its meta (components, scores, sources, licence, the plait versions it
    loads with); after `pip install` of it, `plait.load(NAME)` loads the pipeline."""
    from plait.core.packages import build_wheel, check_name, check_version, read_extra_meta

    check_name(name)
    check_version(version)
    extra = read_extra_meta(meta) if meta is not None else {}
    wheel = build_wheel(model, out_dir, name=name, version=version, extra_meta=extra)
    typer.echo(f"wrote {wheel}", err=True)
