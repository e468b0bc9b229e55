"""Token: a view of one position in a Doc; every attribute reads the doc's columns."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

import numpy as np

from plait.core import lex_attrs
from plait.core.extensions import HasExtensions, Underscore
from plait.core.morphology import MorphAnalysis
from plait.core.vectors.table import similarity
from plait.core.vocab import Lexeme

if TYPE_CHECKING:
    from plait.core.doc import Doc
    from plait.core.span import Span

IOB_NAMES = ("", "I", "O", "B")


class Token(HasExtensions):
    """One token. `tag_` is the string, `tag` its hash; the same for pos, morph, lemma, dep, ent_type."""

    __slots__ = ("doc", "i")

    def __init__(self, doc: "Doc", i: int) -> None:
        self.doc, self.i = doc, i

    @property
    def _(self) -> Underscore:
        return Underscore(self._extensions, self, self.doc, self.i, None)

    # -- text ---------------------------------------------------------------------------------
    @property
    def text(self) -> str:
        return self.doc.vocab.words[self.doc.lex[self.i]]

    orth_ = text

    @property
    def whitespace_(self) -> str:
        return " " if self.doc.spaces[self.i] else ""

    @property
    def text_with_ws(self) -> str:
        return self.text + self.whitespace_

    @property
    def idx(self) -> int:
        """Character offset of the token in `doc.text`."""
        return int(self.doc.offsets[self.i])

    def __len__(self) -> int:
        return len(self.text)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Token) and other.doc is self.doc and other.i == self.i

    def __hash__(self) -> int:
        return hash((id(self.doc), self.i))

    @property
    def is_stop(self) -> bool:
        """Whether the word is a stop word of the pipeline's language (see `Vocab.stop_words`)."""
        return self.doc.vocab.is_stop(self.text)

    @property
    def lex_id(self) -> int:
        return int(self.doc.lex[self.i])

    @property
    def lex(self) -> Lexeme:
        """The word type of this token."""
        return Lexeme(self.doc.vocab, self.lex_id)

    # -- static vectors (looked up by the word, see Vocab.get_vector) ---------------------------------
    @property
    def vector(self) -> np.ndarray:
        return self.lex.vector

    @property
    def has_vector(self) -> bool:
        return self.lex.has_vector

    @property
    def vector_norm(self) -> float:
        return float(np.linalg.norm(self.vector))

    def similarity(self, other) -> float:
        """Cosine similarity of the two vectors (0.0, with a warning, when either has none)."""
        return similarity(self, other)

    def __getattr__(self, name: str):
        # lexical attributes: lower_, norm_, prefix_, suffix_, shape_, is_alpha, like_num, ...
        upper = name.rstrip("_").upper()
        vocab = self.doc.vocab
        if upper in lex_attrs.STRING_ATTRS:
            key = int(vocab.lex_strings[self.doc.lex[self.i], lex_attrs.STRING_ATTRS.index(upper)])
            return vocab.strings[key] if name.endswith("_") else key
        if upper in lex_attrs.FLAG_ATTRS:
            return bool(vocab.lex_flags[self.doc.lex[self.i], lex_attrs.FLAG_ATTRS.index(upper)])
        raise AttributeError(f"Token has no attribute {name!r}")

    # -- annotations (hash and string forms) --------------------------------------------------------
    def _get(self, column: str) -> int:
        return int(self.doc.columns[column][self.i])

    def _set(self, column: str, value: str) -> None:
        self.doc.columns[column][self.i] = self.doc.vocab.strings.add(value)

    tag = property(lambda self: self._get("TAG"))
    tag_ = property(lambda self: self.doc.vocab.strings[self._get("TAG")], lambda self, v: self._set("TAG", v))
    pos = property(lambda self: self._get("POS"))
    pos_ = property(lambda self: self.doc.vocab.strings[self._get("POS")], lambda self, v: self._set("POS", v))
    # the features as a MorphAnalysis (str(), .get(field), .to_dict()); its hash is `morph.key`
    morph = property(lambda self: MorphAnalysis(self._get("MORPH"), self.doc.vocab.strings[self._get("MORPH")]))
    morph_ = property(lambda self: self.doc.vocab.strings[self._get("MORPH")], lambda self, v: self._set("MORPH", v))
    lemma = property(lambda self: self._get("LEMMA"))
    lemma_ = property(lambda self: self.doc.vocab.strings[self._get("LEMMA")], lambda self, v: self._set("LEMMA", v))
    dep = property(lambda self: self._get("DEP"))
    dep_ = property(lambda self: self.doc.vocab.strings[self._get("DEP")], lambda self, v: self._set("DEP", v))
    ent_type = property(lambda self: self._get("ENT_TYPE"))
    ent_type_ = property(lambda self: self.doc.vocab.strings[self._get("ENT_TYPE")])

    @property
    def ent_iob_(self) -> str:
        return IOB_NAMES[int(self.doc.columns["ENT_IOB"][self.i])]

    @property
    def head(self) -> "Token":
        """The syntactic head (the token itself for the root, or when no parse is set)."""
        h = int(self.doc.columns["HEAD"][self.i])
        return Token(self.doc, self.i if h < 0 else h)

    @head.setter
    def head(self, other: "Token") -> None:
        self.doc.columns["HEAD"][self.i] = other.i

    @property
    def children(self) -> Iterator["Token"]:
        heads = self.doc.columns["HEAD"]
        for j in np.flatnonzero(heads == self.i):
            if j != self.i:
                yield Token(self.doc, int(j))

    @property
    def lefts(self) -> Iterator["Token"]:
        """The children before the token, in document order."""
        return (t for t in self.children if t.i < self.i)

    @property
    def rights(self) -> Iterator["Token"]:
        """The children after the token, in document order."""
        return (t for t in self.children if t.i > self.i)

    @property
    def ancestors(self) -> Iterator["Token"]:
        """The head, its head, and so on up to the root (stops at a cycle, which a malformed parse may hold)."""
        heads, seen, i = self.doc.columns["HEAD"], {self.i}, self.i
        while heads[i] >= 0 and int(heads[i]) not in seen:
            i = int(heads[i])
            seen.add(i)
            yield Token(self.doc, i)

    @property
    def subtree(self) -> Iterator["Token"]:
        """The token and all its descendants, in document order."""
        return (Token(self.doc, int(j)) for j in np.flatnonzero(self._in_subtree()))

    @property
    def left_edge(self) -> "Token":
        """The first token of the subtree."""
        return Token(self.doc, int(np.argmax(self._in_subtree())))

    @property
    def right_edge(self) -> "Token":
        """The last token of the subtree."""
        inside = self._in_subtree()
        return Token(self.doc, len(inside) - 1 - int(np.argmax(inside[::-1])))

    def _in_subtree(self) -> np.ndarray:
        """Per token of the doc, whether it lies in this token's subtree (breadth-first over the heads)."""
        heads = self.doc.columns["HEAD"]
        inside = np.zeros(len(heads), dtype=bool)
        inside[self.i] = True
        frontier = np.array([self.i])
        while len(frontier):
            frontier = np.flatnonzero(np.isin(heads, frontier) & ~inside)
            inside[frontier] = True
        return inside

    @property
    def is_sent_start(self) -> bool | None:
        """True, False, or None when unknown."""
        v = int(self.doc.columns["SENT_START"][self.i])
        return None if v == 0 else v == 1

    @is_sent_start.setter
    def is_sent_start(self, value: bool | None) -> None:
        self.doc.columns["SENT_START"][self.i] = 0 if value is None else (1 if value else -1)

    @property
    def sent(self) -> "Span":
        for sent in self.doc.sents:
            if sent.start <= self.i < sent.end:
                return sent
        raise RuntimeError("unreachable: every token lies in a sentence")

    def nbor(self, offset: int = 1) -> "Token":
        j = self.i + offset
        if not 0 <= j < len(self.doc):
            raise IndexError(f"token {self.i} has no neighbour at offset {offset}")
        return Token(self.doc, j)
