"""Matcher: token patterns by key, run over a Doc or Span, as spaCy's `Matcher` documents it.

    matcher = Matcher(nlp.vocab)
    matcher.add("HelloWorld", [[{"LOWER": "hello"}, {"IS_PUNCT": True}, {"LOWER": "world"}]])
    matcher(doc)  # [(match_id, start, end), ...]; match_id is the hash of "HelloWorld"

Every match of every pattern is returned (quantifiers give one per possible end), once per key, start and end,
in spaCy's order: by end, then start, then the order the keys were added; `greedy="FIRST"` or `"LONGEST"`
keeps, for that key, matches that do not overlap, and they come after the others, in the order they were kept.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from plait.core.doc import Doc
from plait.core.matching.attributes import CachedToken
from plait.core.matching.token_pattern import Step, compile_pattern, match_ends
from plait.core.span import Span

OnMatch = Callable[[Any, Doc, int, list], Any]
# attributes that a component sets (each its doc column): a pattern testing one needs docs that carry it
_ANNOTATIONS = ("POS", "TAG", "MORPH", "LEMMA", "DEP")


def key_hash(vocab: Any, key: str | int, what: str) -> int:
    """The match id of a key: the hash of a string key (added to the vocab's strings), or an int key itself."""
    if isinstance(key, str) and key:
        return vocab.strings.add(key)
    if isinstance(key, int) and not isinstance(key, bool):
        return key
    raise ValueError(f"{what}: a match key is a non-empty string or an int, not {key!r}")


def filter_greedy(matches: Sequence[tuple[int, int, Any]], greedy: str,
                  taken: set[int] | None = None) -> list[tuple[int, int, Any]]:
    """Matches (start, end, ...) that overlap neither each other nor the tokens in `taken`: the earliest first
    ("FIRST", the longer of two starting together) or the longest first ("LONGEST", the earlier of two as long)."""
    if greedy == "FIRST":
        order = sorted(matches, key=lambda m: (m[0], m[0] - m[1]))
    else:
        order = sorted(matches, key=lambda m: (m[0] - m[1], m[0]))
    kept: list[tuple[int, int, Any]] = []
    taken = set() if taken is None else set(taken)
    for match in order:
        if not taken.intersection(range(match[0], match[1])):
            kept.append(match)
            taken.update(range(match[0], match[1]))
    return kept


class KeyedRules:
    """What the three matchers share: rules kept by the hash of their key (`_rules`), counted and looked up by a
    key string or its hash."""

    vocab: Any
    _rules: dict[int, Any]

    def _id(self, key: str | int) -> int:
        return self.vocab.strings[key] if isinstance(key, str) else key

    def __len__(self) -> int:
        return len(self._rules)

    def __contains__(self, key: str | int) -> bool:
        return self._id(key) in self._rules


class Matcher(KeyedRules):
    """Token patterns by key: `add`, `remove`, `get`, `len`, `in`, and a call over a Doc or Span."""

    def __init__(self, vocab: Any, validate: bool = True) -> None:
        # patterns are always validated when added; `validate` is accepted for spaCy scripts
        self.vocab = vocab
        self._rules: dict[int, tuple[OnMatch | None, list[list[dict]], list[list[Step]], str | None]] = {}
        self._names: dict[int, str | int] = {}

    def add(self, key: str | int, patterns: Sequence[list[dict[str, Any]]], *, on_match: OnMatch | None = None,
            greedy: str | None = None) -> None:
        """Add patterns under `key` (to those it has); ValueError naming the key, pattern and attribute."""
        match_id = key_hash(self.vocab, key, "Matcher.add")
        if greedy not in (None, "FIRST", "LONGEST"):
            raise ValueError(f"Matcher.add {key!r}: greedy must be \"FIRST\", \"LONGEST\" or None, not {greedy!r}")
        if on_match is not None and not callable(on_match):
            raise ValueError(f"Matcher.add {key!r}: on_match must be callable")
        if isinstance(patterns, dict) or not isinstance(patterns, (list, tuple)) or not patterns:
            raise ValueError(f"Matcher.add {key!r}: patterns is a non-empty list of patterns (each a list of dicts)")
        compiled = [compile_pattern(p, f"pattern {i} of {key!r}") for i, p in enumerate(patterns)]
        _, old_patterns, old_compiled, _ = self._rules.get(match_id, (None, [], [], None))
        self._rules[match_id] = (on_match, old_patterns + [list(p) for p in patterns], old_compiled + compiled, greedy)
        self._names[match_id] = key

    def remove(self, key: str | int) -> None:
        """Remove the rule of `key`; KeyError when there is none."""
        match_id = self._id(key)
        if match_id not in self._rules:
            raise KeyError(f"the matcher has no rule {key!r}")
        del self._rules[match_id]
        del self._names[match_id]

    def get(self, key: str | int, default: Any = None) -> tuple[OnMatch | None, list[list[dict]]] | Any:
        """(on_match, patterns) of `key`, or `default`."""
        rule = self._rules.get(self._id(key))
        return default if rule is None else (rule[0], rule[1])

    def _check_annotations(self, doc: Doc, allow_missing: bool) -> None:
        if allow_missing:
            return
        for match_id, (_, patterns, _, _) in self._rules.items():
            for pattern in patterns:
                for spec in pattern:
                    for attr in spec:
                        column = str(attr).upper()
                        if column in _ANNOTATIONS and not doc.has_annotation(column):
                            raise ValueError(
                                f"rule {self._names[match_id]!r} tests {attr} but the doc has no {column} annotation "
                                "(run a component that sets it, or call the matcher with allow_missing=True)")

    def __call__(self, doclike: Doc | Span, *, as_spans: bool = False, allow_missing: bool = False,
                 with_alignments: bool = False) -> list:
        """Matches in a Doc or Span: (match_id, start, end), offsets in `doclike` (a Span's own, as spaCy
        gives them); (..., alignment) with `with_alignments` (per token, the index of the pattern dict it
        matched); Spans of the doc labelled with the key with `as_spans`. Each key's
        `on_match(matcher, doc, i, matches)` runs once per match of the key."""
        doc = doclike.doc if isinstance(doclike, Span) else doclike
        offset = doclike.start if isinstance(doclike, Span) else 0
        self._check_annotations(doc, allow_missing)
        tokens = [CachedToken(token) for token in doclike]
        cache: dict[tuple[str, int], bool] = {}
        plain: list[tuple[int, int, int, int, tuple[int, ...]]] = []  # (end, start, rule order, match id, path)
        greedy_kept: list[tuple[int, int, int, tuple[int, ...]]] = []
        for order, (match_id, (_, _, compiled, greedy)) in enumerate(self._rules.items()):
            per_key: dict[tuple[int, int], tuple[int, ...]] = {}
            for steps in compiled:
                for start in range(len(tokens)):
                    for end, path in match_ends(steps, tokens, start, cache).items():
                        per_key.setdefault((start, end), path)
            if greedy:
                kept = filter_greedy([(start, end, path) for (start, end), path in per_key.items()], greedy)
                greedy_kept += [(match_id, start, end, path) for start, end, path in kept]
            else:
                plain += [(end, start, order, match_id, path) for (start, end), path in per_key.items()]
        # spaCy's order: each match as it completes (by end, then start), then each greedy rule's kept matches
        found = [(m[3], m[1], m[0], m[4]) for m in sorted(plain, key=lambda m: m[:3])] + greedy_kept
        matches = [(m[0], m[1], m[2], list(m[3])) if with_alignments else (m[0], m[1], m[2]) for m in found]
        for i, match in enumerate(matches):
            on_match = self._rules[match[0]][0]
            if on_match is not None:
                on_match(self, doc, i, matches)
        if as_spans:
            return [Span(doc, m[1] + offset, m[2] + offset, m[0]) for m in matches]
        return matches
