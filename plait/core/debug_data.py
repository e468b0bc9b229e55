"""What `plait debug-data` reports about a config's corpora, per component, before any training.

For each component: label counts, documents and tokens with and without its annotation, dev labels never
seen in training; for the corpora: sizes, tokens the pipeline's tokenizer splits differently from the gold
tokens, dev documents whose text is also in the training data; per span group key (`doc.spans[KEY]`) span
counts, lengths per label, overlaps and `I-` tags read as starts, and for a component with a `suggester` block
(spancat) the share of gold spans the suggester can propose at all. Problems that make training impossible are
errors; thin data is a warning.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

import numpy as np

from plait.core.config import resolve_block
from plait.core.span_stats import Coverage as SuggesterCoverage, GroupStats, observe_doc
from plait.core.suggesters import Suggester

if TYPE_CHECKING:
    from plait.core.data.example import Example
    from plait.core.pipeline import Language

LOW_LABEL_COUNT = 20  # fewer training examples of a label than this: a warning
LOW_DOC_COUNT = 200  # fewer annotated training documents than this: a warning
LOW_SUGGESTER_COVERAGE = 0.95  # a suggester proposing a smaller share of the training gold spans: a warning
MISALIGNED_PROBLEM = 0.5  # a larger share of training tokens the tokenizer does not reproduce: a problem
# what each trainable factory learns from: a token column, entities, sentence starts, cats, a parse, span groups
_ANNOTATION = {"tagger": "column", "morphologizer": "MORPH", "senter": "SENT_START", "ner": "ents",
               "textcat": "cats", "textcat_multilabel": "cats", "parser": "HEAD", "spancat": "spans",
               "spancat_singlelabel": "spans"}
_SPANS_KEY = "sc"  # spaCy's default span group of a spancat


@dataclass
class Coverage:
    """One component's view of one corpus."""

    labels: Counter = field(default_factory=Counter)
    docs_with: int = 0
    docs_without: int = 0
    tokens_with: int = 0
    tokens_without: int = 0


@dataclass
class CorpusStats:
    docs: int = 0
    tokens: int = 0
    misaligned: int = 0  # gold tokens whose character span is not a token of the pipeline's tokenization
    texts: set = field(default_factory=set)


@dataclass
class Report:
    components: dict[str, tuple[str, Coverage, Coverage]]  # name -> (what it learns, train, dev)
    train: CorpusStats
    dev: CorpusStats
    overlap: int = 0
    span_groups: dict[str, tuple[GroupStats, GroupStats]] = field(default_factory=dict)  # key -> (train, dev)
    suggesters: dict[str, tuple[SuggesterCoverage, SuggesterCoverage]] = field(default_factory=dict)  # component
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def annotated_components(nlp: "Language") -> dict[str, str]:
    """Trainable components and the annotation each learns from (e.g. {"tagger": "TAG", "ner": "ents"})."""
    out = {}
    blocks = nlp.config["components"]
    for name in nlp.component_names:
        kind = _ANNOTATION.get(blocks[name].get("factory"))
        if kind == "column":
            kind = blocks[name].get("column", "TAG")  # the tagger's filled block names its column
        elif kind == "spans":
            kind = f"spans:{blocks[name].get('spans_key', _SPANS_KEY)}"
        if kind:
            out[name] = kind
    return out


