"""The shared harness for trainable components: train through the real trainer, then save, load, compare."""
import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest

import plait
from plait.core.config import apply_overrides, interpolate_config
from plait.core.init_config import init_config
from plait.core.pipeline import Language
from plait.core.training.initialize import init_nlp
from plait.core.training.trainer import Progress, train_while_improving

# A small shared encoder keeps each test to a few seconds on CPU.
SMALL_TOK2VEC = {
    "components.tok2vec.model.embed.width": 32, "components.tok2vec.model.encode.width": 32,
    "components.tok2vec.model.encode.depth": 2, "components.tok2vec.model.embed.rows": [2000, 500, 500, 500],
}


@dataclass
class Run:
    """A pipeline trained by the real trainer and the Progress records the trainer yielded."""

    nlp: Language
    records: list[Progress]

    def losses(self, name: str) -> list[float]:
        """The component's loss summed over each evaluation window, in order."""
        return [r.losses[name] for r in self.records if r.scores is not None]

    @property
    def scores(self) -> dict[str, Any]:
        """The dev scores of the last evaluation."""
        return [r.scores for r in self.records if r.scores is not None][-1]


def _independent(config: Any) -> Any:
    """The same pipeline with each listener replaced by its own copy of the shared tok2vec block."""
    encoder = config["components"].pop("tok2vec")["model"]
    for block in config["components"].values():
        if block.get("model", {}).get("tok2vec", {}).get("@architectures") == "plait.Tok2VecListener.v1":
            block["model"]["tok2vec"] = copy.deepcopy(encoder)
    config["nlp"]["pipeline"] = [n for n in config["nlp"]["pipeline"] if n != "tok2vec"]
    return config


def _train(pipeline: list[str], train_path: Path, dev_path: Path, *, steps: int,
           overrides: dict[str, Any] | None = None, independent: bool = False) -> Run:
    config = init_config(lang="en", pipeline=pipeline)
    if independent:
        config = _independent(apply_overrides(config, SMALL_TOK2VEC))
    settings = {"paths.train": str(train_path), "paths.dev": str(dev_path), "training.max_steps": steps,
                "training.eval_frequency": 5, "training.max_epochs": 0, "training.optimizer.learn_rate": 0.01,
                "training.dropout": 0.0}
    if "tok2vec" in config["nlp"]["pipeline"]:
        settings.update(SMALL_TOK2VEC)
        for name in config["nlp"]["pipeline"][1:]:
            if "tok2vec" in config["components"][name].get("model", {}):
                settings[f"components.{name}.model.tok2vec.width"] = 32
    config = interpolate_config(apply_overrides(config, {**settings, **(overrides or {})}))
    nlp, plan = init_nlp(config)
    return Run(nlp, list(train_while_improving(nlp, plan)))


@pytest.fixture
def train_pipeline() -> Callable[..., Run]:
    """Train a generated config (small encoder, learn rate 0.01, evaluation every 5 steps) for `steps` steps;
    `independent=True` gives each component its own copy of the encoder instead of a listener."""
    return _train


@pytest.fixture
def round_trip(tmp_path: Path) -> Callable[[Language, list[str], Callable[[Any], Any]], Language]:
    """Save `nlp`, load it back, and check `read(doc)` is identical for every text; returns the loaded pipeline."""
    def check(nlp: Language, texts: list[str], read: Callable[[Any], Any]) -> Language:
        nlp.to_disk(tmp_path / "model")
        loaded = plait.load(tmp_path / "model")
        assert loaded.pipe_names == nlp.pipe_names
        before = [read(doc) for doc in nlp.pipe(texts)]
        after = [read(doc) for doc in loaded.pipe(texts)]
        assert after == before
        return loaded
    return check
