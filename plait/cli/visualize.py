"""`plait visualize`: one self-contained HTML page of annotated documents."""
from __future__ import annotations

from itertools import islice
from pathlib import Path

import typer

import plait
from plait.cli._common import output_file, write_text_atomic
from plait.cli.apply import read_texts
from plait.cli.device import device_for
from plait.cli.main import app
from plait.core.data.readers import read_docs
from plait.core.errors import UserError
from plait.core.progress import progress_bar
from plait.visual.render import render


@app.command("visualize")
def visualize_command(
    paths: list[Path] = typer.Argument(..., help="MODEL INPUT OUT.html, or DOCS OUT.html.", show_default=False),
    batch_size: int = typer.Option(256, "--batch-size", "-b", help="Texts per batch when a model annotates."),
    page_size: int = typer.Option(25, "--page-size", help="Documents per page of the viewer."),
    limit: int = typer.Option(0, "--limit", "-n", help="Show only the first N documents (0: all)."),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU to run on (-1: CPU)."),
    verbose: bool = typer.Option(False, "--verbose", "-V", help="Show tracebacks."),
) -> None:
    """Draw documents as HTML: entities, span groups, dependency arcs, tags and lemmas, sentences, category scores.

    `plait visualize MODEL INPUT OUT.html` annotates INPUT (one text per line, or .jsonl with "text") with the
    pipeline MODEL; `plait visualize DOCS OUT.html` shows annotated docs as they are: the JSONL `plait apply`
    writes, or a corpus in any format plait reads (CoNLL-U, IOB columns, .plait, ...).
    """
    if len(paths) not in (2, 3):
        raise UserError("visualize takes MODEL INPUT OUT.html or DOCS OUT.html "
                        f"({len(paths)} path{'s' if len(paths) != 1 else ''} given)")
    if page_size < 1:
        raise UserError("--page-size: must be at least 1")
    *sources, out = paths
    output_file(out)
    for path in sources:
        if not path.exists():
            raise UserError(f"{path}: not found")
    if len(sources) == 2:
        model, input_path = sources
        if not (model / "config.cfg").is_file():
            raise UserError(f"{model}: not a pipeline directory (no config.cfg); for annotated docs give DOCS OUT.html")
        nlp = plait.load(model).to(device_for(gpu_id))
        docs = nlp.pipe(islice(read_texts(input_path), limit or None), batch_size=batch_size)
        title = f"{model.name} on {input_path.name}"
    else:
        if (sources[0] / "config.cfg").is_file():
            raise UserError(f"{sources[0]} is a pipeline: give the texts too (MODEL INPUT OUT.html)")
        nlp = plait.blank("en")
        docs = read_docs(sources[0], nlp.vocab, nlp.make_doc, limit=limit)
        title = sources[0].name
    docs = list(progress_bar(docs, desc="documents", unit="doc"))
    write_text_atomic(out, render(docs, title=title, page_size=page_size))
    typer.echo(f"wrote {len(docs)} docs to {out}", err=True)