def _observe(doc: Any, kind: str, coverage: Coverage) -> None:
    n = len(doc)
    if kind == "cats":
        has = bool(doc.cats)
        coverage.labels.update(label for label, value in doc.cats.items() if value >= 0.5)
        tokens = n if has else 0
    elif kind == "ents":
        mask = doc.columns["ENT_IOB"] != 0 if "ENT_IOB" in doc.columns else np.zeros(n, bool)
        tokens, has = int(mask.sum()), bool(mask.any())
        if has:
            coverage.labels.update(e.label_ for e in doc.ents)
    elif kind.startswith("spans:"):
        group = doc.spans.get(kind[len("spans:"):], ())
        mask = np.zeros(n, bool)
        for span in group:
            mask[span.start:span.end] = True
        tokens, has = int(mask.sum()), bool(group)
        coverage.labels.update(span.label_ for span in group)
    elif kind == "SENT_START":
        mask = doc.columns["SENT_START"] != 0 if kind in doc.columns else np.zeros(n, bool)
        tokens, has = int(mask.sum()), bool(mask.any())
    else:
        column = "DEP" if kind == "HEAD" else kind
        values = doc.columns[column] if column in doc.columns else np.zeros(n, np.uint64)
        mask = values != 0
        strings = doc.vocab.strings
        coverage.labels.update(strings[int(k)] for k in values[mask].tolist())
        tokens, has = int(mask.sum()), bool(mask.any())
    coverage.docs_with += has
    coverage.docs_without += not has
    coverage.tokens_with += tokens
    coverage.tokens_without += n - tokens


def suggesters(nlp: "Language") -> dict[str, tuple[str, Suggester]]:
    """Components whose block has a `suggester` block (spancat and the like): name -> (the span group key they
    learn, the suggester built from the block; errors name components.NAME.suggester)."""
    out = {}
    for name in nlp.component_names:
        block = nlp.config["components"][name]
        if isinstance(block.get("suggester"), dict):
            key = block.get("spans_key", _SPANS_KEY)
            out[name] = (key, resolve_block(block["suggester"], f"components.{name}.suggester"))
    return out


def _misaligned(eg: "Example") -> int:
    gold, predicted = eg.reference, eg.predicted
    spans = set(zip(predicted.offsets.tolist(), (predicted.offsets + [len(w) for w in predicted.words]).tolist()))
    ends = gold.offsets + np.fromiter(map(len, gold.words), dtype=np.int64, count=len(gold))
    return sum((s, e) not in spans for s, e in zip(gold.offsets.tolist(), ends.tolist()))


def analyse(nlp: "Language", train: Iterable["Example"], dev: Iterable["Example"]) -> Report:
    """Read both corpora once (streamed) and collect the report."""
    kinds = annotated_components(nlp)
    report = Report({name: (kind, Coverage(), Coverage()) for name, kind in kinds.items()}, CorpusStats(),
                    CorpusStats())
    proposers = suggesters(nlp)
    report.suggesters = {name: (SuggesterCoverage(key), SuggesterCoverage(key)) for name, (key, _) in proposers.items()}
    groups: tuple[dict[str, GroupStats], dict[str, GroupStats]] = ({}, {})
    for which, examples in ((0, train), (1, dev)):
        stats = report.dev if which else report.train
        for eg in examples:
            stats.docs += 1
            stats.tokens += len(eg.reference)
            stats.misaligned += _misaligned(eg)
            text = eg.reference.text
            if which == 0:
                stats.texts.add(text)
            elif text in report.train.texts:
                report.overlap += 1
            for name, (kind, train_cov, dev_cov) in report.components.items():
                _observe(eg.reference, kind, dev_cov if which else train_cov)
            observe_doc(eg.reference, groups[which])
            for name, (_, suggest) in proposers.items():
                report.suggesters[name][which].observe(eg.reference, suggest)
    report.span_groups = {key: (groups[0].get(key, GroupStats()), groups[1].get(key, GroupStats()))
                          for key in sorted(set(groups[0]) | set(groups[1]))}
    _judge(report)
    return report


