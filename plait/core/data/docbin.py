"""The `.plait` binary corpus: a stream of msgpack records, so reading and writing need constant memory.

Layout: a header {"format": "plait.docbin", "version": 1}; then chunks, each self-contained (the words
and strings its docs use, and their arrays concatenated as raw bytes); then a trailer {"end": True,
"docs": n, "tokens": n} whose absence means the file was cut short.
"""
from __future__ import annotations

import itertools
import os
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Iterator

import numpy as np
from srsly import msgpack

from plait.core.data.build import column_values
from plait.core.doc import COLUMN_DTYPES, STRING_COLUMNS, Doc
from plait.core.errors import DataError
from plait.core.span import Span
from plait.core.vocab import Vocab

FORMAT = "plait.docbin"
VERSION = 1
_MAX_RECORD = 1 << 31  # bytes; a chunk is far smaller


class DocBinWriter:
    """Writes Docs to `path` in chunks of up to `chunk_docs` docs / `chunk_tokens` tokens.

    Use as a context manager: the data goes to a hidden temporary file in the same folder, renamed to
    `path` only when the block ends without an error, so `path` never holds a half-written corpus.
    """

    def __init__(self, path: str | Path, *, chunk_docs: int = 1000, chunk_tokens: int = 100_000) -> None:
        self.path = Path(path)
        self.chunk_docs, self.chunk_tokens = chunk_docs, chunk_tokens
        self.n_docs = self.n_tokens = 0
        self._tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        self._file: BinaryIO | None = None
        self._packer = msgpack.Packer(use_bin_type=True)
        self._pending: list[Doc] = []
        self._vocab: Vocab | None = None
        self._pending_tokens = 0

    def __enter__(self) -> "DocBinWriter":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(self._tmp, "wb")
        self._file.write(self._packer.pack({"format": FORMAT, "version": VERSION}))
        return self

    def add(self, doc: Doc) -> None:
        """Queue a doc (all docs must share one Vocab); a full chunk is written out."""
        if self._file is None:
            raise RuntimeError("DocBinWriter.add must be called inside a `with DocBinWriter(path)` block")
        if self._vocab is None:
            self._vocab = doc.vocab
        elif doc.vocab is not self._vocab:
            raise ValueError("all docs written to one DocBinWriter must share a Vocab")
        self._pending.append(doc)
        self._pending_tokens += len(doc)
        self.n_docs += 1
        self.n_tokens += len(doc)
        if len(self._pending) >= self.chunk_docs or self._pending_tokens >= self.chunk_tokens:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._file.write(self._packer.pack(encode_docs(self._pending)))
            self._pending, self._pending_tokens = [], 0

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        try:
            if exc_type is None:
                self._flush()
                self._file.write(self._packer.pack({"end": True, "docs": self.n_docs, "tokens": self.n_tokens}))
            self._file.close()
            if exc_type is None:
                os.replace(self._tmp, self.path)
        finally:
            self._tmp.unlink(missing_ok=True)


def encode_docs(docs: list[Doc]) -> dict[str, Any]:
    """One record for several docs: arrays concatenated, with the words and strings they refer to."""
    distinct: dict[int, int] = {}  # lexeme id -> index into the record's words, in order of first use
    orth = [distinct.setdefault(i, len(distinct)) for doc in docs for i in doc.lex.tolist()]
    vocab = docs[0].vocab
    columns = {name: np.concatenate([column_values(doc, name) for doc in docs])
               for name in COLUMN_DTYPES if any(name in doc.columns for doc in docs)}
    keys = {s.label for doc in docs for group in doc.spans.values() for s in group}
    for name in STRING_COLUMNS:
        if name in columns:
            keys.update(columns[name].tolist())
    strings = vocab.strings
    return {
        "lengths": np.array([len(doc) for doc in docs], dtype=np.int64).tobytes(),
        "words": [vocab.words[i] for i in distinct],
        "orth": np.array(orth, dtype=np.int32).tobytes(),
        "spaces": np.concatenate([doc.spaces for doc in docs]).astype(np.bool_).tobytes(),
        "columns": {name: [values.dtype.str, values.tobytes()] for name, values in columns.items()},
        "strings": [strings[k] for k in keys if k],
        "cats": [doc.cats for doc in docs],
        "spans": [{name: [[s.start, s.end, s.label] for s in group] for name, group in doc.spans.items()}
                  for doc in docs],
        "span_scores": [{name: group.scores for name, group in doc.spans.items() if group.scores is not None}
                        for doc in docs],
    }


def unpack_record(data: bytes) -> dict[str, Any]:
    """One record's msgpack bytes as Python values. With a pairs hook srsly skips looking up its registered
    decoders, which scans every installed package's entry points on each call (about 1 ms: the cost of a
    training step's batch of short docs); plait's records hold only plain values."""
    return msgpack.unpackb(data, raw=False, object_pairs_hook=dict)


