"""Streaming JSONL reader: one annotated record (or a raw {"text": ...} line) per line.

See `plait.core.data.records` for the keys a record may hold; records in spaCy's Doc.to_json shape
(see `plait.core.data.spacy_json`) are read too.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import srsly

from plait.core.data.records import MakeDoc, doc_from_record
from plait.core.data.spacy_json import doc_from_spacy_json, is_spacy_json
from plait.core.doc import Doc
from plait.core.errors import DataError
from plait.core.vocab import Vocab


def read_jsonl(path: Path, vocab: Vocab, make_doc: MakeDoc | None = None) -> Iterator[Doc]:
    """Reference Docs from a JSONL file, one per non-blank line; records without "words" go through `make_doc`."""
    with open(path, encoding="utf-8-sig") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = srsly.json_loads(line)
            except ValueError as err:
                raise DataError(f"{path}:{lineno}: malformed JSON: {err}") from None
            if not isinstance(record, dict):
                raise DataError(f"{path}:{lineno}: expected a JSON object, found {type(record).__name__}")
            try:
                doc = doc_from_spacy_json(vocab, record) if is_spacy_json(record) else \
                    doc_from_record(vocab, record, make_doc)
            except (ValueError, TypeError, KeyError, IndexError) as err:
                raise DataError(f"{path}:{lineno}: {err}") from None
            yield doc
