"""Streaming JSONL reader: one annotated record (or a raw {"text": ...} line) per line.

See `plait.core.data.records` for the keys a record may hold; records in spaCy's Doc.to_json shape
(see `plait.core.data.spacy_json`) are read too.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import srsly

from plait.core.data.lines import read_lines
from plait.core.data.records import MakeDoc, doc_from_record
from plait.core.data.spacy_json import doc_from_spacy_json, is_spacy_json
from plait.core.doc import Doc
from plait.core.errors import DataError
from plait.core.vocab import Vocab


def read_jsonl(path: Path, vocab: Vocab, make_doc: MakeDoc | None = None) -> Iterator[Doc]:
    """Reference Docs from a JSONL file, one per non-blank line; records without "words" go through `make_doc`."""
    for lineno, record in read_json_lines(path):
        try:
            doc = doc_from_spacy_json(vocab, record) if isinstance(record, dict) and is_spacy_json(record) else \
                doc_from_record(vocab, record, make_doc)
        except (ValueError, TypeError, KeyError, IndexError) as err:
            raise DataError(f"{path}:{lineno}: {err}") from None
        yield doc


def read_json_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, parsed JSON value) for every non-blank line; DataError("FILE:LINE: ...") for bad JSON."""
    for lineno, line in read_lines(path):
        if not line.strip():
            continue
        try:
            yield lineno, srsly.json_loads(line)
        except ValueError as err:
            raise DataError(f"{path}:{lineno}: malformed JSON: {err}") from None
