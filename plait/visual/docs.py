"""Docs as the compact JSON the HTML viewer draws from: one list per annotation, entities as token ranges, span
groups as token ranges each with the line it is drawn on (overlapping spans on different lines)."""
from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, Any, Iterable

import numpy as np

if TYPE_CHECKING:
    from plait.core.data.example import Example
    from plait.core.doc import Doc
    from plait.core.span import Span

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
    groups = {key: group for key, group in doc.spans.items() if not group or any(s.label_ for s in group)}
    if groups:  # groups of unlabelled spans only (CoNLL-U paragraphs) are structure, not annotation to draw
        data["spans"] = {key: stacked(group) for key, group in groups.items()}
    return data


def stacked(spans: Iterable["Span"]) -> list[list[Any]]:
    """[start, end, label, line] of each span, in document order (longer first at one start): each span on the
    lowest line free over its tokens, so that no two spans on one line share a token."""
    rows = sorted(([s.start, s.end, s.label_] for s in spans), key=lambda r: (r[0], -r[1], r[2]))
    busy: list[tuple[int, int]] = []  # (end, line) of the spans still open
    free: list[int] = []  # lines no open span holds
    lines = 0
    for row in rows:
        while busy and busy[0][0] <= row[0]:
            heapq.heappush(free, heapq.heappop(busy)[1])
        if free:
            line = heapq.heappop(free)
        else:
            line, lines = lines, lines + 1
        heapq.heappush(busy, (row[1], line))
        row.append(line)
    return rows


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
    span_errors = sum(_flag_spans(reference, predicted, key, gold["spans"][key], pred.get("spans", {}).get(key))
                      for key in gold.get("spans", {}))
    errors: dict[int, list[str]] = {}
    for key, column in _STRING_ROWS:
        if key in pred and key in gold:
            _note(errors, key, example.get_aligned(column), pred[key])
    if "head" in pred and "head" in gold:
        _note(errors, "head", example.get_aligned_heads(), pred["head"])
    pred["err"] = {str(i): "; ".join(notes) for i, notes in errors.items()}
    ent_errors = sum(e[-1] != "ok" for e in gold.get("ents", []) + pred.get("ents", []) if len(e) == 4)
    return {"g": gold, "p": pred, "n_err": len(errors) + ent_errors + span_errors
            + _cats_differ(gold.get("cats"), pred.get("cats"))}


def _flag_spans(reference: "Doc", predicted: "Doc", key: str, gold_rows: list[list[Any]],
                pred_rows: list[list[Any]] | None) -> int:
    """Flag each row of group `key` "ok", "fn" (a gold span not predicted) or "fp" (a predicted span not in gold),
    comparing character offsets and labels; returns how many are not "ok"."""
    def chars(doc: "Doc", rows: list[list[Any]]) -> list[tuple[int, int, str]]:
        return [(doc[r[0]:r[1]].start_char, doc[r[0]:r[1]].end_char, r[2]) for r in rows]

    pred_rows = pred_rows or []
    gold_chars, pred_chars = chars(reference, gold_rows), chars(predicted, pred_rows)
    for rows, mine, other, miss in ((gold_rows, gold_chars, set(pred_chars), "fn"),
                                    (pred_rows, pred_chars, set(gold_chars), "fp")):
        for row, span in zip(rows, mine):
            row.append("ok" if span in other else miss)
    return sum(row[-1] != "ok" for row in gold_rows + pred_rows)


def _note(errors: dict[int, list[str]], key: str, wanted: list[Any], got: list[Any]) -> None:
    for i, (want, value) in enumerate(zip(wanted, got)):
        if want is not None and want != value:
            errors.setdefault(i, []).append(f"{key} {value!r}, gold {want!r}")


def _cats_differ(gold: dict[str, float] | None, pred: dict[str, float] | None) -> int:
    """1 when the top gold label and the top predicted label differ (0 without gold categories)."""
    if not gold or not pred:
        return 0
    return int(max(gold, key=gold.__getitem__) != max(pred, key=pred.__getitem__))
