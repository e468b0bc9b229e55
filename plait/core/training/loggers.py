"""Training loggers: what `[training.logger]` names. Each gets a setup call, then every evaluation's record (the
line train writes to metrics.jsonl), then a finish call."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import srsly
from tqdm import tqdm

from plait.core.errors import ConfigError


@dataclass
class RunInfo:
    """What a logger knows before the first evaluation."""

    components: list[str]  # the components that report a loss
    score_keys: list[str]  # the headline score of each scoring component
    output: Path | None  # the run's output directory (None when train has no --output)


class Logger:
    """The logger protocol; subclass it (and register a builder under `@loggers`) for a custom logger."""

    def setup(self, info: RunInfo) -> None:
        """Called once, before training starts."""

    def log(self, record: dict[str, Any]) -> None:
        """Called at every evaluation with the step's record."""

    def finish(self) -> None:
        """Called once when training ends, also when it fails."""


def scalars(record: dict[str, Any]) -> dict[str, float]:
    """The record's numbers under flat names: loss/NAME, score, scores/KEY, learn_rate[/GROUP], words."""
    out: dict[str, float] = {f"loss/{k}": float(v) for k, v in (record.get("losses") or {}).items()}
    if isinstance(record.get("score"), (int, float)):
        out["score"] = float(record["score"])
    for key, value in (record.get("scores") or {}).items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out[f"scores/{key}"] = float(value)
    rate = record.get("learn_rate")
    if isinstance(rate, dict):
        out.update({f"learn_rate/{k}": float(v) for k, v in rate.items()})
    elif isinstance(rate, (int, float)):
        out["learn_rate"] = float(rate)
    out["words"] = float(record.get("words") or 0)
    return out


class ConsoleLogger(Logger):
    """The progress table on stdout: epoch, step, loss per component, each headline score, score, words/s."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def setup(self, info: RunInfo) -> None:
        self.losses, self.keys = info.components, info.score_keys
        columns = ["E", "#"] + [f"LOSS {n.upper()}" for n in self.losses] + [k.upper() for k in self.keys] + \
                  ["SCORE", "WORDS/S"]
        self.widths = [max(len(c), 6) for c in columns]
        self._write("  ".join(c.rjust(w) for c, w in zip(columns, self.widths)))
        self._write("  ".join("-" * w for w in self.widths))

    def log(self, record: dict[str, Any]) -> None:
        scores, losses, seconds = record.get("scores") or {}, record.get("losses") or {}, record.get("seconds") or 0
        cells = [str(record.get("epoch", "-")), str(record["step"])]
        cells += [f"{losses.get(n, 0.0):.2f}" for n in self.losses]
        cells += [f"{100 * scores[k]:.2f}" if isinstance(scores.get(k), (int, float)) else "-" for k in self.keys]
        cells += [f"{100 * (record.get('score') or 0):.2f}", f"{record['words'] / seconds:.0f}" if seconds else "-"]
        self._write("  ".join(c.rjust(w) for c, w in zip(cells, self.widths)))

    def _write(self, line: str) -> None:
        tqdm.write(line, file=self.stream or sys.stdout)  # above any progress bar, which stays intact


class JSONLLogger(Logger):
    """Every record as one JSON line of `path` (the file is started afresh by each run)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def setup(self, info: RunInfo) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text("", encoding="utf8")

    def log(self, record: dict[str, Any]) -> None:
        srsly.write_jsonl(self.path, [record], append=True, append_new_line=False)


