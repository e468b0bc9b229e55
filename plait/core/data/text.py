"""Raw text: one text per non-empty line, and a whitespace tokenizer for text that is already tokenized."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Iterator

from plait.core.data.lines import read_lines
from plait.core.data.records import MakeDoc
from plait.core.doc import Doc
from plait.core.vocab import Vocab

_CHUNKS = re.compile(r"\S+|\s+")


def is_heading(text: str) -> bool:
    """A WikiText heading line such as "= Title =" or "= = Section = =" (after stripping)."""
    return text.startswith("= ") and text.endswith(" =")


def read_text(path: Path, make_doc: MakeDoc, skip_headings: bool = False) -> Iterator[Doc]:
    """One Doc per non-empty line (stripped of surrounding whitespace); `skip_headings` drops "= Title =" lines."""
    for _, line in read_lines(path):
        text = line.strip()
        if text and not (skip_headings and is_heading(text)):
            yield make_doc(text)


def whitespace_tokenizer(vocab: Vocab) -> Callable[[str], Doc]:
    """make_doc that splits on whitespace only; `doc.text` is the input exactly (extra whitespace becomes tokens)."""

    def make_doc(text: str) -> Doc:
        words: list[str] = []
        spaces: list[bool] = []
        for chunk in _CHUNKS.findall(text):
            if not chunk[0].isspace():
                words.append(chunk)
                spaces.append(False)
                continue
            if words and not spaces[-1] and chunk[0] == " ":
                spaces[-1] = True
                chunk = chunk[1:]
            if chunk:
                words.append(chunk)
                spaces.append(False)
        return Doc(vocab, words, spaces)

    return make_doc
