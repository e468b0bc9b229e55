"""Streaming CoNLL-U reader: UD treebanks to Docs with POS, TAG, MORPH, LEMMA, heads, deps and sentences.

Multiword tokens ("1-2 don't") keep their syntactic words ("do", "n't") as tokens; spacing comes from the
surface form, so the words of a multiword token are written together. Empty nodes ("8.1") are skipped.
"_" means "no value" in every annotation column.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from plait.core.data.build import DocBuilder, group_sentences, sentence_starts
from plait.core.data.lines import read_lines
from plait.core.doc import Doc
from plait.core.errors import DataError
from plait.core.span import Span
from plait.core.vocab import Vocab

# CoNLL-U column -> Doc column, for the columns read as strings
_STRING_FIELDS = (("POS", 3), ("TAG", 4), ("MORPH", 5), ("LEMMA", 2), ("DEP", 7))


@dataclass(slots=True)
class Sentence:
    """One parsed CoNLL-U sentence: per-token fields as lists; heads as indices in the sentence (the root
    heads itself, -1 unset)."""

    newdoc: bool = False
    newpar: bool = False
    words: list[str] = field(default_factory=list)
    spaces: list[bool] = field(default_factory=list)
    fields: dict[str, list[str]] = field(default_factory=lambda: {name: [] for name, _ in _STRING_FIELDS})
    heads: list[int] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


def parse_conllu(path: Path) -> Iterator[Sentence]:
    """Sentences of a CoNLL-U file, read line by line; malformed lines raise DataError("FILE:LINE: ...")."""
    sent = Sentence()
    mwt_end, mwt_space = 0, True
    for lineno, line in read_lines(path):
        if line.startswith("#"):
            key = line[1:].partition("=")[0].split()[:1]
            if not sent.words and key in (["newdoc"], ["newpar"]):
                sent.newdoc |= key == ["newdoc"]
                sent.newpar |= key == ["newpar"]
            continue
        if not line.strip():
            if sent.words:
                _check_heads(path, sent)
                yield sent
            sent, mwt_end = Sentence(), 0
            continue
        cols = line.rstrip("\r\n").split("\t")
        if len(cols) != 10:
            raise DataError(f"{path}:{lineno}: expected 10 tab-separated columns, found {len(cols)}")
        tid = cols[0]
        if not _is_number(tid):
            first, dash, last = tid.partition("-")
            if dash and _is_number(first) and _is_number(last):
                mwt_end, mwt_space = int(last), "SpaceAfter=No" not in cols[9]
            elif not _is_decimal(tid):
                raise DataError(f"{path}:{lineno}: bad token ID {tid!r}")
            continue
        n = int(tid)
        if n != len(sent.words) + 1:
            raise DataError(f"{path}:{lineno}: token ID {n} out of order (expected {len(sent.words) + 1})")
        head = cols[6]
        if head == "_":
            sent.heads.append(-1)
        elif _is_number(head):
            sent.heads.append(int(head) - 1 if head != "0" else n - 1)
        else:
            raise DataError(f"{path}:{lineno}: HEAD {head!r} is not an integer")
        sent.words.append(cols[1])
        sent.spaces.append((n == mwt_end and mwt_space) if n <= mwt_end else "SpaceAfter=No" not in cols[9])
        for name, index in _STRING_FIELDS:
            sent.fields[name].append(cols[index])
        sent.lines.append(lineno)
    if sent.words:
        _check_heads(path, sent)
        yield sent


def _is_number(text: str) -> bool:
    """ASCII digits only: `str.isdigit` also accepts "¹" and other digits `int` cannot read."""
    return text.isascii() and text.isdigit()


def _is_decimal(tid: str) -> bool:
    whole, dot, frac = tid.partition(".")
    return bool(dot) and _is_number(whole) and _is_number(frac)


def _check_heads(path: Path, sent: Sentence) -> None:
    n = len(sent.words)
    if max(sent.heads) >= n:
        i = next(i for i, head in enumerate(sent.heads) if head >= n)
        raise DataError(f"{path}:{sent.lines[i]}: HEAD {sent.heads[i] + 1} is past the end of its {n}-word sentence")


def conllu_docs(sentences: Iterable[Sentence], vocab: Vocab, n_sents: int = 10, across_docs: bool = False) -> Iterator[Doc]:
    """Docs of up to `n_sents` sentences (0: whole documents); a `# newdoc` starts a new Doc unless `across_docs`."""
    builder = DocBuilder(vocab, unset=("_",))
    for group in group_sentences(sentences, n_sents, across_docs):
        yield build_doc(builder, group)


def build_doc(builder: DocBuilder, group: list[Sentence]) -> Doc:
    """One Doc from consecutive sentences; paragraphs (`# newpar`) become the span group "paragraphs".

    A space always follows a sentence inside the Doc (as spaCy's converter writes it, `SpaceAfter=No` or
    not), so that a tokenizer re-reading the text cannot glue the last token of one sentence to the first of
    the next: such a token aligns with neither and both lose their annotation in training.
    """
    lengths = [len(s.words) for s in group]
    starts, sent_codes = sentence_starts(lengths)
    if len(group) == 1:
        words, spaces, strings = group[0].words, np.array(group[0].spaces), group[0].fields
        heads = np.array(group[0].heads, dtype=np.int32)
    else:
        words = list(chain.from_iterable(s.words for s in group))
        spaces = np.fromiter(chain.from_iterable(s.spaces for s in group), dtype=bool, count=len(words))
        strings = {name: chain.from_iterable([s.fields[name] for s in group]) for name, _ in _STRING_FIELDS}
        relative = np.fromiter(chain.from_iterable(s.heads for s in group), dtype=np.int32, count=len(words))
        heads = np.where(relative >= 0, relative + np.repeat(starts, lengths), -1)
        spaces[np.array(starts[1:]) - 1] = True
    spaces[-1] = False
    doc = builder.build(words, spaces, strings, heads=heads, sent_starts=sent_codes)
    par_starts = [start for start, s in zip(starts, group) if s.newpar]
    if par_starts:
        bounds = sorted({0, *par_starts}) + [len(doc)]
        doc.spans["paragraphs"] = [Span(doc, a, b) for a, b in zip(bounds, bounds[1:])]
    return doc


def read_conllu(path: Path, vocab: Vocab, n_sents: int = 10, across_docs: bool = False) -> Iterator[Doc]:
    """Reference Docs from a CoNLL-U file, streamed."""
    return conllu_docs(parse_conllu(Path(path)), vocab, n_sents, across_docs)
