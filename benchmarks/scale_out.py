#!/usr/bin/env python3
"""Scale-out figures, one JSON line per part (run from the repo root, with ../shared beside it):

    .venv/bin/python benchmarks/scale_out.py ddp        # ewt tagger: 2 ranks x 1 thread, 1 x 2 threads, 1 x 1
    .venv/bin/python benchmarks/scale_out.py corpus     # one process, 1x / 4x / 16x ewt train: words/s, peak RSS
    .venv/bin/python benchmarks/scale_out.py longdoc    # nlp(text) of 100k / 1M / 10M chars of wikitext-2: memory
    .venv/bin/python benchmarks/scale_out.py nprocess   # nlp.pipe on ewt test, n_process 1 (1 thread) vs 2

Training words/s = training words / wall seconds of the whole `plait train` command; peak RSS from
/usr/bin/time. `--steps` bounds the ddp runs, `--out` is the work folder.
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
BIN = Path(sys.executable).parent


def timed(cmd: list, env: dict) -> tuple[float, int, float]:
    """Wall seconds, peak RSS (kB) and CPU seconds (user + system) of a command."""
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", *map(str, cmd)], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(proc.stderr[-3000:])
    cpu = sum(float(re.search(rf"{kind} time \(seconds\): ([\d.]+)", proc.stderr).group(1)) for kind in ("User", "System"))
    return wall, int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1)), cpu


def tagger_config(out: Path) -> Path:
    cfg = out / "tagger.cfg"
    subprocess.run([str(BIN / "plait"), "init-config", str(cfg), "--pipeline", "tagger", "--force"], check=True,
                   capture_output=True)
    return cfg


def train_args(cfg: Path, out: Path, train: Path, steps: int, epochs: int) -> list:
    return ["-m", "plait", "train", cfg, "--output", out, "--overwrite", "--paths.train", train, "--paths.dev",
            EWT / "dev.conllu", "--training.max_steps", steps, "--training.max_epochs", epochs,
            "--training.eval_frequency", 10 ** 8, "--training.patience", 0]


def last_row(run: Path) -> dict:
    return [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()][-1]


def part_ddp(args: argparse.Namespace) -> dict:
    cfg = tagger_config(args.out)
    rows = {}
    for name, threads, launcher in (("2x1", 1, [BIN / "torchrun", "--standalone", "--nproc-per-node", "2"]),
                                    ("1x2", 2, [sys.executable]), ("1x1", 1, [sys.executable])):
        run = args.out / f"ddp-{name}"
        cmd = [*launcher, *train_args(cfg, run, EWT / "train.conllu", args.steps, 0)]
        wall, rss, _ = timed(cmd, {**os.environ, "OMP_NUM_THREADS": str(threads)})
        row = last_row(run)
        rows[name] = {"wall_s": round(wall, 1), "words": row["words"], "words_per_s": round(row["words"] / wall),
                      "tag_acc": round(100 * row["scores"]["tag_acc"], 2), "peak_rss_kb": rss}
    return {"part": "ddp", "steps": args.steps, **rows}


def part_corpus(args: argparse.Namespace) -> dict:
    cfg = tagger_config(args.out)
    text = (EWT / "train.conllu").read_text(encoding="utf8")
    rows = {}
    for times in (1, 4, 16):
        train = args.out / f"ewt-x{times}.conllu"
        if not train.exists():
            train.write_text(text * times, encoding="utf8")
        run = args.out / f"corpus-x{times}"
        wall, rss, cpu = timed([sys.executable, *train_args(cfg, run, train, 0, 1)],
                               {**os.environ, "OMP_NUM_THREADS": "1"})
        words = last_row(run)["words"]
        rows[f"x{times}"] = {"words": words, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
                             "words_per_s": round(words / wall), "words_per_cpu_s": round(words / cpu),
                             "peak_rss_kb": rss}
    return {"part": "corpus", **rows, "rss_16x_over_1x": round(rows["x16"]["peak_rss_kb"] / rows["x1"]["peak_rss_kb"], 3),
            "wall_16x_over_1x": round(rows["x16"]["wall_s"] / rows["x1"]["wall_s"], 2),
            "cpu_16x_over_1x": round(rows["x16"]["cpu_s"] / rows["x1"]["cpu_s"], 2)}


LONGDOC_WORKER = r"""
import json, resource, sys, time
import torch
import plait
model, text_file, chars = sys.argv[1], sys.argv[2], int(sys.argv[3])
def rss():
    with open("/proc/self/status") as f:
        return int(next(l for l in f if l.startswith("VmRSS")).split()[1])
text = open(text_file, encoding="utf8").read()
while len(text) < chars:
    text += text
