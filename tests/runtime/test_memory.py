"""Memory over a long run: `keep_freed_memory` makes a step's freed tensors get reused instead of faulted in again;
`long_lived_frozen` keeps the collector off what was alive before the steps began."""
import gc
import json
import subprocess
import sys

import pytest

from plait.runtime.memory import _libc, long_lived_frozen

CODE = """
import json, resource, sys
import torch
from plait.runtime.memory import keep_freed_memory
if sys.argv[1] == "keep":
    keep_freed_memory()
def step():  # two 40 MB tensors alive at once, freed at the end (above glibc's own highest threshold, 32 MiB)
    tensors = [torch.ones(10 << 20) for _ in range(2)]
    del tensors
for _ in range(5):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    step()
print(json.dumps(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before))
"""
STEP_PAGES = 2 * (40 << 20) // 4096


def faults(mode: str) -> int:
    """Minor page faults of 10 steps after 5 warm-up steps, in a fresh process (the setting is process-wide)."""
    out = subprocess.run([sys.executable, "-c", CODE, mode], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.mark.skipif(_libc() is None or not hasattr(_libc(), "mallopt"), reason="needs glibc")
def test_a_steps_freed_tensors_are_reused_instead_of_faulted_in_again():
    default = faults("default")
    assert default > 5 * STEP_PAGES  # glibc maps them afresh: every step faults their pages in again
    # kept, they are not faulted in again; yet the kernel may move kept pages to make room for another
    # process's huge pages (compaction), and the next touch of a moved page faults: a few steps' worth when a
    # process beside this one allocates hundreds of MB at a time (seen: 3 of 10 steps, the other xdist worker)
    assert faults("keep") < default / 2


def collected(obj: object) -> bool:
    """Whether the garbage collector's passes still walk `obj` (frozen objects are in no generation)."""
    return any(o is obj for o in gc.get_objects())


def test_objects_alive_on_entry_are_out_of_the_collectors_passes_until_the_block_ends():
    before = []
    assert collected(before)
    with long_lived_frozen():
        made_inside = []
        assert not collected(before) and collected(made_inside)
    assert collected(before) and gc.get_freeze_count() == 0


def test_a_freeze_made_elsewhere_is_left_as_it_is():
    host = []  # a host process that froze its heap (before forking, say), or an outer block
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with long_lived_frozen():
            made_inside = []
            assert collected(made_inside) and gc.get_freeze_count() == frozen
        assert not collected(host) and gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
