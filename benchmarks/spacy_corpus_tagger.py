#!/usr/bin/env python3
"""A tagger trained on ud-en-ewt as spaCy's `.spacy` files against the same corpus read from CoNLL-U.

Usage (from the repo root, with ../shared beside it and spaCy in /tmp/spacy-anchor-venv):
    .venv/bin/python benchmarks/spacy_corpus_tagger.py [--epochs 5] [--seeds 0 1 2] [--out /tmp/plait-spacy-corpus]

`spacy convert -c conllu -n 10` writes train/dev/test `.spacy` files; plait then trains its
`init-config --pipeline tagger --optimize efficiency` defaults three times per seed: on the `.conllu` files
as plait groups them by default (10 sentences, a new doc at each `# newdoc`), on the `.conllu` files grouped
as spaCy's converter does (`across_docs = true`: 10 sentences across `# newdoc`), and on the `.spacy` files.
Every model is scored on test.conllu. Prints one JSON line.
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


def train_and_score(cfg: Path, train: Path, dev: Path, epochs: int, seed: int, work: Path,
                    overrides: tuple[str, ...] = ()) -> dict:
    start = time.perf_counter()
    subprocess.run([*PLAIT, "train", cfg, "--output", work / "model", "--overwrite", "--paths.train", train,
                    "--paths.dev", dev, "--system.seed", str(seed), "--training.max_epochs", str(epochs),
                    "--training.max_steps", "0", "--training.eval_frequency", "100000000", "--training.patience", "0",
                    *overrides], check=True, capture_output=True)
    wall = time.perf_counter() - start
    metrics = work / "metrics.json"
    subprocess.run([*PLAIT, "evaluate", work / "model" / "model-last", DATA / "test.conllu", "--output", metrics],
                   check=True, capture_output=True)
    return {"tag_acc": json.loads(metrics.read_text())["tag_acc"], "train_wall_s": round(wall, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
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
    as_spacy = ("--corpora.train.across_docs", "true", "--corpora.dev.across_docs", "true")
    arms = {"conllu": (DATA / "train.conllu", DATA / "dev.conllu", ()),
            "conllu_as_spacy": (DATA / "train.conllu", DATA / "dev.conllu", as_spacy),
            "spacy": (out / "spacy" / "train.spacy", out / "spacy" / "dev.spacy", ())}
    runs = {name: [] for name in arms}
    for seed in args.seeds:
        for name, (train, dev, overrides) in arms.items():
            result = train_and_score(cfg, train, dev, args.epochs, seed, out / f"{name}-{seed}", overrides)
            runs[name].append({"seed": seed, **result})
            print(json.dumps({"run": name, "seed": seed, **result}), file=sys.stderr, flush=True)
    diffs = {f"spacy_minus_{name}": [round(s["tag_acc"] - c["tag_acc"], 4) for s, c in zip(runs["spacy"], runs[name])]
             for name in ("conllu", "conllu_as_spacy")}
    print(json.dumps({"epochs": args.epochs, "runs": runs, "diffs": diffs}))


if __name__ == "__main__":
    main()
