"""Span suggesters: which spans of each doc a span categorizer scores (`@misc = "plait.ngram_suggester.v1"`).

A suggester maps docs to one int64 array of shape (n, 2) a doc: the [start, end) token offsets of its candidate
spans, sorted by start then end, without repeats.
"""
from __future__ import annotations

from typing import Annotated, Callable, Iterable, Sequence

import numpy as np
from pydantic import Field

from plait.core.doc import Doc

Suggester = Callable[[Iterable[Doc]], list[np.ndarray]]
SpanSize = Annotated[int, Field(ge=1, le=512)]  # tokens in one suggested span: 0 proposes nothing useful


def ngrams(n_tokens: int, sizes: Sequence[int]) -> np.ndarray:
    """Every [start, end) of `n_tokens` tokens whose length is one of `sizes`, sorted by start then end."""
    lengths = sorted({size for size in sizes if size <= n_tokens})
    if not lengths:
        return np.zeros((0, 2), dtype=np.int64)
    starts = np.concatenate([np.arange(n_tokens - size + 1) for size in lengths])
    ends = np.concatenate([np.arange(size, n_tokens + 1) for size in lengths])
    order = np.lexsort((ends, starts))
    return np.stack([starts[order], ends[order]], axis=1)


def build_ngram_suggester(*, sizes: Annotated[list[SpanSize], Field(min_length=1)]) -> Suggester:
    """`plait.ngram_suggester.v1`: every span whose length in tokens is one of `sizes`."""
    return lambda docs: [ngrams(len(doc), sizes) for doc in docs]


def build_ngram_range_suggester(*, min_size: SpanSize, max_size: SpanSize) -> Suggester:
    """`plait.ngram_range_suggester.v1`: every span of `min_size` to `max_size` tokens."""
    if max_size < min_size:
        raise ValueError(f"max_size ({max_size}) is below min_size ({min_size})")
    return build_ngram_suggester(sizes=list(range(min_size, max_size + 1)))


def build_preset_spans_suggester(*, spans_key: str) -> Suggester:
    """`plait.preset_spans_suggester.v1`: the spans of another group (e.g. "ents" for the entities, or a key of
    `doc.spans` filled by an earlier component)."""

    def suggest(docs: Iterable[Doc]) -> list[np.ndarray]:
        out = []
        for doc in docs:
            spans = doc.ents if spans_key == "ents" else doc.spans.get(spans_key, ())
            pairs = sorted({(s.start, s.end) for s in spans if s.end > s.start})
            out.append(np.array(pairs, dtype=np.int64).reshape(-1, 2))
        return out

    return suggest
