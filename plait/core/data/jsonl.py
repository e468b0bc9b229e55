"""Streaming JSONL reader: one annotated record (or a raw {"text": ...} line) per line.

See `plait.core.data.records` for the keys a record may hold.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import srsly

from plait.core.data.records import MakeDoc, doc_from_record
from plait.core.doc import Doc
from plait.core.errors import DataError
from plait.core.vocab import Vocab


def json_objects(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line of a JSONL file; DataError naming the line otherwise."""
    for lineno, line in text_lines(path):
        if not line.strip():
            continue
        try:
            record = srsly.json_loads(line)
        except ValueError as err:
            raise DataError(f"{path}:{lineno}: malformed JSON: {err}") from None
        if not isinstance(record, dict):
            raise DataError(f"{path}:{lineno}: expected a JSON object, found {type(record).__name__}")
        yield lineno, record


def text_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, line) of a UTF-8 file (a leading byte-order mark dropped); DataError naming a line that is
    not UTF-8."""
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            try:
                line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
            except UnicodeDecodeError as err:
                raise DataError(f"{path}:{lineno}: not UTF-8 text (byte {err.start + 1} of the line)") from None
            yield lineno, line


def read_jsonl(path: Path, vocab: Vocab, make_doc: MakeDoc | None = None) -> Iterator[Doc]:
    """Reference Docs from a JSONL file, one per non-blank line; records without "words" go through `make_doc`."""
    for lineno, record in json_objects(path):
        try:
            doc = doc_from_record(vocab, record, make_doc)
        except (ValueError, TypeError, KeyError, IndexError) as err:
            raise DataError(f"{path}:{lineno}: {err}") from None
        yield doc
