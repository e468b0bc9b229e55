"""`plait convert`: write corpora in plait's binary `.plait` format for fast re-reading."""
from __future__ import annotations

from pathlib import Path

import typer

import plait
from plait.cli._common import output_folder
from plait.cli.main import app
from plait.core.data.convert import convert


@app.command("convert")
def convert_command(
    input_path: Path = typer.Argument(..., help="A corpus file or a directory of them."),
    output_dir: Path = typer.Argument(..., help="Directory to write OUTPUT_DIR/<name>.plait files to.",
                                    callback=output_folder),
    converter: str = typer.Option(None, "--converter", "-c",
                                  help="Input format: conllu, columns, iob2, cats, jsonl, text, wikitext, plait or "
                                       "spacy (default: chosen by file extension)."),
    n_sents: int = typer.Option(10, "--n-sents", "-n", help="Sentences grouped into one doc (CoNLL-U, column files)."),
    across_docs: bool = typer.Option(False, "--across-docs",
                                     help="Group sentences across # newdoc / -DOCSTART- boundaries, as "
                                          "`spacy convert -n N` does."),
    spans_key: str = typer.Option("sc", "--spans-key", "-k",
                                  help="Span group that layered IOB2 spans go into (doc.spans[KEY])."),
    lang: str = typer.Option("en", "--lang", "-l", help="Tokenizer language for raw text."),
    force: bool = typer.Option(False, "--force", "-f", help="Replace output files that already exist."),
    verbose: bool = typer.Option(False, "--verbose", "-V", help="Show tracebacks."),
) -> None:
    """Convert CoNLL-U, column (IOB/BILUO), layered IOB2, JSONL, classification TSV, raw text or spaCy `.spacy`
    files to `.plait` files."""
    nlp = plait.blank(lang)
    results = convert(input_path, output_dir, converter, n_sents=n_sents, vocab=nlp.vocab, make_doc=nlp.make_doc,
                      force=force, across_docs=across_docs, spans_key=spans_key)
    for result in results:
        typer.echo(f"wrote {result.path}: {result.docs} docs, {result.tokens} tokens")
