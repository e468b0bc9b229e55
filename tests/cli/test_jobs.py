"""Long runs through the real `plait` console script: kills, resumes, signals, divergence, output folders."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import srsly
import torch
from safetensors.torch import load_file, save_file

ROOT = Path(__file__).resolve().parents[2]
PLAIT = Path(sys.executable).with_name("plait")
CONFIG = ROOT / "examples" / "configs" / "shared.cfg"
PRETRAIN_CONFIG = ROOT / "examples" / "configs" / "pretrain.cfg"
HOOK = Path(__file__).parent / "hooks" / "kill_at.py"
# 24 steps, an evaluation (and a checkpoint) every 8
SHORT = ["--training.max_steps", "24", "--training.eval_frequency", "8", "--training.max_epochs", "0"]
PRETRAIN_SHORT = ["--pretraining.max_epochs", "3", "--pretraining.n_save_every", "4", "--pretraining.batcher.size", "40",
                  "--paths.raw", str(ROOT / "tests" / "fixtures" / "wikitext-2-sample.txt")]

pytestmark = pytest.mark.skipif(not PLAIT.exists(), reason="the plait console script is not installed")


def plait(*args, env: dict | None = None, check: int | None = None) -> subprocess.CompletedProcess:
    """Run the installed `plait` command with one torch thread (so runs repeat bit for bit)."""
    proc = subprocess.run([str(PLAIT), *map(str, args)], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "OMP_NUM_THREADS": "1", **(env or {})}, timeout=600)
    if check is not None:
        assert proc.returncode == check, proc.stderr
    return proc


def weights(folder: Path) -> dict[str, torch.Tensor]:
    out = {}
    for path in sorted(folder.rglob("*.safetensors")):
        for key, value in load_file(str(path)).items():
            out[f"{path.relative_to(folder)}:{key}"] = value
    return out


def assert_bitwise_equal(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> None:
    assert a.keys() == b.keys()
    different = [k for k in a if not torch.equal(a[k], b[k])]
    assert not different, different[:5]


def rows(path: Path) -> list[dict]:
    """Metrics rows without what depends on the clock."""
    out = []
    for row in srsly.read_jsonl(path):
        row = {k: v for k, v in row.items() if k not in ("seconds", "words_per_second")}
        if "scores" in row:
            row["scores"] = {k: v for k, v in row["scores"].items() if k != "speed"}
        out.append(row)
    return out


def whole_run(tmp_path_factory, args: list[str]) -> Path:
    """The folder of a run trained without interruption, for the killed runs to be compared with."""
    out = tmp_path_factory.mktemp("whole") / "run"
    plait("train", CONFIG, "--output", out, *args, check=0)
    return out


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> Path:
    return whole_run(tmp_path_factory, SHORT)


@pytest.mark.slow
@pytest.mark.parametrize("point", ["step:13", "evaluate:2", "save:3", "rename:1"])
def test_a_killed_run_resumes_to_the_same_weights(tmp_path, uninterrupted, point):
    out = tmp_path / "run"
    killed = plait("train", CONFIG, "--output", out, *SHORT, "--code", HOOK, env={"PLAIT_TEST_KILL": point})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert not (out / "model-last").exists()
    again = plait("train", CONFIG, "--output", out, *SHORT)
    assert again.returncode == 2 and "--resume" in again.stderr  # a folder with a run is never reused silently
    plait("train", CONFIG, "--output", out, *SHORT, "--resume", check=0)
    assert_bitwise_equal(weights(uninterrupted / "model-last"), weights(out / "model-last"))
    assert_bitwise_equal(weights(uninterrupted / "model-best"), weights(out / "model-best"))
    assert rows(out / "metrics.jsonl") == rows(uninterrupted / "metrics.jsonl")
    assert sorted(p.name for p in out.iterdir()) == [".plait-lock", "checkpoint", "metrics.jsonl", "model-best",
                                                     "model-last", "report.html"]


# 20 steps: the last one is no evaluation step, so the run ends with one more evaluation of the final weights
TWENTY = ["--training.max_steps", "20", "--training.eval_frequency", "8", "--training.max_epochs", "0"]


@pytest.fixture(scope="module")
def uninterrupted_twenty(tmp_path_factory) -> Path:
    return whole_run(tmp_path_factory, TWENTY)


@pytest.mark.slow
@pytest.mark.parametrize("steps", ["24", "20"])
@pytest.mark.parametrize("point", ["into:model-last", "after:model-last"])
def test_a_run_killed_in_its_final_save_resumes_to_the_same_weights_and_rows(tmp_path, request, steps, point):
    """The checkpoint of the last step says the run is finished: --resume takes no step past max_steps and adds
    no evaluation, and writes model-last again."""
    args, whole = (SHORT, request.getfixturevalue("uninterrupted")) if steps == "24" else \
        (TWENTY, request.getfixturevalue("uninterrupted_twenty"))
    out = tmp_path / "run"
    killed = plait("train", CONFIG, "--output", out, *args, "--code", HOOK, env={"PLAIT_TEST_KILL": point})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    resumed = plait("train", CONFIG, "--output", out, *args, "--resume", check=0)
    assert "nothing to resume" in resumed.stderr
    assert_bitwise_equal(weights(whole / "model-last"), weights(out / "model-last"))
    assert_bitwise_equal(weights(whole / "model-best"), weights(out / "model-best"))
    assert rows(out / "metrics.jsonl") == rows(whole / "metrics.jsonl")
    assert srsly.read_json(out / "checkpoint" / "training.json")["state"]["step"] == int(steps)


@pytest.mark.slow
def test_a_run_killed_after_its_last_step_before_its_final_evaluation_resumes_to_the_same_rows(
        tmp_path, uninterrupted_twenty):
    """A checkpoint every 4 steps stands at step 20, the last, while the final evaluation is still due: the resume
    takes no step, scores the final weights and logs them with the last step's learning rates."""
    out, every = tmp_path / "run", ["--training.checkpoint_every", "4"]
    killed = plait("train", CONFIG, "--output", out, *TWENTY, *every, "--code", HOOK,
                   env={"PLAIT_TEST_KILL": "evaluate:3"})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert srsly.read_json(out / "checkpoint" / "training.json")["state"]["step"] == 20
    plait("train", CONFIG, "--output", out, *TWENTY, *every, "--resume", check=0)
    assert rows(out / "metrics.jsonl") == rows(uninterrupted_twenty / "metrics.jsonl")
    assert_bitwise_equal(weights(uninterrupted_twenty / "model-last"), weights(out / "model-last"))


