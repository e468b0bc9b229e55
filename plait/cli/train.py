"""`plait train`: train a pipeline from a config, printing a progress table and saving the best model."""
from __future__ import annotations

from pathlib import Path

import srsly
import typer
from tqdm import tqdm

from plait.cli._common import CODE_HELP, OVERRIDES, VERBOSE_HELP, import_code, load_config_with_overrides
from plait.cli.device import device_for
from plait.cli.main import app
from plait.core.training.initialize import init_nlp
from plait.core.training.loop import Progress, train_while_improving


@app.command("train", context_settings=OVERRIDES)
def train_command(
    ctx: typer.Context,
    config_path: Path = typer.Argument(..., help="Training config ('-' for stdin).", allow_dash=True),
    output: Path = typer.Option(None, "--output", "-o", help="Directory for model-best, model-last and metrics.jsonl."),
    code: Path = typer.Option(None, "--code", "-c", help=CODE_HELP),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU to train on (-1: CPU)."),
    verbose: bool = typer.Option(False, "--verbose", "-V", help=VERBOSE_HELP),
) -> None:
    """Train the pipeline a config describes; `--section.key value` overrides settings.

    The whole config is validated and every component built before any data is read. Exit codes:
    0 success, 2 bad config or data, 1 internal error.
    """
    import_code(code)
    config = load_config_with_overrides(config_path, ctx)
    device = device_for(gpu_id)
    nlp, plan = init_nlp(config, device=device)
    typer.echo(f"pipeline {nlp.pipe_names} on {device}; frozen {plan.frozen_components or 'none'}", err=True)
    table = _Table([n for n, c in nlp.pipeline if hasattr(c, "get_loss") and n not in plan.frozen_components],
                   [c.score_key for _, c in nlp.pipeline if hasattr(c, "score_key")])
    typer.echo(table.header())
    if output is not None:
        output.mkdir(parents=True, exist_ok=True)
        (output / "metrics.jsonl").unlink(missing_ok=True)
    bar = tqdm(total=plan.eval_frequency, desc="steps", leave=False, disable=None)
    for progress in train_while_improving(nlp, plan, device=device):
        bar.update(1)
        if progress.scores is None:
            continue
        bar.close()
        typer.echo(table.row(progress))
        if output is not None:
            _append_metrics(output / "metrics.jsonl", progress)
            if progress.is_best:
                nlp.to_disk(output / "model-best")
        bar = tqdm(total=plan.eval_frequency, desc="steps", leave=False, disable=None)
    bar.close()
    if output is not None:
        nlp.to_disk(output / "model-last")
        typer.echo(f"saved {output / 'model-best'} and {output / 'model-last'}", err=True)


def _append_metrics(path: Path, progress: Progress) -> None:
    record = {"epoch": progress.epoch, "step": progress.step, "words": progress.words,
              "seconds": round(progress.seconds, 3), "losses": progress.losses, "score": progress.score,
              "is_best": progress.is_best, "scores": progress.scores}
    srsly.write_jsonl(path, [record], append=True, append_new_line=False)


class _Table:
    """Fixed-width rows: epoch, step, one loss per component, one score per component, combined score, speed."""

    def __init__(self, loss_names: list[str], score_keys: list[str]) -> None:
        self.loss_names, self.score_keys = loss_names, score_keys
        self.columns = ["E", "#"] + [f"LOSS {n.upper()}" for n in loss_names] + [k.upper() for k in score_keys] + \
                       ["SCORE", "WORDS/S"]
        self.widths = [max(len(c), 6) for c in self.columns]

    def header(self) -> str:
        head = "  ".join(c.rjust(w) for c, w in zip(self.columns, self.widths))
        return f"{head}\n{'  '.join('-' * w for w in self.widths)}"

    def row(self, p: Progress) -> str:
        scores = p.scores or {}
        cells = [str(p.epoch), str(p.step)]
        cells += [f"{p.losses.get(n, 0.0):.2f}" for n in self.loss_names]
        cells += [f"{100 * scores[k]:.2f}" if scores.get(k) is not None else "-" for k in self.score_keys]
        cells += [f"{100 * (p.score or 0):.2f}", f"{p.words / p.seconds:.0f}" if p.seconds else "-"]
        return "  ".join(c.rjust(w) for c, w in zip(cells, self.widths))
