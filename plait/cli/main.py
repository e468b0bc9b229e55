"""The `plait` command: a Typer app whose commands live one per file in this package."""
from __future__ import annotations

import importlib
import sys
import traceback

import typer

import plait
from plait.core.errors import UserError

app = typer.Typer(
    name="plait",
    help="Train NLP pipelines from config files with PyTorch.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"plait {plait.__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """Train NLP pipelines from config files with PyTorch."""


# Command name -> module that registers it. Only the command being run is imported, so `plait init-vectors`
# starts without paying for torch; help and unknown names import them all.
_COMMANDS = {
    "apply": "apply",
    "convert": "convert",
    "debug-config": "debug_config",
    "debug-data": "debug_data",
    "evaluate": "evaluate",
    "fill-config": "fill_config",
    "init-config": "init_config",
    "init-vectors": "init_vectors",
    "migrate-config": "migrate_config",
    "plot": "plot",
    "pretrain": "pretrain",
    "train": "train",
    "visualize": "visualize",
}


def _register_commands(args: list[str]) -> None:
    """Import the module of the command named in `args` (each adds itself to `app`), or all of them."""
    name = next((arg for arg in args if not arg.startswith("-")), None)
    modules = [_COMMANDS[name]] if name in _COMMANDS else sorted(_COMMANDS.values())
    for module in modules:
        importlib.import_module(f"plait.cli.{module}")


invocation: list[str] = []  # the arguments of this run, for messages that show how to run it again


def main(argv: list[str] | None = None) -> None:
    """Console entry point. Exit codes: 0 success, 2 a user error (usage, config, data; one `error:` line),
    3 training diverged, 130/143 stopped by SIGINT/SIGTERM, 1 an internal error (traceback with --verbose)."""
    args = list(sys.argv[1:] if argv is None else argv)
    invocation[:] = args
    verbose = "--verbose" in args or "-V" in args
    _register_commands(args)
    try:
        code = app(args=args, prog_name="plait", standalone_mode=False)
    except typer.Exit as err:
        code = err.exit_code
        if isinstance(err.__cause__, KeyboardInterrupt):
            typer.echo("error: interrupted", err=True)
    except typer.Abort:
        typer.echo("error: interrupted", err=True)
        code = 130
    except typer.TyperException as err:  # usage errors: unknown command or option, missing argument
        typer.echo(f"error: {' '.join(err.format_message().split())} (see `plait --help`)", err=True)
        code = 2
    except UserError as err:
        if verbose:
            traceback.print_exc()
        lines = str(err).splitlines() or [type(err).__name__]
        for line in lines:
            typer.echo(f"error: {line}", err=True)
        code = err.exit_code
    except KeyboardInterrupt:
        typer.echo("error: interrupted", err=True)
        code = 130
    except Exception as err:  # a bug in plait or a library: say so, keep the trace behind --verbose
        if verbose:
            traceback.print_exc()
        else:
            typer.echo(f"internal error: {type(err).__name__}: {err} (run with --verbose for the traceback)", err=True)
        code = 1
    sys.exit(code if isinstance(code, int) else 0)
