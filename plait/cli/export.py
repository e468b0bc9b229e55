"""`plait export`: write a copy of a pipeline for fast CPU inference, its encoders as ONNX graphs."""
from __future__ import annotations

from pathlib import Path

import typer

from plait.cli._common import CODE_HELP, VERBOSE_HELP, import_code, output_folder
from plait.cli.main import app
from plait.core.errors import UserError


@app.command("export")
def export_command(
    model: Path = typer.Argument(..., help="A saved pipeline directory."),
    output: Path = typer.Argument(..., help="Folder to write the exported pipeline to (must be empty unless "
                                            "--force).", callback=output_folder),
    onnx: bool = typer.Option(False, "--onnx", help="Export the encoders (tok2vec, transformer) to ONNX graphs run "
                                                    "by onnxruntime (the one format offered)."),
    int8: bool = typer.Option(False, "--int8", help="Quantize the graphs' weights to int8 (dynamic quantization): "
                                                    "smaller and faster, slightly less accurate."),
    force: bool = typer.Option(False, "--force", "-f", help="Replace what OUTPUT holds (atomically, once the export "
                                                            "is complete)."),
    code: Path = typer.Option(None, "--code", "-c", help=CODE_HELP),
    verbose: bool = typer.Option(False, "--verbose", "-V", help=VERBOSE_HELP),
) -> None:
    """Write a copy of MODEL whose encoders run as ONNX graphs through onnxruntime, for fast CPU inference.

    `plait.load(OUTPUT)` gives the same pipeline API; the heads stay PyTorch. Needs the onnx extra:
    pip install 'plait[onnx]'.
    """
    if not onnx:
        raise UserError("--onnx: name the format to export to (ONNX is the only one)")
    import_code(code)
    from plait.core.export import export_pipeline

    names = export_pipeline(model, output, int8=int8, force=force)
    typer.echo(f"wrote {output}: {', '.join(names)} exported to ONNX{' (int8)' if int8 else ''}", err=True)
