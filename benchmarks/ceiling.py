#!/usr/bin/env python3
"""How close plait's ewt tagger comes to the bare PyTorch model it runs: training and inference words/s of
both, in one process, and a profile of where plait's extra time goes. Prints one JSON line.

Usage (from the repo root, with ../shared beside it):
    .venv/bin/python benchmarks/ceiling.py [--epochs 2] [--threads N] [--profile-steps 300]

The ceiling is the efficiency tagger written as one plain module: 4 hashed embeddings (NORM, PREFIX, SUFFIX,
SHAPE; 5000/1000/2500/2500 rows, 4 seeds summed), maxout mix to 96 + layer norm, 4 residual window-1 maxout
blocks (3 pieces) + layer norm, linear to the tags, cross-entropy summed over tokens, Adam (lr 0.001, clip 1.0).
Its inputs (hash ids, tag ids) are computed once before the clock starts, and it trains on exactly plait's
batches (same epoch order, same batcher), so the gap is what plait's pipeline costs around the model:
docs to ids, listeners, targets, scheduling, annotation.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "ud-en-ewt"
ATTRS, ROWS, WIDTH, DEPTH, PIECES = ("NORM", "PREFIX", "SUFFIX", "SHAPE"), (5000, 1000, 2500, 2500), 96, 4, 3


def bare_model(n_tags: int):
    """The ceiling: the same layers as plait's efficiency tok2vec + tagger, as one plain torch module."""
    import torch
    from torch import nn

    class Maxout(nn.Module):
        def __init__(self, n_in: int, n_out: int) -> None:
            super().__init__()
            self.n_out, self.linear = n_out, nn.Linear(n_in, n_out * PIECES)

        def forward(self, x):  # candidates laid out piece by piece: the max over contiguous blocks is fastest
            return self.linear(x).view(len(x), PIECES, self.n_out).amax(1)

    class Tagger(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.tables = nn.ModuleList(nn.Embedding(rows, WIDTH) for rows in ROWS)
            self.mix, self.mix_norm = Maxout(WIDTH * len(ROWS), WIDTH), nn.LayerNorm(WIDTH)
            self.blocks = nn.ModuleList(Maxout(3 * WIDTH, WIDTH) for _ in range(DEPTH))
            self.norms = nn.ModuleList(nn.LayerNorm(WIDTH) for _ in range(DEPTH))
            self.output = nn.Linear(WIDTH, n_tags)

        def forward(self, ids, window):  # ids: (n_tokens, n_attrs, 4); window: (n_tokens, 3) rows, n = zero row
            bags = [nn.functional.embedding_bag(ids[:, i], t.weight, mode="sum") for i, t in enumerate(self.tables)]
            x = self.mix_norm(self.mix(torch.cat(bags, 1)))
            for block, norm in zip(self.blocks, self.norms):
                padded = torch.cat([x, x.new_zeros(1, WIDTH)])
                x = x + norm(block(padded[window].view(len(x), 3 * WIDTH)))
            return self.output(x)

    return Tagger()


def window_rows(lengths: list[int]) -> np.ndarray:
    """Each token's (left, self, right) row in the flat batch; `n_tokens` (the zero row) past a doc's edge."""
    n = sum(lengths)
    own = np.arange(n)
    starts = np.repeat(np.cumsum([0, *lengths[:-1]]), lengths)
    ends = starts + np.repeat(lengths, lengths)
    return np.stack([np.where(own > starts, own - 1, n), own, np.where(own + 1 < ends, own + 1, n)], 1)


def doc_inputs(docs, tag_ids: dict[str, int]):
    """Per doc: hash ids (n_tokens, n_attrs, 4) as plait's embeddings compute them, and tag ids."""
    from plait.models.embed import hash_ids

    out = []
    for doc in docs:
        ids = np.stack([hash_ids(doc.vocab.attr_column(doc.lex, a).astype(np.uint64), r, i)
                        for i, (a, r) in enumerate(zip(ATTRS, ROWS))], 1)
        out.append((ids, np.array([tag_ids.get(t, -100) for t in doc.strings_of("TAG")], dtype=np.int64)))
    return out


def plait_config(epochs: int, max_steps: int = 0):
    """The tagger config of `plait init-config --optimize efficiency`, on ud-en-ewt, evaluating only at the end."""
    import subprocess
    import tempfile

    from plait.core import config as config_lib

    path = Path(tempfile.mkdtemp()) / "tagger.cfg"
    subprocess.run([sys.executable, "-m", "plait", "init-config", str(path), "--pipeline", "tagger",
                    "--optimize", "efficiency"], check=True, capture_output=True, cwd=ROOT)
    return config_lib.load_config(path, {
        "paths.train": str(DATA / "train.conllu"), "paths.dev": str(DATA / "dev.conllu"),
        "training.max_epochs": epochs, "training.max_steps": max_steps, "training.eval_frequency": 10 ** 9,
        "training.patience": 0}, interpolate=True)


def train_plait(epochs: int):
    """plait's own trainer; words/s over its training time (evaluation excluded)."""
    from plait.core.training.initialize import init_nlp
    from plait.core.training.trainer import Trainer

    nlp, plan = init_nlp(plait_config(epochs))
    trainer = Trainer(nlp, plan)
    for _ in trainer.train():
        pass
    return nlp, plan, trainer.state.words / trainer.state.seconds, trainer.state.words


def profile_plait_training(steps: int) -> cProfile.Profile:
    """A profile of plait's training steps 2 to `steps` + 1 (a separate run: profiling slows what it watches;
    step 1 also reads the corpus)."""
    from plait.core.training.initialize import init_nlp
    from plait.core.training.trainer import Trainer

    nlp, plan = init_nlp(plait_config(0, steps + 1))
    trainer = Trainer(nlp, plan)
    profile = cProfile.Profile()
    for progress in trainer.train():
        if progress.step == 1:
            profile.enable()
        if progress.step == steps + 1:
            break
    profile.disable()
    return profile


def train_bare(nlp, plan, epochs: int):
    """The ceiling on plait's batches: the same docs in the same order and sizes."""
    import torch

    from plait.core.data.doc_store import DocStore
    from plait.core.training.trainer import epoch_order

    tagger = nlp.get_pipe("tagger")
    store = DocStore(nlp.vocab, plan.train_corpus(nlp))
    examples = list(store)
    inputs = doc_inputs([eg.reference for eg in examples], tagger._ids)
    model = bare_model(len(tagger.labels))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    words, seconds = 0, 0.0
    batcher = plan.batcher
    for epoch in range(epochs):
        order = epoch_order(len(store), plan.seed, epoch)
        for batch in batcher([_Sized(i, len(inputs[i][1])) for i in order]):
            start = time.perf_counter()
            ids = torch.from_numpy(np.concatenate([inputs[b.index][0] for b in batch]))
            gold = torch.from_numpy(np.concatenate([inputs[b.index][1] for b in batch]))
            window = torch.from_numpy(window_rows([len(b) for b in batch]))
            loss = torch.nn.functional.cross_entropy(model(ids, window), gold, ignore_index=-100, reduction="sum")
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            seconds += time.perf_counter() - start
            words += len(gold)
    return model, words / seconds, words


class _Sized:
    """A doc index with a length, as plait's batcher measures items."""

    def __init__(self, index: int, n: int) -> None:
        self.index, self.n = index, n

    def __len__(self) -> int:
        return self.n


def infer(nlp, model, batch_size: int, repeats: int):
    """Words/s of plait's `nlp.pipe` on copies of the test docs and of the ceiling (on groups of docs of at
    most plait's inference chunk of tokens, as plait's tok2vec runs), best of `repeats`; a profile of one
    plait pass."""
    import torch

    from plait.core.data.readers import read_docs
    from plait.models.tok2vec import INFERENCE_CHUNK

    docs = list(read_docs(DATA / "test.conllu", nlp.vocab))
    words = sum(len(d) for d in docs)
    inputs = doc_inputs(docs, {})
    batches: list[list] = [[]]
    for item in inputs:
        if batches[-1] and sum(len(b[1]) for b in batches[-1]) + len(item[1]) > INFERENCE_CHUNK:
            batches.append([])
        batches[-1].append(item)
    model.eval()
    best_plait = best_bare = float("inf")
    for _ in range(repeats):
        copies = [d.copy_tokens() for d in docs]
        start = time.perf_counter()
        for _ in nlp.pipe(copies, batch_size=batch_size):
            pass
        best_plait = min(best_plait, time.perf_counter() - start)
        start = time.perf_counter()
        with torch.inference_mode():
            for batch in batches:
                ids = torch.from_numpy(np.concatenate([b[0] for b in batch]))
                window = torch.from_numpy(window_rows([len(b[1]) for b in batch]))
                best = model(ids, window).argmax(-1).numpy()
                np.split(best, np.cumsum([len(b[1]) for b in batch])[:-1])
        best_bare = min(best_bare, time.perf_counter() - start)
    profile = cProfile.Profile()
    copies = [d.copy_tokens() for d in docs]
    profile.enable()
    for _ in nlp.pipe(copies, batch_size=batch_size):
        pass
    profile.disable()
    return words / best_plait, words / best_bare, profile


def top(profile: cProfile.Profile, n: int = 12) -> list[list]:
    """The `n` functions with the most own time: [function, own seconds, share of the profiled total]."""
    stats = pstats.Stats(profile, stream=io.StringIO())
    total = stats.total_tt or 1.0
    rows = sorted(((key, value[2]) for key, value in stats.stats.items()), key=lambda kv: -kv[1])[:n]
    return [[f"{Path(f).name}:{line}({name})", round(tt, 3), round(tt / total, 3)] for (f, line, name), tt in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: plait's default)")
    parser.add_argument("--profile-steps", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    import plait  # noqa: F401  (plait's thread defaults, as the CLI gets them)
    import torch

    from plait.runtime.threads import use_threads

    threads = use_threads(args.threads, training=True)
    torch.manual_seed(0)
    nlp, plan, plait_train, words = train_plait(args.epochs)
    nlp.threads = threads  # plait's inference on the bare model's thread count too
    model, bare_train, bare_words = train_bare(nlp, plan, args.epochs)
    plait_infer, bare_infer, infer_profile = infer(nlp, model, nlp.batch_size, args.repeats)
    train_profile = profile_plait_training(args.profile_steps)
    print(json.dumps({
        "epochs": args.epochs, "threads": torch.get_num_threads(), "train_words": [words, bare_words],
        "plait_train_words_per_s": round(plait_train), "ceiling_train_words_per_s": round(bare_train),
        "train_fraction": round(plait_train / bare_train, 3),
        "plait_infer_words_per_s": round(plait_infer), "ceiling_infer_words_per_s": round(bare_infer),
        "infer_fraction": round(plait_infer / bare_infer, 3),
        "train_profile_top": top(train_profile), "infer_profile_top": top(infer_profile)}))


if __name__ == "__main__":
    main()
