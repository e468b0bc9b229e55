#!/usr/bin/env python3
"""A tagger trained on ud-en-ewt as spaCy's `.spacy` files against the same corpus read from CoNLL-U.

Usage (from the repo root, with ../shared beside it and spaCy in /tmp/spacy-anchor-venv):
    .venv/bin/python benchmarks/spacy_corpus_tagger.py [--epochs 5] [--out /tmp/plait-spacy-corpus]

`spacy convert -c conllu -n 10` writes train/dev/test `.spacy` files; plait then trains its
`init-config --pipeline tagger --optimize efficiency` defaults twice, once on the `.conllu` files and
once on the `.spacy` files, and scores both models on test.conllu. Prints one JSON line.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "ud-en-ewt"
SPACY = Path("/tmp/spacy-anchor-venv/bin/python")
PLAIT = [sys.executable, "-c", "from plait.cli.main import main; main()"]


def train_and_score(cfg: Path, train: Path, dev: Path, epochs: int, work: Path) -> dict:
    start = time.perf_counter()
    subprocess.run([*PLAIT, "train", cfg, "--output", work / "model", "--paths.train", train, "--paths.dev", dev,
                    "--training.max_epochs", str(epochs), "--training.max_steps", "0",
                    "--training.eval_frequency", "100000000", "--training.patience", "0"],
                   check=True, capture_output=True)
    wall = time.perf_counter() - start
    metrics = work / "metrics.json"
    subprocess.run([*PLAIT, "evaluate", work / "model" / "model-last", DATA / "test.conllu", "--output", metrics],
                   check=True, capture_output=True)
    return {"tag_acc": json.loads(metrics.read_text())["tag_acc"], "train_wall_s": round(wall, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("/tmp/plait-spacy-corpus"))
    args = parser.parse_args()
    out = args.out
    (out / "spacy").mkdir(parents=True, exist_ok=True)
    for split in ("train", "dev", "test"):
        subprocess.run([SPACY, "-m", "spacy", "convert", DATA / f"{split}.conllu", out / "spacy", "-c", "conllu",
                        "-n", "10"], check=True, capture_output=True)
    cfg = out / "tagger.cfg"
    subprocess.run([*PLAIT, "init-config", cfg, "--pipeline", "tagger", "--optimize", "efficiency", "--force"],
                   check=True, capture_output=True)
    conllu = train_and_score(cfg, DATA / "train.conllu", DATA / "dev.conllu", args.epochs, out / "conllu")
    spacy = train_and_score(cfg, out / "spacy" / "train.spacy", out / "spacy" / "dev.spacy", args.epochs,
                            out / "from-spacy")
    print(json.dumps({"epochs": args.epochs, "conllu": conllu, "spacy": spacy,
                      "tag_acc_diff": round(spacy["tag_acc"] - conllu["tag_acc"], 4)}))


if __name__ == "__main__":
    main()
