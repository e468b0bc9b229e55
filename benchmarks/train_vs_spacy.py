#!/usr/bin/env python3
"""Train plait and spaCy on the same corpora, side by side, and print speed, memory and accuracy as JSON.

Usage (from the repo root, with ../shared beside it):
    .venv/bin/python benchmarks/train_vs_spacy.py TASK [TASK ...] [--epochs 5] [--out /tmp/plait-bench] [--no-spacy]
        [--contention]

TASK: ewt-tagger, ewt-tagger-senter, wikiann-ner, wnut17-ner, sst2-textcat, or all (wnut17-ner's
splits, and its spaCy side, which the anchor lacks: benchmarks/wnut17_task.py). Each task trains plait from
`plait init-config --optimize efficiency` defaults for the same number of epochs as the spaCy anchor
(`../shared/anchors/spacy_baseline.py`, spaCy's own efficiency defaults), with evaluation only at the
end, then runs `plait evaluate` on the held-out file. Training words/s = training words x epochs / wall
seconds of the whole `train` command, as the anchor computes it; peak memory from /usr/bin/time.
One JSON line per task holds both tools' figures and plait/spaCy ratios, and the 1-minute load average
before and after. With --contention, one competing CPU-bound process (`python -c "while True: pass"`) runs for
the whole of both tools' runs of each task.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

from wnut17_task import run_spacy_wnut17, timed_train, wnut17_splits

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
ANCHOR = ROOT.parent / "shared" / "anchors" / "spacy_baseline.py"
PLAIT = Path(sys.executable).with_name("plait")
TASKS = {
    # task: (pipeline, train, dev, test)
    "ewt-tagger": ("tagger", "ud-en-ewt/train.conllu", "ud-en-ewt/dev.conllu", "ud-en-ewt/test.conllu"),
    "ewt-tagger-senter": ("tagger,senter", "ud-en-ewt/train.conllu", "ud-en-ewt/dev.conllu", "ud-en-ewt/test.conllu"),
    "wikiann-ner": ("ner", "wikiann-en/train.tsv", "wikiann-en/dev.tsv", "wikiann-en/test.tsv"),
    "wnut17-ner": ("ner", "train", "dev", "test"),  # files written by wnut17_splits
    "sst2-textcat": ("textcat", "sst2/train.tsv", "sst2/dev.tsv", "sst2/dev.tsv"),
}
KEEP = ("tag_acc", "sents_f", "ents_f", "ents_p", "ents_r", "cats_score", "cats_macro_f", "speed")


def count_words(path: Path) -> int:
    """Tokens in a corpus as plait reads it (the anchor counts spaCy's tokens the same way)."""
    code = ("import sys, plait\nfrom plait.core.data.readers import read_docs\n"
            "nlp = plait.blank('en')\n"
            "print(sum(len(d) for d in read_docs(sys.argv[1], nlp.vocab, nlp.make_doc)))")
    return int(subprocess.run([sys.executable, "-c", code, path], check=True, capture_output=True, text=True).stdout)


def task_files(task: str, out: Path) -> dict[str, Path]:
    """train/dev/test paths of a task (wnut17-ner's are carved and written under `out` first)."""
    if task == "wnut17-ner":
        return wnut17_splits(DATA, out / "wnut17-data")
    return {split: DATA / name for split, name in zip(("train", "dev", "test"), TASKS[task][1:])}


def run_plait(task: str, epochs: int, out: Path) -> dict:
    pipeline = TASKS[task][0]
    files = task_files(task, out)
    work = out / task
    work.mkdir(parents=True, exist_ok=True)
    cfg = work / "config.cfg"
    subprocess.run([PLAIT, "init-config", cfg, "--pipeline", pipeline, "--optimize", "efficiency", "--force"],
                   check=True, capture_output=True)
    wall, rss = timed_train([PLAIT, "train", cfg, "--output", work / "model", "--overwrite"], files, epochs, work)
    words = count_words(files["train"]) * epochs
    metrics = work / "metrics.json"
    subprocess.run([PLAIT, "evaluate", work / "model" / "model-last", files["test"], "--output", metrics],
                   check=True, capture_output=True)
    scores = json.loads(metrics.read_text())
    keep = {k: v for k, v in scores.items() if k in KEEP and v is not None}
    return {"tool": "plait", "task": task, "epochs": epochs, "train_wall_s": round(wall, 1), "train_words": words,
            "train_words_per_s": round(words / wall), "train_peak_rss_kb": rss, **keep}


def run_spacy(task: str, epochs: int, out: Path) -> dict:
    if task == "wnut17-ner":
        return run_spacy_wnut17(task_files(task, out), epochs, out / "spacy" / task)
    proc = subprocess.run([sys.executable, ANCHOR, task, "--epochs", str(epochs), "--out", out / "spacy"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"spaCy anchor failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def ratios(ours: dict, theirs: dict) -> dict:
    out = {}
    for key in ("train_words_per_s", "speed"):
        if key in ours and key in theirs:
            out[f"{key}_ratio"] = round(ours[key] / theirs[key], 2)
    out["train_peak_rss_ratio"] = round(ours["train_peak_rss_kb"] / theirs["train_peak_rss_kb"], 2)
    for key in ("tag_acc", "sents_f", "ents_f", "cats_score"):
        if key in ours and key in theirs:
            out[f"{key}_diff"] = round(100 * (ours[key] - theirs[key]), 2)
    return out


@contextlib.contextmanager
def competitor(enabled: bool):
    """One CPU-bound process running for the duration of the block (when enabled)."""
    proc = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if enabled else None
    try:
        yield
    finally:
        if proc is not None:
            proc.kill()
            proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tasks", nargs="+", choices=[*TASKS, "all"])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("/tmp/plait-bench"))
    parser.add_argument("--no-spacy", action="store_true", help="Only run plait.")
    parser.add_argument("--contention", action="store_true",
                        help="Run one competing CPU-bound process during both tools' runs.")
    args = parser.parse_args()
    tasks = list(TASKS) if "all" in args.tasks else args.tasks
    for task in tasks:
        load_before = os.getloadavg()[0]
        with competitor(args.contention):
            theirs = None if args.no_spacy else run_spacy(task, args.epochs, args.out)
            ours = run_plait(task, args.epochs, args.out)
        record = {"task": task, "contention": args.contention, "load_avg_1m": [load_before, os.getloadavg()[0]],
                  "plait": ours, "spacy": theirs, **(ratios(ours, theirs) if theirs else {})}
        print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