def decode_docs(record: dict[str, Any], vocab: Vocab) -> list[Doc]:
    """The docs of one chunk record read from a file, checked first; KeyError / ValueError / TypeError when it
    is malformed."""
    lengths, orth, spaces, columns = arrays = _arrays(record)
    for name, values in columns.items():
        if name not in COLUMN_DTYPES or values.dtype != COLUMN_DTYPES[name]:
            raise ValueError(f"unexpected column {name!r} of type {values.dtype}")
    n = sum(lengths.tolist())
    if len(orth) != n or len(spaces) != n or any(len(v) != n for v in columns.values()):
        raise ValueError(f"array lengths do not add up to the {n} tokens of the chunk")
    if len(orth) and (orth.min() < 0 or orth.max() >= len(record["words"])):
        raise ValueError("word index out of range")
    known = np.array([0] + [vocab.strings.add(s) for s in record["strings"]], dtype=np.uint64)
    named = [name for name in STRING_COLUMNS if name in columns]
    if named and not np.isin(np.concatenate([columns[name] for name in named]), known).all():  # one test, then
        bad = next(name for name in named if not np.isin(columns[name], known).all())  # the culprit's name
        raise ValueError(f"column {bad} refers to strings the chunk does not hold")
    return _build_docs(record, vocab, arrays)


def decode_trusted_docs(record: dict[str, Any], vocab: Vocab) -> list[Doc]:
    """The docs of a record that `encode_docs` made in this process or a worker forked from it (a training
    store's, an n_process worker's): nothing to check, which is a third of decoding a short doc."""
    for string in record["strings"]:
        vocab.strings.add(string)
    return _build_docs(record, vocab, _arrays(record))


def _arrays(record: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """A record's per-doc lengths and its tokens' word indices, space flags and columns, as arrays."""
    columns = {name: np.frombuffer(data, dtype=np.dtype(dtype)) for name, (dtype, data) in record["columns"].items()}
    return (np.frombuffer(record["lengths"], dtype=np.int64), np.frombuffer(record["orth"], dtype=np.int32),
            np.frombuffer(record["spaces"], dtype=np.bool_), columns)


def _build_docs(record: dict[str, Any], vocab: Vocab,
                arrays: tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]) -> list[Doc]:
    """The docs of a record whose strings are in `vocab` already."""
    lengths, orth, spaces, columns = arrays
    lex = vocab.lex_ids(record["words"])[orth]  # each distinct word looked up once
    docs = []
    start = 0
    for i, length in enumerate(lengths.tolist()):
        end = start + length
        doc = Doc.from_lex(vocab, lex[start:end], spaces[start:end].copy())
        for name, values in columns.items():
            doc.columns[name] = values[start:end].copy()
        doc.cats = dict(record["cats"][i])
        doc.spans = {name: [Span(doc, s, e, label) for s, e, label in group]
                     for name, group in record["spans"][i].items()}
        for name, scores in (record["span_scores"][i] if "span_scores" in record else {}).items():
            if name not in doc.spans or len(scores) != len(doc.spans[name]):
                raise ValueError(f"the scores of span group {name!r} do not match its spans")
            doc.spans[name].attrs["scores"] = [float(x) for x in scores]
        docs.append(doc)
        start = end
    return docs


def read_docbin(path: str | Path, vocab: Vocab) -> Iterator[Doc]:
    """Docs from a `.plait` file, one chunk in memory at a time; DataError("FILE:RECORD: ...") if it is damaged."""
    path = Path(path)
    with open(path, "rb") as f:
        # every item of an array takes at least a byte of the file, of a map two: longer headers are refused
        # before the unpacker allocates room for them
        size = os.fstat(f.fileno()).st_size
        records = iter(msgpack.Unpacker(f, raw=False, max_buffer_size=_MAX_RECORD, max_array_len=size,
                                        max_map_len=size // 2))
        header = _next_record(path, records, 1)
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise DataError(f"{path}:1: not a plait binary corpus (no {FORMAT} header)")
        if header.get("version") != VERSION:
            raise DataError(f"{path}:1: binary corpus format version {header.get('version')!r}; "
                            f"this plait reads version {VERSION}")
        n_docs = 0
        for number in itertools.count(2):
            record = _next_record(path, records, number)
            if record is None:
                raise DataError(f"{path}:{number}: file ends without its end record (truncated?)")
            if not isinstance(record, dict):
                raise DataError(f"{path}:{number}: corrupt record (expected a map)")
            if record.get("end"):
                if record.get("docs") != n_docs:
                    raise DataError(f"{path}:{number}: end record counts {record.get('docs')} docs, read {n_docs}")
                if _next_record(path, records, number + 1) is not None:
                    raise DataError(f"{path}:{number + 1}: unexpected data after the end record")
                return
            try:
                docs = decode_docs(record, vocab)
            except (KeyError, ValueError, TypeError, IndexError) as err:
                raise DataError(f"{path}:{number}: corrupt chunk: {err}") from None
            n_docs += len(docs)
            yield from docs


def _next_record(path: Path, records: Iterator[Any], number: int) -> Any:
    """The next msgpack record, None at the end of the file; DataError when the bytes cannot be unpacked."""
    try:
        return next(records, None)
    except Exception as err:  # the unpacker raises many types for garbage bytes
        raise DataError(f"{path}:{number}: corrupt binary corpus ({type(err).__name__}: {err})") from None
