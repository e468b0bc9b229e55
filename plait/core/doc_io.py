"""spaCy's `doc.to_json()` and `doc.to_bytes()` / `Doc(vocab).from_bytes(data)` for Doc.

The bytes are one msgpack map carrying the words and every string the annotations use, so a doc read back
into another vocab has the same text and annotations; no pickle, and every field is checked on reading.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

import numpy as np
from srsly import msgpack

if TYPE_CHECKING:
    from plait.core.doc import Doc

_FIELDS = ("words", "spaces", "columns", "strings", "cats", "spans", "user_data")
_EXCLUDABLE = ("cats", "spans", "user_data")


def to_json(doc: "Doc") -> dict[str, Any]:
    """spaCy's JSON shape: "text", "ents" and "sents" (character offsets), "tokens" (id, start, end and each
    annotation the doc has: tag, pos, morph, lemma, dep, head), "cats" and "spans" when present."""
    data: dict[str, Any] = {"text": doc.text}
    if doc.has_annotation("ENT_IOB"):
        data["ents"] = [{"start": e.start_char, "end": e.end_char, "label": e.label_} for e in doc.ents]
    if doc.has_annotation("SENT_START") or doc.has_annotation("HEAD"):
        data["sents"] = [{"start": s.start_char, "end": s.end_char} for s in doc.sents]
    if doc.cats:
        data["cats"] = dict(doc.cats)
    present = [(key, column) for key, column in (("tag", "TAG"), ("pos", "POS"), ("morph", "MORPH"),
                                                 ("lemma", "LEMMA"), ("dep", "DEP")) if doc.has_annotation(column)]
    values = {key: doc.strings_of(column) for key, column in present}
    heads = doc.has_annotation("HEAD")
    tokens = []
    for token in doc:
        entry: dict[str, Any] = {"id": token.i, "start": token.idx, "end": token.idx + len(token)}
        for key, _ in present:
            entry[key] = values[key][token.i]
        if heads:
            entry["head"] = token.head.i
        tokens.append(entry)
    data["tokens"] = tokens
    if any(doc.spans.values()):
        data["spans"] = {name: [{"start": s.start_char, "end": s.end_char, "label": s.label_} for s in group]
                         for name, group in doc.spans.items()}
    return data


def to_bytes(doc: "Doc", exclude: Iterable[str] = ()) -> bytes:
    """The doc as msgpack: words, space flags, annotation columns, the strings they use, cats, span groups and
    `._` values (`exclude` any of "cats", "spans", "user_data"; a `._` value msgpack cannot hold needs
    exclude=["user_data"])."""
    exclude = _checked_exclude(exclude)
    strings = doc.vocab.strings
    data: dict[str, Any] = {
        "words": doc.words,
        "spaces": doc.spaces.astype(np.uint8).tobytes(),
        "columns": {name: np.ascontiguousarray(values).tobytes() for name, values in doc.columns.items()},
        "strings": sorted(strings[k] for k in doc.string_hashes() - set(doc.vocab.lex_strings[doc.lex, 0].tolist())),
        "cats": {} if "cats" in exclude else dict(doc.cats),
        "spans": {} if "spans" in exclude else {name: [[s.start, s.end, s.label_] for s in group]
                                                  for name, group in doc.spans.items()},
        "user_data": [] if "user_data" in exclude else [[list(k) if isinstance(k, tuple) else k, v]
                                                         for k, v in doc.user_data.items()],
    }
    try:
        return msgpack.packb(data, use_bin_type=True)
    except (TypeError, ValueError) as err:
        raise ValueError(f"doc.to_bytes: a doc.user_data (._) value cannot be written as msgpack ({err}); pass "
                         "exclude=['user_data']") from err


def from_bytes(doc: "Doc", data: bytes, exclude: Iterable[str] = ()) -> "Doc":
    """Replace `doc`'s tokens and annotations with those `to_bytes` wrote; ValueError for bytes it did not."""
    exclude = _checked_exclude(exclude)
    try:
        record = msgpack.unpackb(data, raw=False, object_pairs_hook=dict, strict_map_key=False)
    except Exception as err:  # msgpack raises several types for truncated or foreign bytes
        raise ValueError(f"Doc.from_bytes: not the bytes of doc.to_bytes() ({err})") from None
    if not isinstance(record, dict) or sorted(record) != sorted(_FIELDS):
        raise ValueError("Doc.from_bytes: not the bytes of doc.to_bytes() (unexpected fields)")
    words, n = record["words"], len(record["words"])
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words) \
            or not isinstance(record["spaces"], bytes) or len(record["spaces"]) != n:
        raise ValueError("Doc.from_bytes: the words and space flags do not match")
    for text in [*words, *record["strings"]]:
        doc.vocab.strings.add(text)
    doc._set_tokens(doc.vocab, doc.vocab.lex_ids(words), np.frombuffer(record["spaces"], dtype=np.uint8) > 0)
    for name, raw in record["columns"].items():
        try:
            column = doc.columns[name]
        except KeyError as err:
            raise ValueError(f"Doc.from_bytes: {err.args[0]}") from None
        if not isinstance(raw, bytes) or len(raw) != column.nbytes:
            raise ValueError(f"Doc.from_bytes: column {name} does not hold {n} values")
        column[:] = np.frombuffer(raw, dtype=column.dtype)
    _check_strings(doc)
    if "cats" not in exclude:
        doc.cats = dict(record["cats"])
    if "spans" not in exclude:
        from plait.core.span import Span

        for name, group in record["spans"].items():  # key by key: doc.spans keeps its container
            doc.spans[name] = [Span(doc, int(s), int(e), str(label)) for s, e, label in group]
    if "user_data" not in exclude:
        doc.user_data = {tuple(k) if isinstance(k, list) else k: v for k, v in record["user_data"]}
    return doc


def _check_strings(doc: "Doc") -> None:
    """Every string hash in the columns must be one the bytes carried (or the vocab knew)."""
    strings = doc.vocab.strings
    for key in doc.string_hashes():
        if key not in strings:
            raise ValueError(f"Doc.from_bytes: the annotations use a string ({key}) the bytes do not carry")


def _checked_exclude(exclude: Iterable[str]) -> set[str]:
    exclude = set(exclude)
    unknown = exclude - set(_EXCLUDABLE)
    if unknown:
        raise ValueError(f"exclude takes {', '.join(_EXCLUDABLE)}, not {sorted(unknown)[0]!r}")
    return exclude
