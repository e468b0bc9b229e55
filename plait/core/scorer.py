"""Scores for evaluation, named as spaCy names them (fractions in [0, 1])."""
from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, Iterable, Sequence

import numpy as np

if TYPE_CHECKING:
    from plait.core.data.example import Example


class PRF:
    """Precision, recall and F-score from counts of true positives, false positives and false negatives."""

    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0

    def add(self, predicted: set, gold: set) -> None:
        self.tp += len(predicted & gold)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def fscore(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, float]:
        return {"p": self.precision, "r": self.recall, "f": self.fscore}


def score_token_attr(examples: Iterable[Example], column: str) -> float | None:
    """Accuracy of a per-token string column over tokens with gold values aligned one-to-one."""
    correct = total = 0
    for eg in examples:
        gold = eg.get_aligned(column)
        predicted = eg.predicted.strings_of(column)
        for p, g in zip(predicted, gold):
            if g:
                total += 1
                correct += p == g
    return correct / total if total else None


def score_sents(examples: Iterable[Example]) -> dict[str, float]:
    """Sentence-boundary P/R/F over sentence spans, compared by character offsets."""
    prf = PRF()
    for eg in examples:
        prf.add(_sent_chars(eg.predicted), _sent_chars(eg.reference))
    return {"sents_p": prf.precision, "sents_r": prf.recall, "sents_f": prf.fscore}


def _sent_chars(doc: Any) -> set[tuple[int, int]]:
    return {(s.start_char, s.end_char) for s in doc.sents}


def score_ents(examples: Iterable[Example]) -> dict[str, Any]:
    """Entity P/R/F, overall and per type, by exact character span and label, over docs annotated for entities."""
    total, per_type = PRF(), defaultdict(PRF)
    for eg in examples:
        if not eg.reference.has_annotation("ENT_IOB"):
            continue  # no entity annotation in this doc (e.g. a treebank sentence in a mixed corpus)
        pred = {(e.start_char, e.end_char, e.label_) for e in eg.predicted.ents}
        gold = {(e.start_char, e.end_char, e.label_) for e in eg.reference.ents}
        total.add(pred, gold)
        for label in {x[2] for x in pred | gold}:
            per_type[label].add({x for x in pred if x[2] == label}, {x for x in gold if x[2] == label})
    if not total.tp + total.fp + total.fn:  # no entity in gold or predictions: nothing to score (as spaCy)
        return {"ents_p": None, "ents_r": None, "ents_f": None, "ents_per_type": {}}
    return {"ents_p": total.precision, "ents_r": total.recall, "ents_f": total.fscore,
            "ents_per_type": {k: v.to_dict() for k, v in sorted(per_type.items())}}


def score_spans(examples: Iterable[Example], key: str) -> dict[str, Any]:
    """Span group P/R/F as spaCy scores a spancat (`spans_{key}_p/r/f`, `spans_{key}_per_type`): labelled exact
    matches of (start, end, label) by character offsets, overlapping and nested spans allowed, each counted once,
    over the docs whose reference has the group `key`."""
    prefix = f"spans_{key}"
    total, per_type = PRF(), defaultdict(PRF)
    for eg in examples:
        if key not in eg.reference.spans:
            continue  # the doc is not annotated for this group
        pred = {(s.start_char, s.end_char, s.label_) for s in eg.predicted.spans.get(key, ())}
        gold = {(s.start_char, s.end_char, s.label_) for s in eg.reference.spans[key]}
        total.add(pred, gold)
        for label in {x[2] for x in pred | gold}:
            per_type[label].add({x for x in pred if x[2] == label}, {x for x in gold if x[2] == label})
    if not total.tp + total.fp + total.fn:
        return {f"{prefix}_p": None, f"{prefix}_r": None, f"{prefix}_f": None, f"{prefix}_per_type": {}}
    return {f"{prefix}_p": total.precision, f"{prefix}_r": total.recall, f"{prefix}_f": total.fscore,
            f"{prefix}_per_type": {k: v.to_dict() for k, v in sorted(per_type.items())}}


