"""Torch's thread count: plait's defaults, how they follow the machine's load, and what users set winning."""
import json
import os
import subprocess
import sys
import time

import pytest
import torch

import plait
from plait.core.config import interpolate_config
from plait.runtime import threads
from plait.runtime.threads import thread_count, use_threads


def _in_fresh_python(code: str, env: dict) -> dict:
    """Run `code` (which prints one JSON value) in a new interpreter with `env` added to a clean environment."""
    base = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "OMP_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", code], env={**base, **env}, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_a_fresh_process_infers_on_two_threads_and_trains_on_one():
    code = ("import json, plait, torch\nfrom plait.runtime import threads\nfrom plait.runtime.threads import use_threads\n"
            "threads.others_busy = lambda: 0.0  # an idle machine, whatever else runs beside the tests\n"
            "print(json.dumps([use_threads(), use_threads(training=True), torch.get_num_threads()]))")
    inference = min(2, len(os.sched_getaffinity(0)))
    assert _in_fresh_python(code, {}) == [inference, 1, 1]
    assert _in_fresh_python(code, {"OMP_NUM_THREADS": "3"}) == [3, 3, 3]


@pytest.fixture
def idle(monkeypatch):
    """Four cores, no OMP_NUM_THREADS, no other process busy."""
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(threads, "available_cores", lambda: 4)
    monkeypatch.setattr(threads, "others_busy", lambda: 0.0)


def test_thread_count_prefers_the_setting_then_omp_num_threads(idle, monkeypatch):
    assert thread_count(0) == 2 and thread_count(0, training=True) == 1 and thread_count(3) == 3
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert thread_count(0) == 3 and thread_count(0, training=True) == 3 and thread_count(1) == 1
    monkeypatch.setenv("OMP_NUM_THREADS", "not a number")
    assert thread_count(0) == 2 and thread_count(0, training=True) == 1


def test_inference_uses_one_thread_where_there_is_one_core(idle, monkeypatch):
    monkeypatch.setattr(threads, "available_cores", lambda: 1)
    assert thread_count(0) == 1


def test_inference_drops_to_one_thread_while_other_processes_keep_the_cores_busy(idle, monkeypatch):
    for busy, count in ((0.0, 2), (1.5, 2), (2.8, 1), (3.9, 1)):  # four cores
        monkeypatch.setattr(threads, "others_busy", lambda: busy)
        assert thread_count(0) == count and thread_count(0, training=True) == 1
    assert thread_count(2) == 2  # a chosen count is kept, however busy the machine


def test_a_core_counts_as_free_while_others_use_at_most_the_margin_of_it(idle, monkeypatch):
    monkeypatch.setattr(threads, "available_cores", lambda: 2)
    for busy, count in ((0.25, 2), (0.35, 1), (1.0, 1)):
        monkeypatch.setattr(threads, "others_busy", lambda: busy)
        assert thread_count(0) == count


def test_a_cgroup_quota_caps_the_cores(monkeypatch):
    monkeypatch.setattr(threads, "_cgroup_quota", lambda: 1.5)  # e.g. docker --cpus 1.5
    assert threads.available_cores() == 1
    monkeypatch.setattr(threads, "_cgroup_quota", lambda: None)
    assert threads.available_cores() == len(os.sched_getaffinity(0))


@pytest.mark.skipif(not os.path.exists("/proc/stat"), reason="needs Linux")
def test_cpus_that_proc_stat_numbers_otherwise_fall_back_to_the_machine_total():
    first = threads._cpu_sample(threads._read_proc_stat(), {10_000})  # no such CPU line: a renumbered view
    time.sleep(0.2)
    assert first is not None and threads._cpu_sample(threads._read_proc_stat(), {10_000})[1] >= first[1] > 0


def test_an_unreadable_proc_stat_judges_nothing_rather_than_failing(monkeypatch):
    monkeypatch.setattr(threads, "_read_proc_stat", lambda: [b"cpu  12 x 3", b"procs_running many"])
    monkeypatch.setattr(threads, "_last_sample", None)
    assert threads._cpu_sample(threads._read_proc_stat(), {0}) is None and threads.others_busy() == 0.0
    assert threads._others_runnable_now(threads._read_proc_stat(), {0, 1}) == 0


@pytest.fixture
def competitor():
    """One CPU-bound process on this process's cores, running before the test looks."""
    proc = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    time.sleep(0.5)
    yield proc
    proc.kill()
    proc.wait()


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2
                    or not os.path.exists("/proc/stat"), reason="needs Linux and two cores")
def test_a_competing_process_is_seen_at_once_and_over_time(competitor, monkeypatch):
    monkeypatch.setattr(threads, "_last_sample", None)
    monkeypatch.setattr(threads, "RECHECK_SECONDS", 0.3)
    assert threads.others_busy() >= 1  # first look: the competitor is runnable now
    assert threads.free_cores() <= threads.available_cores() - 1
    time.sleep(0.6)  # then from the CPU time it took while this process slept
    assert threads.others_busy() >= 0.7
    assert threads.free_cores() <= threads.available_cores() - 1


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


def test_a_pipeline_built_from_config_applies_system_threads(restore_threads, idle):
    plait.Language.from_config(_tagger_config(3))
    assert torch.get_num_threads() == 3
    plait.Language.from_config(_tagger_config(0))  # the default: inference's two threads
    assert torch.get_num_threads() == 2
    assert use_threads(3) == 3 and torch.get_num_threads() == 3


@pytest.mark.parametrize("setting, training, inference", [(0, 1, 2), (3, 3, 3)])
def test_updates_train_on_one_thread_and_pipe_infers_on_two(restore_threads, idle, setting, training,
                                                            inference, monkeypatch):
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
    monkeypatch.setattr(threads, "others_busy", lambda: 3.9)  # the machine got busy: one thread, unless chosen
    list(nlp.pipe(["dogs bark"] * 5, batch_size=2))
    assert torch.get_num_threads() == (1 if setting == 0 else setting)


def test_a_bad_threads_setting_names_the_key():
    from plait.core.config import validate_config
    from plait.core.errors import ConfigError

    config = interpolate_config(plait.blank("en").config)
    config["system"] = {"seed": 0, "threads": -1}
    with pytest.raises(ConfigError, match="system.threads"):
        validate_config(config)
