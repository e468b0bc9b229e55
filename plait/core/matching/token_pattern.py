"""Token patterns: one dict of attribute tests per token, with an optional OP quantifier, matched at a start.

OP is "!" (a token that does not match), "?" (0 or 1), "*" (0 or more), "+" (1 or more), "{n}", "{n,m}",
"{n,}" or "{,m}"; absent: exactly one. A counted OP becomes that many plain and optional steps when compiled,
each step remembering the pattern dict it came from (for `with_alignments`).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from plait.core.matching.attributes import token_test

_COUNTED = re.compile(r"\{(\d*)(,?)(\d*)\}")
MAX_COUNT = 1000  # a counted OP becomes that many steps: bounded, so a typo cannot exhaust memory
OPS = ("!", "?", "*", "+", "1")


@dataclass(frozen=True)
class Step:
    """One step of a compiled pattern: the token test, its quantifier ("1", "!", "?" or "*"; "+" compiles to
    "1" then "*"), the index of the pattern dict it came from, and `key`, the same for the same tests (so
    patterns that share a token dict share its results on a doc)."""

    test: Callable[[Any], bool]
    op: str
    source: int
    key: str


def _counted(op: str, where: str) -> list[str]:
    """The steps an "{n}", "{n,m}", "{n,}" or "{,m}" quantifier stands for."""
    found = _COUNTED.fullmatch(op)
    if found is None or not (found.group(1) or found.group(3)):
        raise ValueError(f"{where}: unknown OP {op!r} (use !, ?, *, +, {{n}}, {{n,m}}, {{n,}} or {{,m}})")
    low, high_text = int(found.group(1) or 0), found.group(3)
    if max(low, int(high_text or 0)) > MAX_COUNT:
        raise ValueError(f"{where}: OP {op!r} counts past {MAX_COUNT}")
    if not found.group(2):
        return ["1"] * low
    if not found.group(3):
        return ["1"] * low + ["*"]
    high = int(found.group(3))
    if high < low:
        raise ValueError(f"{where}: OP {op!r} asks for at most fewer than at least")
    return ["1"] * low + ["?"] * (high - low)


def compile_pattern(pattern: Sequence[dict[str, Any]], where: str = "pattern") -> list[Step]:
    """The steps of a token pattern; ValueError naming `where`, the token and the first bad attribute or OP."""
    if not isinstance(pattern, list) or not pattern or not all(isinstance(spec, dict) for spec in pattern):
        raise ValueError(f"{where}: a token pattern is a non-empty list of dicts, one per token")
    steps: list[Step] = []
    for index, spec in enumerate(pattern):
        at = f"{where}, token {index}"
        op = spec.get("OP", spec.get("op", "1"))
        if not isinstance(op, str):
            raise ValueError(f"{at}: OP must be a string, not {op!r}")
        tests = {k: v for k, v in spec.items() if k not in ("OP", "op")}
        test = token_test(tests, at)
        key = json.dumps(tests, sort_keys=True, default=repr)
        ops = {"+": ["1", "*"]}.get(op) or ([op] if op in OPS else _counted(op, at))
        steps += [Step(test, each, index, key) for each in ops]
    if all(step.op in ("?", "*") for step in steps):
        # spaCy matches nothing with a pattern that can be empty; it needs one token it must consume
        raise ValueError(f"{where}: every token of the pattern is optional, so it could match nothing")
    return steps


def match_ends(steps: Sequence[Step], tokens: Sequence[Any], start: int,
               test_cache: dict[tuple[str, int], bool] | None = None) -> dict[int, tuple[int, ...]]:
    """Every end of a match starting at `start`, each with an alignment (per matched token, the index of the
    pattern dict that matched it). `test_cache` may be shared by the calls for one doc.

    The steps run as a small automaton over the tokens from `start`, stopping once no step is alive; each
    live step keeps the first alignment that reached it."""
    cache = {} if test_cache is None else test_cache
    n, last = len(tokens), len(steps)
    if steps[0].op == "1" and start < n:  # most starts fail at the first token: settle them before any set-up
        key = (steps[0].key, start)
        here = cache.get(key)
        if here is None:
            here = cache[key] = bool(steps[0].test(tokens[start]))
        if not here:
            return {}
    found: dict[int, tuple[int, ...]] = {}
    live: dict[int, tuple[int, ...]] = {0: ()}
    t = start
    while True:
        for p in range(last):  # a "?" or "*" step may be skipped: the next one is live too
            if p in live and steps[p].op in ("?", "*"):
                live.setdefault(p + 1, live[p])
        if last in live and t > start:
            found.setdefault(t, live[last])
        if t >= n:
            return found
        moved: dict[int, tuple[int, ...]] = {}
        for p, path in live.items():
            if p == last:
                continue
            step = steps[p]
            key = (step.key, t)
            here = cache.get(key)
            if here is None:
                here = cache[key] = bool(step.test(tokens[t]))
            if step.op == "!" and not here:
                moved.setdefault(p + 1, path + (step.source,))
            elif step.op != "!" and here:
                moved.setdefault(p if step.op == "*" else p + 1, path + (step.source,))
        if not moved:
            return found
        live, t = moved, t + 1
