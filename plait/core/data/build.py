"""Build Docs from parsed string columns quickly: each distinct string is hashed once per reader."""
from __future__ import annotations

from itertools import accumulate
from typing import Iterable, Iterator, Sequence, TypeVar

import numpy as np

from plait.core.doc import COLUMN_DTYPES, Doc
from plait.core.strings import StringStore
from plait.core.vocab import Vocab


class _HashCache(dict):
    """string -> hash, adding the string to the store on first sight; `unset` strings map to 0."""

    def __init__(self, strings: StringStore, unset: Sequence[str]) -> None:
        super().__init__({value: 0 for value in unset})
        self._add = strings.add

    def __missing__(self, key: str) -> int:
        value = self[key] = self._add(key)
        return value


class DocBuilder:
    """Turns lists of strings (one per token) into Doc annotation columns without per-token Python objects.

    `unset` lists the strings that mean "no value" (e.g. CoNLL-U's "_"); "" always does.
    """

    def __init__(self, vocab: Vocab, unset: Sequence[str] = ("",)) -> None:
        self.vocab = vocab
        self._hashes = _HashCache(vocab.strings, tuple(unset) + ("",))

    def build(
        self,
        words: Sequence[str],
        spaces: Sequence[bool],
        strings: dict[str, Iterable[str]] | None = None,
        heads: np.ndarray | None = None,
        sent_starts: np.ndarray | None = None,
    ) -> Doc:
        """A Doc with string columns (e.g. {"TAG": [...]}), absolute heads and SENT_START codes set."""
        doc = Doc(self.vocab, words, spaces)
        n = len(doc)
        get = self._hashes.__getitem__
        for column, values in (strings or {}).items():
            doc.columns[column] = np.fromiter(map(get, values), dtype=COLUMN_DTYPES[column], count=n)
        if heads is not None:
            doc.columns["HEAD"] = np.asarray(heads, dtype=COLUMN_DTYPES["HEAD"])
        if sent_starts is not None:
            doc.columns["SENT_START"] = np.asarray(sent_starts, dtype=COLUMN_DTYPES["SENT_START"])
        return doc


S = TypeVar("S")


def group_sentences(sentences: Iterable[S], n_sents: int, across_docs: bool = False) -> Iterator[list[S]]:
    """Consecutive sentences, up to `n_sents` a group (0: no limit); a sentence whose `newdoc` is set starts a new
    group unless `across_docs` (which groups as `spacy convert -n N` does)."""
    group: list[S] = []
    for sent in sentences:
        if group and ((getattr(sent, "newdoc", False) and not across_docs) or len(group) == n_sents):
            yield group
            group = []
        group.append(sent)
    if group:
        yield group


def sentence_starts(lengths: Sequence[int]) -> tuple[list[int], np.ndarray]:
    """Start index of each sentence, and SENT_START codes (1 at starts, -1 elsewhere) for their concatenation."""
    starts = [0, *accumulate(lengths)]
    codes = np.full(starts.pop(), -1, dtype=np.int8)
    codes[[start for start, n in zip(starts, lengths) if n]] = 1
    return starts, codes


def column_values(doc: Doc, name: str) -> np.ndarray:
    """A doc's annotation column, or unset values for a column the doc never allocated (without allocating it)."""
    values = doc.columns.get(name)
    if values is None:
        values = np.full(len(doc), -1 if name == "HEAD" else 0, dtype=COLUMN_DTYPES[name])
    return values
