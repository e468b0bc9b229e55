#!/usr/bin/env python3
"""Cold start: wall seconds of `plait --version`, `plait --help`, `import plait`, and `plait.load` of a
vectors-only pipeline (what `plait init-vectors` writes) after `import plait`, each in a fresh process, best
of `--repeats`; and whether that load imported torch. The load is timed whole, and split into importing the
libraries it needs (numpy, srsly, confection: imported first in a second set of processes) and the rest.
Prints one JSON line.

Usage (from the repo root):
    .venv/bin/python benchmarks/cold_start.py [--repeats 5] [--rows 20000]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

PLAIT = Path(sys.executable).with_name("plait")
LOAD = """import sys, time, json
start = time.perf_counter()
import plait
imported = time.perf_counter()
if sys.argv[2] == "libraries-first":
    import numpy, srsly, confection
libraries = time.perf_counter()
nlp = plait.load(sys.argv[1])
loaded = time.perf_counter()
print(json.dumps([imported - start, libraries - imported, loaded - libraries, "torch" in sys.modules,
                  len(nlp.vocab.vectors)]))
"""


def best_wall(command: list, repeats: int, env: dict) -> float:
    subprocess.run(command, check=True, capture_output=True, env=env)  # writes the bytecode
    walls = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env)
        walls.append(time.perf_counter() - start)
    return round(min(walls), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rows", type=int, default=20000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="plait-cold-"))
    vec = work / "vectors.vec"
    table = np.random.default_rng(0).uniform(-1, 1, (args.rows, 100)).astype(np.float32)
    with vec.open("w", encoding="utf-8") as f:
        f.write(f"{args.rows} 100\n")
        for i, row in enumerate(table):
            f.write(f"word{i} " + " ".join(f"{v:.5f}" for v in row) + "\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([PLAIT, "init-vectors", "en", vec, work / "pipeline"], check=True, capture_output=True, env=env)
    runs: dict[str, list] = {"whole": [], "libraries-first": []}
    for repeat in range(args.repeats + 1):
        for how, found in runs.items():
            out = subprocess.run([sys.executable, "-c", LOAD, work / "pipeline", how], check=True,
                                 capture_output=True, text=True, env=env)
            if repeat:  # the first run of each only wrote bytecode
                found.append(json.loads(out.stdout))
    whole, split = runs["whole"], runs["libraries-first"]
    print(json.dumps({
        "version_s": best_wall([PLAIT, "--version"], args.repeats, env),
        "help_s": best_wall([PLAIT, "--help"], args.repeats, env),
        "import_plait_s": round(min(x[0] for x in whole), 3),
        "load_after_import_plait_s": round(min(x[2] for x in whole), 3),
        "of_which_importing_numpy_srsly_confection_s": round(min(x[1] for x in split), 3),
        "load_after_those_imports_s": round(min(x[2] for x in split), 3),
        "load_imported_torch": any(x[3] for x in whole + split), "rows": whole[0][4]}))


if __name__ == "__main__":
    main()
