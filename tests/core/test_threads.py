"""Torch's thread count and OpenMP's wait policy: plait's defaults, and what users set winning over them."""
import json
import os
import subprocess
import sys

import pytest
import torch

import plait
from plait.core.config import interpolate_config
from plait.core import threads
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
    torch_first = POLICY.replace("import os, json, plait, torch", "import os, json, torch, plait")
    assert _in_fresh_python(torch_first, {})[0] is None  # too late to act: plait does not pretend it did


def test_a_fresh_process_infers_on_two_threads_and_trains_on_one():
    code = ("import json, plait, torch\nfrom plait.core.threads import use_threads\n"
            "print(json.dumps([use_threads(), use_threads(training=True), torch.get_num_threads()]))")
    inference = min(2, len(os.sched_getaffinity(0)))
    assert _in_fresh_python(code, {}) == [inference, 1, 1]
    assert _in_fresh_python(code, {"OMP_WAIT_POLICY": "ACTIVE"}) == [1, 1, 1]  # spinning workers: one thread
    assert _in_fresh_python(code, {"OMP_NUM_THREADS": "3"}) == [3, 3, 3]


@pytest.fixture
def passive(monkeypatch):
    """Sleeping OpenMP workers, four cores, no OMP_NUM_THREADS."""
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setenv("OMP_WAIT_POLICY", "passive")
    monkeypatch.setattr(threads, "available_cores", lambda: 4)


def test_thread_count_prefers_the_setting_then_omp_num_threads(passive, monkeypatch):
    assert thread_count(0) == 2 and thread_count(0, training=True) == 1 and thread_count(3) == 3
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert thread_count(0) == 3 and thread_count(0, training=True) == 3 and thread_count(1) == 1
    monkeypatch.setenv("OMP_NUM_THREADS", "not a number")
    assert thread_count(0) == 2 and thread_count(0, training=True) == 1


def test_inference_uses_one_thread_where_a_second_could_spin_or_has_no_core(passive, monkeypatch):
    monkeypatch.setattr(threads, "available_cores", lambda: 1)
    assert thread_count(0) == 1
    monkeypatch.setattr(threads, "available_cores", lambda: 4)
    for policy in ("ACTIVE", ""):
        monkeypatch.setenv("OMP_WAIT_POLICY", policy)
        assert thread_count(0) == 1


@pytest.fixture
def restore_threads():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def _tagger_config(threads_setting: int):
    nlp = plait.blank("en")
    nlp.add_pipe("tagger")
    config = interpolate_config(nlp.config)
    config["system"] = {"seed": 0, "threads": threads_setting}
    return config


def test_a_pipeline_built_from_config_applies_system_threads(restore_threads, passive):
    plait.Language.from_config(_tagger_config(3))
    assert torch.get_num_threads() == 3
    plait.Language.from_config(_tagger_config(0))  # the default: inference's two threads
    assert torch.get_num_threads() == 2
    assert use_threads(3) == 3 and torch.get_num_threads() == 3


@pytest.mark.parametrize("setting, training, inference", [(0, 1, 2), (3, 3, 3)])
def test_updates_train_on_one_thread_and_pipe_infers_on_two(restore_threads, passive, setting, training,
                                                            inference):
    from plait.core.data.example import Example

    nlp = plait.Language.from_config(_tagger_config(setting))
    reference = nlp.make_doc("dogs bark")
    reference[0].tag_, reference[1].tag_ = "NNS", "VBP"
    examples = [Example(nlp.make_doc("dogs bark"), reference)]
    nlp.initialize(lambda: examples)
    nlp.update(examples)
    assert torch.get_num_threads() == training
    assert [t.tag_ for t in next(nlp.pipe(["dogs bark"]))] in (["NNS", "VBP"], ["NNS", "NNS"], ["VBP", "VBP"],
                                                               ["VBP", "NNS"])
    assert torch.get_num_threads() == inference
    nlp.update(examples)
    assert torch.get_num_threads() == training


def test_a_bad_threads_setting_names_the_key():
    from plait.core.config import validate_config
    from plait.core.errors import ConfigError

    config = interpolate_config(plait.blank("en").config)
    config["system"] = {"seed": 0, "threads": -1}
    with pytest.raises(ConfigError, match="system.threads"):
        validate_config(config)
