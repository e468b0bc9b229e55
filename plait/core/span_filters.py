"""Span filters: which of a doc's existing spans and a ruler's new ones to keep when they must not overlap
(`ents_filter = {"@misc": "plait.first_longest_spans_filter.v1"}` of the span_ruler).

A filter takes (existing, new) spans and returns the spans to keep, none overlapping another.
"""
from __future__ import annotations

from typing import Callable, Iterable

from plait.core.matching.matcher import filter_greedy
from plait.core.span import Span

SpanFilter = Callable[[Iterable[Span], Iterable[Span]], list[Span]]


def _longest_first(spans: Iterable[Span], taken: set[int] | None = None) -> list[Span]:
    """Spans that overlap neither each other nor the tokens in `taken`: longer ones win, then earlier ones."""
    return [span for _, _, span in filter_greedy([(s.start, s.end, s) for s in spans], "LONGEST", taken)]


def _overlaps(span: Span, tokens: set[int]) -> bool:
    return not tokens.isdisjoint(range(span.start, span.end))


def first_longest(existing: Iterable[Span], new: Iterable[Span]) -> list[Span]:
    """Existing and new spans pooled: the longest win, then the earliest."""
    return sorted(_longest_first([*existing, *new]), key=lambda s: s.start)


def prioritize_new(existing: Iterable[Span], new: Iterable[Span]) -> list[Span]:
    """The new spans (longest first among themselves), and the existing ones they do not overlap."""
    kept = _longest_first(new)
    tokens = {i for s in kept for i in range(s.start, s.end)}
    return sorted([s for s in existing if not _overlaps(s, tokens)] + kept, key=lambda s: s.start)


def prioritize_existing(existing: Iterable[Span], new: Iterable[Span]) -> list[Span]:
    """The existing spans, and the new ones (longest first) that overlap none of them."""
    existing = list(existing)
    kept = _longest_first(new, {i for s in existing for i in range(s.start, s.end)})
    return sorted(existing + kept, key=lambda s: s.start)


def build_first_longest_spans_filter() -> SpanFilter:
    """`plait.first_longest_spans_filter.v1`: longest spans first, then the earliest, existing or new alike."""
    return first_longest


def build_prioritize_new_ents_filter() -> SpanFilter:
    """`plait.prioritize_new_ents_filter.v1`: new spans replace the existing ones they overlap."""
    return prioritize_new


def build_prioritize_existing_ents_filter() -> SpanFilter:
    """`plait.prioritize_existing_ents_filter.v1`: new spans only where no existing one is."""
    return prioritize_existing
