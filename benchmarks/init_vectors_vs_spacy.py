#!/usr/bin/env python3
"""Convert one 200,000 x 300 `.vec` file with plait and spaCy side by side; time loading and most_similar.

Usage (repo root):
    .venv/bin/python benchmarks/init_vectors_vs_spacy.py [--vec /tmp/bench-vectors.vec] [--spacy-python PY]

Writes the file with benchmarks/make_vectors.py when absent. For each tool and each of (no pruning,
--prune 20000): wall seconds and peak RSS of the whole command (/usr/bin/time). Then, for plait: seconds
to load the converted pipeline beyond importing plait and torch (the table is memory-mapped), and seconds for `most_similar` of 1,000
queries over all rows. Prints one JSON object with the ratios (spaCy time / plait time).
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLAIT = Path(sys.executable).with_name("plait")


def timed(cmd: list) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", *map(str, cmd)], capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(map(str, cmd))}\n{proc.stderr[-2000:]}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    return round(wall, 2), rss


def load_and_query(path: Path) -> dict:
    code = (
        "import time, numpy as np, plait, plait.core.registrations\n"
        "t = time.perf_counter(); nlp = plait.load(%r); load = time.perf_counter() - t\n"
        "table = nlp.vocab.vectors\n"
        "queries = np.asarray(table.data[:1000])\n"
        "t = time.perf_counter(); table.most_similar(queries, n=10); query = time.perf_counter() - t\n"
        "print(load, query)" % str(path))
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    load, query = map(float, out.split())
    return {"load_s": round(load, 3), "most_similar_1000_s": round(query, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vec", type=Path, default=Path("/tmp/bench-vectors.vec"))
    parser.add_argument("--spacy-python", type=Path, default=Path("/tmp/spacy-anchor-venv/bin/python"))
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench-vectors-out"))
    args = parser.parse_args()
    if not args.vec.exists():
        subprocess.run([sys.executable, ROOT / "benchmarks/make_vectors.py", args.vec, "--rows", "200000",
                        "--dims", "300"], check=True, capture_output=True)
    args.out.mkdir(parents=True, exist_ok=True)
    result: dict = {"rows": 200000, "dims": 300, "file_mb": round(args.vec.stat().st_size / 2**20)}
    for label, extra in (("plain", []), ("prune20000", ["--prune", "20000"])):
        spacy_s, spacy_rss = timed([args.spacy_python, "-m", "spacy", "init", "vectors", "en", args.vec,
                                    args.out / f"spacy-{label}", *extra])
        plait_s, plait_rss = timed([PLAIT, "init-vectors", "en", args.vec, args.out / f"plait-{label}", *extra])
        result[label] = {"spacy_s": spacy_s, "plait_s": plait_s, "speedup": round(spacy_s / plait_s, 2),
                         "spacy_peak_rss_kb": spacy_rss, "plait_peak_rss_kb": plait_rss,
                         "rss_ratio": round(plait_rss / spacy_rss, 2)}
    result["plait_load_and_query"] = load_and_query(args.out / "plait-plain")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
