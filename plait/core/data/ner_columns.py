"""Streaming reader for NER column files: `token<TAB or spaces>...<entity tag>`, one token per line.

Tags may be IOB1, IOB2 or BILUO ("-" marks a token whose annotation is unknown). A blank or
whitespace-only line ends a sentence (a stray byte order mark counts as whitespace); a CoNLL-2003
`-DOCSTART-` line starts a new document. With three or more columns (CoNLL-2003's `word POS chunk NER`)
the second column is the token's TAG.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from plait.core.data.build import DocBuilder, group_sentences, sentence_starts
from plait.core.data.lines import read_lines
from plait.core.doc import Doc
from plait.core.errors import DataError
from plait.core.iob import iob_to_spans
from plait.core.vocab import Vocab

_BOM = "\ufeff"  # byte order marks left inside files (WNUT-17's dev set ends with one) are ignored
_TAG = re.compile(r"O|-|[BIESLU]-\S+")


@dataclass(slots=True)
class TaggedSentence:
    """One sentence of a column file: its tokens, their entity tags, and whether a new document starts here."""

    newdoc: bool = False
    words: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    pos: list[str] = field(default_factory=list)  # the second column of lines that have three or more ("" else)


def parse_columns(path: Path) -> Iterator[TaggedSentence]:
    """Sentences of a column file, read line by line; bad lines raise DataError("FILE:LINE: ...")."""
    known: set[str] = set()
    sent = TaggedSentence()
    for lineno, line in read_lines(path):
        parts = line.replace(_BOM, "").split() if _BOM in line else line.split()
        if not parts or parts[0] == "-DOCSTART-":
            if sent.words:
                yield sent
                sent = TaggedSentence()
            sent.newdoc |= bool(parts)
            continue
        if len(parts) < 2:
            raise DataError(f"{path}:{lineno}: expected a token and a tag, found {line.strip()!r}")
        tag = parts[-1]
        if tag not in known:
            if not is_entity_tag(tag):
                raise DataError(f"{path}:{lineno}: unknown entity tag {tag!r} (expected O, B-X, I-X, L-X or U-X)")
            known.add(tag)
        sent.words.append(parts[0])
        sent.tags.append(tag)
        sent.pos.append(parts[1] if len(parts) > 2 else "")
    if sent.words:
        yield sent


def is_entity_tag(text: str) -> bool:
    """An IOB / BILUO entity tag (or "-" for unknown), as the last column of a column file holds."""
    return bool(_TAG.fullmatch(text))


def column_docs(sentences: Iterable[TaggedSentence], vocab: Vocab, n_sents: int = 10,
                across_docs: bool = False) -> Iterator[Doc]:
    """Docs of up to `n_sents` sentences (0: whole documents); `-DOCSTART-` starts a new Doc unless `across_docs`."""
    builder = DocBuilder(vocab)
    for group in group_sentences(sentences, n_sents, across_docs):
        yield _build(builder, group)


def _build(builder: DocBuilder, group: list[TaggedSentence]) -> Doc:
    lengths = [len(s.words) for s in group]
    starts, sent_codes = sentence_starts(lengths)
    words = list(chain.from_iterable(s.words for s in group))
    spaces = np.ones(len(words), dtype=bool)
    spaces[-1] = False
    pos = {"TAG": chain.from_iterable(s.pos for s in group)} if any(any(s.pos) for s in group) else None
    doc = builder.build(words, spaces, pos, sent_starts=sent_codes)
    spans = [(start + a, start + b, label) for start, s in zip(starts, group)
             for a, b, label in iob_to_spans(s.tags)]
    tags = list(chain.from_iterable(s.tags for s in group))
    doc.set_ents(spans, missing=[t == "-" for t in tags] if "-" in tags else None)
    return doc


def read_columns(path: Path, vocab: Vocab, n_sents: int = 10, across_docs: bool = False) -> Iterator[Doc]:
    """Reference Docs with entities from an IOB/BILUO column file, streamed."""
    return column_docs(parse_columns(Path(path)), vocab, n_sents, across_docs)
