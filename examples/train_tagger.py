"""A custom training loop through plait's public API: a tagger on the example CoNLL-U sample.

    python examples/train_tagger.py        # prints the loss per epoch, then the dev scores
"""
import random
from pathlib import Path

import torch

import plait

DATA = Path(__file__).parent / "data"


def train(train_path=DATA / "train/ewt.conllu", dev_path=DATA / "dev/ewt.conllu", epochs=3, seed=0):
    """Train `epochs` passes in batches of 8 docs; returns the pipeline, the losses per epoch and the dev scores."""
    random.seed(seed), torch.manual_seed(seed)
    nlp = plait.blank("en")
    nlp.add_pipe("tagger")  # with init-config's default model
    train_set, dev_set = plait.read_corpus(train_path, nlp), plait.read_corpus(dev_path, nlp)
    optimizer = nlp.initialize(lambda: train_set)
    history = []
    for _ in range(epochs):
        random.shuffle(train_set)
        losses = {}
        for start in range(0, len(train_set), 8):
            nlp.update(train_set[start:start + 8], sgd=optimizer, losses=losses, drop=0.1)
        history.append(losses["tagger"])
    return nlp, history, nlp.evaluate(dev_set)


if __name__ == "__main__":
    _, history, scores = train()
    print("losses per epoch:", [round(x, 1) for x in history], "dev tag_acc:", round(scores["tag_acc"], 4))
