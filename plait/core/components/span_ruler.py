"""span_ruler: labelled spans from rules, into a span group (overlaps kept) and/or the entities (filtered).

Patterns are spaCy's (plait.core.rule_patterns, the matching path it shares with entity_ruler): every phrase
match and each token pattern's longest match at every start become spans of `doc.spans[spans_key]`, in document
order, each (start, end, label) once. With `annotate_ents` they also become entities, through `ents_filter`
(entities never overlap). `overwrite` replaces the group (or the entities); without it the matches are added to
what an earlier component (a spancat, another ruler) left there, a rule match scoring 1.0 in a group with scores.
The patterns are saved with the pipeline.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from plait.core.components.declaration import ComponentKind, declare
from plait.core.doc import Doc
from plait.core.registries import registry
from plait.core.rule_patterns import PatternRuler, RulePatterns
from plait.core.scorer import score_ents, score_spans
from plait.core.span import Span
from plait.core.span_filters import SpanFilter

RULE_SCORE = 1.0  # a rule's span in a group that carries scores (a spancat's): the rule is sure


class SpanRuler(PatternRuler):
    """Writes the spans its patterns match into `doc.spans[spans_key]` and/or `doc.ents`."""

    model = None

    def __init__(self, nlp: Any, name: str, *, spans_key: str | None, spans_filter: SpanFilter | None,
                 annotate_ents: bool, ents_filter: SpanFilter, phrase_matcher_attr: str | None,
                 overwrite: bool) -> None:
        if spans_key is None and not annotate_ents:
            raise ValueError("spans_key is null and annotate_ents is false: the ruler would write nothing")
        if spans_key == "":
            raise ValueError("spans_key is an empty string (null writes no span group)")
        self.name, self.spans_key, self.annotate_ents, self.overwrite = name, spans_key, annotate_ents, overwrite
        self.spans_filter, self.ents_filter = spans_filter, ents_filter
        self.rules = RulePatterns(nlp.make_doc, phrase_matcher_attr or "ORTH")
        self.score_key = "ents_f" if spans_key is None else f"spans_{spans_key}_f"

    def match(self, doc: Doc) -> list[Span]:
        """Every match as a labelled span, in document order (then by end, then by label)."""
        return [Span(doc, start, end, label) for start, end, label in sorted(self.rules.matches(doc))]

    def __call__(self, doc: Doc) -> Doc:
        matches = self.match(doc)
        if self.spans_key is not None:
            self._set_group(doc, matches)
        if self.annotate_ents:
            self._set_ents(doc, matches)
        return doc

    def _set_group(self, doc: Doc, matches: list[Span]) -> None:
        old = doc.spans.get(self.spans_key) if not self.overwrite else None
        existing = list(old) if old is not None else []
        spans = self.spans_filter(existing, matches) if self.spans_filter else existing + matches
        attrs = dict(old.attrs) if old is not None else {}
        if old is not None and old.scores is not None:  # keep one score a span: the old spans' own, 1.0 for rules
            score_of = {id(span): score for span, score in zip(old, old.scores)}
            attrs["scores"] = [score_of.get(id(span), RULE_SCORE) for span in spans]
        doc.spans[self.spans_key] = spans
        doc.spans[self.spans_key].attrs.update(attrs)

    def _set_ents(self, doc: Doc, matches: list[Span]) -> None:
        annotated = doc.has_annotation("ENT_IOB")
        existing = list(doc.ents) if annotated and not self.overwrite else []
        kept = self.ents_filter(existing, matches)
        missing = (doc.columns["ENT_IOB"] == 0) if annotated and not self.overwrite else None
        try:
            doc.set_ents(kept, missing=missing)
        except ValueError as err:
            raise ValueError(f"{self.name}: its ents_filter kept overlapping entities ({err})") from None

    def score(self, examples: Sequence[Any]) -> dict[str, Any]:
        """Its span group's P/R/F (`spans_KEY_f`, as spaCy names them), or the entities' without a group."""
        return score_ents(examples) if self.spans_key is None else score_spans(examples, self.spans_key)

    def get_state(self) -> dict[str, Any]:
        return {"patterns": self.patterns}

    def set_state(self, state: dict[str, Any]) -> None:
        self.rules = RulePatterns(self.rules.make_doc, self.rules.phrase_attr)
        self.rules.add(state["patterns"])


@registry.factories.register("span_ruler")
@declare(kind=ComponentKind.OTHER, score_weights={"spans_ruler_p": None, "spans_ruler_r": None, "spans_ruler_f": None,
                                                 "spans_ruler_per_type": None})
def make_span_ruler(*, spans_key: str | None = "ruler", spans_filter: SpanFilter | None = None,
                    annotate_ents: bool = False,
                    ents_filter: SpanFilter = {"@misc": "plait.first_longest_spans_filter.v1"},  # noqa: B006
                    phrase_matcher_attr: str | None = None, overwrite: bool = True,
                    patterns: str | None = None) -> Callable[[Any, str], SpanRuler]:
    """Factory `span_ruler`: rule-based spans in `doc.spans[spans_key]` (and `doc.ents` with `annotate_ents`);
    `patterns` names a JSONL file of patterns to load."""
    def build(nlp: Any, name: str) -> SpanRuler:
        ruler = SpanRuler(nlp, name, spans_key=spans_key, spans_filter=spans_filter, annotate_ents=annotate_ents,
                          ents_filter=ents_filter, phrase_matcher_attr=phrase_matcher_attr, overwrite=overwrite)
        if patterns:
            ruler.from_jsonl(patterns)
        return ruler

    return build
