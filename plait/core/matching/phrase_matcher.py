"""PhraseMatcher: Doc patterns compared token by token on one attribute (`attr`: ORTH, LOWER, SHAPE, POS, ...).

    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    matcher.add("Names", [nlp.make_doc("Angela Merkel")])
    matcher(doc)  # [(match_id, start, end), ...], every occurrence, overlapping ones included
"""
from __future__ import annotations

from typing import Any, Sequence

from plait.core.doc import Doc
from plait.core.matching.attributes import GETTERS
from plait.core.matching.matcher import KeyedRules, OnMatch, key_hash
from plait.core.span import Span

_NEEDS = {"POS": "POS", "TAG": "TAG", "MORPH": "MORPH", "LEMMA": "LEMMA", "DEP": "DEP", "ENT_TYPE": "ENT_IOB"}


class PhraseMatcher(KeyedRules):
    """Phrase patterns by key, compared on `attr`; `add`, `remove`, `get`, `len`, `in`, and a call."""

    def __init__(self, vocab: Any, attr: str | int = "ORTH", validate: bool = True) -> None:
        name = attr.upper() if isinstance(attr, str) else attr
        if name not in GETTERS:
            raise ValueError(f"PhraseMatcher: attr={attr!r} is not a token attribute; use one of "
                             f"{', '.join(sorted(GETTERS))}")
        self.vocab, self.attr = vocab, name
        self._get = GETTERS[name]
        self._rules: dict[int, tuple[OnMatch | None, list[Doc]]] = {}
        self._by_first: dict[Any, list[tuple[tuple[Any, ...], int]]] = {}  # first value -> (values, match id)

    def _values(self, tokens: Any) -> tuple[Any, ...]:
        return tuple(self._get(token) for token in tokens)

    def add(self, key: str | int, docs: Sequence[Doc], *, on_match: OnMatch | None = None) -> None:
        """Add Doc patterns under `key`; ValueError naming the key for a pattern that is not a Doc, is empty, or
        lacks the annotation `attr` compares."""
        match_id = key_hash(self.vocab, key, "PhraseMatcher.add")
        if isinstance(docs, Doc) or not isinstance(docs, (list, tuple)):
            raise ValueError(f"PhraseMatcher.add {key!r}: docs is a list of Doc patterns")
        for i, doc in enumerate(docs):
            if not isinstance(doc, Doc) or not len(doc):
                raise ValueError(f"PhraseMatcher.add {key!r}: pattern {i} is not a Doc with tokens")
            column = _NEEDS.get(self.attr)
            if column and not doc.has_annotation(column):
                raise ValueError(f"PhraseMatcher.add {key!r}: pattern {i} ({doc.text!r}) has no {self.attr} annotation "
                                 f"to match on (make it with nlp(text), not nlp.make_doc)")
        for doc in docs:
            values = self._values(doc)
            self._by_first.setdefault(values[0], []).append((values, match_id))
        old = self._rules.get(match_id, (None, []))[1]
        self._rules[match_id] = (on_match, old + list(docs))

    def remove(self, key: str | int) -> None:
        """Remove every pattern of `key`; KeyError when there is none."""
        match_id = self._id(key)
        if match_id not in self._rules:
            raise KeyError(f"the phrase matcher has no rule {key!r}")
        del self._rules[match_id]
        for first, entries in list(self._by_first.items()):
            kept = [entry for entry in entries if entry[1] != match_id]
            if kept:
                self._by_first[first] = kept
            else:
                del self._by_first[first]

    def get(self, key: str | int, default: Any = None) -> tuple[OnMatch | None, list[Doc]] | Any:
        """(on_match, Doc patterns) of `key`, or `default`."""
        return self._rules.get(self._id(key), default)

    def __call__(self, doclike: Doc | Span, *, as_spans: bool = False) -> list:
        """Every occurrence of every pattern in a Doc or Span, as (match_id, start, end) in doc offsets ordered by
        start, then end (Spans labelled with the key with `as_spans`); each key's `on_match` runs per match."""
        doc = doclike.doc if isinstance(doclike, Span) else doclike
        first, stop = (doclike.start, doclike.end) if isinstance(doclike, Span) else (0, len(doc))
        values = self._values(doc[i] for i in range(first, stop))
        found = set()
        for start, value in enumerate(values):
            for phrase, match_id in self._by_first.get(value, ()):
                end = start + len(phrase)
                if values[start:end] == phrase:
                    found.add((match_id, start + first, end + first))
        matches = sorted(found, key=lambda m: (m[1], m[2], m[0]))
        for i, (match_id, _, _) in enumerate(matches):
            on_match = self._rules[match_id][0]
            if on_match is not None:
                on_match(self, doc, i, matches)
        if as_spans:
            return [Span(doc, start, end, match_id) for match_id, start, end in matches]
        return matches
