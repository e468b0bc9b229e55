#!/usr/bin/env python3
"""Convert one 200,000 x 300 `.vec` file with plait and spaCy side by side; time loading and most_similar.

Usage (repo root):
    .venv/bin/python benchmarks/init_vectors_vs_spacy.py [--vec /tmp/bench-vectors.vec] [--spacy-python PY]

Writes the file with benchmarks/make_vectors.py when absent. For each tool and each of (no pruning,
--prune 20000), spaCy then plait: wall seconds and peak RSS of the whole command (/usr/bin/time), and for
plait also the seconds the conversion itself took (its summary line) and the command's start-up (`plait
init-vectors --help`). Then, for plait: how many pruned words got the exact nearest kept row (a float32 search
over all 20,000 kept rows) and the mean cosine lost on the others; seconds to load the converted pipeline beyond
importing plait and torch (the table is memory-mapped), and seconds for `most_similar` of 1,000 queries over all
rows.
Prints one JSON object with the ratios (spaCy time / plait time).
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


def timed(cmd: list) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (KiB) and stdout of a command."""
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", *map(str, cmd)], capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(map(str, cmd))}\n{proc.stderr[-2000:]}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    return round(wall, 2), rss, proc.stdout


def prune_agreement(table: Path, pipeline: Path, keep: int = 20000) -> dict:
    """Share of pruned words mapped to the exact nearest kept row (float32, all rows), mean cosine lost.

    `table` is the unpruned conversion (checked bit for bit against np.loadtxt's parse when the parser changed).
    """
    import numpy as np
    import srsly

    data = np.load(table / "vectors" / "vectors.npy")
    words = srsly.read_json(table / "vectors" / "keys.json")["words"]
    rows = len(words)
    unit = data / np.maximum(np.linalg.norm(data, axis=1, keepdims=True), 1e-12)
    kept = unit[:keep]
    pruned = srsly.read_json(pipeline / "vectors" / "keys.json")["pruned"]
    chosen = np.array([pruned[w] for w in words[keep:]])
    same, lost = 0, 0.0
    for begin in range(0, rows - keep, 4096):
        sims = unit[keep + begin:keep + begin + 4096] @ kept.T
        best = sims.argmax(axis=1)
        mine = chosen[begin:begin + len(sims)]
        same += int((best == mine).sum())
        lost += float((sims.max(axis=1) - sims[np.arange(len(sims)), mine]).sum())
    return {"exact_share": round(same / (rows - keep), 6), "mean_cosine_lost": lost / (rows - keep)}


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
        spacy_s, spacy_rss, _ = timed([args.spacy_python, "-m", "spacy", "init", "vectors", "en", args.vec,
                                       args.out / f"spacy-{label}", *extra])
        plait_s, plait_rss, said = timed([PLAIT, "init-vectors", "en", args.vec, args.out / f"plait-{label}", "--force", *extra])
        startup_s = timed([PLAIT, "init-vectors", "--help"])[0]
        result[label] = {"spacy_s": spacy_s, "plait_s": plait_s, "speedup": round(spacy_s / plait_s, 2),
                         "plait_conversion_s": float(re.search(r"; ([\d.]+) s$", said.strip()).group(1)),
                         "plait_startup_s": startup_s,
                         "spacy_peak_rss_kb": spacy_rss, "plait_peak_rss_kb": plait_rss,
                         "rss_ratio": round(plait_rss / spacy_rss, 2)}
    result["prune20000"]["plait_agreement"] = prune_agreement(args.out / "plait-plain", args.out / "plait-prune20000")
    result["plait_load_and_query"] = load_and_query(args.out / "plait-plain")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
