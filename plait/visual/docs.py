"""Docs as the compact JSON the HTML viewer draws from: one list per annotation, entities as token ranges."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from plait.core.data.example import Example
    from plait.core.doc import Doc

_STRING_ROWS = (("tag", "TAG"), ("pos", "POS"), ("lemma", "LEMMA"), ("morph", "MORPH"), ("dep", "DEP"))


def doc_data(doc: "Doc") -> dict[str, Any]:
    """Words, spaces and whichever annotations the doc has; absent keys mean "not annotated"."""
    data: dict[str, Any] = {"w": doc.words, "sp": doc.spaces.astype(np.int8).tolist()}
    for key, column in _STRING_ROWS:
        if doc.has_annotation(column):
            data[key] = doc.strings_of(column)
    if doc.has_annotation("HEAD"):
        data["head"] = doc.columns["HEAD"].tolist()
    if doc.has_annotation("SENT_START"):
        data["sent"] = [s.start for s in doc.sents]
    if doc.has_annotation("ENT_IOB"):
        data["ents"] = [[e.start, e.end, e.label_] for e in doc.ents]
    if doc.cats:
        data["cats"] = {label: round(float(score), 4) for label, score in doc.cats.items()}
    return data


def pair_data(example: "Example") -> dict[str, Any]:
    """Gold and prediction of one scored example: each entity flagged "ok", "fn" (missed) or "fp" (wrong), and
    each predicted token whose annotation differs from gold given an error note."""
    predicted, reference = example.predicted, example.reference
    gold, pred = doc_data(reference), doc_data(predicted)
    gold_ents = {(e.start_char, e.end_char, e.label_) for e in reference.ents}
    pred_ents = {(e.start_char, e.end_char, e.label_) for e in predicted.ents}
    if "ents" in gold:
        for entry, e in zip(gold["ents"], reference.ents):
            entry.append("ok" if (e.start_char, e.end_char, e.label_) in pred_ents else "fn")
        for entry, e in zip(pred.get("ents", []), predicted.ents):
            entry.append("ok" if (e.start_char, e.end_char, e.label_) in gold_ents else "fp")
    errors: dict[int, list[str]] = {}
    for key, column in _STRING_ROWS:
        if key in pred and key in gold:
            _note(errors, key, example.get_aligned(column), pred[key])
    if "head" in pred and "head" in gold:
        _note(errors, "head", example.get_aligned_heads(), pred["head"])
    pred["err"] = {str(i): "; ".join(notes) for i, notes in errors.items()}
    ent_errors = sum(e[-1] != "ok" for e in gold.get("ents", []) + pred.get("ents", []) if len(e) == 4)
    return {"g": gold, "p": pred, "n_err": len(errors) + ent_errors + _cats_differ(gold.get("cats"), pred.get("cats"))}


def _note(errors: dict[int, list[str]], key: str, wanted: list[Any], got: list[Any]) -> None:
    for i, (want, value) in enumerate(zip(wanted, got)):
        if want is not None and want != value:
            errors.setdefault(i, []).append(f"{key} {value!r}, gold {want!r}")


def _cats_differ(gold: dict[str, float] | None, pred: dict[str, float] | None) -> int:
    """1 when the top gold label and the top predicted label differ (0 without gold categories)."""
    if not gold or not pred:
        return 0
    return int(max(gold, key=gold.__getitem__) != max(pred, key=pred.__getitem__))
