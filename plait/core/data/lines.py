"""Reading text files line by line as UTF-8, with errors that name the file, line and byte.

Every text corpus reader goes through `read_lines`, so bad bytes are one DataError
("FILE:LINE: not UTF-8 (byte 0xe9 at column 5)") whatever the format.
"""
from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, Iterator

from plait.core.errors import DataError

_BOM = "\ufeff"


def decode_line(path: Path | str, lineno: int, raw: bytes) -> str:
    """One line's bytes as text; DataError naming the first byte that is not UTF-8 (column counts from 1)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        column = len(raw[:err.start].decode("utf-8", errors="replace")) + 1
        raise DataError(f"{path}:{lineno}: not UTF-8 (byte 0x{raw[err.start]:02x} at column {column})") from None


def read_lines(path: Path | str, max_bytes: int | None = None) -> Iterator[tuple[int, str]]:
    """(line number, line with its newline) for every line of a UTF-8 file; a leading byte order mark is dropped.

    With `max_bytes`, a line longer than that is a DataError before more of it is read (a reader whose lines
    are short by nature bounds its memory this way)."""
    if Path(path).is_dir():
        raise DataError(f"{path}:1: is a folder, not a file")
    try:
        f = open(path, "rb")
    except OSError as err:
        raise DataError(f"{path}:1: cannot read ({err.strerror})") from None
    with f:
        raws = iter(f) if max_bytes is None else _bounded(f, path, max_bytes)
        for lineno, raw in enumerate(raws, 1):
            line = decode_line(path, lineno, raw)
            yield lineno, (line[1:] if lineno == 1 and line.startswith(_BOM) else line)


def _bounded(f: BinaryIO, path: Path | str, max_bytes: int) -> Iterator[bytes]:
    for lineno, raw in enumerate(iter(lambda: f.readline(max_bytes + 1), b""), 1):
        if len(raw) > max_bytes:
            raise DataError(f"{path}:{lineno}: a line longer than {max_bytes} bytes")
        yield raw


def first_line(path: Path | str) -> str:
    """The first line of a UTF-8 file ("" if it is empty), for format sniffing."""
    for _, line in read_lines(path):
        return line
    return ""
