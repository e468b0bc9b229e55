"""The `plait` command: a Typer app whose commands live one per file in this package."""
from __future__ import annotations

import importlib
import os
import signal
import sys
import traceback
from typing import Any, TextIO

import click
import typer
from typer.core import TyperGroup

import plait
from plait.core.errors import UserError


class _Commands(TyperGroup):
    """The root command group: lists every command of `_COMMANDS` without importing the modules behind them,
    so `plait --help` starts without torch."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*_COMMANDS, *_GROUPS])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is None and name in _COMMANDS:  # not imported: only listed (main imports what it runs)
            command = click.Command(name, help=_COMMANDS[name][1])
        if command is None and name in _GROUPS:  # `plait init --help`: the spaCy spellings it takes
            command = TyperGroup(name=name, help=_GROUPS[name], no_args_is_help=True, rich_markup_mode=None, commands={
                sub: click.Command(sub, help=f"The same as `plait {target}`: {_COMMANDS[target][1]}")
                for (group, sub), target in _ALIASES.items() if group == name})
        return command


app = typer.Typer(
    name="plait",
    cls=_Commands,
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


# Command name -> (module that registers it, the first sentence of its help). Only the command being run is
# imported, so `plait --help` and `plait init-vectors` start without paying for torch.
_COMMANDS = {
    "apply": ("apply", "Annotate every text of INPUT and write one JSON object per doc to OUTPUT."),
    "convert": ("convert", "Convert CoNLL-U, column (IOB/BILUO), layered IOB2, JSONL, classification TSV, raw "
                           "text or spaCy `.spacy` files to `.plait` files."),
    "debug-config": ("debug_config", "Validate a config, build every component it names, and print it "
                                     "interpolated."),
    "debug-data": ("debug_data", "Report on the corpora a config trains on: per component, label counts and "
                                 "annotation coverage;"),
    "evaluate": ("evaluate", "Score a pipeline on annotated data: a table per component and, with --output, "
                             "spaCy-style JSON keys."),
    "export": ("export", "Write a copy of MODEL whose encoders run as ONNX graphs through onnxruntime, for fast "
                         "CPU inference."),
    "fill-config": ("fill_config", "Fill a partial config with every default value, so that training hides no "
                                   "setting."),
    "init-config": ("init_config", "Write a complete config with a comment on each setting, ready for "
                                   "`plait train`."),
    "init-vectors": ("init_vectors", "Convert static word vectors into a pipeline that `plait.load` opens with "
                                     "memory-mapped vectors."),
    "migrate-config": ("migrate_config", "Translate architectures, listeners, span getters, pooling, optimizer, "
                                         "schedules, batchers, corpora and"),
    "package": ("package", "Build a wheel holding the pipeline and its meta (components, scores, sources, "
                           "licence,"),
    "plot": ("plot", "Overlay the loss, score, speed and learning-rate curves of training runs (each run's "
                     "metrics.jsonl)."),
    "pretrain": ("pretrain", "Pretrain the subnetwork [pretraining] names (component, layer) on raw text with its "
                             "objective."),
    "train": ("train", "Train the pipeline a config describes; `--section.key value` overrides settings."),
    "visualize": ("visualize", "Draw documents as HTML: entities, span groups, dependency arcs, tags and lemmas, "
                               "sentences, category scores."),
}


# spaCy's spellings, `plait init config` for `plait init-config`: (group, subcommand) -> the command it runs.
_ALIASES = {
    ("init", "config"): "init-config", ("init", "fill-config"): "fill-config", ("init", "vectors"): "init-vectors",
    ("debug", "config"): "debug-config", ("debug", "data"): "debug-data",
}
_GROUPS = {"init": "spaCy's spellings of init-config, fill-config and init-vectors.",
           "debug": "spaCy's spellings of debug-config and debug-data."}


def _resolve_alias(args: list[str]) -> list[str]:
    """`args` with a spaCy spelling (`init config ...`) turned into the command it names (`init-config ...`)."""
    at = next((i for i, arg in enumerate(args) if not arg.startswith("-")), None)
    if at is not None and tuple(args[at:at + 2]) in _ALIASES:
        return [*args[:at], _ALIASES[tuple(args[at:at + 2])], *args[at + 2:]]
    return args


def _register_commands(args: list[str]) -> None:
    """Import the module of the command named in `args` (it adds itself to `app`); none for the root's help."""
    name = next((arg for arg in args if not arg.startswith("-")), None)
    if name in _COMMANDS:
        importlib.import_module(f"plait.cli.{_COMMANDS[name][0]}")


invocation: list[str] = []  # the arguments of this run, for messages that show how to run it again


def main(argv: list[str] | None = None) -> None:
    """Console entry point. Exit codes: 0 success, 2 a user error (usage, config, data; one `error:` line),
    3 training diverged, 130/143 stopped by SIGINT/SIGTERM, 141 stdout closed (`| head`), 1 an internal error
    (traceback with --verbose) or a run stopped through no fault of the input (one `error:` line)."""
    args = _resolve_alias(list(sys.argv[1:] if argv is None else argv))
    invocation[:] = args
    verbose = "--verbose" in args or "-V" in args
    _register_commands(args)
    stdout, sys.stdout = sys.stdout, _Stdout(sys.stdout)
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
    except StdoutClosed:
        code = _stdout_closed()
    except Exception as err:  # a bug in plait or a library: say so, keep the trace behind --verbose
        if verbose:
            traceback.print_exc()
        else:
            typer.echo(f"internal error: {type(err).__name__}: {err} (run with --verbose for the traceback)", err=True)
        code = 1
    try:
        sys.stdout.flush()  # output that fit in the buffer meets a closed pipe only here
    except StdoutClosed:
        code = _stdout_closed()
    finally:
        sys.stdout = stdout
    sys.exit(code if isinstance(code, int) else 0)


class StdoutClosed(Exception):
    """The reader of stdout went away (`| head -1`)."""


class _Stdout:
    """sys.stdout, except that a closed pipe raises StdoutClosed: click would turn its BrokenPipeError into a
    silent exit 1."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise StdoutClosed from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise StdoutClosed from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _stdout_closed() -> int:
    """Stop quietly, with the exit code of a process that SIGPIPE ends (141), as `head` users expect."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # what is still buffered goes nowhere
    return 128 + signal.SIGPIPE