@pytest.mark.slow
def test_a_finished_run_goes_on_only_when_max_steps_is_raised(tmp_path, uninterrupted):
    out = tmp_path / "run"
    plait("train", CONFIG, "--output", out, *SHORT, check=0)
    lowered = ["--training.max_steps", "16", *SHORT[2:]]
    plait("train", CONFIG, "--output", out, *lowered, "--resume", check=0)  # a changed rule, but it says stop
    assert srsly.read_json(out / "checkpoint" / "training.json")["state"]["step"] == 24
    assert rows(out / "metrics.jsonl") == rows(uninterrupted / "metrics.jsonl")
    assert_bitwise_equal(weights(uninterrupted / "model-last"), weights(out / "model-last"))
    plait("train", CONFIG, "--output", out, "--training.max_steps", "32", *SHORT[2:], "--resume", check=0)
    assert [row["step"] for row in rows(out / "metrics.jsonl")] == [8, 16, 24, 32]
    assert srsly.read_json(out / "checkpoint" / "training.json")["state"]["step"] == 32


@pytest.mark.slow
def test_use_averages_saves_the_averages_and_a_killed_run_resumes_to_them(tmp_path, uninterrupted):
    """The averages change what is scored and saved, never the steps: the checkpoint holds the same weights as a
    run without them, and a run killed midway resumes to the same averaged models."""
    averages = ["--training.optimizer.use_averages", "true"]
    whole, out = tmp_path / "whole", tmp_path / "run"
    plait("train", CONFIG, "--output", whole, *SHORT, *averages, check=0)
    assert_bitwise_equal(weights(uninterrupted / "model-last"), weights(whole / "checkpoint" / "model"))
    last, averaged = weights(uninterrupted / "model-last"), weights(whole / "model-last")
    assert any(not torch.equal(last[k], averaged[k]) for k in last)
    killed = plait("train", CONFIG, "--output", out, *SHORT, *averages, "--code", HOOK,
                   env={"PLAIT_TEST_KILL": "step:13"})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    plait("train", CONFIG, "--output", out, *SHORT, *averages, "--resume", check=0)
    assert_bitwise_equal(averaged, weights(out / "model-last"))
    assert_bitwise_equal(weights(whole / "model-best"), weights(out / "model-best"))
    assert rows(out / "metrics.jsonl") == rows(whole / "metrics.jsonl")


