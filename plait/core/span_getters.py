"""Span getters: which stretches of each doc the transformer reads, as a list of spans per doc.

Spans may overlap; a token covered by several spans is pooled over all of them. A span longer than the
model's limit in wordpieces is cut into overlapping windows (never truncated).
"""
from __future__ import annotations

from typing import Callable, Sequence

from plait.core.doc import Doc
from plait.core.span import Span
from plait.models.settings import PositiveInt

SpanGetter = Callable[[Sequence[Doc]], list[list[Span]]]


def doc_spans(docs: Sequence[Doc]) -> list[list[Span]]:
    """Each whole doc as one span."""
    return [[doc[:]] for doc in docs]


def sent_spans(docs: Sequence[Doc]) -> list[list[Span]]:
    """Each sentence as one span (the whole doc when it has no sentence boundaries)."""
    return [list(doc.sents) for doc in docs]


def create_doc_spans() -> SpanGetter:
    """`plait.doc_spans.v1`: the whole doc at once; best for short docs."""
    return doc_spans


def create_sent_spans() -> SpanGetter:
    """`plait.sent_spans.v1`: one span per sentence; needs sentence boundaries set by an earlier component."""
    return sent_spans


def create_strided_spans(*, window: PositiveInt, stride: PositiveInt) -> SpanGetter:
    """`plait.strided_spans.v1`: spans of `window` tokens starting every `stride` tokens.

    With stride < window the spans overlap, so every token has context on both sides; stride > window
    would skip tokens and is refused.
    """
    if window < 1 or stride < 1:
        raise ValueError("window and stride must be at least 1")
    if stride > window:
        raise ValueError(f"stride {stride} is larger than window {window}: tokens between windows would be skipped")

    def strided_spans(docs: Sequence[Doc]) -> list[list[Span]]:
        out = []
        for doc in docs:
            n = len(doc)
            starts = list(range(0, max(n - window, 0) + 1, stride))
            if starts[-1] + window < n:
                starts.append(starts[-1] + stride)
            out.append([doc[s:min(s + window, n)] for s in starts if s < n] or [doc[:]])
        return out

    return strided_spans