def score_cats(examples: Sequence[Example], labels: Sequence[str], *, exclusive: bool,
               threshold: float = 0.5) -> dict[str, Any]:
    """Text classification: macro F over labels, per-label P/R/F; cats_score is macro F (accuracy-like for 2 classes)."""
    per_label = {label: PRF() for label in labels}
    correct = 0
    for i, eg in enumerate(examples):
        gold = eg.reference.cats
        pred = eg.predicted.cats
        if exclusive:
            best_pred = max(labels, key=lambda lab: pred.get(lab, 0.0))
            best_gold = max(labels, key=lambda lab: gold.get(lab, 0.0))
            correct += best_pred == best_gold
            picked = {best_pred}
            truth = {best_gold}
        else:
            picked = {lab for lab in labels if pred.get(lab, 0.0) >= threshold}
            truth = {lab for lab in labels if gold.get(lab, 0.0) >= 0.5}
        for label in labels:
            per_label[label].add({i} if label in picked else set(), {i} if label in truth else set())
    macro_f = float(np.mean([p.fscore for p in per_label.values()])) if per_label else 0.0
    micro = PRF()
    for p in per_label.values():
        micro.tp, micro.fp, micro.fn = micro.tp + p.tp, micro.fp + p.fp, micro.fn + p.fn
    return {"cats_score": macro_f, "cats_macro_f": macro_f, "cats_micro_f": micro.fscore,
            "cats_acc": correct / len(examples) if exclusive and len(examples) else None,
            "cats_f_per_type": {k: v.to_dict() for k, v in per_label.items()}}


# Dependency labels left out of attachment scores, as spaCy's parser scores them (punctuation).
PUNCT_LABELS = ("p", "punct")


def score_deps(examples: Iterable[Example], ignore_labels: Sequence[str] = PUNCT_LABELS) -> dict[str, Any]:
    """UAS, LAS and LAS per label as spaCy computes them: F-scores of (token, head) and (token, head, label)
    sets, leaving out tokens labelled in `ignore_labels` on either side and gold tokens without a label.

    A predicted arc whose token or head has no one-to-one gold token counts as a false positive.
    """
    unlabelled, labelled, per_label = PRF(), PRF(), defaultdict(PRF)
    for eg in examples:
        gold = _arcs(eg.reference, ignore_labels)
        labels = eg.reference.strings_of("DEP")
        x2y = eg.alignment.x2y
        predicted: set[tuple[int, int, str]] = set()
        unaligned = 0
        pred_heads = _heads(eg.predicted)
        for i, (word, dep) in enumerate(zip(eg.predicted.words, eg.predicted.strings_of("DEP"))):
            g = int(x2y[i])
            if (g >= 0 and not labels[g]) or dep in ignore_labels or not word.strip():
                continue
            h = int(x2y[pred_heads[i]])
            if g < 0 or h < 0:
                unaligned += 1
            else:
                predicted.add((g, h, dep))
        labelled.add(predicted, gold)
        unlabelled.add({a[:2] for a in predicted}, {a[:2] for a in gold})
        labelled.fp += unaligned
        unlabelled.fp += unaligned
        for label in {a[2] for a in predicted | gold}:
            per_label[label].add({a for a in predicted if a[2] == label}, {a for a in gold if a[2] == label})
    if not unlabelled.tp + unlabelled.fp + unlabelled.fn:
        return {"dep_uas": None, "dep_las": None, "dep_las_per_type": None}
    return {"dep_uas": unlabelled.fscore, "dep_las": labelled.fscore,
            "dep_las_per_type": {k: v.to_dict() for k, v in sorted(per_label.items())}}


def _heads(doc: Any) -> list[int]:
    """Each token's head index (the token itself where no head is set, as Token.head reads it)."""
    heads = doc.columns["HEAD"]
    return np.where(heads >= 0, heads, np.arange(len(doc))).tolist()


def _arcs(doc: Any, ignore_labels: Sequence[str]) -> set[tuple[int, int, str]]:
    return {(i, h, dep) for i, (h, dep) in enumerate(zip(_heads(doc), doc.strings_of("DEP")))
            if dep and dep not in ignore_labels}
