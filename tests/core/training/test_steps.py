"""The shared step loop (`run_steps`) as `plait train` drives it."""
import gc

from plait.core.config import apply_overrides, interpolate_config
from plait.core.init_config import init_config
from plait.core.training.initialize import init_nlp
from plait.core.training.trainer import train_while_improving
from plait.core.training.objective import PipelineObjective


def tagger_run(fixtures_dir, steps: int):
    """A small tagger's training run on the ewt sample, evaluating every 2 steps (not started yet)."""
    corpus = str(fixtures_dir / "ud-en-ewt-sample.conllu")
    config = apply_overrides(init_config(lang="en", pipeline=["tagger"]), {
        "paths.train": corpus, "paths.dev": corpus, "training.max_steps": steps, "training.eval_frequency": 2,
        "training.max_epochs": 0})
    return train_while_improving(*init_nlp(interpolate_config(config)))


def test_training_steps_run_with_the_long_lived_heap_frozen_out_of_the_collector(fixtures_dir, monkeypatch):
    seen = []
    losses = PipelineObjective.losses

    def spy(objective, examples, step):
        seen.append(gc.get_freeze_count())
        return losses(objective, examples, step)

    monkeypatch.setattr(PipelineObjective, "losses", spy)
    list(tagger_run(fixtures_dir, 3))
    assert len(seen) == 3 and min(seen) > 0  # during every step
    assert gc.get_freeze_count() == 0


def test_a_run_dropped_between_steps_leaves_nothing_frozen(fixtures_dir):
    run = tagger_run(fixtures_dir, 10)
    next(run)  # paused after an evaluation, never finished or closed
    assert gc.get_freeze_count() == 0
