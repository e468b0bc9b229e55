#!/usr/bin/env python3
"""Per-call overhead on small inputs: `plait evaluate` and `spacy evaluate` of the ewt taggers on the 500
shortest sentences of ud-en-ewt test, one doc each, side by side. Prints one JSON line.

Usage (from the repo root, with ../shared beside it, after `benchmarks/train_vs_spacy.py ewt-tagger`):
    .venv/bin/python benchmarks/short_texts.py [--out /tmp/plait-bench] [--n 500] [--repeats 3]

Uses the models train_vs_spacy.py left in OUT (plait: OUT/ewt-tagger/model/model-last, spaCy:
OUT/spacy/ewt-tagger/model/model-last). Each tool's `speed` (words/s of its pipeline, as its evaluate
reports it) and the wall seconds of the whole command are the best of `--repeats` runs.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST = ROOT.parent / "shared" / "data" / "ud-en-ewt" / "test.conllu"
PLAIT = Path(sys.executable).with_name("plait")
SPACY = Path("/tmp/spacy-anchor-venv/bin/python")


def shortest_sentences(n: int) -> list[str]:
    """The `n` shortest sentences (at least two tokens) of the test file, each as CoNLL-U lines."""
    blocks = [b for b in TEST.read_text(encoding="utf-8").split("\n\n") if b.strip()]

    def tokens(block: str) -> int:
        return sum(1 for line in block.splitlines() if line and line[0].isdigit() and "\t" in line
                   and "-" not in line.split("\t", 1)[0] and "." not in line.split("\t", 1)[0])

    kept = sorted((b for b in blocks if tokens(b) >= 2), key=tokens)[:n]
    return [b.strip("\n") for b in kept]


def best_run(command: list, metrics: Path, repeats: int) -> dict:
    best: dict = {}
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        wall = time.perf_counter() - start
        speed = json.loads(metrics.read_text())["speed"]
        if not best or speed > best["speed"]:
            best = {"speed": round(speed), "command_wall_s": round(wall, 2)}
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("/tmp/plait-bench"))
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    work = args.out / "short-texts"
    work.mkdir(parents=True, exist_ok=True)
    sentences = shortest_sentences(args.n)
    conllu = work / "short.conllu"
    conllu.write_text("".join(f"# newdoc\n{s}\n\n" for s in sentences), encoding="utf-8")
    subprocess.run([SPACY, "-m", "spacy", "convert", conllu, work, "--converter", "conllu", "-n", "1"],
                   check=True, capture_output=True)
    ours = best_run([PLAIT, "evaluate", args.out / "ewt-tagger" / "model" / "model-last", conllu,
                     "--output", work / "plait.json"], work / "plait.json", args.repeats)
    theirs = best_run([SPACY, "-m", "spacy", "evaluate", args.out / "spacy" / "ewt-tagger" / "model" / "model-last",
                       work / "short.spacy", "--output", work / "spacy.json"], work / "spacy.json", args.repeats)
    print(json.dumps({"docs": len(sentences), "plait": ours, "spacy": theirs,
                      "speed_ratio": round(ours["speed"] / theirs["speed"], 2)}))


if __name__ == "__main__":
    main()
