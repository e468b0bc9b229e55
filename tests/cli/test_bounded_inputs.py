"""Issue 39, items 1, 2 and 10: what a file or a setting may make plait read or allocate is bounded, and checked
before anything is read or built; each refusal is one `error:` line and exit 2, through the console script."""
from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from srsly import msgpack

from bad_input import ROOT, Result, assert_user_error, small_pipeline, write_corpus

SHARED = ROOT / "examples" / "configs" / "shared.cfg"


def plait_child(*args: object, timeout: float = 120) -> Result:
    """`python -m plait ARGS` in a child process; the timeout keeps a hang from stalling the suite."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-m", "plait", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=timeout)
    return Result(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    return small_pipeline(tmp_path_factory.mktemp("model"))


def _copy(model: Path, folder: Path) -> Path:
    copy = folder / "model"
    shutil.copytree(model, copy)
    return copy


@pytest.mark.parametrize("name, special", [("strings.json", "urandom link"), ("strings.json", "folder"),
                                           ("meta.json", "fifo"), ("config.cfg", "fifo link"),
                                           ("tagger/cfg.json", "fifo"), ("tagger/model.safetensors", "fifo link")])
def test_a_special_file_in_a_pipeline_folder_is_refused_before_it_is_opened(tmp_path, model, name, special):
    broken = _copy(model, tmp_path)
    target = broken / name
    target.unlink()
    if special == "fifo":
        os.mkfifo(target)
    elif special == "fifo link":
        os.mkfifo(tmp_path / "pipe")
        target.symlink_to(tmp_path / "pipe")
    elif special == "urandom link":
        target.symlink_to("/dev/urandom")
    else:
        target.mkdir()
    corpus = write_corpus(tmp_path / "c.jsonl")
    result = plait_child("evaluate", broken, corpus, timeout=60)  # a hang fails here instead of stalling
    assert_user_error(result, name)


def test_a_link_out_of_the_pipeline_folder_is_not_followed_nor_quoted(tmp_path, model):
    broken = _copy(model, tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET first line\n")
    (broken / "config.cfg").unlink()
    (broken / "config.cfg").symlink_to(secret)
    result = plait_child("evaluate", broken, write_corpus(tmp_path / "c.jsonl"))
    assert_user_error(result, "config.cfg", "outside")
    assert "TOP-SECRET" not in result.err


def test_a_link_inside_the_pipeline_folder_is_followed(tmp_path, model):
    broken = _copy(model, tmp_path)
    (broken / "meta.copy.json").write_bytes((broken / "meta.json").read_bytes())
    (broken / "meta.json").unlink()
    (broken / "meta.json").symlink_to("meta.copy.json")
    result = plait_child("evaluate", broken, write_corpus(tmp_path / "c.jsonl"))
    assert result.code == 0, result.err
