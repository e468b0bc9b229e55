"""Helpers for the bad-input tests: the real `plait` entry point in a subprocess (or in-process, where one
subprocess per cause has shown the console path), and a small saved pipeline."""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import srsly

import cli_run

from plait.core.config import apply_overrides, interpolate_config
from plait.core.init_config import init_config
from plait.core.training.initialize import init_nlp

ROOT = Path(__file__).resolve().parents[2]
SMALL = {"components.tok2vec.model.embed.width": 16, "components.tok2vec.model.encode.width": 16,
         "components.tok2vec.model.encode.depth": 1, "components.tok2vec.model.embed.rows": [100, 50, 50, 50]}
RECORDS = [
    {"words": ["Ada", "met", "Bob", "."], "tags": ["NNP", "VBD", "NNP", "."], "entities": ["U-PER", "O", "U-PER", "O"]},
    {"words": ["Paris", "is", "big"], "tags": ["NNP", "VBZ", "JJ"], "entities": ["U-LOC", "O", "O"]},
]


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.startswith("error:")]


def plait(*args: object, stdin: str | None = None, cwd: Path | None = None) -> Result:
    """`plait ARGS` as a shell runs it: a new interpreter through the console script's entry point."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-c", "from plait.cli.main import main; main()", *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, input=stdin, cwd=cwd, timeout=300)
    return Result(done.returncode, done.stdout, done.stderr)


def plait_in_process(capsys, *args: object) -> Result:
    """`plait ARGS` through the same entry point, in this process (no interpreter start-up)."""
    code, out, err = cli_run.run(capsys, *args)
    return Result(code, out, err)


def assert_user_error(result: Result, *named: str) -> None:
    """Exit 2, exactly one `error:` line naming each of `named`, and no traceback."""
    assert result.code == 2, result.err
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    assert len(result.error_lines) == 1, result.err
    for text in named:
        assert text in result.error_lines[0], result.err


def write_corpus(path: Path) -> Path:
    srsly.write_jsonl(path, RECORDS * 3)
    return path


def small_pipeline(folder: Path, pipeline: list[str] | None = None) -> Path:
    """A tagger + ner pipeline initialized (not trained) on a two-record corpus and saved: enough to load and run."""
    corpus = write_corpus(folder / "train.jsonl")
    config = init_config(lang="en", pipeline=pipeline or ["tagger", "ner"])
    settings = {**SMALL, "paths.train": str(corpus), "paths.dev": str(corpus)}
    for name in config["nlp"]["pipeline"][1:]:
        settings[f"components.{name}.model.tok2vec.width"] = 16
    nlp, _ = init_nlp(interpolate_config(apply_overrides(config, settings)))
    nlp.to_disk(folder / "model")
    return folder / "model"
