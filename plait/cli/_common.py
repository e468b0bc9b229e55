"""Helpers shared by the commands that take a config: --code imports and config loading."""
from __future__ import annotations

import importlib.util
import os
import sys
import traceback
from pathlib import Path
from typing import Any

import typer
from confection import Config

from plait.core import config as config_lib
from plait.core import fs
from plait.core.errors import UserError

# Commands that take a config accept `--section.key value` overrides as extra arguments.
OVERRIDES = {"allow_extra_args": True, "ignore_unknown_options": True}

CODE_HELP = "Python file to import first, e.g. one that registers your own architectures."
VERBOSE_HELP = "Show the traceback behind an error message."
OFFLINE_HELP = ("Use only models already in the HuggingFace cache, never the network (what HF_HUB_OFFLINE=1 "
                "does).")


def go_offline(offline: bool) -> bool:
    """Callback of --offline: HF_HUB_OFFLINE=1 for this run, as HuggingFace's libraries and plait's hub fetch
    read it (and the processes torchrun starts inherit it)."""
    if offline:
        os.environ["HF_HUB_OFFLINE"] = "1"
    return offline


def import_code(path: Path | None) -> None:
    """Import a user's Python file so its registrations take effect (the only way plait runs user code)."""
    if path is None:
        return
    if not path.is_file():
        raise UserError(f"{path}: --code file not found")
    spec = importlib.util.spec_from_file_location(f"plait_user_code_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise UserError(f"{path}: --code must be a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as err:  # the user's code failed: name their file and line, not plait's
        del sys.modules[spec.name]
        raise UserError(f"{path}:{_user_line(err, path)}: --code file failed: {type(err).__name__}: {err}") from err


def _user_line(err: BaseException, path: Path) -> int:
    """The line of the user's file where `err` was raised (or, for a syntax error, found)."""
    if isinstance(err, SyntaxError) and err.lineno and Path(err.filename or "").resolve() == path.resolve():
        return err.lineno
    lines = [frame.lineno for frame in traceback.extract_tb(err.__traceback__)
             if Path(frame.filename).resolve() == path.resolve()]
    return (lines[-1] or 1) if lines else 1


def load_config_with_overrides(path: Path | str, ctx: typer.Context, *, interpolate: bool = True) -> Config:
    """Read a config, apply the command line's `--section.key value` overrides, interpolate."""
    overrides: dict[str, Any] = config_lib.parse_override_args(ctx.args)
    return config_lib.load_config(path, overrides, interpolate=interpolate)


def output_file(path: Path | str | None) -> Path | str | None:
    """Callback of every output file argument: refuse at once, before any work, a path that cannot be
    written as a file ('-' is stdout)."""
    if path is not None and str(path) != "-":
        fs.check_output_file(Path(path))
    return path


def output_folder(path: Path | None) -> Path | None:
    """Callback of every output folder argument: refuse at once, before any work, a path that cannot be a folder."""
    if path is not None:
        fs.check_output_folder(path)
    return path


def write_text_atomic(path: Path | str, text: str) -> None:
    """Write `text` to `path` (`-` for stdout) through a temporary file, so a failure loses nothing."""
    if str(path) == "-":
        sys.stdout.write(text)
        return
    fs.write_text_atomic(Path(path), text)
