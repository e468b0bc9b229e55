"""Read spaCy's binary `.spacy` corpora (DocBin files) without spaCy.

A DocBin is one zlib-compressed msgpack map: "attrs" (spaCy attribute ids, ORTH first), "tokens" (a
uint64 array, one row per token and one column per attr), "spaces", "lengths" (int32 tokens per doc),
"strings" (every string the arrays refer to), "cats", "flags" and "span_groups" (per doc), and optionally
"user_data" (ignored). String values are spaCy hashes (MurmurHash64A, seed 1, of the UTF-8 bytes) or, for
strings in spaCy's symbol table, the symbol's id; POS values are symbol ids; HEAD is relative; SENT_START
holds 1 / -1 / 0 as a wrapped uint64.
"""
from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path
from typing import Any, BinaryIO, Iterator

import numpy as np
from srsly import msgpack
from srsly.msgpack.exceptions import BufferFull

from plait.core.data.spacy_symbols import NAMES as SYMBOLS
from plait.core.doc import COLUMN_DTYPES, Doc
from plait.core.errors import DataError
from plait.core.span import Span
from plait.core.span_group import SpanGroup
from plait.core.vocab import Vocab

# spaCy attribute ids (spacy.attrs) of the columns plait reads; NORM, ENT_KB_ID, ENT_ID and SPACY are skipped.
ATTRS = {65: "ORTH", 73: "LEMMA", 74: "POS", 75: "TAG", 76: "DEP", 77: "ENT_IOB", 78: "ENT_TYPE", 79: "HEAD",
         80: "SENT_START", 453: "MORPH"}
_STRING_ATTRS = ("TAG", "MORPH", "LEMMA", "DEP", "ENT_TYPE")
_SYMBOL_IDS = {name: i for i, name in enumerate(SYMBOLS)}
_MASK = (1 << 64) - 1
_M = 0xC6A4A7935BD1E995
_SPAN = struct.Struct(">QQQllll")  # id, kb_id, label, start, end, start_char, end_char
_RATIO = 40  # the most a DocBin may inflate, times its compressed size (see _bound)
_PIECE = 1 << 20  # bytes inflated per read


def murmurhash64a(data: bytes, seed: int = 1) -> int:
    """MurmurHash64A of `data`: the hash spaCy's StringStore gives a string (of its UTF-8 bytes, seed 1)."""
    h = (seed ^ (len(data) * _M)) & _MASK
    cut = len(data) - len(data) % 8
    for (k,) in struct.iter_unpack("<Q", data[:cut]):
        k = (k * _M) & _MASK
        k ^= k >> 47
        h = ((h ^ ((k * _M) & _MASK)) * _M) & _MASK
    if cut < len(data):
        h = ((h ^ int.from_bytes(data[cut:], "little")) * _M) & _MASK
    h ^= h >> 47
    h = (h * _M) & _MASK
    return h ^ (h >> 47)


def spacy_key(text: str) -> int:
    """The integer spaCy stores for `text`: its symbol id, 0 for "", else its hash."""
    symbol = _SYMBOL_IDS.get(text)
    return symbol if symbol is not None else murmurhash64a(text.encode("utf8"))


def read_spacy_docbin(path: str | Path, vocab: Vocab) -> Iterator[Doc]:
    """Docs of a `.spacy` file with tokens, spaces, tags, POS, morphology, lemmas, heads / deps, entities,
    sentence starts, cats and span groups; DataError("FILE:1: ...") when it is not a readable DocBin."""
    path = Path(path)
    msg = _read_message(path)
    try:
        table = _DocBinTable(msg, vocab)
    except (KeyError, ValueError, TypeError, IndexError) as err:
        raise DataError(f"{path}:1: corrupt spaCy DocBin: {err}") from None
    for i in range(table.n_docs):
        try:
            doc = table.doc(i)
        except (KeyError, ValueError, TypeError, IndexError, struct.error) as err:
            raise DataError(f"{path}:1: corrupt spaCy DocBin, doc {i + 1}: {err}") from None
        yield doc


