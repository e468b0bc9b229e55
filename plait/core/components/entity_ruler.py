"""entity_ruler: entities from rules, beside or instead of a statistical `ner`.

Patterns are spaCy's (plait.core.rule_patterns, the matching path it shares with span_ruler). Placed before
`ner`, its entities are kept by the ner; after it, they fill the gaps, or replace what they overlap with
`overwrite_ents`. The patterns are saved with the pipeline.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from plait.core.components.declaration import ComponentKind, declare
from plait.core.doc import Doc
from plait.core.matcher import longest_first
from plait.core.registries import registry
from plait.core.rule_patterns import PatternRuler, RulePatterns


class EntityRuler(PatternRuler):
    """Sets the entities that its patterns match (longest first, never overlapping each other)."""

    model = None

    def __init__(self, nlp: Any, name: str, *, overwrite_ents: bool, phrase_matcher_attr: str) -> None:
        self.name, self.overwrite_ents = name, overwrite_ents
        self.rules = RulePatterns(nlp.make_doc, phrase_matcher_attr)

    def matches(self, doc: Doc) -> list[tuple[int, int, str]]:
        return longest_first(self.rules.matches(doc))

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
        return {"patterns": self.patterns, "overwrite_ents": self.overwrite_ents,
                "phrase_matcher_attr": self.rules.phrase_attr}

    def set_state(self, state: dict[str, Any]) -> None:
        self.overwrite_ents = state["overwrite_ents"]
        self.rules = RulePatterns(self.rules.make_doc, state["phrase_matcher_attr"])
        self.rules.add(state["patterns"])


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
