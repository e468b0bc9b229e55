#!/usr/bin/env python3
"""Does a static vectors table help the tagger? plait and spaCy, with and without vectors, side by side.

Usage (repo root, ../shared beside it; spaCy in the anchor's venv):
    .venv/bin/python benchmarks/vectors_accuracy.py [--epochs 5] [--dims 100] [--out /tmp/plait-vectors-accuracy]

Trains Word2Vec (gensim, `--dims` dimensions, seed 0) on the text of wikitext-2 (valid + test) and
ud-en-ewt train, writes it as a `.vec` file, converts it with `plait init-vectors` and `spacy init
vectors`, then trains each tool's efficiency-default tagger on ud-en-ewt train for the same epochs with
`include_static_vectors` false and true, and scores tag_acc on test. Prints one JSON object.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
PLAIT = Path(sys.executable).with_name("plait")
EWT = DATA / "ud-en-ewt"


def sentences() -> list[list[str]]:
    """Tokenized sentences: wikitext-2 lines and the words of ud-en-ewt train."""
    out = [line.split() for name in ("valid.txt", "test.txt")
           for line in (DATA / "wikitext-2" / name).read_text(encoding="utf8").splitlines() if line.strip()]
    words: list[str] = []
    for line in (EWT / "train.conllu").read_text(encoding="utf8").splitlines():
        if not line.strip():
            out.append(words)
            words = []
        elif not line.startswith("#") and "\t" in line and line.split("\t")[0].isdigit():
            words.append(line.split("\t")[1])
    return out


def make_vectors(path: Path, dims: int) -> None:
    from gensim.models import Word2Vec

    model = Word2Vec(sentences(), vector_size=dims, window=5, min_count=2, epochs=5, workers=2, seed=0)
    model.wv.save_word2vec_format(str(path))


def plait_tagger(work: Path, epochs: int, vectors: Path | None) -> float:
    cfg = work / "plait.cfg"
    subprocess.run([PLAIT, "init-config", cfg, "--pipeline", "tagger", "--force"], check=True, capture_output=True)
    name = "with" if vectors else "without"
    extra = ["--paths.vectors", vectors, "--components.tok2vec.model.embed.include_static_vectors", "true"] \
        if vectors else []
    subprocess.run([PLAIT, "train", cfg, "--output", work / f"plait-{name}", "--overwrite", "--paths.train", EWT / "train.conllu",
                    "--paths.dev", EWT / "dev.conllu", "--training.max_epochs", str(epochs), "--training.max_steps",
                    "0", "--training.eval_frequency", "100000000", *extra], check=True, capture_output=True)
    scores = work / f"plait-{name}.json"
    subprocess.run([PLAIT, "evaluate", work / f"plait-{name}" / "model-last", EWT / "test.conllu", "--output",
                    scores], check=True, capture_output=True)
    return json.loads(scores.read_text())["tag_acc"]


def spacy_tagger(py: Path, work: Path, epochs: int, vectors: Path | None) -> float:
    files = {}
    for split in ("train", "dev", "test"):
        files[split] = work / f"ewt-{split}.spacy"
        if not files[split].exists():
            subprocess.run([py, "-m", "spacy", "convert", EWT / f"{split}.conllu", work, "--converter", "conllu",
                            "-n", "10"], check=True, capture_output=True)
            (work / f"{split}.spacy").rename(files[split])
    cfg = work / "spacy.cfg"
    subprocess.run([py, "-m", "spacy", "init", "config", cfg, "-l", "en", "-p", "tagger", "-o", "efficiency",
                    "--force"], check=True, capture_output=True)
    name = "with" if vectors else "without"
    extra = ["--paths.vectors", vectors, "--components.tok2vec.model.embed.include_static_vectors", "true"] \
        if vectors else []
    subprocess.run([py, "-m", "spacy", "train", cfg, "--output", work / f"spacy-{name}", "--paths.train",
                    files["train"], "--paths.dev", files["dev"], "--training.max_epochs", str(epochs),
                    "--training.max_steps", "0", "--training.eval_frequency", "100000000", "--training.patience",
                    "0", *extra], check=True, capture_output=True)
    scores = work / f"spacy-{name}.json"
    subprocess.run([py, "-m", "spacy", "evaluate", work / f"spacy-{name}" / "model-last", files["test"], "--output",
                    scores], check=True, capture_output=True)
    return json.loads(scores.read_text())["tag_acc"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--dims", type=int, default=100)
    parser.add_argument("--out", type=Path, default=Path("/tmp/plait-vectors-accuracy"))
    parser.add_argument("--spacy-python", type=Path, default=Path("/tmp/spacy-anchor-venv/bin/python"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    vec = args.out / "w2v.vec"
    if not vec.exists():
        make_vectors(vec, args.dims)
    plait_vectors, spacy_vectors = args.out / "plait-vectors", args.out / "spacy-vectors"
    subprocess.run([PLAIT, "init-vectors", "en", vec, plait_vectors], check=True, capture_output=True)
    subprocess.run([args.spacy_python, "-m", "spacy", "init", "vectors", "en", vec, spacy_vectors], check=True,
                   capture_output=True)
    result = {"epochs": args.epochs, "dims": args.dims}
    for tool, run in (("plait", lambda v: plait_tagger(args.out, args.epochs, v)),
                      ("spacy", lambda v: spacy_tagger(args.spacy_python, args.out, args.epochs, v))):
        without, with_vectors = run(None), run(plait_vectors if tool == "plait" else spacy_vectors)
        result[tool] = {"without": round(100 * without, 2), "with": round(100 * with_vectors, 2),
                        "diff": round(100 * (with_vectors - without), 2)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
