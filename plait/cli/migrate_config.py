"""`plait migrate-config`: translate a spaCy v3 training config into a plait config."""
from __future__ import annotations

from pathlib import Path

import typer
from confection import Config

from plait.cli._common import VERBOSE_HELP, output_file, write_text_atomic
from plait.cli.main import app
from plait.core.config import fill_config, interpolate_config, validate_config
from plait.core.errors import ConfigError, UserError
from plait.core.migrate.translate import migrate, render


@app.command("migrate-config")
def migrate_config(
    spacy_config: Path = typer.Argument(..., help="spaCy v3 config (e.g. from `spacy init config`)."),
    output: Path = typer.Argument(..., help="plait config to write ('-' for stdout).", callback=output_file),
    verbose: bool = typer.Option(False, "--verbose", "-V", help=VERBOSE_HELP),
) -> None:
    """Translate architectures, listeners, span getters, pooling, optimizer, schedules, batchers, corpora and
    score weights; a `# migrate-config:` comment marks every setting changed or dropped. Exit 2 naming any
    block plait cannot translate."""
    try:
        text = spacy_config.read_text(encoding="utf8")
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"{spacy_config}: cannot read the config ({err})") from None
    try:
        source = Config().from_str(text, interpolate=False)
    except Exception as err:  # confection raises several types for malformed text
        raise ConfigError(f"{spacy_config}: not a config file ({' '.join(str(err).split())})") from None
    try:
        migrated, notes = migrate(source)
    except ConfigError as err:
        raise ConfigError(f"{spacy_config}: {err}") from err
    filled = fill_config(migrated)
    try:
        validate_config(interpolate_config(filled))
    except ConfigError as err:
        raise ConfigError(f"{spacy_config}: the migrated config does not validate: {err}") from err
    write_text_atomic(output, render(filled, notes, str(spacy_config)))
    typer.echo(f"# wrote {output}: {sum(map(len, notes.sections.values())) + len(notes.header)} settings dropped, "
               f"{len(notes.keys)} changed", err=True)