def _judge(report: Report) -> None:
    if not report.train.docs:
        report.errors.append("corpora.train: the training corpus holds no documents")
    if not report.dev.docs:
        report.errors.append("corpora.dev: the dev corpus holds no documents")
    for which, stats in (("train", report.train), ("dev", report.dev)):
        if stats.misaligned:
            _judge_misaligned(report, which, stats)
    if report.overlap:
        report.warnings.append(f"{report.overlap} dev documents also appear in the training data: dev scores "
                               "will look better than they are")
    _judge_spans(report)
    for name, (kind, train, dev) in report.components.items():
        what = {"ents": "entity", "cats": "category", "SENT_START": "sentence boundary",
                "HEAD": "dependency"}.get(kind, "span" if kind.startswith("spans:") else kind)
        if report.train.docs and not train.docs_with:
            report.errors.append(f"components.{name}: no training document has {what} annotation")
            continue
        if kind == "cats" and name.startswith("textcat") and 0 < len(train.labels) < 2:
            report.warnings.append(f"components.{name}: only one category ({next(iter(train.labels))}) is ever "
                                   "positive in the training data")
        if train.docs_with < LOW_DOC_COUNT:
            report.warnings.append(f"components.{name}: only {train.docs_with} training documents have {what} "
                                   f"annotation (fewer than {LOW_DOC_COUNT})")
        rare = sorted(label for label, count in train.labels.items() if count < LOW_LABEL_COUNT)
        if rare:
            report.warnings.append(f"components.{name}: {len(rare)} labels have fewer than {LOW_LABEL_COUNT} "
                                   f"training examples: {', '.join(rare[:10])}{' ...' if len(rare) > 10 else ''}")
        unseen = sorted(set(dev.labels) - set(train.labels))
        if unseen:
            report.warnings.append(f"components.{name}: {len(unseen)} labels in dev never occur in training: "
                                   f"{', '.join(unseen[:10])}{' ...' if len(unseen) > 10 else ''}")


def untrainable(nlp: "Language", examples: Iterable["Example"]) -> list[str]:
    """What stops a component of `nlp` from learning from `examples`: one problem a component, naming it."""
    return [problem for problem in analyse(nlp, examples, ()).errors if problem.startswith("components.")]


def _judge_spans(report: Report) -> None:
    for key, (train, dev) in report.span_groups.items():
        for corpus, stats in (("train", train), ("dev", dev)):
            if stats.i_starts:
                report.warnings.append(f"doc.spans[{key!r}]: {stats.i_starts} spans in {corpus} start with an I- tag "
                                       "(read as starts, as IOB readers do); check the IOB2 files")
    for name, (train, _) in report.suggesters.items():
        if train.gold and train.share < LOW_SUGGESTER_COVERAGE:
            report.warnings.append(
                f"components.{name}.suggester: proposes only {100 * train.share:.1f}% of the training spans of "
                f"doc.spans[{train.key!r}] ({train.proposed} of {train.gold}); it can never predict the others")


def _judge_misaligned(report: Report, which: str, stats: CorpusStats) -> None:
    """Gold tokens the pipeline's tokenizer does not reproduce lose their annotation in training: a warning,
    and a problem when they are most of the training data (a language the tokenizer does not segment)."""
    message = (f"corpora.{which}: {stats.misaligned} of {stats.tokens} gold tokens "
               f"({100 * stats.misaligned / max(stats.tokens, 1):.1f}%) are not tokens of the pipeline's tokenizer, "
               "so their annotation is not learned or scored")
    if which == "train" and stats.misaligned > MISALIGNED_PROBLEM * stats.tokens:
        report.errors.append(message + "; train on the corpus's own tokens "
                                       "(--corpora.train.gold_preproc true) or use a tokenizer for this language")
    else:
        report.warnings.append(message)


def unknown_gold_labels(nlp: "Language", examples: Iterable["Example"]) -> dict[str, tuple[Counter, int]]:
    """Per component whose labels the gold annotation names the same way (not the morphologizer's POS plus
    features, not sentence starts): the gold labels it does not know with their counts, and the number of gold
    labels counted. What `plait evaluate` checks before scoring (a textcat's pos/neg gold against 0/1)."""
    kinds = {name: kind for name, kind in annotated_components(nlp).items() if kind not in ("MORPH", "SENT_START")}
    gold = {name: Coverage() for name in kinds}
    for eg in examples:
        for name, kind in kinds.items():
            _observe(eg.reference, kind, gold[name])
    out = {}
    for name, coverage in gold.items():
        known = set(getattr(nlp.get_pipe(name), "labels", ()))
        unknown = Counter({label: n for label, n in coverage.labels.items() if label not in known})
        out[name] = (unknown, sum(coverage.labels.values()))
    return out
