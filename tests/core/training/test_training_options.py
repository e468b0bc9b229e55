"""[training] options a user sets: annotating components, mixed precision, labels files, other encoders."""
from pathlib import Path

import srsly
import torch

from plait.core.config import load_config
from plait.core.training.initialize import init_nlp
from plait.core.training.trainer import train_while_improving

ROOT = Path(__file__).resolve().parents[3]
TRAIN, DEV = ROOT / "examples/data/train/ewt.conllu", ROOT / "examples/data/dev/ewt.conllu"


def setup(**overrides):
    base = {"paths.train": str(TRAIN), "paths.dev": str(DEV), "training.max_steps": 12,
            "training.eval_frequency": 6, "corpora.dev.limit": 5, "corpora.train.limit": 40}
    config = load_config(ROOT / "examples/configs/shared.cfg", {**base, **overrides}, interpolate=True)
    config["nlp"]["pipeline"] = ["tok2vec", "tagger"]
    config["training"]["score_weights"] = {"tag_acc": 1.0}
    return init_nlp(config)


def test_annotating_component_sets_predictions_during_training():
    nlp, plan = setup(**{"training.annotating_components": ["tagger"]})
    loaded = []
    original = plan.train_store.load
    plan.train_store.load = lambda refs: loaded.append(original(refs)) or loaded[-1]  # the examples trained on
    next(train_while_improving(nlp, plan))
    assert loaded and all(eg.predicted.has_annotation("TAG") for eg in loaded[0])


def test_mixed_precision_bf16_trains_on_cpu(bf16_cpu):
    nlp, plan = setup(**{"training.mixed_precision": True})
    records = [p for p in train_while_improving(nlp, plan) if p.scores]
    assert records and all(torch.isfinite(torch.tensor(v)) for r in records for v in r.losses.values())
    assert records[-1].scores["tag_acc"] > 0


def test_labels_file_fixes_the_label_set(tmp_path):
    labels = tmp_path / "tags.json"
    srsly.write_json(labels, ["NN", "NNP", "VB", "XX"])
    nlp, _ = setup(**{"initialize.components": {"tagger": {"labels": str(labels)}}})
    assert nlp.get_pipe("tagger").labels == ["NN", "NNP", "VB", "XX"]


def test_character_embed_and_bilstm_encoders_learn():
    char_embed = {"@architectures": "plait.CharacterEmbed.v1", "width": 32, "rows": 500, "n_chars": 6,
                  "char_width": 8, "feature": "NORM", "include_static_vectors": False}
    bilstm = {"@architectures": "plait.BiLSTMEncoder.v1", "width": 32, "depth": 1, "dropout": 0.0}
    nlp, plan = setup(**{"components.tok2vec.model.embed": char_embed, "components.tok2vec.model.encode": bilstm,
                         "components.tagger.model.tok2vec.width": 32, "training.max_steps": 30,
                         "training.eval_frequency": 10, "training.optimizer.learn_rate": 0.01})
    losses = [p.losses["tagger"] for p in train_while_improving(nlp, plan) if p.scores]
    assert losses[-1] < losses[0]


def test_use_averages_steps_a_moving_average_and_swaps_it_in():
    from plait.core.training.optimizers import adam
    from plait.core.training.step import train_step
    from plait.core.training.stepper import Stepper

    class Pull:
        """The squared distance of `weight` to the batch's one target."""

        def losses(self, batch, step):
            return {"head": ((weight - batch[0]) ** 2).sum()}

        def after_backward(self):
            pass

        def after_step(self):
            pass

    weight = torch.nn.Parameter(torch.zeros(3))
    stepper = Stepper(adam(learn_rate=0.1, use_averages=True), {"head": [weight]}, device=torch.device("cpu"),
                      loss_names=["head"])
    expected = None
    for step, target in enumerate([1.0, -2.0, 3.0], start=1):
        train_step(Pull(), [target], stepper, step=step - 1)
        decay = (1 + step) / (10 + step)
        expected = weight.detach().clone() if expected is None else decay * expected + (1 - decay) * weight.detach()
    last = weight.detach().clone()
    with stepper.averaged():
        assert torch.allclose(weight.detach(), expected) and not torch.allclose(weight.detach(), last)
    assert torch.equal(weight.detach(), last)
