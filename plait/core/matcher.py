"""The rule functions that rulers (entity_ruler, span_ruler) build on: a stable, small API over
plait.core.matching, where the token-pattern engine and the Matcher classes live.

A token pattern is spaCy's: a list like [{"LOWER": "new"}, {"IS_TITLE": True, "OP": "+"}], each dict one token's
attribute tests (a literal, or {"IN": [...]}, {"NOT_IN": [...]}, {"REGEX": "..."}, {">=": 3}, ...) with an optional
OP quantifier (!, ?, *, +, {n}, {n,m}, {n,}, {,m}); see plait.core.matching.attributes for every attribute.
"""
from __future__ import annotations

from typing import Any, Sequence

from plait.core.doc import Doc
from plait.core.matching.attributes import token_value
from plait.core.matching.matcher import filter_greedy
from plait.core.matching.token_pattern import Step, compile_pattern, match_ends

__all__ = ["compile_token_pattern", "match_token_pattern", "longest_first", "token_value"]


def compile_token_pattern(pattern: Sequence[dict[str, Any]]) -> list[Step]:
    """The compiled form of a token pattern; ValueError naming the token and the first unknown attribute or OP."""
    return compile_pattern(pattern)


def match_token_pattern(compiled: list[Step], doc: Doc, start: int) -> int | None:
    """The end of the longest match starting at token `start`, or None."""
    ends = match_ends(compiled, doc, start)
    return max(ends) if ends else None


def longest_first(matches: Sequence[tuple[int, int, Any]]) -> list[tuple[int, int, Any]]:
    """Non-overlapping matches: longer ones win, then earlier ones; returned in document order."""
    return sorted(filter_greedy(matches, "LONGEST"))
