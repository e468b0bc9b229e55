"""Torch's thread count and OpenMP's wait policy: plait's defaults, and what users set winning over them."""
import json
import os
import subprocess
import sys

import pytest
import torch

import plait
from plait.core.config import interpolate_config
from plait.core.threads import thread_count, use_threads


def _in_fresh_python(code: str, env: dict) -> dict:
    """Run `code` (which prints one JSON value) in a new interpreter with `env` added to a clean environment."""
    base = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "OMP_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", code], env={**base, **env}, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


POLICY = "import os, json, plait, torch\nprint(json.dumps([os.environ.get('OMP_WAIT_POLICY'), torch.get_num_threads()]))"


def test_import_plait_makes_openmp_workers_sleep_unless_the_user_chose():
    assert _in_fresh_python(POLICY, {})[0] == "PASSIVE"
    assert _in_fresh_python(POLICY, {"OMP_WAIT_POLICY": "ACTIVE"})[0] == "ACTIVE"
    assert _in_fresh_python(POLICY, {"GOMP_SPINCOUNT": "1000"})[0] is None


def test_thread_count_prefers_the_setting_then_omp_num_threads(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert thread_count(0) == 1 and thread_count(3) == 3
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    assert thread_count(0) == 2 and thread_count(1) == 1
    monkeypatch.setenv("OMP_NUM_THREADS", "not a number")
    assert thread_count(0) == 1


@pytest.fixture
def restore_threads():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def test_a_pipeline_built_from_config_applies_system_threads(restore_threads, monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    nlp = plait.blank("en")
    nlp.add_pipe("tagger")
    config = interpolate_config(nlp.config)
    config["system"] = {"seed": 0, "threads": 2}
    plait.Language.from_config(config)
    assert torch.get_num_threads() == 2
    config["system"]["threads"] = 0  # the default: one thread
    plait.Language.from_config(config)
    assert torch.get_num_threads() == 1
    assert use_threads(3) == 3 and torch.get_num_threads() == 3


def test_a_bad_threads_setting_names_the_key():
    from plait.core.config import validate_config
    from plait.core.errors import ConfigError

    config = interpolate_config(plait.blank("en").config)
    config["system"] = {"seed": 0, "threads": -1}
    with pytest.raises(ConfigError, match="system.threads"):
        validate_config(config)
