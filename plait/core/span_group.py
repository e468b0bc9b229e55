"""Span groups: named lists of labelled spans of one doc that may overlap or nest (`doc.spans[KEY]`)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Mapping

from plait.core.span import Span

if TYPE_CHECKING:
    from plait.core.doc import Doc


class SpanGroup(list):
    """The spans of one group, in the order given, with `attrs` (a spancat writes `attrs["scores"]`: one float a
    span)."""

    def __init__(self, doc: "Doc", *, name: str = "", attrs: Mapping[str, Any] | None = None,
                 spans: Iterable[Span] = ()) -> None:
        super().__init__(spans)
        self.doc = doc
        self.name = name
        self.attrs: dict[str, Any] = dict(attrs or {})

    @property
    def scores(self) -> list[float] | None:
        """One score a span, when the group was predicted with scores."""
        scores = self.attrs.get("scores")
        return None if scores is None else [float(s) for s in scores]

    def copy(self, doc: "Doc | None" = None) -> "SpanGroup":
        """The same spans over `doc` (default: the same doc), with a copy of attrs."""
        target = self.doc if doc is None else doc
        spans = list(self) if target is self.doc else [Span(target, s.start, s.end, s.label) for s in self]
        return SpanGroup(target, name=self.name, attrs=dict(self.attrs), spans=spans)


class SpanGroups(dict):
    """`doc.spans`: group name -> SpanGroup; a plain list of spans assigned to a key becomes a SpanGroup."""

    def __init__(self, doc: "Doc", groups: Mapping[str, Iterable[Span]] | None = None) -> None:
        super().__init__()
        self.doc = doc
        for name, spans in (groups or {}).items():
            self[name] = spans

    def __setitem__(self, name: str, spans: Iterable[Span]) -> None:
        if not isinstance(name, str):
            raise TypeError(f"a span group's name is a string, not {type(name).__name__}")
        if not isinstance(spans, SpanGroup) or spans.doc is not self.doc or spans.name != name:
            attrs = spans.attrs if isinstance(spans, SpanGroup) else None
            spans = SpanGroup(self.doc, name=name, attrs=attrs, spans=spans)
        super().__setitem__(name, spans)

    def setdefault(self, name: str, default: Iterable[Span] = ()) -> SpanGroup:  # type: ignore[override]
        if name not in self:
            self[name] = default
        return self[name]

    def update(self, *args: Any, **kwargs: Any) -> None:
        for name, spans in dict(*args, **kwargs).items():
            self[name] = spans
