"""A training corpus on disk instead of in memory: each Example is written once to a temporary file, and any
of them is read back by its index, so memory does not grow with the corpus and each epoch can shuffle.

Records are read with `os.pread`, not through a memory map: a mapped file's pages count in the process's
resident size once read, so an epoch over a mapped corpus grew RSS with the corpus."""
from __future__ import annotations

import os
import tempfile
from typing import Iterable, Iterator, Sequence

import numpy as np
from srsly import msgpack

from plait.core.data.docbin import decode_trusted_docs, encode_docs, unpack_record
from plait.core.data.example import Example
from plait.core.doc import Doc
from plait.core.vocab import Vocab


class DocRef:
    """A stored Example by index, with the length a batcher needs to place it."""

    __slots__ = ("index", "length")

    def __init__(self, index: int, length: int) -> None:
        self.index, self.length = index, length

    def __len__(self) -> int:
        return self.length


class DocStore:
    """Examples (predicted and reference Doc) as one msgpack record each in an anonymous temporary file. A
    predicted doc that is the reference's tokens without annotations (most corpora) is not stored: it is made
    again from the reference's tokens, which halves the decoding of each example.

    The examples are stored as they are first read: the first pass over the store (`iter`), which in `plait
    train` is the first component's initialization, gets them straight from the corpus instead of decoding
    them again; anything else (len, refs, load, a later pass) first stores whatever that pass left unread.
    """

    def __init__(self, vocab: Vocab, examples: Iterable[Example]) -> None:
        self.vocab = vocab
        self._file = tempfile.TemporaryFile(prefix="plait-corpus-")
        self._packer = msgpack.Packer(use_bin_type=True)
        self._unread: Iterator[Example] | None = iter(examples)
        self._offsets: list[int] | np.ndarray = [0]  # lists while filling, arrays once complete
        self._lengths: list[int] | np.ndarray = []

    def _store(self) -> Iterator[Example]:
        """Write the examples not stored yet, yielding each once it is on file."""
        if self._unread is None:
            return
        for eg in self._unread:
            docs = [eg.reference] if _bare_copy(eg.predicted, eg.reference) else [eg.predicted, eg.reference]
            size = self._file.write(self._packer.pack(encode_docs(docs)))
            self._offsets.append(self._offsets[-1] + size)
            self._lengths.append(len(eg.reference))
            yield eg
        self._unread = None
        self._file.flush()
        self._offsets, self._lengths = np.array(self._offsets, np.int64), np.array(self._lengths, np.int64)

    def _complete(self) -> None:
        for _ in self._store():
            pass

    def __len__(self) -> int:
        self._complete()
        return len(self._lengths)

    def refs(self, order: Sequence[int]) -> Iterator[DocRef]:
        """References to the stored Examples in `order`, for a batcher to group."""
        self._complete()
        for i in order:
            yield DocRef(int(i), int(self._lengths[i]))

    def load(self, refs: Iterable[DocRef]) -> list[Example]:
        """The Examples that `refs` point to, read back from the file."""
        self._complete()
        return self._read(refs)

    def _read(self, refs: Iterable[DocRef]) -> list[Example]:
        out = []
        for ref in refs:
            start, end = int(self._offsets[ref.index]), int(self._offsets[ref.index + 1])
            record = os.pread(self._file.fileno(), end - start, start)
            docs = decode_trusted_docs(unpack_record(record), self.vocab)
            out.append(Example(docs[0].copy_tokens(), docs[0]) if len(docs) == 1 else Example(*docs))
        return out

    def __iter__(self) -> Iterator[Example]:
        if self._unread is not None:
            self._file.flush()  # the stored part is read back with pread, the rest comes from the corpus
        stored = len(self._lengths)
        for start in range(0, stored, 256):
            yield from self._read(DocRef(i, 0) for i in range(start, min(start + 256, stored)))
        yield from self._store()


def _bare_copy(predicted: Doc, reference: Doc) -> bool:
    """Whether `predicted` holds nothing the store keeps beyond the reference's tokens: the same words and
    spaces, no annotation column, cats or spans."""
    return (not predicted.columns and not predicted.cats and not predicted.spans and len(predicted) == len(reference)
            and predicted.vocab is reference.vocab and np.array_equal(predicted.lex, reference.lex)
            and np.array_equal(predicted.spaces, reference.spaces))
