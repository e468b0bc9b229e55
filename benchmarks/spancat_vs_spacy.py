#!/usr/bin/env python3
"""spancat on GermEval 2014 (nested German NER, two IOB2 layers), plait against spaCy, side by side.

Usage (from the repo root, with ../shared beside it and spaCy in /tmp/spacy-anchor-venv):
    .venv/bin/python benchmarks/spancat_vs_spacy.py [--epochs 3] [--out /tmp/spancat-bench] [--limit N] [--no-spacy]
        [--shared ../shared]

spaCy: `../shared/anchors/spacy_spancat.py de TRAIN DEV TEST OUT --epochs N` (its own efficiency spancat). plait:
`plait init-config --pipeline spancat` defaults, trained for the same epochs with evaluation only at the end,
then `plait evaluate` on TEST. Both read the same files: every span of every layer goes into the group "sc"
(plait reads them from JSONL written here, one doc a sentence, gold tokens). `--limit N` keeps the first N
sentences of each split (a smoke run). Prints one JSON line per tool (train_wall_s, train_words_per_s,
train_peak_rss_kb from /usr/bin/time -v, spans_sc_p/r/f on TEST, speed = inference words/s), then one line of
plait/spaCy ratios and the F difference in points.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import srsly

from wnut17_task import timed_train

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"  # --shared elsewhere (a git worktree sits beside the checkout, not in it)
SPACY_PY = Path("/tmp/spacy-anchor-venv/bin/python")
PLAIT = Path(sys.executable).with_name("plait")
SPLITS = ("train", "dev", "test")
KEEP = ("spans_sc_p", "spans_sc_r", "spans_sc_f", "speed")


def sentences(path: Path) -> Iterator[list[list[str]]]:
    """The rows (token, then one IOB2 tag a layer) of each blank-line separated sentence."""
    rows: list[list[str]] = []
    for line in path.read_text(encoding="utf8").splitlines() + [""]:
        if line.strip():
            rows.append(line.split("\t"))
        elif rows:
            yield rows
            rows = []


def layer_spans(rows: list[list[str]]) -> set[tuple[int, int, str]]:
    """[start, end) token spans of every layer; an I- that starts a span is read as a start, as IOB readers do."""
    spans = set()
    for layer in range(1, len(rows[0])):
        start, label = None, None
        for i, tag in enumerate([r[layer] for r in rows] + ["O"]):
            if start is not None and not (tag.startswith("I-") and tag[2:] == label):
                spans.add((start, i, label))
                start = None
            if tag.startswith("B-") or (tag.startswith("I-") and start is None):
                start, label = i, tag[2:]
    return spans


def to_jsonl(rows_of: list[list[list[str]]], path: Path) -> int:
    """plait JSONL records (words, spans in group "sc" by characters of the space-joined words); the word count."""
    records, words = [], 0
    for rows in rows_of:
        tokens = [r[0] for r in rows]
        offsets = [0]
        for token in tokens:
            offsets.append(offsets[-1] + len(token) + 1)
        spans = [[offsets[s], offsets[e] - 1, label] for s, e, label in sorted(layer_spans(rows))]
        records.append({"words": tokens, "spans": {"sc": spans}})
        words += len(tokens)
    srsly.write_jsonl(path, records)
    return words


def prepare(shared: Path, out: Path, limit: int | None) -> tuple[dict[str, Path], dict[str, Path], int]:
    """The .iob2 files both tools read (the first `limit` sentences of each split when given), plait's JSONL of
    them, and the training words."""
    data = out / "data"
    data.mkdir(parents=True, exist_ok=True)
    iob2, jsonl, words = {}, {}, 0
    for split in SPLITS:
        rows_of = list(sentences(shared / "data" / "germeval2014" / f"{split}.iob2"))[:limit]
        iob2[split] = data / f"{split}.iob2"
        iob2[split].write_text("".join("\n".join("\t".join(r) for r in rows) + "\n\n" for rows in rows_of),
                               encoding="utf8")
        jsonl[split] = data / f"{split}.jsonl"
        n = to_jsonl(rows_of, jsonl[split])
        words = n if split == "train" else words
    return iob2, jsonl, words


def run_spacy(shared: Path, iob2: dict[str, Path], epochs: int, out: Path) -> dict:
    anchor = shared / "anchors" / "spacy_spancat.py"
    proc = subprocess.run([str(SPACY_PY), str(anchor), "de", *(str(iob2[s]) for s in SPLITS), str(out / "spacy"),
                           "--epochs", str(epochs)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"spaCy anchor failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_plait(files: dict[str, Path], words: int, epochs: int, out: Path) -> dict:
    work = out / "plait"
    work.mkdir(parents=True, exist_ok=True)
    cfg = work / "config.cfg"
    subprocess.run([PLAIT, "init-config", cfg, "--lang", "de", "--pipeline", "spancat", "--force"], check=True,
                   capture_output=True)
    wall, rss = timed_train([PLAIT, "train", cfg, "--output", work / "model", "--overwrite"], files, epochs, work)
    metrics = work / "metrics.json"
    subprocess.run([PLAIT, "evaluate", work / "model" / "model-last", files["test"], "--output", metrics],
                   check=True, capture_output=True)
    scores = json.loads(metrics.read_text())
    return {"tool": "plait", "task": "spancat", "epochs": epochs, "train_wall_s": round(wall, 1),
            "train_words_per_s": round(words * epochs / wall), "train_peak_rss_kb": rss,
            **{k: scores.get(k) for k in KEEP}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("/tmp/spancat-bench"))
    parser.add_argument("--limit", type=int, default=None, help="Keep the first N sentences of each split.")
    parser.add_argument("--shared", type=Path, default=SHARED, help="The shared folder (data/, anchors/).")
    parser.add_argument("--no-spacy", action="store_true", help="Only run plait.")
    args = parser.parse_args()
    iob2, jsonl, words = prepare(args.shared, args.out, args.limit)
    load_before = os.getloadavg()[0]
    theirs = None if args.no_spacy else run_spacy(args.shared, iob2, args.epochs, args.out)
    if theirs is not None:
        print(json.dumps(theirs), flush=True)
    ours = run_plait(jsonl, words, args.epochs, args.out)
    print(json.dumps(ours), flush=True)
    if theirs is not None:
        ratios = {f"{k}_ratio": round(ours[k] / theirs[k], 2) for k in ("train_words_per_s", "speed")
                  if ours.get(k) and theirs.get(k)}
        ratios["train_peak_rss_ratio"] = round(ours["train_peak_rss_kb"] / theirs["train_peak_rss_kb"], 2)
        if ours.get("spans_sc_f") is not None and theirs.get("spans_sc_f") is not None:
            ratios["spans_sc_f_diff"] = round(100 * (ours["spans_sc_f"] - theirs["spans_sc_f"]), 2)
        print(json.dumps({"compare": ratios, "load_avg_1m": [load_before, os.getloadavg()[0]]}), flush=True)


if __name__ == "__main__":
    main()
