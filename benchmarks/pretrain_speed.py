#!/usr/bin/env python3
"""Pretraining speed: `plait pretrain` against `spacy pretrain` (characters objective, same tok2vec, same raw
text, same batch size), run alternately; prints one JSON object.

Usage (repo root, ../shared beside it; spaCy in the anchor's venv):
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/pretrain_speed.py [--words 150000] [--rounds 2]

Both tools use their efficiency tagger config with the pretraining defaults added (tok2vec width 96, depth 4,
NORM/PREFIX/SUFFIX/SHAPE hash rows 5000/1000/2500/2500; characters objective, hidden 300, maxout 3;
batches of 3000 words), one epoch over the first `--words` words of the raw text of
benchmarks/pretrain_usefulness.py. spaCy's `n_characters = 4` predicts 4 bytes of each token (2 leading,
2 trailing), plait's `n_characters = 4` 8 bytes (4 and 4): plait is timed both at its default and at
`n_characters = 2`, which predicts as many bytes as spaCy's default. Each run is timed end to end, and a
start-up run (plait: one text; spaCy: `max_epochs = 0`) is subtracted to give the loop's tokens/s.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from pretrain_usefulness import raw_texts, write_raw

PLAIT = Path(sys.executable).with_name("plait")


def timed(cmd: list[object]) -> float:
    start = time.perf_counter()
    subprocess.run([str(c) for c in cmd], check=True, capture_output=True)
    return time.perf_counter() - start


def tokens_in_log(path: Path, key: str) -> int:
    return max(json.loads(line)[key] for line in path.read_text(encoding="utf8").splitlines() if line.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--words", type=int, default=150_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("/tmp/plait-pretrain-speed"))
    parser.add_argument("--spacy-python", type=Path, default=Path("/tmp/spacy-anchor-venv/bin/python"))
    args = parser.parse_args()
    work, py = args.out, args.spacy_python
    work.mkdir(parents=True, exist_ok=True)
    texts, words = [], 0
    for text in raw_texts():
        if words >= args.words:
            break
        texts.append(text)
        words += len(text.split())
    raw = work / "raw.jsonl"
    write_raw(raw, texts)
    plait_cfg, spacy_base, spacy_cfg = work / "plait.cfg", work / "spacy-base.cfg", work / "spacy.cfg"
    subprocess.run([PLAIT, "init-config", plait_cfg, "--pipeline", "tagger", "--pretraining", "--force"], check=True,
                   capture_output=True)
    subprocess.run([py, "-m", "spacy", "init", "config", spacy_base, "-l", "en", "-p", "tagger", "-o", "efficiency",
                    "--force"], check=True, capture_output=True)
    subprocess.run([py, "-m", "spacy", "init", "fill-config", spacy_base, spacy_cfg, "--pretraining"], check=True,
                   capture_output=True)

    def plait_run(n_characters: int):
        def command(out: Path, startup: bool) -> list[object]:
            return [PLAIT, "pretrain", plait_cfg, out, "--overwrite", "--paths.raw", raw, "--pretraining.max_epochs", 1,
                    "--pretraining.objective.n_characters", n_characters, "--corpora.pretrain.limit", int(startup)]
        return command, "words"

    def spacy_command(out: Path, startup: bool) -> list[object]:
        return [py, "-m", "spacy", "pretrain", spacy_cfg, out, "--paths.raw_text", raw, "--pretraining.max_epochs",
                int(not startup)]

    tools = {"plait": plait_run(4), "plait_4_bytes": plait_run(2), "spacy": (spacy_command, "nr_word")}
    runs: dict[str, list[dict]] = {name: [] for name in tools}
    for round_ in range(args.rounds):
        for name, (command, key) in tools.items():
            startup = timed(command(work / f"{name}-startup-{round_}", True))
            out = work / f"{name}-{round_}"
            total = timed(command(out, False))
            tokens = tokens_in_log(out / "log.jsonl", key)
            runs[name].append({"seconds": round(total, 2), "startup_seconds": round(startup, 2), "tokens": tokens,
                               "loop_tokens_per_second": round(tokens / (total - startup), 1),
                               "end_to_end_words_per_second": round(words / total, 1)})
    summary = {name: {key: round(sum(r[key] for r in rs) / len(rs), 1)
                      for key in ("loop_tokens_per_second", "end_to_end_words_per_second")}
               for name, rs in runs.items()}
    ratios = {f"{name}/spacy": {key: round(value / summary["spacy"][key], 2) for key, value in summary[name].items()}
              for name in ("plait", "plait_4_bytes")}
    print(json.dumps({"texts": len(texts), "words": words, "rounds": args.rounds, "runs": runs, "mean": summary,
                      "ratios": ratios}))


if __name__ == "__main__":
    main()
