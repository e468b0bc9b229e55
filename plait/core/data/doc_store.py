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

from plait.core.data.docbin import decode_docs, encode_docs, unpack_record
from plait.core.data.example import Example
from plait.core.vocab import Vocab


class DocRef:
    """A stored Example by index, with the length a batcher needs to place it."""

    __slots__ = ("index", "length")

    def __init__(self, index: int, length: int) -> None:
        self.index, self.length = index, length

    def __len__(self) -> int:
        return self.length


class DocStore:
    """Examples (predicted and reference Doc) as one msgpack record each in an anonymous temporary file."""

    def __init__(self, vocab: Vocab, examples: Iterable[Example]) -> None:
        self.vocab = vocab
        self._file = tempfile.TemporaryFile(prefix="plait-corpus-")
        packer = msgpack.Packer(use_bin_type=True)
        offsets, lengths = [0], []
        for eg in examples:
            offsets.append(offsets[-1] + self._file.write(packer.pack(encode_docs([eg.predicted, eg.reference]))))
            lengths.append(len(eg.reference))
        self._file.flush()
        self.offsets = np.array(offsets, dtype=np.int64)
        self.lengths = np.array(lengths, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.lengths)

    def refs(self, order: Sequence[int]) -> Iterator[DocRef]:
        """References to the stored Examples in `order`, for a batcher to group."""
        for i in order:
            yield DocRef(int(i), int(self.lengths[i]))

    def load(self, refs: Iterable[DocRef]) -> list[Example]:
        """The Examples that `refs` point to, read back from the file."""
        out = []
        for ref in refs:
            start, end = int(self.offsets[ref.index]), int(self.offsets[ref.index + 1])
            record = os.pread(self._file.fileno(), end - start, start)
            predicted, reference = decode_docs(unpack_record(record), self.vocab)
            out.append(Example(predicted, reference))
        return out

    def __iter__(self) -> Iterator[Example]:
        for start in range(0, len(self), 256):
            yield from self.load(self.refs(range(start, min(start + 256, len(self)))))
