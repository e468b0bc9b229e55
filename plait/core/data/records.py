"""Annotated records (JSON-style dicts) to Docs: shared by the JSONL reader and `Example.from_dict`.

A record holds "text" and/or "words" (with optional "spaces"), per-token lists "tags", "pos", "morphs",
"lemmas", "deps", "heads" (absolute indices, -1 or None unset), "sent_starts", and "entities" (either
[start_char, end_char, label] triples or one IOB/BILUO tag per token), "spans" ({name: [[start, end,
label]]}) with optional "span_scores" ({name: [score, one a span]}, as a spancat writes them) and "cats"
({label: score}). Problems raise ValueError with a message saying what is wrong.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from plait.core.data.record_schema import check_record
from plait.core.doc import Doc
from plait.core.iob import iob_to_spans
from plait.core.span import Span
from plait.core.vocab import Vocab

MakeDoc = Callable[[str], Doc]
STRING_KEYS = {"tags": "TAG", "pos": "POS", "morphs": "MORPH", "lemmas": "LEMMA", "deps": "DEP"}


def doc_from_record(vocab: Vocab, record: dict[str, Any], make_doc: MakeDoc | None = None) -> Doc:
    """A Doc with the record's tokens and annotations; `make_doc` tokenizes "text" when no "words" are given."""
    check_record(record)
    doc = _tokens(vocab, record, make_doc)
    n = len(doc)
    for key, column in STRING_KEYS.items():
        if record.get(key) is not None:
            doc.set_strings(column, _sized(record[key], n, key))
    if record.get("heads") is not None:
        heads = np.array([-1 if h is None else h for h in _sized(record["heads"], n, "heads")], dtype=np.int64)
        if len(heads) and (heads.min() < -1 or heads.max() >= n):
            raise ValueError(f"heads must be token indices in [0, {n}) or -1 for unset")
        doc.columns["HEAD"][:] = heads
    if record.get("sent_starts") is not None:
        doc.columns["SENT_START"][:] = [0 if v is None else (1 if v in (True, 1) else -1)
                                        for v in _sized(record["sent_starts"], n, "sent_starts")]
    if record.get("entities") is not None:
        _set_entities(doc, record["entities"])
    if record.get("spans"):
        index = CharIndex(doc)
        for name, group in record["spans"].items():
            doc.spans[name] = [Span(doc, *_strict_span(index, start, end, f"span in group {name!r}"), label)
                               for start, end, label in group]
    for name, scores in (record.get("span_scores") or {}).items():
        if len(scores) != len(doc.spans.get(name, ())):
            raise ValueError(f'"span_scores" has {len(scores)} scores for group {name!r}, which has '
                             f'{len(doc.spans.get(name, ()))} spans in "spans"')
        doc.spans[name].attrs["scores"] = [float(x) for x in scores]
    if record.get("cats") is not None:
        doc.cats = {str(label): float(score) for label, score in record["cats"].items()}
    return doc


def _tokens(vocab: Vocab, record: dict[str, Any], make_doc: MakeDoc | None) -> Doc:
    text, words = record.get("text"), record.get("words")
    if words is None:
        if not isinstance(text, str):
            raise ValueError('a record needs a "text" string or a "words" list')
        if make_doc is None:
            raise ValueError('this record has "text" but no "words": reading it needs a tokenizer (make_doc)')
        return make_doc(text)
    spaces = record.get("spaces")
    if spaces is None:
        spaces = spaces_from_text(text, words) if isinstance(text, str) else [True] * len(words)
    return Doc(vocab, words, _sized(spaces, len(words), "spaces"))


def spaces_from_text(text: str, words: Sequence[str]) -> list[bool]:
    """Whether a space follows each word in `text`; ValueError if the words do not spell out the text."""
    spaces, pos, end = [], 0, len(text)
    for word in words:
        while pos < end and text[pos].isspace() and not text.startswith(word, pos):
            pos += 1
        if not word or not text.startswith(word, pos):
            raise ValueError(f"word {word!r} does not match the text at character {pos}: {text[pos:pos + 20]!r}")
        pos += len(word)
        spaces.append(pos < end and text[pos] == " ")
    if text[pos:].strip():
        raise ValueError(f"the words end at character {pos} but the text goes on: {text[pos:pos + 20]!r}")
    return spaces


def _sized(values: Sequence, n: int, key: str) -> Sequence:
    if len(values) != n:
        raise ValueError(f'"{key}" has {len(values)} values for {n} tokens')
    return values


class CharIndex:
    """Character extent of every token of a doc, to map character offsets to tokens by binary search."""

    def __init__(self, doc: Doc) -> None:
        self.starts = doc.offsets
        self.ends = self.starts + np.fromiter(map(len, doc.words), dtype=np.int64, count=len(doc))
        self.n_chars = int(self.ends[-1] + doc.spaces[-1]) if len(doc) else 0

    def overlapping(self, start: int, end: int, what: str) -> tuple[int, int]:
        """Tokens overlapping characters [start, end); ValueError when the offsets are outside the text."""
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= self.n_chars):
            raise ValueError(f"{what} [{start}, {end}) is empty or outside the text (length {self.n_chars})")
        return int(np.searchsorted(self.ends, start, "right")), int(np.searchsorted(self.starts, end, "left"))

    def exact(self, start: int, end: int, what: str) -> tuple[int, int] | None:
        """Tokens [first, last) spanning exactly characters [start, end), or None if the edges split tokens."""
        first, last = self.overlapping(start, end, what)
        if first < last and self.starts[first] == start and self.ends[last - 1] == end:
            return first, last
        return None


def _strict_span(index: CharIndex, start: int, end: int, what: str) -> tuple[int, int]:
    tokens = index.exact(start, end, what)
    if tokens is None:
        raise ValueError(f"{what} [{start}, {end}) does not fall on token boundaries")
    return tokens


def _set_entities(doc: Doc, entities: Sequence) -> None:
    """Entities by character offsets; one whose edges are not token edges makes its tokens unknown ("-")."""
    if entities and isinstance(entities[0], str):
        tags = list(_sized(entities, len(doc), "entities"))
        doc.set_ents(iob_to_spans(tags), missing=[t == "-" for t in tags])
        return
    index = CharIndex(doc)
    spans, missing = [], np.zeros(len(doc), dtype=bool)
    for start, end, label in entities:
        tokens = index.exact(start, end, "entity")
        if tokens is None:
            first, last = index.overlapping(start, end, "entity")
            missing[first:last] = True
        else:
            spans.append((*tokens, label))
    doc.set_ents(spans, missing=missing)
