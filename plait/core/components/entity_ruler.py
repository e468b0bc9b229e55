"""entity_ruler: entities from rules, beside or instead of a statistical `ner`.

Patterns are spaCy's: {"label": "ORG", "pattern": "Apple Inc."} (a phrase, tokenized by the pipeline and
compared on `phrase_matcher_attr`) or {"label": "GPE", "pattern": [{"LOWER": "san"}, {"LOWER": "francisco"}]}
(a token pattern, see plait.core.matcher); "id" is kept with the pattern. Placed before `ner`, its entities
are kept by the ner; after it, they fill the gaps, or replace what they overlap with `overwrite_ents`.
The patterns are saved with the pipeline.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import srsly

from plait.core.components.declaration import ComponentKind, declare
from plait.core.doc import Doc
from plait.core.errors import DataError
from plait.core.matcher import compile_token_pattern, longest_first, match_token_pattern, token_value
from plait.core.registries import registry


class EntityRuler:
    """Sets the entities that its patterns match (longest first, never overlapping each other)."""

    model = None

    def __init__(self, nlp: Any, name: str, *, overwrite_ents: bool, phrase_matcher_attr: str) -> None:
        if phrase_matcher_attr.upper() not in ("ORTH", "TEXT", "LOWER", "NORM"):
            raise ValueError(f"{name}: phrase_matcher_attr must be ORTH, LOWER or NORM, not {phrase_matcher_attr!r}")
        self.name, self.make_doc = name, nlp.make_doc
        self.overwrite_ents, self.phrase_attr = overwrite_ents, phrase_matcher_attr.upper()
        self.patterns: list[dict[str, Any]] = []
        self._phrases: dict[Any, list[tuple[tuple[Any, ...], str]]] = {}
        self._token_patterns: list[tuple[list, str]] = []

    @property
    def labels(self) -> list[str]:
        return sorted({p["label"] for p in self.patterns})

    def add_patterns(self, patterns: Iterable[dict[str, Any]]) -> None:
        """Add patterns; ValueError naming the first malformed one (by its position in `patterns`)."""
        for i, pattern in enumerate(patterns):
            try:
                self._add(pattern)
            except (ValueError, TypeError) as err:
                raise ValueError(f"pattern {i + 1}: {err}") from None

    def _add(self, pattern: Any) -> None:
        if not isinstance(pattern, dict) or not isinstance(pattern.get("label"), str) or not pattern["label"]:
            raise ValueError('a pattern is an object with a "label" string and a "pattern"')
        body = pattern.get("pattern")
        if isinstance(body, str):
            values = tuple(token_value(t, self.phrase_attr) for t in self.make_doc(body))
            if not values:
                raise ValueError("the phrase has no tokens")
            self._phrases.setdefault(values[0], []).append((values, pattern["label"]))
        else:
            self._token_patterns.append((compile_token_pattern(body), pattern["label"]))
        self.patterns.append(dict(pattern))

    def from_jsonl(self, path: str | Path) -> None:
        """Add the patterns of a JSONL file, one per line; DataError("FILE:LINE: ...") for a bad line."""
        path = Path(path)
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as err:
            raise DataError(f"{path}:1: cannot read patterns ({err})") from None
        for lineno, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                self._add(srsly.json_loads(line))
            except (ValueError, TypeError) as err:
                raise DataError(f"{path}:{lineno}: {err}") from None

    def initialize(self, get_examples: Callable[[], Iterable[Any]], *,
                   patterns: str | Sequence[dict[str, Any]] | None = None, **_: Any) -> None:
        """`[initialize.components.NAME] patterns` is a JSONL file or a list of patterns."""
        if isinstance(patterns, str):
            self.from_jsonl(patterns)
        elif patterns:
            self.add_patterns(patterns)

    def matches(self, doc: Doc) -> list[tuple[int, int, str]]:
        found = []
        values = [token_value(t, self.phrase_attr) for t in doc] if self._phrases else []
        for start in range(len(doc)):
            for phrase, label in self._phrases.get(values[start], ()) if values else ():
                end = start + len(phrase)
                if tuple(values[start:end]) == phrase:
                    found.append((start, end, label))
            for compiled, label in self._token_patterns:
                end = match_token_pattern(compiled, doc, start)
                if end is not None:
                    found.append((start, end, label))
        return longest_first(found)

    def __call__(self, doc: Doc) -> Doc:
        matches = self.matches(doc)
        if not matches:
            return doc
        annotated = doc.has_annotation("ENT_IOB")
        existing = [(e.start, e.end, e.label) for e in doc.ents] if annotated else []
        taken = np.zeros(len(doc), dtype=bool)
        if self.overwrite_ents:
            for start, end, _ in matches:
                taken[start:end] = True
            kept = [e for e in existing if not taken[e[0]:e[1]].any()]
            new = matches
        else:
            for start, end, _ in existing:
                taken[start:end] = True
            kept, new = existing, [m for m in matches if not taken[m[0]:m[1]].any()]
        missing = (doc.columns["ENT_IOB"] == 0) if annotated else None
        doc.set_ents(kept + new, missing=missing)
        return doc

    def get_state(self) -> dict[str, Any]:
        return {"patterns": self.patterns, "overwrite_ents": self.overwrite_ents, "phrase_matcher_attr": self.phrase_attr}

    def set_state(self, state: dict[str, Any]) -> None:
        self.overwrite_ents, self.phrase_attr = state["overwrite_ents"], state["phrase_matcher_attr"]
        self.patterns, self._phrases, self._token_patterns = [], {}, []
        self.add_patterns(state["patterns"])


@registry.factories.register("entity_ruler")
@declare(kind=ComponentKind.OTHER)
def make_entity_ruler(*, overwrite_ents: bool = False, phrase_matcher_attr: str = "ORTH",
                      patterns: str | None = None, validate: bool = False) -> Callable[[Any, str], EntityRuler]:
    """Factory `entity_ruler`: rule-based entities; `patterns` names a JSONL file of patterns to load
    (`validate` is accepted for spaCy configs: plait always validates a pattern when it is added)."""
    def build(nlp: Any, name: str) -> EntityRuler:
        ruler = EntityRuler(nlp, name, overwrite_ents=overwrite_ents, phrase_matcher_attr=phrase_matcher_attr)
        if patterns:
            ruler.from_jsonl(patterns)
        return ruler

    return build
