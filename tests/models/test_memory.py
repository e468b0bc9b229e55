"""glibc's heap: `keep_freed_memory` makes a step's freed tensors get reused instead of faulted in again."""
import json
import subprocess
import sys

import pytest

from plait.models.memory import _libc

CODE = """
import json, resource, sys
import torch
from plait.models.memory import keep_freed_memory
if sys.argv[1] == "keep":
    keep_freed_memory()
def step():  # six 4 MB tensors alive at once, freed at the end, as in a training step
    tensors = [torch.ones(1 << 20) for _ in range(6)]
    del tensors
for _ in range(5):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    step()
print(json.dumps(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before))
"""
STEP_PAGES = 6 * (4 << 20) // 4096


def faults(mode: str) -> int:
    """Minor page faults of 10 steps after 5 warm-up steps, in a fresh process (the setting is process-wide)."""
    out = subprocess.run([sys.executable, "-c", CODE, mode], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.mark.skipif(_libc() is None or not hasattr(_libc(), "mallopt"), reason="needs glibc")
def test_a_steps_freed_tensors_are_reused_instead_of_faulted_in_again():
    assert faults("default") > 5 * STEP_PAGES  # glibc gives the freed top of its heap back: every step faults again
    assert faults("keep") < STEP_PAGES