class TensorBoardLogger(Logger):
    """Scalars (losses, scores, learning rate) at each evaluation's step, as TensorBoard event files in `log_dir`."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.writer: Any = None

    def setup(self, info: RunInfo) -> None:
        from torch.utils.tensorboard import SummaryWriter

        self.writer = SummaryWriter(log_dir=str(self.log_dir))

    def log(self, record: dict[str, Any]) -> None:
        for name, value in scalars(record).items():
            self.writer.add_scalar(name, value, global_step=record["step"])
        self.writer.flush()

    def finish(self) -> None:
        if self.writer is not None:
            self.writer.close()


class MLflowLogger(Logger):
    """Metrics (losses, scores, learning rate) at each evaluation's step in an MLflow run. It holds its own client
    and run rather than MLflow's process-wide active run, so two such loggers (or a user's own run) do not clash."""

    def __init__(self, experiment: str, run_name: str | None, tracking_uri: str | None) -> None:
        self.experiment, self.run_name, self.tracking_uri = experiment, run_name, tracking_uri
        self.client: Any = None
        self.run_id: str | None = None

    def setup(self, info: RunInfo) -> None:
        from mlflow.tracking import MlflowClient

        uri = self.tracking_uri or os.environ.get("MLFLOW_TRACKING_URI")
        if not uri:
            # MLflow's own default is a SQLite database, which mlflow-skinny cannot open: a file store beside the
            # run's output (or in the working directory) works with every MLflow install
            os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
            uri = (info.output or Path.cwd()).resolve().joinpath("mlruns").as_uri()
        self.client = MlflowClient(uri)
        found = self.client.get_experiment_by_name(self.experiment)
        experiment_id = found.experiment_id if found else self.client.create_experiment(self.experiment)
        run = self.client.create_run(experiment_id, run_name=self.run_name,
                                     tags={"plait.components": ",".join(info.components)})
        self.run_id = run.info.run_id

    def log(self, record: dict[str, Any]) -> None:
        # MLflow metric names allow letters, digits, _ - . / and spaces
        for name, value in scalars(record).items():
            self.client.log_metric(self.run_id, name.replace(":", "_"), value, step=record["step"])

    def finish(self) -> None:
        if self.run_id is not None:
            self.client.set_terminated(self.run_id)
            self.run_id = None


class WandbLogger(Logger):
    """Metrics at each evaluation's step, and the run's settings, in a Weights & Biases run (offline runs too:
    `WANDB_MODE=offline`)."""

    def __init__(self, project: str, run_name: str | None, entity: str | None) -> None:
        self.project, self.run_name, self.entity = project, run_name, entity
        self.run: Any = None

    def setup(self, info: RunInfo) -> None:
        import wandb

        self.run = wandb.init(project=self.project, name=self.run_name, entity=self.entity,
                              dir=str(info.output) if info.output else None,
                              config={"components": info.components, "scores": info.score_keys})

    def log(self, record: dict[str, Any]) -> None:
        self.run.log(scalars(record), step=record["step"])

    def finish(self) -> None:
        if self.run is not None:
            self.run.finish()


class MultiLogger(Logger):
    """Several loggers at once, called in order."""

    def __init__(self, loggers: list[Logger]) -> None:
        self.loggers = loggers

    def setup(self, info: RunInfo) -> None:
        for logger in self.loggers:
            logger.setup(info)

    def log(self, record: dict[str, Any]) -> None:
        for logger in self.loggers:
            logger.log(record)

    def finish(self) -> None:
        errors = []
        for logger in self.loggers:
            try:
                logger.finish()
            except Exception as err:  # finish every logger; report the first failure after
                errors.append(err)
        if errors:
            raise errors[0]


def _needs(module: str, extra: str, name: str) -> None:
    """ConfigError (at config time, before training) when an optional extra a logger needs is not installed."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise ConfigError(f"training.logger: {name} needs the {module} package: pip install 'plait[{extra}]'")


def create_console_logger() -> Logger:
    """`plait.ConsoleLogger.v1`: the progress table (the default)."""
    return ConsoleLogger()


def create_jsonl_logger(*, path: str) -> Logger:
    """`plait.JSONLLogger.v1`: one JSON line per evaluation in `path`."""
    return JSONLLogger(Path(path))


def create_tensorboard_logger(*, log_dir: str) -> Logger:
    """`plait.TensorBoardLogger.v1`: TensorBoard event files in `log_dir` (needs plait[tensorboard])."""
    _needs("tensorboard", "tensorboard", "plait.TensorBoardLogger.v1")
    return TensorBoardLogger(Path(log_dir))


def create_mlflow_logger(*, experiment: str = "plait", run_name: str | None = None,
                         tracking_uri: str | None = None) -> Logger:
    """`plait.MLflowLogger.v1`: an MLflow run in `experiment` (needs plait[mlflow])."""
    _needs("mlflow", "mlflow", "plait.MLflowLogger.v1")
    return MLflowLogger(experiment, run_name, tracking_uri)


def create_wandb_logger(*, project: str = "plait", run_name: str | None = None,
                        entity: str | None = None) -> Logger:
    """`plait.WandbLogger.v1`: a Weights & Biases run in `project` (needs plait[wandb])."""
    _needs("wandb", "wandb", "plait.WandbLogger.v1")
    return WandbLogger(project, run_name, entity)


def create_multi_logger(*, loggers: dict[str, Any]) -> Logger:
    """`plait.MultiLogger.v1`: every logger of `[training.logger.loggers.*]`, in order."""
    for name, logger in loggers.items():
        checked(logger, f"training.logger.loggers.{name}")
    return MultiLogger(list(loggers.values()))


def checked(logger: Any, where: str) -> Logger:
    """`logger` if it has callable setup, log and finish methods; ConfigError naming `where` otherwise."""
    missing = [m for m in ("setup", "log", "finish") if not callable(getattr(logger, m, None))]
    if missing:
        raise ConfigError(f"{where}: not a logger ({type(logger).__name__} has no {missing[0]}() method; "
                          f"subclass plait.core.training.loggers.Logger)")
    return logger

