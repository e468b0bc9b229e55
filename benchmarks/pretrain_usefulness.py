#!/usr/bin/env python3
"""Does pretraining help a tagger trained on little data? No pretraining against the characters and the vectors
objectives, each tagger trained with several seeds; prints one JSON object.

Usage (repo root, ../shared beside it):
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/pretrain_usefulness.py [--pretrain-epochs 12] [--seeds 0 1 2]

Raw text: wikitext-2 (valid + test, headings dropped) and the `# text` lines of ud-en-ewt train, as JSONL.
Vectors: 100-d Word2Vec (Gensim) on the same text, as in benchmarks/vectors_accuracy.py. The tok2vec
(efficiency defaults) is pretrained once per objective (seed 0); the tagger is trained on the first 1,000
sentences of ud-en-ewt train, model-best picked on dev, scored (tag_acc) on test, once per seed.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from vectors_accuracy import make_vectors

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
EWT = DATA / "ud-en-ewt"
PLAIT = Path(sys.executable).with_name("plait")


def raw_texts() -> list[str]:
    """Wikitext-2 paragraphs (no headings) then the sentence texts of ud-en-ewt train."""
    texts = [line.strip() for name in ("valid.txt", "test.txt")
             for line in (DATA / "wikitext-2" / name).read_text(encoding="utf8").splitlines()
             if line.strip() and not (line.strip().startswith("= ") and line.strip().endswith(" ="))]
    texts += [line[len("# text = "):] for line in (EWT / "train.conllu").read_text(encoding="utf8").splitlines()
              if line.startswith("# text = ")]
    return texts


def write_raw(path: Path, texts: list[str]) -> None:
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf8")


def first_sentences(path: Path, n: int) -> None:
    """The first `n` sentences of ud-en-ewt train, as CoNLL-U."""
    blocks = (EWT / "train.conllu").read_text(encoding="utf8").split("\n\n")
    path.write_text("\n\n".join(blocks[:n]) + "\n\n", encoding="utf8")


def plait(*args: object) -> None:
    subprocess.run([str(PLAIT), *map(str, args)], check=True, capture_output=True)


def tagger_score(work: Path, cfg: Path, train: Path, seed: int, epochs: int, name: str, init: Path | None) -> float:
    out = work / f"tagger-{name}-{seed}"
    extra = ["--paths.init_tok2vec", init] if init else []
    plait("train", cfg, "--output", out, "--overwrite", "--paths.train", train, "--paths.dev", EWT / "dev.conllu",
          "--system.seed", seed, "--training.max_epochs", epochs, "--training.max_steps", 0,
          "--training.eval_frequency", 50, "--training.patience", 0, *extra)
    plait("evaluate", out / "model-best", EWT / "test.conllu", "--output", out / "test.json")
    return json.loads((out / "test.json").read_text())["tag_acc"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pretrain-epochs", type=int, default=12)
    parser.add_argument("--train-epochs", type=int, default=30)
    parser.add_argument("--sentences", type=int, default=1000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--out", type=Path, default=Path("/tmp/plait-pretrain-usefulness"))
    args = parser.parse_args()
    work = args.out
    work.mkdir(parents=True, exist_ok=True)
    raw, train, cfg = work / "raw.jsonl", work / "train-small.conllu", work / "config.cfg"
    texts = raw_texts()
    write_raw(raw, texts)
    first_sentences(train, args.sentences)
    vec = work / "w2v.vec"
    if not vec.exists():
        make_vectors(vec, 100)
    plait("init-vectors", "en", vec, work / "vectors", "--force")
    plait("init-config", cfg, "--pipeline", "tagger", "--pretraining", "--force")
    weights: dict[str, Path | None] = {"none": None}
    result: dict = {"raw_texts": len(texts), "raw_words": sum(len(t.split()) for t in texts),
                    "train_sentences": args.sentences, "pretrain_epochs": args.pretrain_epochs,
                    "train_epochs": args.train_epochs, "seeds": args.seeds}
    for objective, extra in (("characters", []), ("vectors", [
            "--paths.vectors", work / "vectors", "--pretraining.objective", "{}",
            "--pretraining.objective.@architectures", "plait.PretrainVectors.v1"])):
        out = work / f"pretrain-{objective}"
        plait("pretrain", cfg, out, "--overwrite", "--paths.raw", raw, "--pretraining.max_epochs", args.pretrain_epochs, *extra)
        weights[objective] = out / "model-last.safetensors"
        result[f"pretrain_{objective}_log"] = [json.loads(line) for line in (out / "log.jsonl").open()]
    scores = {name: [tagger_score(work, cfg, train, seed, args.train_epochs, name, init) for seed in args.seeds]
              for name, init in weights.items()}
    base = sum(scores["none"]) / len(scores["none"])
    for name, values in scores.items():
        mean = sum(values) / len(values)
        result[name] = {"tag_acc": [round(100 * v, 2) for v in values], "mean": round(100 * mean, 2),
                        "error_reduction": round((mean - base) / (1 - base), 4)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
