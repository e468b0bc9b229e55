"""Loaded with `--code` by the kill tests: SIGKILLs the process at the point PLAIT_TEST_KILL names.

`step:N` before the optimizer applies step N; `evaluate:N` in the middle of the N-th evaluation;
`save:N` inside the N-th folder swap of a save (after the new folder is complete, before it is swapped in);
`rename:N` between the two renames of the N-th swap where the filesystem cannot exchange folders;
`into:NAME` / `after:NAME` just before / just after the first folder swap into NAME (e.g. model-last);
`slow:S` sleeps S seconds in each step (for tests that send a signal mid-run). Under torchrun,
PLAIT_TEST_KILL_RANK limits it to one rank.
"""
import os
import signal
import time

from plait.core import fs
from plait.core.training import stepper, trainer

point, _, count = os.environ["PLAIT_TEST_KILL"].partition(":")
if os.environ.get("PLAIT_TEST_KILL_RANK", os.environ.get("RANK", "0")) != os.environ.get("RANK", "0"):
    point = "none"
target = float(count) if point == "slow" else count if point in ("into", "after") else int(count)
calls = {"n": 0}


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _nth() -> bool:
    calls["n"] += 1
    return calls["n"] == target


if point == "slow":
    original_slow_clip = stepper.Stepper.clip

    def slow_clip(self, step):
        time.sleep(target)
        return original_slow_clip(self, step)

    stepper.Stepper.clip = slow_clip
elif point == "step":
    original_clip = stepper.Stepper.clip

    def clip(self, step):  # the last thing before the optimizer applies the step
        if step == target:
            _die()
        return original_clip(self, step)

    stepper.Stepper.clip = clip
elif point == "evaluate":
    original_evaluate = trainer.evaluate

    def evaluate(nlp, examples, **kwargs):
        if _nth():
            list(nlp.pipe([eg.predicted.copy_tokens() for eg in examples[:2]]))
            _die()
        return original_evaluate(nlp, examples, **kwargs)

    trainer.evaluate = evaluate
elif point in ("into", "after"):
    original_into = fs.replace_dir

    def replace_dir_into(src, dest):
        if point == "into" and dest.name == target:
            _die()
        original_into(src, dest)
        if dest.name == target:
            _die()

    fs.replace_dir = replace_dir_into
elif point in ("save", "rename"):
    original_replace, original_exchange = fs.replace_dir, fs._exchange

    def replace_dir(src, dest):
        if point == "save" and _nth():
            _die()
        return original_replace(src, dest)

    def exchange(a, b):
        return False

    fs.replace_dir = replace_dir
    if point == "rename":
        fs._exchange = exchange
        original_os_replace = os.replace

        def os_replace(src, dest):
            original_os_replace(src, dest)
            if fs.OLD_MARK in os.fspath(dest) and _nth():
                _die()

        fs.os.replace = os_replace
