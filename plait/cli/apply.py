"""`plait apply`: annotate raw text with a saved pipeline and write JSONL."""
from __future__ import annotations

import itertools
from pathlib import Path
from typing import Iterator

import srsly
import typer
from tqdm import tqdm

import plait
from plait.cli._common import CODE_HELP, VERBOSE_HELP, import_code, output_file
from plait.cli.device import device_for
from plait.cli.main import app
from plait.core import fs
from plait.core.data.doc_json import doc_to_json
from plait.core.data.jsonl import read_json_lines
from plait.core.data.lines import read_lines
from plait.core.data.record_schema import check_record
from plait.core.errors import DataError, StoppedError, UserError
from plait.core.multiprocess import WorkerDied


def read_texts(path: Path) -> Iterator[str]:
    """Texts from a `.jsonl` file (the "text" of each line) or any other file (one text per non-empty line)."""
    return (text for _, text in numbered_texts(path))


def numbered_texts(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) for each text of `path` (see `read_texts`)."""
    if path.suffix != ".jsonl":
        yield from ((number, line.rstrip("\r\n")) for number, line in read_lines(path) if line.strip())
        return
    for number, record in read_json_lines(path):
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise DataError(f"{path}:{number}: expected an object with a \"text\" string")
        try:
            check_record({"text": record["text"]})  # e.g. a lone surrogate, which no output could hold
        except ValueError as err:
            raise DataError(f"{path}:{number}: {err}") from None
        yield number, record["text"]


@app.command("apply")
def apply_command(
    model: Path = typer.Argument(..., help="A pipeline directory."),
    input_path: Path = typer.Argument(..., help="Raw text: a .txt file (one text per line) or .jsonl with \"text\"."),
    output: Path = typer.Argument(..., help="JSONL file to write, one annotated doc per line.",
                                callback=output_file),
    batch_size: int = typer.Option(256, "--batch-size", "-b", help="Texts per batch (at least 1)."),
    n_process: int = typer.Option(1, "--n-process", "-n",
                                  help="Processes: this one and N - 1 forked workers, one torch thread each."),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU to run on (-1: CPU)."),
    code: Path = typer.Option(None, "--code", "-c", help=CODE_HELP),
    verbose: bool = typer.Option(False, "--verbose", "-V", help=VERBOSE_HELP),
) -> None:
    """Annotate every text of INPUT and write one JSON object per doc to OUTPUT."""
    for flag, value in (("--batch-size", batch_size), ("--n-process", n_process)):
        if value < 1:
            raise UserError(f"{flag}: must be at least 1, not {value}")
    if not input_path.is_file():
        raise UserError(f"{input_path}: " + ("is a folder; apply reads one file" if input_path.is_dir()
                                             else "input file not found"))
    import_code(code)
    nlp = plait.load(model).to(device_for(gpu_id))
    count = 0
    try:
        with fs.writing_file(output) as out:
            docs = nlp.pipe(read_texts(input_path), batch_size=batch_size, n_process=n_process)
            for doc in tqdm(docs, desc="docs", disable=None):
                out.write(srsly.json_dumps(doc_to_json(doc)) + "\n")
                count += 1
    except WorkerDied as err:
        line = next(itertools.islice((n for n, _ in numbered_texts(input_path)), err.index, None), "end")
        raise StoppedError(f"{input_path}:{line}: {err}; nothing written to {output}") from None
    typer.echo(f"wrote {count} docs to {output}", err=True)
