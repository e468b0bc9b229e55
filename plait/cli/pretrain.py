"""`plait pretrain`: train a pipeline's tok2vec on raw text before `plait train`, saving its weights."""
from __future__ import annotations

import re
from pathlib import Path

import srsly
import typer
from tqdm import tqdm

from plait.cli._common import CODE_HELP, OVERRIDES, VERBOSE_HELP, import_code, load_config_with_overrides
from plait.cli.device import device_for
from plait.cli.main import app
from plait.core.errors import UserError
from plait.core.training.pretrain import PretrainProgress, init_pretraining, pretrain
from plait.core.training.subnetwork import load_subnetwork_weights, save_weights

_EPOCH_FILE = re.compile(r"model(\d+)\.safetensors$")


@app.command("pretrain", context_settings=OVERRIDES)
def pretrain_command(
    ctx: typer.Context,
    config_path: Path = typer.Argument(..., help="Config with a [pretraining] section ('-' for stdin).",
                                       allow_dash=True),
    output_dir: Path = typer.Argument(..., help="Directory for model{N}.safetensors, model-last.safetensors and "
                                                "log.jsonl."),
    code: Path = typer.Option(None, "--code", "-c", help=CODE_HELP),
    resume_path: Path = typer.Option(None, "--resume-path", "-r", help="Weights file to continue from."),
    epoch_resume: int = typer.Option(None, "--epoch-resume", help="Epoch to continue with (default: N + 1 "
                                                                         "for a file named modelN.safetensors)."),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU to train on (-1: CPU)."),
    verbose: bool = typer.Option(False, "--verbose", "-V", help=VERBOSE_HELP),
) -> None:
    """Pretrain the subnetwork [pretraining] names (component, layer) on raw text with its objective.

    Weights are saved after each epoch and every n_save_every batches; load them in `plait train` with
    `--paths.init_tok2vec FILE`. `--resume-path` restores the subnetwork's weights (the objective's head and
    the optimizer start afresh). Exit codes: 0 success, 2 bad config or data, 1 internal error.
    """
    import_code(code)
    config = load_config_with_overrides(config_path, ctx)
    start_epoch = _start_epoch(resume_path, epoch_resume)
    device = device_for(gpu_id)
    nlp, module, objective, plan = init_pretraining(config, device=device)
    if resume_path is not None:
        load_subnetwork_weights(module, resume_path, plan.where, "--resume-path")
    output_dir.mkdir(parents=True, exist_ok=True)
    log_path = output_dir / "log.jsonl"
    if resume_path is None:
        log_path.unlink(missing_ok=True)
    typer.echo(f"pretraining {plan.where} ({sum(p.numel() for p in module.parameters()):,} weights) on {device}, "
               f"from epoch {start_epoch}", err=True)
    typer.echo(f"{'EPOCH':>5}  {'BATCHES':>8}  {'WORDS':>10}  {'LOSS':>8}  {'WORDS/S':>8}")
    last = _Since()
    bar = tqdm(desc=f"epoch {start_epoch}", unit="batch", leave=False, disable=None)
    for progress in pretrain(nlp, module, objective, plan, start_epoch=start_epoch):
        if progress.end_of_epoch:
            bar.close()
            record = last.record(progress)
            typer.echo(f"{progress.epoch:>5}  {progress.step:>8}  {progress.words:>10}  {record['loss']:>8.4f}  "
                       f"{record['words_per_second']:>8.0f}")
            srsly.write_jsonl(log_path, [record], append=True, append_new_line=False)
            final = plan.max_epochs and progress.epoch == plan.max_epochs - 1
            if not plan.n_save_epoch or progress.epoch % plan.n_save_epoch == 0 or final:
                save_weights(module, output_dir / f"model{progress.epoch}.safetensors")
            save_weights(module, output_dir / "model-last.safetensors")
            bar = tqdm(desc=f"epoch {progress.epoch + 1}", unit="batch", leave=False, disable=None)
            continue
        bar.update(1)
        bar.set_postfix(loss=f"{progress.loss:.4f}", refresh=False)
        last.add(progress)
        if plan.n_save_every and progress.step % plan.n_save_every == 0:
            srsly.write_jsonl(log_path, [last.record(progress)], append=True, append_new_line=False)
            save_weights(module, output_dir / "model-last.safetensors")
    bar.close()
    typer.echo(f"saved {output_dir / 'model-last.safetensors'}", err=True)


def _start_epoch(resume_path: Path | None, epoch_resume: int | None) -> int:
    """The epoch to start with: 0, --epoch-resume, or N + 1 for a resumed file named modelN.safetensors."""
    if resume_path is None:
        if epoch_resume is not None:
            raise UserError("--epoch-resume: only used with --resume-path")
        return 0
    if epoch_resume is not None:
        if epoch_resume < 0:
            raise UserError(f"--epoch-resume: must be >= 0, not {epoch_resume}")
        return epoch_resume
    match = _EPOCH_FILE.search(resume_path.name)
    if match is None:
        raise UserError(f"--resume-path {resume_path}: the epoch is not in the file name (modelN.safetensors); "
                        "pass --epoch-resume N")
    return int(match.group(1)) + 1


class _Since:
    """Loss and speed since the last log record."""

    def __init__(self) -> None:
        self.loss = 0.0
        self.batches = self.words = 0
        self.seconds = 0.0

    def add(self, progress: PretrainProgress) -> None:
        self.loss += progress.loss
        self.batches += 1

    def record(self, progress: PretrainProgress) -> dict:
        words, seconds = progress.words - self.words, progress.seconds - self.seconds
        out = {"epoch": progress.epoch, "step": progress.step, "words": progress.words,
               "loss": round(self.loss / max(self.batches, 1), 6),
               "words_per_second": round(words / seconds, 1) if seconds else 0.0,
               "seconds": round(progress.seconds, 3)}
        self.loss, self.batches, self.words, self.seconds = 0.0, 0, progress.words, progress.seconds
        return out
