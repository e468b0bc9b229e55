#!/usr/bin/env python3
"""A UD treebank from raw text, plait against spaCy 3.8, side by side: one JSON line per tool.

Usage (from the repo root, with ../shared beside it and spaCy in /tmp/spacy-anchor-venv):
    .venv/bin/python benchmarks/ud_raw.py TREEBANK [--tools spacy,plait] [--steps 600] [--out /tmp/ud-raw-bench]
    .venv/bin/python benchmarks/ud_raw.py de_gsd --steps 10 --limit 50        # a smoke run, seconds

TREEBANK is de_gsd, fr_gsd, zh_gsdsimp or ja_gsd (../shared/data/ud-multi: trained on dev.conllu, scored on
test.conllu) or en_ewt (../shared/data/ud-en-ewt: trained on train.conllu). The protocol is
../shared/anchors/spacy_ud_raw.py's, which runs spaCy: the last tenth of the training file's sentences is the dev
set, 600 steps evaluated every 200, model-best annotates the test file's raw text (documents by `# newdoc`, else
every 10 sentences; sentences joined by one space) and ../shared/anchors/ud_eval.py scores the output. plait runs
the same way: `plait init-config -l LANG -p tagger,morphologizer,parser,trainable_lemmatizer` (fr_gsd without the
tagger: the treebank has no XPOS) with plait's rule tokenizer for LANG, `plait train`, then `nlp.pipe` over the
same texts and plait's CoNLL-U writer. Each line: train seconds (the whole train command), annotation words/s
(`nlp.pipe` only) and the evaluation script's F1 for Tokens, Sentences, Words, UPOS, XPOS, UFeats, Lemmas, UAS and
LAS. --limit N keeps the first N sentences of both files (for smoke runs only; the figures mean nothing then).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
ANCHORS = SHARED / "anchors"
SPACY_PY = Path("/tmp/spacy-anchor-venv/bin/python")
PIPELINE = "tagger,morphologizer,parser,trainable_lemmatizer"
METRICS = ("Tokens", "Sentences", "Words", "UPOS", "XPOS", "UFeats", "Lemmas", "UAS", "LAS")
EVAL_FREQUENCY = 200  # as the spaCy anchor


def treebank_files(name: str) -> tuple[str, Path, Path]:
    """(language, training file, test file) of a treebank name."""
    if name == "en_ewt":
        folder = SHARED / "data" / "ud-en-ewt"
        return "en", folder / "train.conllu", folder / "test.conllu"
    folder = SHARED / "data" / "ud-multi" / name
    if not folder.is_dir():
        sys.exit(f"error: {name}: no treebank at {folder}")
    return name.split("_")[0], folder / "dev.conllu", folder / "test.conllu"


def sentence_blocks(path: Path) -> list[str]:
    """The sentences of a CoNLL-U file, comments included, as the anchor splits them (at blank lines)."""
    return [block for block in path.read_text(encoding="utf8").split("\n\n") if block.strip()]


def write_blocks(blocks: list[str], dest: Path) -> Path:
    dest.write_text("\n\n".join(b.strip("\n") for b in blocks) + "\n\n", encoding="utf8")
    return dest


def ud_eval(gold: Path, system: Path) -> dict:
    """The evaluation script's F1 per metric (as the anchor reads them)."""
    out = subprocess.run([sys.executable, ANCHORS / "ud_eval.py", "-v", gold, system], capture_output=True, text=True)
    if out.returncode != 0:
        return {"eval_error": out.stderr.strip().splitlines()[-1:]}
    rows = {}
    for line in out.stdout.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if len(parts) >= 4 and parts[0] in METRICS:
            rows[parts[0]] = float(parts[3])
    return rows


def run_spacy(lang: str, train: Path, test: Path, out: Path, steps: int) -> dict:
    proc = subprocess.run([SPACY_PY, ANCHORS / "spacy_ud_raw.py", lang, train, test, out, "--max-steps", str(steps)],
                          capture_output=True, text=True)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {"tool": "spacy", "error": (proc.stderr or proc.stdout)[-300:]}


def run_plait(lang: str, train: Path, test: Path, out: Path, steps: int) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    blocks = sentence_blocks(train)
    cut = len(blocks) * 9 // 10
    train_part = write_blocks(blocks[:cut], out / "train.conllu")
    dev_part = write_blocks(blocks[cut:], out / "dev.conllu")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    plait = [sys.executable, "-m", "plait"]
    pipeline = PIPELINE.replace("tagger,", "") if lang == "fr" else PIPELINE
    cfg = out / "config.cfg"
    subprocess.run([*plait, "init-config", cfg, "-l", lang, "-p", pipeline, "--optimize", "efficiency", "--force"],
                   check=True, capture_output=True, env=env)
    start = time.perf_counter()
    proc = subprocess.run([*plait, "train", cfg, "--output", out / "model", "--paths.train", train_part,
                           "--paths.dev", dev_part, "--training.max_steps", str(steps), "--training.max_epochs", "0",
                           "--training.eval_frequency", str(EVAL_FREQUENCY), "--training.patience", "0"],
                          capture_output=True, text=True, env=env)
    train_s = time.perf_counter() - start
    (out / "train.log").write_text(proc.stdout + proc.stderr, encoding="utf8")
    if proc.returncode != 0:
        return {"tool": "plait", "lang": lang, "error": (proc.stderr or proc.stdout)[-300:]}
    sys.path.insert(0, str(ROOT))
    import plait as plait_lib
    from plait.core.data.conllu_write import conllu_lines
    from plait.core.ud_raw import raw_documents, read_gold

    nlp = plait_lib.load(out / "model" / "model-best")
    texts = raw_documents(read_gold(test))
    start = time.perf_counter()
    docs = list(nlp.pipe(texts))
    infer_s = time.perf_counter() - start
    system = out / "system.conllu"
    system.write_text("\n".join(conllu_lines(docs)) + "\n", encoding="utf8")
    words = sum(len(doc) for doc in docs)
    return {"tool": "plait", "lang": lang, "pipeline": pipeline, "train_s": round(train_s, 1),
            "words_per_s": round(words / infer_s), **ud_eval(test, system)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("treebank", help="de_gsd, fr_gsd, zh_gsdsimp, ja_gsd or en_ewt")
    parser.add_argument("--tools", default="spacy,plait", help="Comma-separated: spacy, plait (run in that order).")
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--limit", type=int, default=0, help="Keep only the first N sentences of each file (smoke).")
    parser.add_argument("--out", type=Path, default=Path("/tmp/ud-raw-bench"))
    args = parser.parse_args()
    lang, train, test = treebank_files(args.treebank)
    out = args.out / args.treebank
    if args.limit:
        (out / "data").mkdir(parents=True, exist_ok=True)
        train = write_blocks(sentence_blocks(train)[:args.limit], out / "data" / "train.conllu")
        test = write_blocks(sentence_blocks(test)[:args.limit], out / "data" / "test.conllu")
    runners = {"spacy": run_spacy, "plait": run_plait}
    for tool in args.tools.split(","):
        record = runners[tool](lang, train, test, out / tool, args.steps)
        record.update(treebank=args.treebank, steps=args.steps, limit=args.limit or None,
                      omp_num_threads=os.environ.get("OMP_NUM_THREADS"))
        print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
