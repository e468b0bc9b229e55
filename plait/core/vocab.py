"""Vocab: the string store plus a table of lexemes (word types) with attributes computed once each."""
from __future__ import annotations

from typing import Iterable

import numpy as np

from plait.core import lex_attrs
from plait.core.strings import StringStore
from plait.core.vectors.table import Vectors, similarity


_MAX_NEW_ROWS = 4096  # new lexemes' rows held as Python lists before they go into the numpy tables


class Lexeme:
    """A view of one word type in a Vocab."""

    __slots__ = ("vocab", "id")

    def __init__(self, vocab: "Vocab", lex_id: int) -> None:
        self.vocab, self.id = vocab, lex_id

    @property
    def orth(self) -> int:
        return int(self.vocab.lex_strings[self.id, 0])

    @property
    def text(self) -> str:
        return self.vocab.words[self.id]

    orth_ = text

    def __getattr__(self, name: str):
        # lower_, norm_, prefix_, suffix_, shape_ (strings); lower, norm, ... (hashes); is_alpha, like_num, ... (flags)
        upper = name.rstrip("_").upper()
        if upper in lex_attrs.STRING_ATTRS:
            key = int(self.vocab.lex_strings[self.id, lex_attrs.STRING_ATTRS.index(upper)])
            return self.vocab.strings[key] if name.endswith("_") else key
        if upper in lex_attrs.FLAG_ATTRS:
            return bool(self.vocab.lex_flags[self.id, lex_attrs.FLAG_ATTRS.index(upper)])
        raise AttributeError(name)

    @property
    def is_stop(self) -> bool:
        return self.vocab.is_stop(self.text)

    @property
    def vector(self) -> np.ndarray:
        """The word's static vector (see `Vocab.get_vector`)."""
        return self.vocab.get_vector(self.text)

    @property
    def has_vector(self) -> bool:
        return self.vocab.has_vector(self.text)

    @property
    def vector_norm(self) -> float:
        return float(np.linalg.norm(self.vector))

    def similarity(self, other) -> float:
        """Cosine similarity of the two vectors (0.0, with a warning, when either has none)."""
        return similarity(self, other)

    def __repr__(self) -> str:
        return f"Lexeme({self.text!r})"


