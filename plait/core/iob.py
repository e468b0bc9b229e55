"""Conversions between entity spans and per-token IOB / BILUO tags."""
from __future__ import annotations


Spans = list[tuple[int, int, str]]


def iob_to_spans(tags: list[str]) -> Spans:
    """(start, end, label) spans from IOB1, IOB2 or BILUO tags; "-" marks a token with unknown annotation.

    An "I-X" after "O" or after another type opens a new entity (IOB1); "L-" and "U-" close one (BILUO).
    """
    spans: Spans = []
    start, label = -1, ""
    for i, tag in enumerate(tags):
        prefix, _, kind = tag.partition("-")
        if tag in ("O", "-", "") or prefix not in ("B", "I", "L", "U", "E", "S"):
            if tag not in ("O", "-", ""):
                raise ValueError(f"bad entity tag {tag!r} at token {i}")
            if start >= 0:
                spans.append((start, i, label))
            start = -1
            continue
        opens = prefix in ("B", "U", "S") or start < 0 or kind != label
        if opens:
            if start >= 0:
                spans.append((start, i, label))
            start, label = i, kind
        if prefix in ("L", "U", "E", "S"):
            spans.append((start, i + 1, label))
            start = -1
    if start >= 0:
        spans.append((start, len(tags), label))
    return spans
