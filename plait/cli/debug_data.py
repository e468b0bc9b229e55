"""`plait debug-data`: check a config's training and dev corpora before training on them."""
from __future__ import annotations

from pathlib import Path

import typer
from tqdm import tqdm

from plait.cli._common import CODE_HELP, OVERRIDES, VERBOSE_HELP, import_code, load_config_with_overrides
from plait.cli.main import app
from plait.core.config import validate_config
from plait.core.debug_data import Report, analyse
from plait.core.errors import DataError
from plait.core.pipeline import Language
from plait.core.training.initialize import resolve_training


@app.command("debug-data", context_settings=OVERRIDES)
def debug_data(
    ctx: typer.Context,
    config_path: Path = typer.Argument(..., help="Training config ('-' for stdin).", allow_dash=True),
    code: Path = typer.Option(None, "--code", "-c", help=CODE_HELP),
    verbose: bool = typer.Option(False, "--verbose", "-V", help=VERBOSE_HELP),
) -> None:
    """Report on the corpora a config trains on: per component, label counts and annotation coverage;
    misaligned tokens, train/dev overlap, unseen dev labels, thin data. Exit 2 if the data cannot train."""
    import_code(code)
    config = load_config_with_overrides(config_path, ctx)
    validate_config(config)
    plan = resolve_training(config)
    nlp = Language.from_config(config, validate=False)
    train = tqdm(plan.train_corpus(nlp), desc="train", unit=" docs", disable=None, leave=False)
    dev = tqdm(plan.dev_corpus(nlp), desc="dev", unit=" docs", disable=None, leave=False)
    report = analyse(nlp, train, dev)
    typer.echo(format_report(report))
    if report.errors:
        raise DataError(report.errors[0] + (f" (and {len(report.errors) - 1} more problems above)"
                                            if len(report.errors) > 1 else ""))


def format_report(report: Report) -> str:
    lines = [f"train: {report.train.docs} docs, {report.train.tokens} tokens, {report.train.misaligned} "
             f"misaligned with the tokenizer",
             f"dev:   {report.dev.docs} docs, {report.dev.tokens} tokens, {report.dev.misaligned} misaligned; "
             f"{report.overlap} also in train"]
    for name, (kind, train, dev) in report.components.items():
        lines.append(f"\n[{name}] learns {kind}: {len(train.labels)} labels in train, {len(dev.labels)} in dev")
        lines.append(f"  train: {train.docs_with} docs / {train.tokens_with} tokens annotated, {train.docs_without} "
                     f"docs / {train.tokens_without} tokens without")
        lines.append(f"  dev:   {dev.docs_with} docs / {dev.tokens_with} tokens annotated, {dev.docs_without} "
                     f"docs / {dev.tokens_without} tokens without")
        for label, count in train.labels.most_common(20):
            lines.append(f"    {label:<24} {count:>8} train {dev.labels.get(label, 0):>8} dev")
        if len(train.labels) > 20:
            lines.append(f"    ... and {len(train.labels) - 20} more labels")
    lines += span_lines(report)
    lines.append("")
    lines += [f"warning: {w}" for w in report.warnings] + [f"problem: {e}" for e in report.errors]
    lines.append(f"{len(report.errors)} problems, {len(report.warnings)} warnings")
    return "\n".join(lines)


def span_lines(report: Report) -> list[str]:
    """Per span group key: spans, overlaps and lengths per label; per suggester: the gold spans it can propose."""
    lines = []
    for key, (train, dev) in report.span_groups.items():
        lines.append(f"\n[doc.spans[{key!r}]] train: {train.spans} spans in {train.docs} docs; dev: {dev.spans} spans "
                     f"in {dev.docs} docs")
        lines.append(f"  train: {train.overlapping} spans overlap another, {train.nested} inside a longer one, "
                     f"{train.same_tokens} on the same tokens as another; {train.i_starts} started by an I- tag")
        lengths = sorted(train.histogram.items())
        shown = ", ".join(f"{length}: {count}" for length, count in lengths[:12])
        lines.append(f"  span lengths (tokens: spans): {shown}{' ...' if len(lengths) > 12 else ''}")
        for label, stats in sorted(train.labels.items(), key=lambda item: -item[1].count)[:20]:
            lines.append(f"    {label:<24} {stats.count:>8} spans, length {stats.min} / {stats.mean:.1f} / "
                         f"{stats.max} (min / mean / max)")
        if len(train.labels) > 20:
            lines.append(f"    ... and {len(train.labels) - 20} more labels")
    for name, (train, dev) in report.suggesters.items():
        lines.append(f"\n[{name}] suggester proposes {100 * train.share:.1f}% of the train spans of "
                     f"doc.spans[{train.key!r}] ({train.proposed} of {train.gold}), {100 * dev.share:.1f}% of dev "
                     f"({dev.proposed} of {dev.gold})")
    return lines
