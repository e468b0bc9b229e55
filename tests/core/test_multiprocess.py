"""nlp.pipe(n_process=N) and `plait apply --n-process N`: forked workers, the same output in the same order."""
import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import srsly

import plait
from cli_run import run
from plait.core.multiprocess import WorkerError, _batches

ROOT = Path(__file__).resolve().parents[2]
TEXTS = [line for line in (ROOT / "tests" / "fixtures" / "wikitext-2-sample.txt").read_text(encoding="utf8")
         .splitlines() if line.strip()]


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("trained")
    code = run_cli(["train", ROOT / "examples" / "configs" / "shared.cfg", "--output", out / "run",
                    "--training.max_steps", "20", "--training.eval_frequency", "10"])
    assert code == 0
    return out / "run" / "model-last"


def run_cli(args) -> int:
    from plait.cli.main import main

    with pytest.raises(SystemExit) as info:
        main([str(a) for a in args])
    return info.value.code


def annotations(doc) -> tuple:
    return ([t.text for t in doc], [t.tag_ for t in doc], [(e.start, e.end, e.label_) for e in doc.ents])


def test_workers_give_the_same_docs_in_order(trained):
    nlp = plait.load(trained)
    texts = TEXTS * 5 + ["", "One more ."]
    one = [annotations(doc) for doc in nlp.pipe(texts, batch_size=3)]
    docs = [nlp.make_doc("Pre made doc ."), *texts]
    piped = list(nlp.pipe(docs, batch_size=3, n_process=2))
    two = [annotations(doc) for doc in piped]
    assert two[1:] == one and two[0][0] == ["Pre", "made", "doc", "."] and len(two[0][1]) == 4
    assert all(doc.tensor is None for doc in piped)  # whichever process annotated it
    # one text a batch: many more batches than are queued or held at once
    assert [annotations(doc) for doc in nlp.pipe(texts, batch_size=1, n_process=3)] == one


def test_the_last_batches_go_out_in_quarters_numbered_in_order():
    texts = [str(i) for i in range(21)]
    batches = list(_batches(texts, 8, 2))
    assert [len(batch) for _, _, batch in batches] == [8, 2, 2, 2, 2, 2, 2, 1]
    assert [number for number, _, _ in batches] == list(range(8))
    assert [start for _, start, _ in batches] == [0, 8, 10, 12, 14, 16, 18, 20]
    assert [text for _, _, batch in batches for text in batch] == texts
    assert [len(batch) for _, _, batch in _batches(texts[:3], 8, 2)] == [2, 1]


def test_a_failing_document_is_reported_by_its_index(trained):
    nlp = plait.load(trained)
    nlp.get_pipe("tagger").set_annotations = _fail_on_long
    with pytest.raises(WorkerError, match="document 7: "):
        list(nlp.pipe(["short"] * 7 + ["a much longer text than the others here"] + ["short"] * 5, batch_size=4,
                      n_process=2))


def _fail_on_long(docs, predictions):
    if any(len(doc) > 3 for doc in docs):
        raise ValueError("too long")


def test_apply_with_two_processes(capsys, tmp_path, trained):
    source = tmp_path / "in.txt"
    source.write_text("\n".join(TEXTS), encoding="utf8")
    assert run(capsys, "apply", trained, source, tmp_path / "one.jsonl")[0] == 0
    code, _, err = run(capsys, "apply", trained, source, tmp_path / "two.jsonl", "--n-process", 2, "-b", 2)
    assert code == 0, err
    assert list(srsly.read_jsonl(tmp_path / "one.jsonl")) == list(srsly.read_jsonl(tmp_path / "two.jsonl"))
    code, _, err = run(capsys, "apply", trained, source, tmp_path / "x.jsonl", "--n-process", 0)
    assert code == 2 and err.startswith("error: --n-process: must be at least 1")


def test_each_worker_keeps_one_torch_thread_whatever_the_setting(trained):
    @plait.component("test_mp_thread_count")
    def thread_count(doc):
        import torch

        doc.cats = {"threads": float(torch.get_num_threads())}
        return doc

    nlp = plait.load(trained)
    nlp.threads = 2  # what a user's `[system] threads = 2` gives the parent
    nlp.add_pipe("test_mp_thread_count")
    assert {doc.cats["threads"] for doc in nlp.pipe(TEXTS[:6], batch_size=2, n_process=2)} == {1.0}
    assert next(nlp.pipe(TEXTS[:1])).cats == {"threads": 2.0}


def child_of(pid: int) -> int | None:
    """A child process of `pid` (apply's one worker), read from /proc."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid:
            return int(stat.parent.name)
    return None


@pytest.mark.slow
def test_a_worker_killed_at_random_moments_ends_apply_cleanly(tmp_path, trained):
    """Issue 39: whatever the parent waits on when its worker is SIGKILLed, it stops within 10 s with one
    `error:` line naming the worker and the input line (exit 1), and leaves no temporary file."""
    source = tmp_path / "in.txt"
    source.write_text("\n".join(TEXTS * 600), encoding="utf8")  # longer to annotate than the longest delay
    out = tmp_path / "out"
    out.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    rng = random.Random(39)
    killed = 0
    for trial in range(10):
        command = [sys.executable, "-m", "plait", "apply", trained, source, out / "docs.jsonl", "-n", "2", "-b", "4"]
        proc = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
        worker = None
        while worker is None and proc.poll() is None:
            time.sleep(0.01)
            worker = child_of(proc.pid)
        time.sleep(rng.uniform(0, 2))
        if worker is not None:
            with contextlib.suppress(ProcessLookupError):  # the run may have ended first
                os.kill(worker, signal.SIGKILL)
        try:
            _, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            pytest.fail(f"trial {trial}: apply still running 10 s after its worker was killed")
        assert sorted(p.name for p in out.iterdir()) == (["docs.jsonl"] if proc.returncode == 0 else []), err
        if proc.returncode != 0:  # killed before the end: the input's line, the worker, exit 1
            errors = [line for line in err.splitlines() if line.startswith("error:")]
            assert proc.returncode == 1 and len(errors) == 1 and "Traceback" not in err, err
            assert errors[0].startswith(f"error: {source}:") and "worker 1 (pid " in errors[0], err
            killed += 1
    assert killed >= 5  # most kills land mid-run, or the test shows nothing
