"""Helpers of the view and logger tests: running `plait` in-process, and a custom logger for --code."""
import contextlib
import io
from pathlib import Path

import pytest

from plait.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
STEPS, EVERY = 12, 4

CUSTOM_LOGGER = '''
from pathlib import Path
from plait.core.registry import registry
from plait.core.training.loggers import Logger


class StepFile(Logger):
    def __init__(self, path):
        self.path = Path(path)

    def setup(self, info):
        self.path.write_text("setup " + ",".join(info.components) + "\\n")

    def log(self, record):
        with self.path.open("a") as out:
            out.write(f"step {record['step']} {record['score']:.6f}\\n")

    def finish(self):
        with self.path.open("a") as out:
            out.write("finish\\n")


@registry.loggers.register("test.StepFile.v1")
def make_step_file(*, path: str):
    return StepFile(path)
'''


def cli(*args) -> tuple[int, str, str]:
    """`plait ARGS...` in-process: the exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in args])
    return exit_info.value.code, out.getvalue(), err.getvalue()