def _read_message(path: Path) -> Any:
    """The DocBin's msgpack map, inflated and unpacked a piece at a time within `_bound(file size)` bytes: a
    small file that inflates to gigabytes is refused as soon as a length in it, or the inflated total, passes
    the bound, before that memory is taken."""
    with open(path, "rb") as f:
        bound = _bound(os.fstat(f.fileno()).st_size)
        unpacker = msgpack.Unpacker(_Inflating(f), raw=False, read_size=_PIECE, max_buffer_size=bound,
                                    max_array_len=bound // 64, max_map_len=bound // 64)  # a Python object per item
        try:
            return unpacker.unpack()
        except zlib.error as err:
            raise DataError(f"{path}:1: not a spaCy DocBin (.spacy) file: zlib: {err}") from None
        except BufferFull:
            raise _too_large(path, bound) from None
        except ValueError as err:
            if "exceeds max_" in str(err):  # a length the unpacker checked against the bound
                raise _too_large(path, bound) from None
            raise DataError(f"{path}:1: corrupt spaCy DocBin ({type(err).__name__}: {err})") from None
        except Exception as err:  # the unpacker raises many types for garbage bytes
            raise DataError(f"{path}:1: corrupt spaCy DocBin ({type(err).__name__}: {err})") from None


def _bound(size: int) -> int:
    """The most bytes a DocBin file of `size` bytes may inflate to. Real ones inflate 2 to 10 times; zlib can
    reach 1000 times, which no corpus needs, so past `_RATIO` times the file is a decompression bomb."""
    return _RATIO * size + _PIECE


def _too_large(path: Path, bound: int) -> DataError:
    return DataError(f"{path}:1: refusing a spaCy DocBin that inflates to more than {bound // (1 << 20)} MiB "
                     f"({_RATIO} times its size; real corpora inflate about 10 times)")


class _Inflating:
    """A zlib stream read inflated, at most `n` bytes per `read(n)`: nothing is inflated before it is asked for."""

    def __init__(self, compressed: BinaryIO) -> None:
        self._compressed, self._inflater, self._pending = compressed, zlib.decompressobj(), b""

    def read(self, n: int) -> bytes:
        while not self._inflater.eof:
            if not self._pending:
                self._pending = self._compressed.read(_PIECE)
            at_end = not self._pending
            out = self._inflater.decompress(self._pending, n)
            self._pending = self._inflater.unconsumed_tail
            if out:
                return out
            if at_end:
                raise zlib.error("incomplete or truncated stream")
        return b""


class _DocBinTable:
    """A decoded DocBin message: its columns translated to plait's keys once, sliced doc by doc."""

    def __init__(self, msg: Any, vocab: Vocab) -> None:
        if not isinstance(msg, dict) or "attrs" not in msg or "tokens" not in msg:
            raise ValueError("expected a map with 'attrs' and 'tokens'")
        self.vocab = vocab
        attrs = list(msg["attrs"])
        if not attrs or attrs[0] != 65:
            raise ValueError("the first attribute must be ORTH")
        lengths = np.frombuffer(msg["lengths"], dtype="<i4")
        n = int(lengths.sum())
        if (lengths < 0).any():
            raise ValueError("negative doc length")
        tokens = np.frombuffer(msg["tokens"], dtype="<u8") if n else np.zeros(0, dtype="<u8")
        if tokens.size != n * len(attrs):
            raise ValueError(f"token array holds {tokens.size} values, not {n} tokens x {len(attrs)} attributes")
        tokens = tokens.reshape(n, len(attrs))
        self.spaces = np.frombuffer(msg["spaces"], dtype=np.bool_) if n else np.zeros(0, dtype=bool)
        if len(self.spaces) != n:
            raise ValueError(f"{len(self.spaces)} space flags for {n} tokens")
        self.bounds = np.concatenate([[0], np.cumsum(lengths)]).tolist()
        self.n_docs = len(lengths)
        self.cats = msg.get("cats", [{}] * self.n_docs)
        self.span_groups = msg.get("span_groups", [b""] * self.n_docs)
        if len(self.cats) != self.n_docs or len(self.span_groups) != self.n_docs:
            raise ValueError("cats or span groups do not match the number of docs")
        strings = list(msg.get("strings", []))
        self.lookup = {spacy_key(s): s for s in strings if isinstance(s, str)}
        self.lookup.update({0: "", _SYMBOL_IDS["_"]: "_"})
        raw = {ATTRS[a]: tokens[:, j] for j, a in enumerate(attrs) if a in ATTRS}
        self.words = self._strings(raw.pop("ORTH"), "ORTH")
        self.columns: dict[str, np.ndarray] = {}
        for name in _STRING_ATTRS:
            if name in raw:
                keys = self.vocab.strings
                words = self._strings(raw[name], name)
                if name == "MORPH":
                    words = ["" if w == "_" else w for w in words]
                self.columns[name] = np.fromiter((keys.add(s) for s in words), dtype=np.uint64, count=n)
        if "POS" in raw:
            pos = raw["POS"]
            if len(pos) and int(pos.max()) >= len(SYMBOLS):
                raise ValueError(f"POS value {int(pos.max())} is not a spaCy symbol")
            table = np.array([self.vocab.strings.add(s) for s in SYMBOLS], dtype=np.uint64)
            self.columns["POS"] = table[pos.astype(np.int64)]
        if "ENT_IOB" in raw:
            if len(raw["ENT_IOB"]) and int(raw["ENT_IOB"].max()) > 3:
                raise ValueError("ENT_IOB values must be 0-3")
            self.columns["ENT_IOB"] = raw["ENT_IOB"].astype(np.int8)
        if "SENT_START" in raw:
            starts = raw["SENT_START"].view(np.int64)
            if len(starts) and (np.abs(starts) > 1).any():
                raise ValueError("SENT_START values must be -1, 0 or 1")
            self.columns["SENT_START"] = starts.astype(np.int8)
        self.heads = raw["HEAD"].view(np.int64) if "HEAD" in raw else None

    def _strings(self, keys: np.ndarray, attr: str) -> list[str]:
        """The strings of a column of spaCy keys; ValueError naming the first key the file does not hold."""
        distinct, inverse = np.unique(keys, return_inverse=True)
        try:
            values = [self.lookup[k] for k in distinct.tolist()]
        except KeyError as err:
            raise ValueError(f"{attr} value {err.args[0]} refers to no string in the file") from None
        return [values[k] for k in inverse.tolist()]

    def doc(self, i: int) -> Doc:
        start, end = self.bounds[i], self.bounds[i + 1]
        doc = Doc(self.vocab, self.words[start:end], self.spaces[start:end].copy())
        for name, values in self.columns.items():
            doc.columns[name] = values[start:end].astype(COLUMN_DTYPES[name])
        if self.heads is not None and "DEP" in self.columns:
            # spaCy keeps a head for every token; one without a dependency label has no known head
            heads = self.heads[start:end] + np.arange(end - start)
            if len(heads) and (heads.min() < 0 or heads.max() >= end - start):
                raise ValueError("a head points outside its doc")
            doc.columns["HEAD"] = np.where(doc.columns["DEP"] != 0, heads, -1).astype(COLUMN_DTYPES["HEAD"])
        doc.cats = {str(k): float(v) for k, v in dict(self.cats[i]).items()}
        doc.spans = self._span_groups(doc, self.span_groups[i])
        return doc

    def _span_groups(self, doc: Doc, data: bytes) -> dict[str, SpanGroup]:
        """Span groups: msgpack of either a list of group records or {group record: [keys]}; of a group's attrs,
        the "scores" a spancat writes (one number a span) are kept."""
        groups = msgpack.loads(data, raw=False) if data else []
        if isinstance(groups, dict):
            named = [(key, record) for record, keys in groups.items() for key in keys]
        else:
            named = [(None, record) for record in groups]
        out: dict[str, SpanGroup] = {}
        for key, record in named:
            group = msgpack.loads(record, raw=False)
            spans = []
            for packed in group["spans"]:
                _, _, label, start, end, _, _ = _SPAN.unpack(packed)
                if not 0 <= start <= end <= len(doc):
                    raise ValueError(f"span [{start}:{end}] outside a doc of {len(doc)} tokens")
                spans.append(Span(doc, start, end, self.lookup[label]))
            name = key if key is not None else group["name"]
            out[name] = SpanGroup(doc, name=name, attrs=_scores(group.get("attrs"), len(spans)), spans=spans)
        return out


def _scores(attrs: Any, n_spans: int) -> dict[str, list[float]]:
    """{"scores": [...]} from a spaCy span group's attrs when they hold one number a span, else {}."""
    scores = attrs.get("scores") if isinstance(attrs, dict) else None
    if scores is None:
        return {}
    values = np.asarray(scores, dtype=np.float64).reshape(-1)
    if len(values) != n_spans:
        raise ValueError(f"a span group has {len(values)} scores for {n_spans} spans")
    return {"scores": values.tolist()}
