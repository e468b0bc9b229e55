"""Rule matching over Docs: token patterns (one dict of attribute tests per token, with OP quantifiers) and
phrase patterns (a token sequence compared on ORTH or LOWER), in spaCy's pattern format.

A token pattern is a list like [{"LOWER": "new"}, {"IS_TITLE": true, "OP": "+"}]; a test's value is a
literal or {"IN": [...]}, {"NOT_IN": [...]}, {"REGEX": "..."}, or for LENGTH a comparison {">=": 3}.
OP is "!" (not this token), "?" (optional), "*" (any number), "+" (one or more); absent: exactly one.
"""
from __future__ import annotations

import operator
import re
from typing import Any, Callable, Sequence

from plait.core import lex_attrs
from plait.core.doc import Doc

_ANNOTATIONS = {"TAG": "tag_", "POS": "pos_", "LEMMA": "lemma_", "DEP": "dep_", "ENT_TYPE": "ent_type_",
                "MORPH": "morph_", "ORTH": "text", "TEXT": "text"}
_TEXT_FLAGS = {"IS_TITLE": str.istitle, "IS_UPPER": str.isupper, "IS_LOWER": str.islower}
ATTRS = set(_ANNOTATIONS) | set(lex_attrs.STRING_ATTRS) | set(lex_attrs.FLAG_ATTRS) | set(_TEXT_FLAGS) | {"LENGTH"}
_COMPARE = {"==": operator.eq, "!=": operator.ne, ">=": operator.ge, "<=": operator.le, ">": operator.gt,
            "<": operator.lt}
OPS = (None, "!", "?", "*", "+", "1")
TokenTest = Callable[[Any], bool]


def token_value(token: Any, attr: str) -> Any:
    """The value of a token attribute as patterns compare it (strings, booleans, or LENGTH as an int)."""
    if attr == "LENGTH":
        return len(token)
    if attr in _ANNOTATIONS:
        return getattr(token, _ANNOTATIONS[attr])
    if attr in _TEXT_FLAGS:
        return _TEXT_FLAGS[attr](token.text)
    if attr in lex_attrs.FLAG_ATTRS:
        return getattr(token, attr.lower())
    return getattr(token, attr.lower() + "_")


def _value_test(attr: str, want: Any) -> Callable[[Any], bool]:
    if not isinstance(want, dict):
        return lambda value: value == want
    tests = []
    for key, arg in want.items():
        if key == "IN":
            allowed = set(arg)
            tests.append(lambda value, allowed=allowed: value in allowed)
        elif key == "NOT_IN":
            banned = set(arg)
            tests.append(lambda value, banned=banned: value not in banned)
        elif key == "REGEX":
            pattern = re.compile(arg)
            tests.append(lambda value, pattern=pattern: isinstance(value, str) and pattern.search(value) is not None)
        elif key in _COMPARE:
            compare = _COMPARE[key]
            tests.append(lambda value, compare=compare, arg=arg: compare(value, arg))
        else:
            raise ValueError(f"{attr}: unknown test {key!r} (use IN, NOT_IN, REGEX or a comparison)")
    return lambda value: all(test(value) for test in tests)


def compile_token_pattern(pattern: Sequence[dict[str, Any]]) -> list[tuple[TokenTest, str | None]]:
    """(test, op) per token spec; ValueError naming the first unknown attribute or operator."""
    if not isinstance(pattern, list) or not pattern or not all(isinstance(spec, dict) for spec in pattern):
        raise ValueError("a token pattern is a non-empty list of objects, one per token")
    compiled = []
    for spec in pattern:
        op = spec.get("OP")
        if op not in OPS:
            raise ValueError(f"unknown OP {op!r} (use !, ?, *, +)")
        checks = []
        for attr, want in spec.items():
            if attr == "OP":
                continue
            if attr.upper() not in ATTRS:
                raise ValueError(f"unknown token attribute {attr!r}")
            checks.append((attr.upper(), _value_test(attr, want)))
        compiled.append((lambda token, checks=checks: all(test(token_value(token, a)) for a, test in checks),
                         None if op == "1" else op))
    return compiled


def match_token_pattern(compiled: list[tuple[TokenTest, str | None]], doc: Doc, start: int) -> int | None:
    """The end of the longest match starting at token `start`, or None."""
    n, memo = len(doc), {}

    def ends(p: int, t: int) -> frozenset[int]:
        key = (p, t)
        if key in memo:
            return memo[key]
        if p == len(compiled):
            result = frozenset([t])
        else:
            test, op = compiled[p]
            here = t < n and test(doc[t])
            result = frozenset()
            if op is None and here or op == "!" and t < n and not here:
                result = ends(p + 1, t + 1)
            elif op == "?":
                result = ends(p + 1, t) | (ends(p + 1, t + 1) if here else frozenset())
            elif op == "*":
                result = ends(p + 1, t) | (ends(p, t + 1) if here else frozenset())
            elif op == "+" and here:
                result = ends(p + 1, t + 1) | ends(p, t + 1)
        memo[key] = result
        return result

    found = [e for e in ends(0, start) if e > start]
    return max(found) if found else None


def longest_first(matches: Sequence[tuple[int, int, Any]]) -> list[tuple[int, int, Any]]:
    """Non-overlapping matches: longer ones win, then earlier ones; returned in document order."""
    taken: set[int] = set()
    kept = []
    for start, end, value in sorted(matches, key=lambda m: (m[0] - m[1], m[0])):
        if not taken.intersection(range(start, end)):
            kept.append((start, end, value))
            taken.update(range(start, end))
    return sorted(kept)
