"""`plait evaluate`: score a saved pipeline on an annotated corpus."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

import srsly
import typer

import plait
from plait.cli._common import CODE_HELP, VERBOSE_HELP, import_code, output_file, write_text_atomic
from plait.cli.device import device_for
from plait.cli.main import app
from plait.core.component_defaults import reported_scores
from plait.core.data.corpus import Corpus
from plait.core.debug_data import unknown_gold_labels
from plait.core.errors import UserError
from plait.core.training.evaluate import predict, score
from plait.core.ud_raw import evaluate_raw, read_gold
from plait.core.ud_read import UDFile
from plait.core.ud_score import METRICS
from plait.visual.render import render_evaluation


@app.command("evaluate")
def evaluate_command(
    model: Path = typer.Argument(..., help="A pipeline directory (e.g. training/model-best)."),
    data: Path = typer.Argument(..., help="Annotated corpus in any format plait reads, or a directory."),
    output: Path = typer.Option(None, "--output", "-o", help="Write the scores to this JSON file.",
                                callback=output_file),
    html: Path = typer.Option(None, "--html", help="Write gold and prediction side by side to this HTML file.",
                              callback=output_file),
    gold_preproc: bool = typer.Option(False, "--gold-preproc", "-G", help="Use the corpus's own tokens."),
    raw: bool = typer.Option(False, "--raw", help="Annotate the raw text of a CoNLL-U file and score it as the "
                             "CoNLL 2018 UD evaluation does: tokens, sentences, words, tags, lemmas, arcs."),
    output_conllu: Path = typer.Option(None, "--output-conllu", help="With --raw: write the system CoNLL-U here.",
                                       callback=output_file),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU to run on (-1: CPU)."),
    code: Path = typer.Option(None, "--code", "-c", help=CODE_HELP),
    verbose: bool = typer.Option(False, "--verbose", "-V", help=VERBOSE_HELP),
) -> None:
    """Score a pipeline on annotated data: a table per component and, with --output, spaCy-style JSON keys.
    With --raw, score it on a CoNLL-U file's raw text: UD's tokens, sentences, words, tags, lemmas and arcs."""
    if raw or output_conllu is not None:
        _check_raw_options(data, raw, gold_preproc, html, output_conllu)
    gold = read_gold(data) if raw else None  # read and checked before the model loads
    import_code(code)
    nlp = plait.load(model).to(device_for(gpu_id))
    if gold is not None:
        _evaluate_raw(nlp, gold, output, output_conllu)
        return
    examples = list(Corpus(data, gold_preproc=gold_preproc)(nlp))
    _check_gold_labels(nlp, examples, data)
    scored, seconds = predict(nlp, examples, show_progress=True)
    scores = score(nlp, scored, seconds)
    components = nlp.config["components"]
    keys = reported_scores(components[name]["factory"] for name, _ in nlp.pipeline)
    keys += [key for key in scores if key not in keys and key != "speed"]  # named by a setting (spans_KEY_f)
    for key in keys:
        if scores.get(key) is not None and not isinstance(scores[key], dict):
            typer.echo(f"{key.upper():<14}{100 * scores[key]:>8.2f}")
    typer.echo(f"{'SPEED':<14}{scores['speed']:>8.0f}")
    for key in keys:
        if isinstance(scores.get(key), dict) and scores[key]:
            typer.echo(_per_label_table(scores[key]))
    if output is not None:
        write_text_atomic(output, srsly.json_dumps(scores, indent=2) + "\n")
        typer.echo(f"wrote {output}", err=True)
    if html is not None:
        write_text_atomic(html, render_evaluation(scored, scores, keys,
                                                  title=f"plait evaluate: {model.name} on {data.name}"))
        typer.echo(f"wrote {html}", err=True)


def _check_raw_options(data: Path, raw: bool, gold_preproc: bool, html: Path | None,
                       output_conllu: Path | None) -> None:
    """--raw reads a CoNLL-U file and writes no HTML; --output-conllu only comes with it."""
    if not raw:
        raise UserError("--output-conllu: only with --raw")
    if not data.exists():
        raise UserError(f"{data}: file not found")
    if data.is_dir() or data.suffix != ".conllu":
        what = "a folder" if data.is_dir() else f"a {data.suffix or 'plain'} file"
        raise UserError(f"{data}: --raw scores a CoNLL-U file (.conllu), not {what}")
    for flag, value in (("--gold-preproc", gold_preproc), ("--html", html)):
        if value:
            raise UserError(f"{flag}: not with --raw")


def _evaluate_raw(nlp: Any, gold: UDFile, output: Path | None, output_conllu: Path | None) -> None:
    """Print and write the UD scores of the pipeline on the gold file's raw text."""
    result = evaluate_raw(nlp, gold)
    scores = result.scores
    typer.echo(f"{'UD':<14}{'P':>8}{'R':>8}{'F':>8}")
    for metric in METRICS:
        typer.echo(f"{metric.upper():<14}" + "".join(f"{100 * scores[f'ud_{metric}_{k}']:>8.2f}" for k in "prf"))
    typer.echo(f"{'SPEED':<14}{scores['speed']:>8.0f}")
    if output_conllu is not None:
        write_text_atomic(output_conllu, result.conllu)
        typer.echo(f"wrote {output_conllu}", err=True)
    if output is not None:
        write_text_atomic(output, srsly.json_dumps(scores, indent=2) + "\n")
        typer.echo(f"wrote {output}", err=True)


def _check_gold_labels(nlp: Any, examples: list[Any], data: Path) -> None:
    """Warn, with counts, about each component's gold labels the model does not know (a textcat's pos/neg
    against the model's 0/1 scores nothing), naming the model's labels when it knows none of them."""
    for name, (unknown, total) in unknown_gold_labels(nlp, examples).items():
        if unknown:
            known = "" if sum(unknown.values()) < total else \
                f"; it knows {_some(map(repr, nlp.get_pipe(name).labels))}"
            typer.echo(f"warning: {data}: {sum(unknown.values())} of {total} gold labels of components.{name} are "
                       f"unknown to the model: {_counts(unknown)}{known}", err=True)


def _counts(labels: Any) -> str:
    return _some(f"{label!r} x{count}" for label, count in labels.most_common())


def _some(items: Iterable[str], most: int = 5) -> str:
    items = list(items)
    return ", ".join(items[:most]) + (f" and {len(items) - most} more" if len(items) > most else "")


def _per_label_table(per_label: dict[str, Any]) -> str:
    rows = [f"\n{'LABEL':<20}{'P':>8}{'R':>8}{'F':>8}"]
    for label, prf in per_label.items():
        rows.append(f"{label:<20}{100 * prf['p']:>8.2f}{100 * prf['r']:>8.2f}{100 * prf['f']:>8.2f}")
    return "\n".join(rows)
