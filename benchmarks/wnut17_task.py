"""The `wnut17-ner` task of train_vs_spacy.py: WNUT-17 splits, and spaCy trained on them as its anchor trains.

The shared corpus holds train and dev only. Its dev file is the held-out test set here; the dev split is
carved from train deterministically: sentence i of train.conll (0-based, in file order) goes to dev when
i % 10 == 9, to train otherwise (3,055 train / 339 dev sentences). All three splits are rewritten as
`token<TAB>tag` lines with a blank line between sentences (the source marks some breaks with a lone TAB,
which spaCy's `ner` converter would not split on), and both tools read these same files.

spaCy's side repeats the anchor's procedure (../shared/anchors/spacy_baseline.py) for this corpus:
`spacy convert --converter ner -n 10`, `spacy init config -p ner -o efficiency`, `spacy train` with
evaluation only at the end, `spacy evaluate` of model-last on the test split.
"""
from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

SPACY_PY = Path("/tmp/spacy-anchor-venv/bin/python")
DEV_EVERY = 10  # one train sentence in ten goes to the carved dev split
KEEP = ("ents_f", "ents_p", "ents_r", "speed")


def read_sentences(path: Path) -> list[list[str]]:
    """Sentences of a WNUT-17 column file as lists of `token<TAB>tag` lines; blank or whitespace lines end one."""
    sents: list[list[str]] = [[]]
    for line in path.read_text(encoding="utf8").replace("\ufeff", "").splitlines():
        parts = line.split()
        if parts:
            sents[-1].append(f"{parts[0]}\t{parts[-1]}")
        elif sents[-1]:
            sents.append([])
    return [s for s in sents if s]


def write_sentences(sents: list[list[str]], path: Path) -> Path:
    path.write_text("".join("\n".join(s) + "\n\n" for s in sents), encoding="utf8")
    return path


def wnut17_splits(data: Path, work: Path) -> dict[str, Path]:
    """train/dev/test `.iob` files in `work`: dev carved from train (every tenth sentence), test = shipped dev."""
    work.mkdir(parents=True, exist_ok=True)
    train = read_sentences(data / "wnut17" / "train.conll")
    return {
        "train": write_sentences([s for i, s in enumerate(train) if i % DEV_EVERY != DEV_EVERY - 1],
                                 work / "wnut17-train.iob"),
        "dev": write_sentences([s for i, s in enumerate(train) if i % DEV_EVERY == DEV_EVERY - 1],
                               work / "wnut17-dev.iob"),
        "test": write_sentences(read_sentences(data / "wnut17" / "dev.conll"), work / "wnut17-test.iob"),
    }


def timed_train(cmd: list, files: dict[str, Path], epochs: int, work: Path) -> tuple[float, int]:
    """Run a `train` command (plait's or spaCy's) on `files` for `epochs`, evaluating only at the end, under
    /usr/bin/time: (wall seconds, peak RSS kB). Its output goes to work/train.log."""
    start = time.perf_counter()
    proc = subprocess.run(
        ["/usr/bin/time", "-v", *map(str, cmd), "--paths.train", str(files["train"]), "--paths.dev",
         str(files["dev"]), "--training.max_epochs", str(epochs), "--training.max_steps", "0",
         "--training.eval_frequency", "100000000", "--training.patience", "0"],
        capture_output=True, text=True)
    wall = time.perf_counter() - start
    (work / "train.log").write_text(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} training failed, see {work / 'train.log'}")
    return wall, int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))


def _spacy(*args: object, **kw: object) -> subprocess.CompletedProcess:
    return subprocess.run([str(SPACY_PY), "-m", "spacy", *map(str, args)], check=True, **kw)


def run_spacy_wnut17(files: dict[str, Path], epochs: int, work: Path) -> dict:
    """spaCy's efficiency NER trained on `files` for `epochs`, as the anchor trains: speed, memory, scores."""
    work.mkdir(parents=True, exist_ok=True)
    docs = {}
    for split, path in files.items():
        _spacy("convert", path, work, "--converter", "ner", "-n", "10", capture_output=True)
        docs[split] = work / f"{path.stem}.spacy"
    cfg = work / "config.cfg"
    _spacy("init", "config", cfg, "-l", "en", "-p", "ner", "-o", "efficiency", "--force", capture_output=True)
    wall, rss = timed_train([SPACY_PY, "-m", "spacy", "train", cfg, "--output", work / "model"],
                            docs, epochs, work)
    count = ("import sys, spacy\nfrom spacy.tokens import DocBin\n"
             "print(sum(len(d) for d in DocBin().from_disk(sys.argv[1]).get_docs(spacy.blank('en').vocab)))")
    words = int(subprocess.run([str(SPACY_PY), "-c", count, str(docs["train"])], check=True, capture_output=True,
                               text=True).stdout) * epochs
    metrics = work / "metrics.json"
    _spacy("evaluate", work / "model" / "model-last", docs["test"], "--output", metrics, capture_output=True)
    scores = json.loads(metrics.read_text())
    return {"tool": "spacy", "task": "wnut17-ner", "epochs": epochs, "train_wall_s": round(wall, 1),
            "train_words": words, "train_words_per_s": round(words / wall), "train_peak_rss_kb": rss,
            **{k: v for k, v in scores.items() if k in KEEP and v is not None}}
