"""Text classification TSV: a header naming a `label` column and a `sentence`, `text` or `content` column.

Classes are exclusive: each Doc's `cats` holds every label of the label set, 0.0 except its own 1.0.
Labels are kept as written (SST-2's "0"/"1" stay "0"/"1"). Without a given label set the file is read
twice: once to collect its labels, once to yield Docs (so memory stays constant).
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator, Sequence

from plait.core.data.lines import read_lines
from plait.core.data.records import MakeDoc
from plait.core.doc import Doc
from plait.core.errors import DataError

LABEL_NAMES = ("label",)
TEXT_NAMES = ("sentence", "text", "content")


def header_columns(line: str) -> tuple[int, int] | None:
    """(label index, text index) when `line` is a classification header, else None."""
    names = [name.strip().lower() for name in line.rstrip("\r\n").split("\t")]
    label = next((i for i, name in enumerate(names) if name in LABEL_NAMES), None)
    text = next((i for i, name in enumerate(names) if name in TEXT_NAMES), None)
    return None if label is None or text is None else (label, text)


def _rows(path: Path) -> Iterator[tuple[int, str, str]]:
    """(line number, label, text) for every non-blank row after the header."""
    lines = read_lines(path)
    _, header = next(lines, (1, ""))
    columns = header_columns(header)
    if columns is None:
        raise DataError(f"{path}:1: expected a header with a 'label' column and a "
                        f"'sentence', 'text' or 'content' column, found {header.strip()!r}")
    label_at, text_at = columns
    width = len(header.split("\t"))
    for lineno, line in lines:
        if not line.strip():
            continue
        cells = line.rstrip("\r\n").split("\t")
        if len(cells) != width:
            raise DataError(f"{path}:{lineno}: expected {width} tab-separated columns, found {len(cells)}")
        label, text = cells[label_at].strip(), cells[text_at].strip()
        if not label or not text:
            raise DataError(f"{path}:{lineno}: empty {'label' if not label else 'text'}")
        yield lineno, label, text


def read_labels(path: Path) -> list[str]:
    """The sorted set of labels used in a classification TSV."""
    return sorted({label for _, label, _ in _rows(Path(path))})


def read_tsv_cats(path: Path, make_doc: MakeDoc, labels: Sequence[str] | None = None) -> Iterator[Doc]:
    """One Doc per row, with exclusive `cats` over `labels` (default: the labels found in the file)."""
    path = Path(path)
    label_set = list(labels) if labels is not None else read_labels(path)
    zeros = dict.fromkeys(label_set, 0.0)
    for lineno, label, text in _rows(path):
        if label not in zeros:
            raise DataError(f"{path}:{lineno}: label {label!r} is not one of {label_set}")
        doc = make_doc(text)
        doc.cats = {**zeros, label: 1.0}
        yield doc
