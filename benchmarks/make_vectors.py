"""Write a synthetic word2vec text file (`rows dims` header) for timing `plait init-vectors`; prints JSON.

Words come first from the shared corpora by frequency (so the file looks like real vectors), then synthetic
ones; values are random float32 printed with 6 decimals. Run:
.venv/bin/python benchmarks/make_vectors.py /tmp/vectors.vec --rows 200000 --dims 300
"""
from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def corpus_words() -> list[str]:
    """Whitespace tokens of every text file under ../shared/data, most frequent first."""
    counts: Counter[str] = Counter()
    for path in sorted(DATA.rglob("*")):
        if path.is_file() and path.suffix in {".txt", ".tokens", ".raw", ".tsv", ".conllu", ".conll"}:
            for line in path.read_text(encoding="utf8", errors="replace").splitlines():
                if not line.startswith("#"):
                    counts.update(line.split())
    return [w for w, _ in counts.most_common()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--dims", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    start = time.perf_counter()
    words = corpus_words()[: args.rows]
    n_real = len(words)
    words += [f"synthetic{i}" for i in range(args.rows - n_real)]
    rng = np.random.default_rng(args.seed)
    with open(args.output, "w", encoding="utf8") as out:
        out.write(f"{args.rows} {args.dims}\n")
        for begin in range(0, args.rows, 10_000):
            block = rng.standard_normal((min(10_000, args.rows - begin), args.dims), dtype=np.float32) * 0.3
            for word, row in zip(words[begin:begin + len(block)], block):
                out.write(word + " " + " ".join(f"{v:.6f}" for v in row) + "\n")
    print(json.dumps({"path": str(args.output), "rows": args.rows, "dims": args.dims, "corpus_words": n_real,
                      "bytes": args.output.stat().st_size, "seconds": round(time.perf_counter() - start, 1)}))


if __name__ == "__main__":
    main()
