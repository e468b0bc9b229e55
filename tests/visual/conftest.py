"""A short real training run of the example pipeline with every built-in logger plus a custom one, shared by the
report, logger and browser tests."""
import os

import pytest
from visual_cli import CUSTOM_LOGGER, EVERY, ROOT, STEPS, cli


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory) -> dict:
    """Train shared.cfg for 12 steps (an evaluation every 4) logging to console, JSONL, TensorBoard, MLflow (set
    and default), W&B (offline) and
    a custom logger from --code; returns the paths and the console output."""
    tmp = tmp_path_factory.mktemp("run")
    config = (ROOT / "examples/configs/shared.cfg").read_text() + f'''
[training.logger]
@loggers = "plait.MultiLogger.v1"

[training.logger.loggers]

[training.logger.loggers.console]
@loggers = "plait.ConsoleLogger.v1"

[training.logger.loggers.jsonl]
@loggers = "plait.JSONLLogger.v1"
path = "{tmp}/logs/log.jsonl"

[training.logger.loggers.tensorboard]
@loggers = "plait.TensorBoardLogger.v1"
log_dir = "{tmp}/tensorboard"

[training.logger.loggers.mlflow]
@loggers = "plait.MLflowLogger.v1"
experiment = "plait-test"
run_name = "short"
tracking_uri = "file://{tmp}/mlruns"

[training.logger.loggers.mlflow_defaults]
@loggers = "plait.MLflowLogger.v1"

[training.logger.loggers.wandb]
@loggers = "plait.WandbLogger.v1"
project = "plait-test"
run_name = "short"

[training.logger.loggers.custom]
@loggers = "test.StepFile.v1"
path = "{tmp}/steps.txt"
'''
    (tmp / "config.cfg").write_text(config)
    (tmp / "custom.py").write_text(CUSTOM_LOGGER)
    os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"  # a file store keeps the test free of a database server
    os.environ["WANDB_MODE"] = "offline"  # W&B writes its run files locally and never connects
    try:
        code, out, err = cli("train", tmp / "config.cfg", "--output", tmp / "out", "--code", tmp / "custom.py",
                             "--training.max_epochs", 1, "--training.max_steps", STEPS,
                             "--training.eval_frequency", EVERY,
                             "--paths.train", ROOT / "examples/data/train", "--paths.dev", ROOT / "examples/data/dev")
    finally:
        del os.environ["MLFLOW_ALLOW_FILE_STORE"], os.environ["WANDB_MODE"]
    assert code == 0, err
    return {"dir": tmp, "out": tmp / "out", "console": out, "evaluations": STEPS // EVERY}
