"""One step for both ways of training: `plait train`'s loop and `nlp.update` take the same step (`train_step`)."""
import itertools

import torch

from plait.core.config import apply_overrides, interpolate_config
from plait.core.data.doc_store import DocStore
from plait.core.init_config import init_config
from plait.core.training.api import Optimizer
from plait.core.training.initialize import init_nlp
from plait.core.training.loop import epochs
from plait.core.training.trainer import Trainer, epoch_order

STEPS = 6


def tok2vec_tagger(fixtures_dir):
    """A tok2vec + listening tagger on the ewt sample (seeded: every call builds the same weights), dropout 0."""
    corpus = str(fixtures_dir / "ud-en-ewt-sample.conllu")
    config = apply_overrides(init_config(lang="en", pipeline=["tagger"]), {
        "paths.train": corpus, "paths.dev": corpus, "training.max_steps": STEPS, "training.eval_frequency": 1000,
        "training.max_epochs": 0, "training.dropout": 0.0, "training.optimizer.grad_clip": 0.5,
        "system.threads": 1})
    return init_nlp(interpolate_config(config))


def parameters(nlp) -> dict[str, torch.Tensor]:
    return {f"{name}.{key}": value.detach().clone() for name, component in nlp.components
            for key, value in component.model.named_parameters()}


def test_train_and_nlp_update_reach_bitwise_equal_weights(fixtures_dir):
    trained, plan = tok2vec_tagger(fixtures_dir)
    updated, same_plan = tok2vec_tagger(fixtures_dir)
    start = parameters(updated)
    assert all(torch.equal(start[k], v) for k, v in parameters(trained).items())

    for _ in Trainer(trained, plan).train():
        pass

    store = DocStore(updated.vocab, same_plan.train_corpus(updated))  # the batches the trainer took
    stream = epochs(lambda epoch: same_plan.batcher(store.refs(epoch_order(len(store), same_plan.seed, epoch))),
                    0, "empty")
    optimizer = Optimizer(updated, same_plan.optimizer)
    for _, batch, _ in itertools.islice(stream, STEPS):
        updated.update(store.load(batch), sgd=optimizer, drop=same_plan.dropout)

    assert optimizer.steps == STEPS
    a, b = parameters(trained), parameters(updated)
    assert a.keys() == b.keys()
    assert not any(torch.equal(start[k], b[k]) for k in b if k.startswith("tagger"))  # it did train
    different = [k for k in a if not torch.equal(a[k], b[k])]
    assert not different, different
