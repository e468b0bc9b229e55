"""Data-parallel training on real torchrun (gloo, on the CPU): ranks train like one process, rank 0 writes,
several "nodes" meet through a rendezvous on localhost, one rank's failure stops all, runs resume."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import srsly

from plait.runtime.cpu import native_bf16

from test_jobs import CONFIG, HOOK, ROOT, assert_bitwise_equal, weights

TORCHRUN = Path(sys.executable).with_name("torchrun")
PLAIT = Path(sys.executable).with_name("plait")
# dropout 0: the ranks' shares of a batch then see what one process sees, up to the order of float sums
RUN = ["--training.max_steps", "40", "--training.eval_frequency", "10", "--training.max_epochs", "0",
       "--training.dropout", "0"]

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not TORCHRUN.exists(), reason="torchrun is not installed beside this python")]


def env(**extra: str) -> dict[str, str]:
    return {**os.environ, "OMP_NUM_THREADS": "1", **extra}


def torchrun(*args, nproc: int = 2, extra_env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([str(TORCHRUN), "--standalone", "--nproc-per-node", str(nproc), "-m", "plait",
                           *map(str, args)], capture_output=True, text=True, cwd=ROOT, env=env(**(extra_env or {})),
                          timeout=timeout)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def final_scores(run: Path) -> dict:
    return list(srsly.read_jsonl(run / "metrics.jsonl"))[-1]["scores"]


@pytest.fixture(scope="module")
def single(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("single") / "run"
    proc = subprocess.run([str(PLAIT), "train", CONFIG, "--output", out, *RUN], capture_output=True, text=True,
                          cwd=ROOT, env=env())
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def two_ranks(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ddp") / "run"
    proc = torchrun("train", CONFIG, "--output", out, *RUN)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("SCORE") == 1  # only rank 0 prints its table
    return out


def test_two_ranks_train_like_one_process(single, two_ranks):
    ours, theirs = final_scores(two_ranks), final_scores(single)
    for key in ("tag_acc", "ents_f"):
        assert abs(ours[key] - theirs[key]) <= 0.005, (key, ours[key], theirs[key])
    assert [r["step"] for r in srsly.read_jsonl(two_ranks / "metrics.jsonl")] == \
           [r["step"] for r in srsly.read_jsonl(single / "metrics.jsonl")]
    assert sorted(p.name for p in two_ranks.iterdir()) == [".plait-lock", "checkpoint", "metrics.jsonl",
                                                           "model-best", "model-last", "report.html"]


def test_two_nodes_meet_on_localhost(tmp_path):
    out, port = tmp_path / "run", free_port()
    common = [str(TORCHRUN), "--nnodes", "2", "--nproc-per-node", "1", "--rdzv-backend", "c10d",
              "--rdzv-endpoint", f"127.0.0.1:{port}", "--rdzv-id", "plait-test"]
    nodes = [subprocess.Popen([*common, "--node-rank", str(rank), "-m", "plait", "train", str(CONFIG), "--output",
                               str(out), *RUN], cwd=ROOT, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for rank in (0, 1)]
    results = [node.communicate(timeout=600) for node in nodes]
    assert [node.returncode for node in nodes] == [0, 0], results
    assert (out / "model-last").is_dir() and len(list(srsly.read_jsonl(out / "metrics.jsonl"))) == 4


def test_a_killed_rank_stops_every_rank(tmp_path):
    out = tmp_path / "run"
    start = time.time()
    proc = torchrun("train", CONFIG, "--output", out, *RUN, "--code", HOOK,
                    extra_env={"PLAIT_TEST_KILL": "step:15", "PLAIT_TEST_KILL_RANK": "1"}, timeout=300)
    assert proc.returncode != 0
    assert "rank      : 1" in proc.stderr and "Signal 9 (SIGKILL)" in proc.stderr, proc.stderr[-2000:]
    assert time.time() - start < 240
    assert not (out / "model-last").exists()


def test_a_distributed_run_resumes_with_the_same_world_size(tmp_path, two_ranks):
    out = tmp_path / "run"
    killed = torchrun("train", CONFIG, "--output", out, *RUN, "--code", HOOK,
                      extra_env={"PLAIT_TEST_KILL": "step:25", "PLAIT_TEST_KILL_RANK": "0"})
    assert killed.returncode != 0
    wrong = torchrun("train", CONFIG, "--output", out, *RUN, "--resume", nproc=1)
    assert wrong.returncode != 0 and "resume it with as many" in wrong.stderr
    resumed = torchrun("train", CONFIG, "--output", out, *RUN, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert_bitwise_equal(weights(two_ranks / "model-last"), weights(out / "model-last"))


def test_pretraining_on_two_ranks(tmp_path):
    out = tmp_path / "pt"
    proc = torchrun("pretrain", ROOT / "examples" / "configs" / "pretrain.cfg", out, "--pretraining.max_epochs", 2,
                    "--pretraining.batcher.size", 40, "--paths.raw", ROOT / "tests" / "fixtures" /
                    "wikitext-2-sample.txt")
    assert proc.returncode == 0, proc.stderr
    assert [r["epoch"] for r in srsly.read_jsonl(out / "log.jsonl")] == [0, 1]
    assert (out / "model1.safetensors").exists()


def test_sigterm_stops_every_rank_and_saves(tmp_path):
    out = tmp_path / "run"
    proc = subprocess.Popen([str(TORCHRUN), "--standalone", "--nproc-per-node", "2", "-m", "plait", "train",
                             str(CONFIG), "--output", str(out), *RUN, "--code", str(HOOK)], cwd=ROOT,
                            env=env(PLAIT_TEST_KILL="slow:0.3"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.time() + 200
    while not (out / "metrics.jsonl").exists() and time.time() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=200)
    assert proc.returncode != 0
    assert (out / "checkpoint").is_dir() and (out / "model-last").is_dir(), err[-2000:]


def test_a_transformer_pipeline_with_every_training_option_on_two_ranks(tmp_path, tiny_bert):
    """Transformer listeners, gradient accumulation, mixed precision (bf16 where the CPU has it, else float32
    and a note saying so), per-component learning rates and an annotating component, on two ranks."""
    out = tmp_path / "run"
    proc = torchrun("train", ROOT / "examples" / "configs" / "transformer.cfg", "--output", out,
                    "--paths.transformer", tiny_bert, "--training.max_steps", 6, "--training.eval_frequency", 3,
                    "--training.accumulate_gradient", 2, "--training.mixed_precision", "true",
                    "--training.annotating_components", '["tagger"]',
                    "--training.optimizer.component_learn_rates", '{"transformer": 0.00005}')
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = list(srsly.read_jsonl(out / "metrics.jsonl"))
    assert [r["step"] for r in rows] == [3, 6] and rows[-1]["learn_rate"]["transformer"] == 0.00005
    assert proc.stderr.count("mixed precision is off") == (0 if native_bf16() else 1), proc.stderr[-3000:]


def test_a_frozen_encoder_stays_the_same_on_two_ranks(tmp_path):
    out = tmp_path / "run"
    proc = torchrun("train", CONFIG, "--output", out, *RUN, "--training.frozen_components", '["tok2vec"]')
    assert proc.returncode == 0, proc.stderr[-3000:]
    best, last = weights(out / "model-best" / "tok2vec"), weights(out / "model-last" / "tok2vec")
    assert_bitwise_equal(best, last)
