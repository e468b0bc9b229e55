"""`plait apply`: annotate raw text with a saved pipeline and write JSONL."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import srsly
import typer
from tqdm import tqdm

import plait
from plait.cli.device import device_for
from plait.cli.main import app
from plait.core.data.doc_json import doc_to_json
from plait.core.data.jsonl import json_objects, text_lines
from plait.core.errors import DataError, UserError


def read_texts(path: Path) -> Iterator[str]:
    """Texts from a `.jsonl` file (the "text" of each line) or any other file (one text per non-empty line)."""
    if path.suffix == ".jsonl":
        for number, record in json_objects(path):
            if not isinstance(record.get("text"), str):
                raise DataError(f"{path}:{number}: expected an object with a \"text\" string")
            yield record["text"]
        return
    yield from (line.rstrip("\r\n") for _, line in text_lines(path) if line.strip())


@app.command("apply")
def apply_command(
    model: Path = typer.Argument(..., help="A pipeline directory."),
    input_path: Path = typer.Argument(..., help="Raw text: a .txt file (one text per line) or .jsonl with \"text\"."),
    output: Path = typer.Argument(..., help="JSONL file to write, one annotated doc per line."),
    batch_size: int = typer.Option(256, "--batch-size", "-b", help="Texts per batch."),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU to run on (-1: CPU)."),
    verbose: bool = typer.Option(False, "--verbose", "-V", help="Show tracebacks."),
) -> None:
    """Annotate every text of INPUT and write one JSON object per doc to OUTPUT."""
    if not input_path.exists():
        raise UserError(f"{input_path}: input file not found")
    nlp = plait.load(model).to(device_for(gpu_id))
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.tmp")
    count = 0
    try:
        with tmp.open("w", encoding="utf8") as out:
            for doc in tqdm(nlp.pipe(read_texts(input_path), batch_size=batch_size), desc="docs", disable=None):
                out.write(srsly.json_dumps(doc_to_json(doc)) + "\n")
                count += 1
        tmp.replace(output)
    finally:
        tmp.unlink(missing_ok=True)
    typer.echo(f"wrote {count} docs to {output}", err=True)
