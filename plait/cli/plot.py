"""`plait plot`: the training curves of one or more runs overlaid in one HTML page (and a PNG)."""
from __future__ import annotations

from pathlib import Path

import typer

from plait.cli._common import output_file, write_text_atomic
from plait.cli.main import app
from plait.core.errors import UserError
from plait.visual.curves import read_run
from plait.visual.png import write_png
from plait.visual.report import render_report


@app.command("plot")
def plot_command(
    runs: list[Path] = typer.Argument(..., help="Training output directories (or their metrics.jsonl files).",
                                      show_default=False),
    output: Path = typer.Option(..., "--output", "-o", help="HTML file to write.", callback=output_file),
    png: bool = typer.Option(False, "--png", help="Also write the charts as OUTPUT with .png (needs matplotlib)."),
    verbose: bool = typer.Option(False, "--verbose", "-V", help="Show tracebacks."),
) -> None:
    """Overlay the loss, score, speed and learning-rate curves of training runs (each run's metrics.jsonl)."""
    loaded = [read_run(path) for path in runs]
    names = [run.name for run in loaded]
    for run, path in zip(loaded, runs):
        if not run.records:
            raise UserError(f"{path}: no evaluations recorded yet")
        if names.count(run.name) > 1:
            run.name = str(path)  # two runs named alike: tell them apart by their paths
    write_text_atomic(output, render_report(loaded, title="plait runs: " + ", ".join(r.name for r in loaded)))
    typer.echo(f"wrote {output}", err=True)
    if png:
        write_png(loaded, output.with_suffix(".png"))
        typer.echo(f"wrote {output.with_suffix('.png')}", err=True)