class Vocab:
    """Strings and lexemes shared by every Doc of a pipeline.

    Each distinct word gets a lexeme id on first sight; its attributes (hashes of ORTH, LOWER, NORM,
    PREFIX, SUFFIX, SHAPE and the boolean flags) live in two numpy tables indexed by that id, so a whole
    doc's features are one fancy-indexing operation.
    """

    def __init__(self, strings: Iterable[str] = ()) -> None:
        self.strings = StringStore(strings)
        self.words: list[str] = []
        self._ids: dict[str, int] = {}
        # Attribute tables with spare capacity, grown by doubling: adding a word never copies them all. New
        # lexemes' rows wait in `_new_rows` until a table is read, and go in with one numpy call.
        self._strings_table = np.zeros((1024, len(lex_attrs.STRING_ATTRS)), dtype=np.uint64)
        self._flags_table = np.zeros((1024, len(lex_attrs.FLAG_ATTRS)), dtype=bool)
        self._new_rows: list[tuple[list[int], tuple[bool, ...]]] = []
        self._vectors: Vectors | None = None
        # lower-case stop words (the pipeline's language sets them): `Token.is_stop`, IS_STOP in patterns
        self.stop_words: set[str] = set()

    def is_stop(self, word: str) -> bool:
        """Whether `word`, lower-cased, is a stop word of this vocab's language."""
        return word.lower() in self.stop_words

    @property
    def vectors(self) -> Vectors | None:
        """The static vectors table; once set here, the words `most_similar` returns are in `strings`."""
        return self._vectors

    @vectors.setter
    def vectors(self, table: Vectors | None) -> None:
        if table is not None:
            table.strings = self.strings
        self._vectors = table

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: str) -> bool:
        return word in self._ids

    def lex_id(self, word: str) -> int:
        """The lexeme id of `word`, adding the lexeme (and its attributes) if new."""
        lex = self._ids.get(word)
        if lex is None:
            lex = len(self.words)
            strings, flags = lex_attrs.compute(word)
            add = self.strings.add
            self._new_rows.append(([add(s) for s in strings], flags))
            self.words.append(word)
            self._ids[word] = lex
            if len(self._new_rows) >= _MAX_NEW_ROWS:  # a tokenizer-only run over a big corpus reads no table
                self._write_new_rows()
        return lex

    def lex_ids(self, words: Iterable[str]) -> np.ndarray:
        """Lexeme ids for a sequence of words, as an int32 array."""
        ids = self._ids
        try:  # fast path: every word seen before
            return np.array([ids[w] for w in words], dtype=np.int32)
        except KeyError:
            get, add = ids.get, self.lex_id
            return np.array([i if (i := get(w)) is not None else add(w) for w in words], dtype=np.int32)

    def __getitem__(self, word: str) -> Lexeme:
        return Lexeme(self, self.lex_id(word))

    @property
    def lex_strings(self) -> np.ndarray:
        """(n_lexemes, len(STRING_ATTRS)) uint64 table of attribute hashes (a view; do not keep it)."""
        self._write_new_rows()
        return self._strings_table[: len(self.words)]

    @property
    def lex_flags(self) -> np.ndarray:
        """(n_lexemes, len(FLAG_ATTRS)) bool table of lexical flags (a view; do not keep it)."""
        self._write_new_rows()
        return self._flags_table[: len(self.words)]

    def _write_new_rows(self) -> None:
        rows = self._new_rows
        if not rows:
            return
        end = len(self.words)
        if end > len(self._strings_table):
            size = len(self._strings_table)
            while size < end:
                size *= 2
            self._strings_table = _resized(self._strings_table, size)
            self._flags_table = _resized(self._flags_table, size)
        self._strings_table[end - len(rows):end] = [strings for strings, _ in rows]
        self._flags_table[end - len(rows):end] = [flags for _, flags in rows]
        rows.clear()

    def attr_column(self, lex: np.ndarray, attr: str) -> np.ndarray:
        """The values of lexical attribute `attr` (e.g. "LOWER", "IS_ALPHA") for an array of lexeme ids."""
        attr = attr.upper()
        if attr in lex_attrs.STRING_ATTRS:
            return self.lex_strings[lex, lex_attrs.STRING_ATTRS.index(attr)]
        if attr in lex_attrs.FLAG_ATTRS:
            return self.lex_flags[lex, lex_attrs.FLAG_ATTRS.index(attr)]
        known = ", ".join(lex_attrs.STRING_ATTRS + lex_attrs.FLAG_ATTRS)
        raise ValueError(f"unknown lexical attribute {attr!r}; known: {known}")

    def _vector_word(self, word: str) -> str | None:
        """The form of `word` that has a vector: the word itself, else its lowercase form, else None."""
        vectors = self.vectors
        if vectors is None:
            return None
        if word in vectors:
            return word
        if word.lower() in vectors:
            return word.lower()
        return word if vectors.subwords is not None else None

    def has_vector(self, word: str) -> bool:
        """Whether `word` (or, failing that, its lowercase form) has a static vector."""
        return self._vector_word(word) is not None

    def get_vector(self, word: str) -> np.ndarray:
        """The static vector of `word`, else of its lowercase form; zeros when neither has one.

        A FastText subword table (`init-vectors --mode subword`) builds a vector for any other word from its
        character n-grams.
        """
        found = self._vector_word(word)
        if found is None:
            dims = self.vectors.shape[1] if self.vectors is not None else 0
            return np.zeros(dims, dtype=np.float32)
        return self.vectors.get_vector(found)


def _resized(table: np.ndarray, rows: int) -> np.ndarray:
    out = np.zeros((rows, *table.shape[1:]), dtype=table.dtype)
    out[: len(table)] = table
    return out
