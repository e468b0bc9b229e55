"""`plait init-vectors`: convert a word-vectors file into a blank pipeline that carries the vectors table."""
from __future__ import annotations

from pathlib import Path

import typer
from tqdm import tqdm

from plait.cli._common import VERBOSE_HELP, output_folder
from plait.cli.main import app
from plait.core.vectors.init_vectors import init_vectors


@app.command("init-vectors")
def init_vectors_command(
    lang: str = typer.Argument(..., help="Language code of the blank pipeline, e.g. en."),
    vectors_loc: Path = typer.Argument(..., help="The vectors file (see the formats above)."),
    output_dir: Path = typer.Argument(..., help="Folder to write the pipeline to (must be empty unless --force).",
                                    callback=output_folder),
    prune: int = typer.Option(0, "--prune", help="Keep the first N rows; map every other word to its nearest kept "
                                                 "row by cosine, exactly, ties to the lower row (0 = keep all)."),
    truncate: int = typer.Option(0, "--truncate", help="Keep only the first N rows; the rest is not read."),
    name: str = typer.Option(None, "--name", help="Name of the table, stored in meta.json (default: LANG_FILE)."),
    mode: str = typer.Option("default", "--mode", help="default, or subword: also keep a FastText model's n-gram "
                                                       "buckets so unseen words get vectors."),
    force: bool = typer.Option(False, "--force", "-f", help="Replace what OUTPUT_DIR holds (atomically, once the "
                                                            "new pipeline is complete)."),
    verbose: bool = typer.Option(False, "--verbose", "-V", help=VERBOSE_HELP),
) -> None:
    """Convert static word vectors into a pipeline that `plait.load` opens with memory-mapped vectors.

    Formats, sniffed from the content: word2vec/FastText text with a `rows dims` header (.vec, .txt), GloVe text
    without one, either of them gzipped (.gz) or zipped (.zip, first member), and word2vec C binary. With gensim
    installed (pip install 'plait[gensim]'): gensim's native `.save()` files (KeyedVectors, Word2Vec, FastText)
    and FastText `.bin` models. Those two are pickles or trusted binaries: they are read only because you name the
    file here, so convert only files you trust. Duplicate words keep their first vector. An uncompressed text file
    is parsed by all CPUs at once, straight into the table's memory-mapped `.npy`.
    """
    with tqdm(unit=" rows", unit_scale=True, disable=None, leave=False) as bar:
        summary = init_vectors(lang, vectors_loc, output_dir, prune=prune, truncate=truncate, name=name,
                               mode=mode, force=force, progress=lambda rows: bar.update(rows - bar.n))
    typer.echo(f"wrote {output_dir}: {summary['rows']} rows x {summary['dims']} dims ({summary['name']}, "
               f"fingerprint {summary['fingerprint']})")
    typer.echo(f"{summary['duplicates']} duplicate words skipped, {summary['pruned']} pruned words mapped to kept rows"
               f"{', subword n-grams kept' if summary['subword'] else ''}; {summary['seconds']:.1f} s")
