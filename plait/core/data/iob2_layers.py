"""Layered IOB2 files: `token<TAB>tag<TAB>tag...`, every column after the token one IOB2 layer of spans.

GermEval 2014 ships its nested entities so (token, outer layer, inner layer). A blank line ends a sentence;
each sentence becomes one Doc whose spans, from all layers, go into the span group `doc.spans[spans_key]`
(sorted by start, then end; a sentence without spans gets an empty group, so it counts as annotated); the
first layer, flat by construction, also sets `doc.ents` (GermEval's outer entities), so `ner` trains on the
same files. Columns
are split on tabs, or on whitespace in a line without a tab. A line starting with `#` before a sentence's first
token is a comment unless its other fields are all tags (GermEval's `#` tokens are tokens). As IOB readers do,
an `I-X` that starts a span (after `O` or after another label) is read as its start; the group's
`attrs["iob_i_starts"]` counts such places for `plait debug-data`.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from plait.core.data.build import DocBuilder, sentence_starts
from plait.core.data.lines import read_lines
from plait.core.doc import Doc
from plait.core.errors import DataError
from plait.core.span import Span
from plait.core.span_group import SpanGroup
from plait.core.vocab import Vocab

DEFAULT_SPANS_KEY = "sc"
I_STARTS = "iob_i_starts"  # the span group attribute counting I- tags read as starts
MAX_LINE_BYTES = 1 << 16  # a token and its tags; a longer line is not a layered IOB2 line
MAX_LAYERS = 32  # tag columns; GermEval has two
_TAG = re.compile(r"O|[BI]-\S+")


def read_iob2_layers(path: Path, vocab: Vocab, spans_key: str = DEFAULT_SPANS_KEY) -> Iterator[Doc]:
    """One Doc per sentence of a layered IOB2 file, streamed; bad lines raise DataError("FILE:LINE: ...")."""
    builder = DocBuilder(vocab)
    known: set[str] = {"O"}
    words: list[str] = []
    layers: list[list[str]] = []
    first = 0  # the line number of the sentence's first token
    for lineno, line in read_lines(path, MAX_LINE_BYTES):
        text = line.rstrip("\r\n")
        if not text.strip():
            if words:
                yield _build(builder, words, layers, spans_key)
                words, layers = [], []
            continue
        fields = text.split("\t") if "\t" in text else text.split()
        if not words and fields[0].startswith("#") and not (len(fields) > 1 and all(map(_TAG.fullmatch, fields[1:]))):
            continue
        if not words:
            if len(fields) < 2:
                raise DataError(f"{path}:{lineno}: expected a token and at least one IOB2 tag column, "
                                f"found {text.strip()[:60]!r}")
            if len(fields) - 1 > MAX_LAYERS:
                raise DataError(f"{path}:{lineno}: {len(fields) - 1} tag columns, more than the {MAX_LAYERS} layers "
                                f"a layered IOB2 file may have")
            first, layers = lineno, [[] for _ in fields[1:]]
        elif len(fields) != len(layers) + 1:
            raise DataError(f"{path}:{lineno}: {len(fields)} columns, but this sentence's first line ({first}) "
                            f"has {len(layers) + 1}")
        if not fields[0]:
            raise DataError(f"{path}:{lineno}: the token (first column) is empty")
        for column, (tag, layer) in enumerate(zip(fields[1:], layers), 2):
            if tag not in known:
                if not _TAG.fullmatch(tag):
                    raise DataError(f"{path}:{lineno}: column {column}: {tag[:40]!r} is not an IOB2 tag "
                                    f"(O, B-X or I-X)")
                known.add(tag)
            layer.append(tag)
        words.append(fields[0])
    if words:
        yield _build(builder, words, layers, spans_key)


def layer_spans(tags: Sequence[str]) -> tuple[list[tuple[int, int, str]], int]:
    """The (start, end, label) spans of one IOB2 layer, and how many of them an `I-` tag started."""
    spans: list[tuple[int, int, str]] = []
    start, label, i_starts = -1, "", 0
    for i, tag in enumerate(tags):
        kind = tag[2:]
        if tag == "O" or tag[0] == "B" or start < 0 or kind != label:
            if start >= 0:
                spans.append((start, i, label))
            start, label = (-1, "") if tag == "O" else (i, kind)
            i_starts += tag[0] == "I"
    if start >= 0:
        spans.append((start, len(tags), label))
    return spans, i_starts


def _build(builder: DocBuilder, words: list[str], layers: list[list[str]], spans_key: str) -> Doc:
    spaces = np.ones(len(words), dtype=bool)
    spaces[-1] = False
    _, codes = sentence_starts([len(words)])
    doc = builder.build(words, spaces, sent_starts=codes)
    spans, i_starts = [], 0
    for number, layer in enumerate(layers):
        found, starts = layer_spans(layer)
        if number == 0:
            doc.set_ents(found)  # the first layer is flat: the entities a `ner` learns
        spans += found
        i_starts += starts
    spans.sort(key=lambda s: (s[0], s[1]))
    attrs = {I_STARTS: i_starts} if i_starts else None
    doc.spans[spans_key] = SpanGroup(doc, name=spans_key, attrs=attrs,
                                     spans=[Span(doc, s, e, label) for s, e, label in spans])
    return doc