@pytest.mark.slow
def test_a_killed_save_always_leaves_a_complete_checkpoint(tmp_path):
    """Killed between the two renames of a swap (a filesystem that cannot exchange folders): the old copy is
    still on disk, and the next start puts it back."""
    out = tmp_path / "run"
    plait("train", CONFIG, "--output", out, *SHORT, "--code", HOOK, env={"PLAIT_TEST_KILL": "rename:2"})
    hidden = [p.name for p in out.iterdir() if p.name.startswith(".") and p.name != ".plait-lock"]
    assert any(".old-" in name for name in hidden), hidden
    plait("train", CONFIG, "--output", out, *SHORT, "--resume", check=0)
    assert not [p for p in out.iterdir() if p.name.startswith(".") and p.name != ".plait-lock"]


@pytest.mark.slow
@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_saves_and_resume_reaches_the_same_weights(tmp_path, uninterrupted, signum, code):
    out = tmp_path / "run"
    # slow each step down so that the signal lands mid-run
    proc = subprocess.Popen([str(PLAIT), "train", CONFIG, "--output", out, *SHORT, "--code", HOOK], cwd=ROOT,
                            env={**os.environ, "OMP_NUM_THREADS": "1", "PLAIT_TEST_KILL": "slow:0.3"},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not (out / "metrics.jsonl").exists() and time.time() < deadline:
        time.sleep(0.1)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err
    assert "--resume" in err.splitlines()[-1]
    assert (out / "model-last").is_dir() and (out / "checkpoint").is_dir()
    plait("train", CONFIG, "--output", out, *SHORT, "--resume", check=0)
    assert_bitwise_equal(weights(uninterrupted / "model-last"), weights(out / "model-last"))
    assert rows(out / "metrics.jsonl") == rows(uninterrupted / "metrics.jsonl")


@pytest.mark.slow
@pytest.mark.parametrize("point", ["step:7", "save:3"])
def test_a_killed_pretraining_resumes_to_the_same_weights(tmp_path, point):
    whole, out = tmp_path / "whole", tmp_path / "run"
    plait("pretrain", PRETRAIN_CONFIG, whole, *PRETRAIN_SHORT, check=0)
    killed = plait("pretrain", PRETRAIN_CONFIG, out, *PRETRAIN_SHORT, "--code", HOOK,
                   env={"PLAIT_TEST_KILL": point})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    plait("pretrain", PRETRAIN_CONFIG, out, *PRETRAIN_SHORT, "--resume", check=0)
    assert_bitwise_equal(weights(whole), weights(out))
    assert rows(out / "log.jsonl") == rows(whole / "log.jsonl")


def test_a_failing_run_leaves_an_earlier_run_byte_identical(tmp_path, uninterrupted):
    out = tmp_path / "run"
    plait("train", CONFIG, "--output", out, *SHORT, check=0)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    bad = plait("train", CONFIG, "--output", out, *SHORT, "--overwrite", "--paths.dev", tmp_path / "missing")
    assert bad.returncode == 2, bad.stderr
    plain = plait("train", CONFIG, "--output", out, *SHORT)
    assert plain.returncode == 2 and "holds an earlier run" in plain.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


@pytest.mark.slow
def test_overwrite_replaces_the_run_only_after_the_first_save(tmp_path):
    out = tmp_path / "run"
    plait("train", CONFIG, "--output", out, *SHORT, check=0)
    old_metrics = (out / "metrics.jsonl").read_bytes()
    # killed in the middle of the new run's first evaluation: nothing of the old run is touched yet
    plait("train", CONFIG, "--output", out, *SHORT, "--overwrite", "--training.dropout", "0.3", "--code", HOOK,
          env={"PLAIT_TEST_KILL": "evaluate:1"})
    assert (out / "metrics.jsonl").read_bytes() == old_metrics
    plait("train", CONFIG, "--output", out, *SHORT, "--overwrite", "--training.dropout", "0.3", check=0)
    assert (out / "metrics.jsonl").read_bytes() != old_metrics
    assert srsly.read_json(out / "checkpoint" / "training.json")["config"].count("dropout = 0.3") == 1


def test_resume_refuses_a_checkpoint_of_another_config(tmp_path, uninterrupted):
    out = tmp_path / "run"
    plait("train", CONFIG, "--output", out, *SHORT, check=0)
    proc = plait("train", CONFIG, "--output", out, *SHORT, "--resume", "--training.dropout", "0.5")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
    assert "training.dropout: 0.1 in the checkpoint, 0.5 now" in proc.stderr
    done = plait("train", CONFIG, "--output", out, *SHORT, "--resume", check=0)
    assert "nothing to resume" in done.stderr


def test_divergence_stops_with_exit_3_and_a_finite_model_last(tmp_path):
    out = tmp_path / "run"
    proc = plait("train", CONFIG, "--output", out, *SHORT, "--training.optimizer.learn_rate", "1e6",
                 "--training.optimizer.grad_clip", "0")
    assert proc.returncode == 3, proc.stderr
    [line] = proc.stderr.strip().splitlines()[-1:]
    assert line.startswith("error: training diverged at step ") and "model-last" in line
    assert all(torch.isfinite(t).all() for t in weights(out / "model-last").values())
    for row in srsly.read_jsonl(out / "metrics.jsonl"):
        assert row["step"] > 0  # rows with non-finite numbers were written (as null), not crashed on
    assert plait("train", CONFIG, *SHORT, "--training.optimizer.learn_rate", "1e6",
                 "--training.optimizer.grad_clip", "0").returncode == 3


# 8 steps, scored and checkpointed at the last one; the resume asks for 16, so it gets as far as restoring
FIRST = ["--training.eval_frequency", "8", "--training.max_epochs", "0"]

@pytest.fixture(scope="module")
def finished_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("damaged") / "run"
    plait("train", CONFIG, "--output", out, "--training.max_steps", "8", *FIRST, check=0)
    return out


def edit_info(change):
    def damage(folder: Path) -> None:
        info = srsly.read_json(folder / "training.json")
        change(info)
        srsly.write_json(folder / "training.json", info)
    return damage


def edit_tensors(change):
    def damage(folder: Path) -> None:
        tensors = load_file(str(folder / "state.safetensors"))
        change(tensors)
        save_file(tensors, str(folder / "state.safetensors"))
    return damage


def first_exp_avg(tensors: dict[str, torch.Tensor]) -> str:
    return sorted(k for k in tensors if k.endswith(".exp_avg"))[0]


DAMAGES = {
    "unknown state key": (edit_info(lambda i: i["state"].update(bogus=1)), "training.json: state.bogus: unknown key"),
    "missing state key": (edit_info(lambda i: i["state"].pop("epoch")), "training.json: state.epoch: missing"),
    "wrong type": (edit_info(lambda i: i["state"].update(step="8")), "training.json: state.step: int expected"),
    "negative count": (edit_info(lambda i: i["state"].update(metrics_rows=-1)), "state.metrics_rows: must be >= 0"),
    "unknown top key": (edit_info(lambda i: i.update(extra=[])), "training.json: extra: unknown key"),
    "cut random state": (edit_info(lambda i: i["rng"][0]["python"][1].pop()),
                         "training.json: rng.0.python.1: a list of 625 values expected"),
    "bad optimizer entry": (edit_info(lambda i: i["optimizer"]["state"].update(x={})),
                            "training.json: optimizer.state.x: not a parameter's number"),
    "not json": (lambda folder: (folder / "training.json").write_text("{", encoding="utf8"), "training.json: not JSON"),
    "no optimizer tensors": (edit_tensors(lambda t: [t.pop(k) for k in list(t) if k.startswith("optimizer.")]),
                             "state.safetensors: no tensor 'optimizer.0."),
    "stray tensor": (edit_tensors(lambda t: t.update({"stray": torch.zeros(1)})),
                     "state.safetensors: a tensor nobody wrote: 'stray'"),
    "wrong shape": (edit_tensors(lambda t: t.update({first_exp_avg(t): torch.zeros(3)})),
                    "state.safetensors: tensor 'optimizer.0.exp_avg' has shape [3]"),
    "wrong random dtype": (edit_tensors(lambda t: t.update({"rng.0.torch": t["rng.0.torch"].float()})),
                           "state.safetensors: tensor 'rng.0.torch' holds float32 values"),
    "not safetensors": (lambda folder: (folder / "state.safetensors").write_bytes(b"\0" * 16), "state.safetensors: "),
}


@pytest.mark.parametrize("case", list(DAMAGES))
def test_a_damaged_checkpoint_is_one_line_and_leaves_the_run_as_it_was(tmp_path, finished_run, case):
    damage, expected = DAMAGES[case]
    out = tmp_path / "run"
    shutil.copytree(finished_run, out)
    damage(out / "checkpoint")
    before = {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    proc = plait("train", CONFIG, "--output", out, "--training.max_steps", "16", *FIRST, "--resume")
    assert proc.returncode == 2, proc.stderr
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith(f"error: damaged checkpoint: {out / 'checkpoint'}/") and expected in line, line
    assert {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()} == before


@pytest.mark.parametrize("args, expected", [
    (["trian"], "No such command"),
    (["train"], "Missing argument"),
    (["train", CONFIG, "--no-such-option"], "--no-such-option"),
    (["train", CONFIG, "--training.no_such_key", "1"], "training.no_such_key"),
    (["train", CONFIG, "--paths.train", "/nonexistent/train.conllu"], "/nonexistent/train.conllu"),
    (["init-vectors", "en", CONFIG, ROOT / "examples"], "not empty"),
    (["train", CONFIG, "--output", CONFIG], "is a file"),
])
def test_user_errors_exit_2_with_one_line(args, expected):
    proc = plait(*args)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_data_exits_2_naming_the_file_and_line(tmp_path):
    train = tmp_path / "train.conllu"
    train.write_text("1\tHello\thello\tINTJ\tUH\t_\t0\troot\t_\t_\n2\tthere\n\n", encoding="utf8")
    proc = plait("train", CONFIG, *SHORT, "--paths.train", train)
    assert proc.returncode == 2, proc.stderr
    [line] = proc.stderr.strip().splitlines()[-1:]
    assert line.startswith(f"error: {train}:2") and "Traceback" not in proc.stderr


def test_saved_files_follow_the_umask(tmp_path):
    out = tmp_path / "run"
    proc = subprocess.run([str(PLAIT), "train", CONFIG, "--output", out, *SHORT], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "OMP_NUM_THREADS": "1"}, preexec_fn=lambda: os.umask(0o027))
    assert proc.returncode == 0, proc.stderr
    for path in [out / "model-best", *(out / "model-best").rglob("*"), *(out / "checkpoint").rglob("*")]:
        assert path.stat().st_mode & 0o777 == (0o750 if path.is_dir() else 0o640), path


def test_python_dash_m_plait_is_the_command():
    proc = subprocess.run([sys.executable, "-m", "plait", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("plait ")
