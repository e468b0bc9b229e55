#!/usr/bin/env python3
"""spaCy's `init config --pipeline tagger,ner` (efficiency) migrated by plait, against plait's own init-config.

Usage (from the repo root, with ../shared beside it):
    .venv/bin/python benchmarks/migrated_vs_init_config.py [--epochs 5] [--sentences N] [--seeds 0 1]
        [--decay-check] [--out /tmp/plait-migrated]

Both configs train on ud-en-ewt train + wikiann-en train (one folder, so the tagger learns from the
first and the ner from the second) for the same epochs with evaluation only at the end, then are scored
on ud-en-ewt test + wikiann-en test. `--sentences N` trains on the first N sentences of each training file
only (0: all). Each seed trains both configs; `--decay-check` also trains the migrated config with spaCy's
weight decay removed (the one setting in which the two configs differ) for the first seed. Prints one JSON
line with tag_acc and ents_f of every run.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
SPACY_CONFIG = ROOT / "tests/fixtures/spacy_configs/tagger_ner_efficiency.cfg"
PLAIT = [sys.executable, "-c", "from plait.cli.main import main; main()"]


def corpus(out: Path, split: str, sentences: int = 0) -> Path:
    """A folder holding the split of both corpora (the first `sentences` sentences of each when not 0)."""
    folder = out / split
    folder.mkdir(parents=True, exist_ok=True)
    for name, source in (("ewt.conllu", DATA / f"ud-en-ewt/{split}.conllu"), ("wikiann.tsv", DATA / f"wikiann-en/{split}.tsv")):
        target = folder / name
        if sentences:
            blocks = source.read_text(encoding="utf8").split("\n\n")[:sentences]
            target.write_text("\n\n".join(blocks) + "\n\n", encoding="utf8")
        elif not target.exists():
            target.symlink_to(source)
    return folder


def train_and_score(cfg: Path, out: Path, epochs: int, train: Path, seed: int,
                    overrides: tuple[str, ...] = ()) -> dict:
    start = time.perf_counter()
    subprocess.run([*PLAIT, "train", cfg, "--output", out / "model", "--overwrite", "--paths.train", train,
                    "--paths.dev", corpus(out.parent, "dev"), "--system.seed", str(seed),
                    "--training.max_epochs", str(epochs), "--training.max_steps", "0",
                    "--training.eval_frequency", "100000000", "--training.patience", "0", *overrides],
                   check=True, capture_output=True)
    wall = time.perf_counter() - start
    metrics = out / "metrics.json"
    subprocess.run([*PLAIT, "evaluate", out / "model" / "model-last", corpus(out.parent, "test"), "--output", metrics],
                   check=True, capture_output=True)
    scores = json.loads(metrics.read_text())
    return {"tag_acc": scores["tag_acc"], "ents_f": scores["ents_f"], "train_wall_s": round(wall, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--sentences", type=int, default=0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--decay-check", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("/tmp/plait-migrated"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    migrated, own = args.out / "migrated.cfg", args.out / "init-config.cfg"
    subprocess.run([*PLAIT, "migrate-config", SPACY_CONFIG, migrated], check=True, capture_output=True)
    subprocess.run([*PLAIT, "init-config", own, "--pipeline", "tagger,ner", "--optimize", "efficiency", "--force"],
                   check=True, capture_output=True)
    results: dict = {"epochs": args.epochs, "sentences": args.sentences, "runs": []}
    train = corpus(args.out, "train", args.sentences)
    arms = [(seed, name, cfg, ()) for seed in args.seeds
            for name, cfg in (("migrated", migrated), ("init_config", own))]
    if args.decay_check:
        no_decay = ("--training.optimizer.weight_decay", "0", "--training.optimizer.decoupled", "false")
        arms.append((args.seeds[0], "migrated_without_decay", migrated, no_decay))
    for seed, name, cfg, overrides in arms:
        work = args.out / f"{name}-{seed}"
        work.mkdir(exist_ok=True)
        results["runs"].append({"name": name, "seed": seed,
                                **train_and_score(cfg, work, args.epochs, train, seed, overrides)})
        print(json.dumps(results["runs"][-1]), file=sys.stderr, flush=True)
    by = {(r["name"], r["seed"]): r for r in results["runs"]}
    results["diff"] = {seed: {k: round(by["migrated", seed][k] - by["init_config", seed][k], 4)
                              for k in ("tag_acc", "ents_f")} for seed in args.seeds}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
