"""`plait init-config`: write a complete, commented starting config."""
from __future__ import annotations

from pathlib import Path

import typer
from confection import Config

from plait.cli._common import VERBOSE_HELP, output_file, write_text_atomic
from plait.cli.main import app
from plait.core.config_text import commented
from plait.core.errors import DataError, UserError
from plait.core.init_config import init_config


@app.command("init-config")
def init_config_command(
    output: str = typer.Argument(..., help="File to write ('-' for stdout).", callback=output_file),
    lang: str = typer.Option("en", "--lang", "-l", help="Language code of the pipeline."),
    pipeline: str = typer.Option("tagger,ner", "--pipeline", "-p", help="Comma-separated components, e.g. tagger,ner."),
    optimize: str = typer.Option("efficiency", "--optimize", "-o", help="efficiency (smaller, faster) or accuracy."),
    force: bool = typer.Option(False, "--force", "-F", help="Overwrite an existing file."),
    pretraining: bool = typer.Option(False, "--pretraining",
                                     help="Add a [pretraining] section for `plait pretrain`."),
    gpu: bool = typer.Option(False, "--gpu", "-G",
                             help="A transformer pipeline (name it with --components.transformer.model.name at train)."),
    data: Path = typer.Option(None, "--data", "-d", exists=True,
                              help="Training corpus: refuse components its first documents cannot train, and set "
                                   "paths.train to it."),
    adapter: str = typer.Option(None, "--adapter",
                                help="With --gpu: train LoRA adapters ('lora'), not all the transformer's weights."),
    verbose: bool = typer.Option(False, "--verbose", "-V", help=VERBOSE_HELP),
) -> None:
    """Write a complete config with a comment on each setting, ready for `plait train`."""
    if output != "-" and Path(output).exists() and not force:
        raise UserError(f"{output}: file exists (pass --force to overwrite)")
    names = [name.strip() for name in pipeline.split(",") if name.strip()]
    config = init_config(lang=lang, pipeline=names, optimize=optimize, pretraining=pretraining, gpu=gpu,
                         adapter=adapter)
    if data is not None:
        _check_trainable(config, data)
        config["paths"]["train"] = str(data)
    write_text_atomic(output, commented(config))
    if output != "-":
        typer.echo(f"wrote {output}: pipeline {config['nlp']['pipeline']}", err=True)


SAMPLE_DOCS = 2000  # documents of --data read to see what it annotates


def _check_trainable(config: Config, data: Path) -> None:
    """DataError naming every component of `config` that the first documents of `data` cannot train."""
    import itertools

    from plait.core.data.readers import read_examples
    from plait.core.debug_data import untrainable
    from plait.core.pipeline import Language

    nlp = Language.from_config(Config(config).interpolate())
    problems = untrainable(nlp, itertools.islice(read_examples(data, nlp.vocab, nlp.make_doc), SAMPLE_DOCS))
    if problems:
        names = [problem.split(":", 1)[0].split(".", 1)[1] for problem in problems]
        raise DataError(f"--data {data}: {'; '.join(problems)} (in its first {SAMPLE_DOCS} documents): drop "
                        f"{', '.join(names)} from --pipeline, or train on data that has it")
