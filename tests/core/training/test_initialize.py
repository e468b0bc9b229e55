"""Initialization: `plait train` validates the config once and moves the pipeline to its device once."""
from pathlib import Path

from cli_run import run

from plait.core import config as config_lib
from plait.core.pipeline import Language

ROOT = Path(__file__).resolve().parents[3]


def test_train_validates_the_config_once_and_moves_the_pipeline_once(capsys, tmp_path, monkeypatch):
    calls = []
    validate, to = config_lib.validate_config, Language.to

    def counted_validate(config):
        calls.append("validate")
        return validate(config)

    def counted_to(nlp, device):
        calls.append("to")
        return to(nlp, device)

    monkeypatch.setattr(config_lib, "validate_config", counted_validate)
    monkeypatch.setattr(Language, "to", counted_to)
    code, _, err = run(capsys, "train", ROOT / "examples/configs/shared.cfg", "--paths.train",
                       ROOT / "examples/data/train", "--paths.dev", ROOT / "examples/data/dev",
                       "--training.max_steps", "2", "--training.eval_frequency", "2",
                       "--corpora.dev.limit", "5")
    assert code == 0, err
    assert calls == ["validate", "to"]
