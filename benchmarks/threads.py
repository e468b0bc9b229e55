#!/usr/bin/env python3
"""Why plait trains on one torch thread and infers on two only while two cores are free: the ewt tagger's training
and inference words/s for several thread settings, on the machine as it is and with one competing CPU-bound
process. Prints one JSON line per setting.

Usage (from the repo root, with ../shared beside it):
    .venv/bin/python benchmarks/threads.py [--steps 600]

Settings: plait's default (`[system] threads = 0`: one training thread, inference on as many as two that other
processes leave free); 1 thread; 2 threads with libgomp's default waiting (workers spin before sleeping); 2
threads with OMP_WAIT_POLICY=PASSIVE (workers sleep at once). Each runs in a fresh process: `--steps` training steps of
the efficiency tagger from `plait init-config`, then `nlp.pipe` over ud-en-ewt test; wall and CPU seconds of each.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "ud-en-ewt"
SETTINGS = {"plait default (threads = 0)": (0, False), "1 thread": (1, False),
            "2 threads, libgomp default (spin)": (2, False), "2 threads, OMP_WAIT_POLICY=PASSIVE": (2, True)}


def child(threads: int, passive: bool, steps: int) -> dict:
    """One setting, in this process: train `steps` steps, then annotate the test set."""
    if passive:
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"  # before torch loads libgomp, which reads it then
    import torch

    from plait.core import config as config_lib
    from plait.core.data.readers import read_docs
    from plait.core.training.initialize import init_nlp
    from plait.core.training.trainer import Trainer

    path = Path(os.environ["PLAIT_BENCH_CONFIG"])
    config = config_lib.load_config(path, {
        "paths.train": str(DATA / "train.conllu"), "paths.dev": str(DATA / "dev.conllu"),
        "system.threads": threads, "training.max_steps": steps, "training.eval_frequency": 10 ** 9,
        "training.patience": 0}, interpolate=True)
    nlp, plan = init_nlp(config)
    trainer = Trainer(nlp, plan)
    wall, cpu = time.perf_counter(), time.process_time()
    for progress in trainer.train():
        if progress.step == steps:
            break
    train_wall, train_cpu = time.perf_counter() - wall, time.process_time() - cpu
    train_threads = torch.get_num_threads()
    docs = [d.copy_tokens() for d in read_docs(DATA / "test.conllu", nlp.vocab)]
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in nlp.pipe(docs):
        pass
    infer_wall, infer_cpu = time.perf_counter() - wall, time.process_time() - cpu
    words = trainer.state.words
    n = sum(len(d) for d in docs)
    return {"train_threads": train_threads, "infer_threads": torch.get_num_threads(),
            "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
            "train_words_per_s": round(words / train_wall), "train_cpu_s": round(train_cpu, 1),
            "train_wall_s": round(train_wall, 1), "infer_words_per_s": round(n / infer_wall),
            "infer_cpu_s": round(infer_cpu, 2), "infer_wall_s": round(infer_wall, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(int(args.child[0]), args.child[1] == "passive", args.steps)))
        return
    config = Path("/tmp/plait-threads-bench.cfg")
    subprocess.run([sys.executable, "-m", "plait", "init-config", str(config), "--pipeline", "tagger",
                    "--force"], check=True, capture_output=True, cwd=ROOT)
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    env["PLAIT_BENCH_CONFIG"] = str(config)
    for condition in ("as is", "one competing process"):
        competitor = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if condition != "as is" else None
        try:
            for label, (threads, passive) in SETTINGS.items():
                out = subprocess.run([sys.executable, __file__, "--steps", str(args.steps), "--child", str(threads),
                                      "passive" if passive else "spin"], check=True, capture_output=True, text=True,
                                     env=env, cwd=ROOT)
                record = json.loads(out.stdout.strip().splitlines()[-1])
                print(json.dumps({"condition": condition, "setting": label, "load_avg_1m": os.getloadavg()[0],
                                  **record}), flush=True)
        finally:
            if competitor is not None:
                competitor.kill()
                competitor.wait()


if __name__ == "__main__":
    main()
