#!/usr/bin/env python3
"""What checkpointing costs: the ewt tagger trained with a checkpoint at each evaluation and without any,
alternating runs in one session; prints one JSON line.

Usage (from the repo root, with ../shared beside it):
    .venv/bin/python benchmarks/checkpoint_cost.py [--steps 1000] [--rounds 2] [--out /tmp/plait-ckpt]

Both settings save model-best at each evaluation (every 200 steps) and write metrics.jsonl; "without"
sets `training.checkpoint_every` past the last step, so only the final checkpoint is written. Words/s is
the training words of the run divided by the wall seconds of the whole `plait train` command (and by its
CPU seconds, user + system, which another process on the machine disturbs less).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EWT = ROOT.parent / "shared" / "data" / "ud-en-ewt"
PLAIT = Path(sys.executable).with_name("plait")


def train(cfg: Path, out: Path, steps: int, checkpoint_every: int) -> dict:
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "%U %S", PLAIT, "train", cfg, "--output", out, "--overwrite",
                           "--paths.train", EWT / "train.conllu", "--paths.dev", EWT / "dev.conllu",
                           "--training.max_steps", str(steps), "--training.max_epochs", "0",
                           "--training.eval_frequency", "200", "--training.checkpoint_every", str(checkpoint_every)],
                          check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    cpu = sum(map(float, proc.stderr.strip().splitlines()[-1].split()))
    last = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()][-1]
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "words": last["words"],
            "words_per_s": round(last["words"] / wall), "words_per_cpu_s": round(last["words"] / cpu)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--out", type=Path, default=Path("/tmp/plait-ckpt"))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    cfg = args.out / "config.cfg"
    subprocess.run([PLAIT, "init-config", cfg, "--pipeline", "tagger", "--optimize", "efficiency", "--force"],
                   check=True, capture_output=True)
    runs: dict[str, list[dict]] = {"with": [], "without": []}
    for _ in range(args.rounds):
        for name, every in (("with", 0), ("without", 10 ** 9)):
            runs[name].append(train(cfg, args.out / name, args.steps, every))
    best = {name: max(r["words_per_s"] for r in rs) for name, rs in runs.items()}
    per_cpu = {name: max(r["words_per_cpu_s"] for r in rs) for name, rs in runs.items()}
    print(json.dumps({"steps": args.steps, "rounds": args.rounds, "runs": runs, "best_words_per_s": best,
                      "cost_wall": round(1 - best["with"] / best["without"], 4), "best_words_per_cpu_s": per_cpu,
                      "cost_cpu": round(1 - per_cpu["with"] / per_cpu["without"], 4)}))


if __name__ == "__main__":
    main()