text = text[:chars]
nlp = plait.load(model)
nlp("warm up .")
before = rss()
start = time.perf_counter()
doc = nlp(text)
seconds = time.perf_counter() - start
stored = rss() - before
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
out = {"chars": chars, "tokens": len(doc), "seconds": round(seconds, 2), "words_per_s": round(len(doc) / seconds),
       "rss_before_kb": before, "peak_rss_kb": peak, "stored_output_kb": stored,
       "peak_beyond_output_kb": peak - stored}
if len(sys.argv) > 4:
    import plait.core.components.batching, plait.models.heads
    # the whole-doc pass: encoder and heads on every token at once
    nlp.get_pipe("tok2vec").model.chunk = plait.models.heads.INFERENCE_CHUNK = 10 ** 9
    plait.core.components.batching.INFERENCE_CHUNK = 10 ** 9
    whole = nlp(text)
    out["tags_equal_whole_doc"] = [t.tag_ for t in doc] == [t.tag_ for t in whole]
    out["ents_equal_whole_doc"] = [(e.start, e.end, e.label_) for e in doc.ents] == \
        [(e.start, e.end, e.label_) for e in whole.ents]
print(json.dumps(out))
"""


def part_longdoc(args: argparse.Namespace) -> dict:
    run = args.out / "longdoc-model"
    if not (run / "model-last").is_dir():
        subprocess.run([str(BIN / "plait"), "train", str(ROOT / "examples" / "configs" / "shared.cfg"), "--output",
                        str(run), "--overwrite", "--training.max_steps", "200"], check=True, capture_output=True)
    text = args.out / "wikitext.txt"
    text.write_text((DATA / "wikitext-2" / "valid.txt").read_text(encoding="utf8") +
                    (DATA / "wikitext-2" / "test.txt").read_text(encoding="utf8"), encoding="utf8")
    rows = {}
    for chars in (100_000, 1_000_000, 10_000_000):
        extra = ["compare"] if chars == 100_000 else []
        proc = subprocess.run([sys.executable, "-c", LONGDOC_WORKER, str(run / "model-last"), str(text), str(chars),
                               *extra],
                              capture_output=True, text=True, check=True)
        rows[str(chars)] = json.loads(proc.stdout)
    base = rows["100000"]["peak_beyond_output_kb"]
    return {"part": "longdoc", **rows, "peak_beyond_output_vs_100k": {
        k: round(v["peak_beyond_output_kb"] / base, 2) for k, v in rows.items()}}


NPROCESS_WORKER = r"""
import json, sys, time
import torch
import plait
torch.set_num_threads(1)
model, n_process = sys.argv[1], int(sys.argv[2])
texts = [l[len("# text = "):].rstrip("\n") for l in open(sys.argv[3], encoding="utf8") if l.startswith("# text = ")]
nlp = plait.load(model)
start = time.perf_counter()
docs = list(nlp.pipe(texts, batch_size=256, n_process=n_process))
seconds = time.perf_counter() - start
words = sum(len(d) for d in docs)
print(json.dumps({"n_process": n_process, "docs": len(docs), "words": words, "seconds": round(seconds, 2),
                  "words_per_s": round(words / seconds), "tags": hash(tuple(t.tag_ for d in docs for t in d))}))
"""


NPROCESS_REPEATS = 5  # each run is under a second: one run's figure is mostly the machine's noise


def part_nprocess(args: argparse.Namespace) -> dict:
    run = args.out / "longdoc-model"
    if not (run / "model-last").is_dir():
        subprocess.run([str(BIN / "plait"), "train", str(ROOT / "examples" / "configs" / "shared.cfg"), "--output",
                        str(run), "--overwrite", "--training.max_steps", "200"], check=True, capture_output=True)
    runs: dict[int, list[dict]] = {1: [], 2: []}
    for n in (1, 2) * NPROCESS_REPEATS:  # alternating, so a slow spell of the machine hits both
        proc = subprocess.run([sys.executable, "-c", NPROCESS_WORKER, str(run / "model-last"), str(n),
                               str(EWT / "test.conllu")], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1"})
        runs[n].append(json.loads(proc.stdout))
    median = {n: sorted(rows, key=lambda row: row["words_per_s"])[len(rows) // 2] for n, rows in runs.items()}
    return {"part": "nprocess", "one": median[1], "two": median[2],
            "same_output": len({row["tags"] for rows in runs.values() for row in rows}) == 1,
            "seconds": {n: [row["seconds"] for row in rows] for n, rows in runs.items()},
            "speedup": round(median[2]["words_per_s"] / median[1]["words_per_s"], 2)}


PARTS = {"ddp": part_ddp, "corpus": part_corpus, "longdoc": part_longdoc, "nprocess": part_nprocess}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("parts", nargs="+", choices=list(PARTS))
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--out", type=Path, default=Path("/tmp/plait-scale"))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for part in args.parts:
        print(json.dumps({**PARTS[part](args), "load_1min": round(os.getloadavg()[0], 2)}), flush=True)


if __name__ == "__main__":
    main()
