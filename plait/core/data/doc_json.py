"""A Doc as a JSON-ready dict: what `plait apply` writes, in the shape plait's JSONL reader reads back."""
from __future__ import annotations

from typing import Any

from plait.core.doc import Doc


def doc_to_json(doc: Doc) -> dict[str, Any]:
    """Text, tokens and every annotation the doc has (entities and span groups as [start_char, end_char, label];
    a span group's scores, when it has them, under "span_scores")."""
    record: dict[str, Any] = {"text": doc.text, "words": doc.words, "spaces": doc.spaces.tolist()}
    for key, column in (("tags", "TAG"), ("pos", "POS"), ("morphs", "MORPH"), ("lemmas", "LEMMA"), ("deps", "DEP")):
        if doc.has_annotation(column):
            record[key] = doc.strings_of(column)
    if doc.has_annotation("HEAD"):
        record["heads"] = doc.columns["HEAD"].tolist()
    if doc.has_annotation("SENT_START"):
        record["sent_starts"] = [t.is_sent_start for t in doc]
    if doc.has_annotation("ENT_IOB"):
        record["entities"] = [[e.start_char, e.end_char, e.label_] for e in doc.ents]
    if doc.cats:
        record["cats"] = dict(doc.cats)
    if doc.spans:
        record["spans"] = {name: [[s.start_char, s.end_char, s.label_] for s in group]
                           for name, group in doc.spans.items()}
        scores = {name: group.scores for name, group in doc.spans.items() if group.scores is not None}
        if scores:
            record["span_scores"] = scores
    return record
