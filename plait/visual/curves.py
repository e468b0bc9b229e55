"""Training curves from per-evaluation records (the lines of metrics.jsonl): what each chart of a report plots."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from plait.core.data.jsonl import read_json_lines
from plait.core.errors import DataError

# the learning rate is read from this record key (a number, or one number per component)
LEARN_RATE_KEY = "learn_rate"


@dataclass
class Series:
    """One line: a value per evaluation (None where missing), with the step and training seconds of each."""

    name: str
    steps: list[int]
    seconds: list[float]
    values: list[float | None]
    run: int = 0  # index of the run it comes from, for colours when runs are overlaid


@dataclass
class Chart:
    title: str
    series: list[Series] = field(default_factory=list)
    best: list[tuple[int, float, int]] = field(default_factory=list)  # (step, seconds, run) of each run's best


@dataclass
class Run:
    name: str
    records: list[dict[str, Any]]

    @property
    def best(self) -> dict[str, Any] | None:
        """The last record flagged best (the one model-best holds)."""
        flagged = [r for r in self.records if r.get("is_best")]
        return flagged[-1] if flagged else None


def read_run(path: Path) -> Run:
    """The records of a training output directory (its metrics.jsonl) or of a metrics file itself."""
    path = Path(path)
    file = path / "metrics.jsonl" if path.is_dir() else path
    if not file.is_file():
        raise DataError(f"{file}:1: no metrics file (is {path} a `plait train --output` directory?)")
    records = []
    for number, record in read_json_lines(file):
        if not isinstance(record, dict):
            raise DataError(f"{file}:{number}: expected a JSON object, found {type(record).__name__}")
        if not isinstance(record.get("step"), int):
            raise DataError(f"{file}:{number}: expected an object with an integer \"step\"")
        records.append(record)
    name = path.name if path.is_dir() else path.parent.name or path.stem
    return Run(name, records)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _series(name: str, records: list[dict[str, Any]], run: int, get) -> Series:
    return Series(name, [r["step"] for r in records], [float(r.get("seconds") or 0.0) for r in records],
                  [_number(get(r)) for r in records], run)


def _speeds(records: list[dict[str, Any]]) -> list[float | None]:
    """Training words per second over each interval between evaluations."""
    speeds, words, seconds = [], 0, 0.0
    for r in records:
        dw, ds = (r.get("words") or 0) - words, float(r.get("seconds") or 0.0) - seconds
        speeds.append(dw / ds if ds > 0 else None)
        words, seconds = r.get("words") or 0, float(r.get("seconds") or 0.0)
    return speeds


def charts(runs: Sequence[Run]) -> list[Chart]:
    """Loss per component, the combined score, every numeric score, training words/s and the learning rate;
    a chart holds one series per run (and per component) and is left out when no run has values for it."""
    out: dict[str, Chart] = {}

    def add(title: str, series: Series) -> None:
        if any(v is not None for v in series.values):
            out.setdefault(title, Chart(title)).series.append(series)

    for i, run in enumerate(runs):
        records = run.records
        prefix = f"{run.name} " if len(runs) > 1 else ""
        for component in dict.fromkeys(k for r in records for k in (r.get("losses") or {})):
            add("loss", _series(f"{prefix}{component}", records, i, lambda r, c=component: (r.get("losses") or {}).get(c)))
        add("score", _series(f"{prefix}score", records, i, lambda r: r.get("score")))
        for key in dict.fromkeys(k for r in records for k in (r.get("scores") or {})):
            add("dev words/s (speed)" if key == "speed" else key, _series(f"{prefix}{key}", records, i, lambda r, k=key: (r.get("scores") or {}).get(k)))
        speed = _series(f"{prefix}words/s", records, i, lambda r: None)
        speed.values = _speeds(records)
        add("training words/s", speed)
        rates = [r.get(LEARN_RATE_KEY) for r in records]
        groups = dict.fromkeys(k for v in rates if isinstance(v, dict) for k in v)
        for group in groups or [None]:
            label = f"{prefix}{group or 'learn rate'}"
            add("learning rate", _series(label, records, i, lambda r, g=group: (r.get(LEARN_RATE_KEY) or {}).get(g)
                                         if g else r.get(LEARN_RATE_KEY)))
        best = run.best
        if best is not None:
            for chart in out.values():
                if any(s.run == i for s in chart.series):
                    chart.best.append((best["step"], float(best.get("seconds") or 0.0), i))
    return list(out.values())
