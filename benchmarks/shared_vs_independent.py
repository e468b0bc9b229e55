#!/usr/bin/env python3
"""One shared tok2vec feeding tagger + morphologizer + senter, against the same heads with their own encoders.

Usage (repo root, ../shared beside it):
    .venv/bin/python benchmarks/shared_vs_independent.py [--epochs 2] [--out /tmp/plait-shared-vs-independent]

Both pipelines come from `plait init-config --optimize efficiency`; the independent one replaces each
listener with a copy of the tok2vec block. Both train on ud-en-ewt train for the same epochs and are
scored on test. Prints one JSON object: inference words/s, model directory size and scores of each,
and the ratios (shared over independent).
"""
from __future__ import annotations

import argparse
import copy
import json
import subprocess
import sys
from pathlib import Path

from confection import Config

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "ud-en-ewt"
PLAIT = Path(sys.executable).with_name("plait")
PIPELINE = "tagger,morphologizer,senter"
SCORES = ("tag_acc", "pos_acc", "morph_acc", "sents_f")


def independent(config: Config) -> Config:
    """The same pipeline with each listener replaced by its own copy of the shared tok2vec."""
    out = copy.deepcopy(config)
    encoder = out["components"].pop("tok2vec")["model"]
    for block in out["components"].values():
        if block.get("model", {}).get("tok2vec", {}).get("@architectures") == "plait.Tok2VecListener.v1":
            block["model"]["tok2vec"] = copy.deepcopy(encoder)
    out["nlp"]["pipeline"] = [n for n in out["nlp"]["pipeline"] if n != "tok2vec"]
    return out


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def train_and_score(cfg: Path, work: Path, epochs: int) -> dict:
    subprocess.run([PLAIT, "train", cfg, "--output", work, "--overwrite", "--paths.train", DATA / "train.conllu",
                    "--paths.dev", DATA / "dev.conllu", "--training.max_epochs", str(epochs),
                    "--training.max_steps", "0", "--training.eval_frequency", "100000000"],
                   check=True, capture_output=True)
    model = work / "model-last"
    subprocess.run([PLAIT, "evaluate", model, DATA / "test.conllu", "--output", work / "scores.json"],
                   check=True, capture_output=True)
    scores = json.loads((work / "scores.json").read_text())
    return {"speed": round(scores["speed"]), "model_bytes": dir_size(model),
            **{k: round(scores[k], 4) for k in SCORES}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("/tmp/plait-shared-vs-independent"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    shared_cfg = args.out / "shared.cfg"
    subprocess.run([PLAIT, "init-config", shared_cfg, "--pipeline", PIPELINE, "--force"], check=True,
                   capture_output=True)
    independent_cfg = args.out / "independent.cfg"
    independent(Config().from_disk(shared_cfg, interpolate=False)).to_disk(independent_cfg)
    shared = train_and_score(shared_cfg, args.out / "shared", args.epochs)
    indep = train_and_score(independent_cfg, args.out / "independent", args.epochs)
    result = {"pipeline": PIPELINE, "epochs": args.epochs, "shared": shared, "independent": indep,
              "inference_speed_ratio": round(shared["speed"] / indep["speed"], 2),
              "model_size_ratio": round(shared["model_bytes"] / indep["model_bytes"], 2),
              **{f"{k}_diff": round(100 * (shared[k] - indep[k]), 2) for k in SCORES}}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
