"""Span: a slice of a Doc, optionally labelled (entities, sentences, span groups)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Iterator

import numpy as np

from plait.core.extensions import HasExtensions, Underscore
from plait.core.token import Token
from plait.core.vectors.table import similarity

if TYPE_CHECKING:
    from plait.core.doc import Doc
    from plait.core.vocab import Vocab


class Span(HasExtensions):
    """Tokens `doc[start:end]` with an optional label (e.g. an entity type)."""

    __slots__ = ("doc", "start", "end", "label")

    def __init__(self, doc: "Doc", start: int, end: int, label: int | str = 0) -> None:
        if not 0 <= start <= end <= len(doc):
            raise IndexError(f"span [{start}:{end}] is out of range for a doc of {len(doc)} tokens")
        self.doc, self.start, self.end = doc, start, end
        self.label = doc.vocab.strings.add(label) if isinstance(label, str) else int(label)

    @property
    def label_(self) -> str:
        return self.doc.vocab.strings[self.label]

    @property
    def _(self) -> Underscore:
        return Underscore(self._extensions, self, self.doc, self.start, self.end)

    def __len__(self) -> int:
        return self.end - self.start

    def __iter__(self) -> Iterator[Token]:
        return (Token(self.doc, i) for i in range(self.start, self.end))

    def __getitem__(self, i: int) -> Token:
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(f"index {i} out of range for a span of {n} tokens")
        return Token(self.doc, self.start + i)

    @property
    def start_char(self) -> int:
        return int(self.doc.offsets[self.start]) if len(self) else self._edge_char()

    @property
    def end_char(self) -> int:
        if not len(self):
            return self._edge_char()
        last = self.end - 1
        return int(self.doc.offsets[last]) + len(self.doc[last].text)

    def _edge_char(self) -> int:
        return int(self.doc.offsets[self.start]) if self.start < len(self.doc) else len(self.doc.text)

    @property
    def text(self) -> str:
        return self.doc.text[self.start_char:self.end_char]

    @property
    def text_with_ws(self) -> str:
        ws = " " if self.end and self.doc.spaces[self.end - 1] else ""
        return self.text + ws

    @property
    def root(self) -> Token:
        """The token whose head lies outside the span (the first such one)."""
        heads = self.doc.columns["HEAD"]
        for i in range(self.start, self.end):
            h = int(heads[i])
            if h < 0 or h == i or not self.start <= h < self.end:
                return Token(self.doc, i)
        return Token(self.doc, self.start)

    @property
    def ents(self) -> tuple["Span", ...]:
        """The doc's entities that lie wholly inside this span."""
        return tuple(ent for ent in self.doc.ents if self.start <= ent.start and ent.end <= self.end)

    @property
    def sent(self) -> "Span":
        """The sentence holding the span's first token (the doc is one sentence when no boundary is set)."""
        if not len(self.doc):
            raise ValueError("an empty doc has no sentence")
        return self.doc[min(self.start, len(self.doc) - 1)].sent

    def char_span(self, start: int, end: int, label: int | str = 0, alignment_mode: str = "strict") -> "Span | None":
        """The span covering characters [start, end) of this span's text (offsets relative to the span), as
        `Doc.char_span` finds it; None when they do not fall on token boundaries."""
        offset = self.start_char
        return self.doc.char_span(offset + start, offset + end, label=label, alignment_mode=alignment_mode)

    # -- static vectors: the mean of the tokens' vectors ----------------------------------------------
    @property
    def vector(self) -> np.ndarray:
        return mean_vector(self, self.doc.vocab)

    @property
    def has_vector(self) -> bool:
        return any(token.has_vector for token in self)

    @property
    def vector_norm(self) -> float:
        return float(np.linalg.norm(self.vector))

    def similarity(self, other) -> float:
        """Cosine similarity of the two vectors (0.0, with a warning, when either has none)."""
        return similarity(self, other)

    def as_doc(self) -> "Doc":
        """A new Doc holding a copy of this span's tokens and annotations."""
        return self.doc.slice(self.start, self.end)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Span) and other.doc is self.doc
                and (other.start, other.end, other.label) == (self.start, self.end, self.label))

    def __hash__(self) -> int:
        return hash((id(self.doc), self.start, self.end, self.label))

    def __repr__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


def mean_vector(tokens: Iterable[Token], vocab: "Vocab") -> np.ndarray:
    """The mean of the tokens' vectors (words without one count as zeros; zeros when there are no tokens)."""
    vectors = [token.vector for token in tokens]
    if not vectors:
        return np.zeros(vocab.vectors.shape[1] if vocab.vectors is not None else 0, dtype=np.float32)
    return np.mean(vectors, axis=0).astype(np.float32)
