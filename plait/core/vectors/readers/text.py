"""Streaming readers for word2vec/FastText/GloVe text files and word2vec's C binary format."""
from __future__ import annotations

import warnings
from pathlib import Path
from typing import IO, Iterator

import numpy as np

from plait.core.errors import DataError
from plait.core.vectors.readers.decimal_block import parse_block

CHUNK_LINES = 10_000
BLOCK_BYTES = 1 << 24
# text is parsed in blocks of about this many bytes: numpy's temporaries then stay small enough to be reused
# by the allocator instead of being mapped and faulted in afresh (several times slower on larger blocks)
TEXT_BLOCK_BYTES = 1 << 16
# What one row may hold, so that a compressed file cannot make plait buffer gigabytes looking for a row's end:
# far more dimensions than any embedding has, a word far longer than any token, each number in 32 characters.
MAX_DIMS = 1 << 16
MAX_WORD_BYTES = 1 << 16
MAX_LINE_BYTES = MAX_WORD_BYTES + 32 * MAX_DIMS


class LineTooLong(ValueError):
    """A line of a vectors file longer than the bound its reader passed (args: the bound)."""


def parse_header(line: bytes) -> tuple[int, int] | None:
    """(rows, dims) when `line` is a `rows dims` header, else None (a GloVe file starts with a vector).

    A UTF-8 byte order mark before the header (some Windows tools write one) is ignored.
    """
    fields = line.removeprefix(b"\xef\xbb\xbf").split()
    if len(fields) == 2 and all(f.isdigit() for f in fields):
        return int(fields[0]), int(fields[1])
    return None


def check_dims(path: Path, line: int, dims: int) -> int:
    """`dims`, unless it is more than a vector may have (`MAX_DIMS`): DataError naming the line then."""
    if dims > MAX_DIMS:
        raise DataError(f"{path}:{line}: {dims} values per vector; plait reads at most {MAX_DIMS}")
    return dims


def text_dims(path: Path, first: bytes) -> int:
    """The width of a headerless (GloVe) file: the number of fields after the word on its first line."""
    dims = len(first.split()) - 1
    if dims < 1:
        raise DataError(f"{path}:1: expected a `rows dims` header or `word v1 ... vN`, found {_show(first)}")
    return check_dims(path, 1, dims)


def text_blocks(stream: IO[bytes], carry: bytes = b"", size: int = TEXT_BLOCK_BYTES,
                limit: int = -1, max_line: int = -1) -> Iterator[bytes]:
    """Blocks of whole lines (each ending in a newline) read from `stream`, at most `limit` bytes (-1: all);
    LineTooLong when a line runs past `max_line` bytes (-1: no bound)."""
    while True:
        if 0 <= max_line < len(carry):
            raise LineTooLong(max_line)
        more = stream.read(size if limit < 0 else min(size, limit))
        if limit >= 0:
            limit -= len(more)
        if not more:
            if carry:
                yield carry if carry.endswith(b"\n") else carry + b"\n"
            return
        data = carry + more
        cut = data.rfind(b"\n") + 1
        if cut:
            yield data[:cut]
        carry = data[cut:]


def parse_lines(path: Path, start: int, block: bytes, dims: int) -> tuple[list[str], np.ndarray]:
    """Parse a block of whole lines numbered from `start`: the vectorised parser, else line by line (errors)."""
    parsed = parse_block(block, dims)
    return parsed if parsed is not None else _parse_chunk(path, start, block, dims)


def read_text(path: Path, stream: IO[bytes], first: bytes,
              header: tuple[int, int] | None) -> Iterator[tuple[list[str], np.ndarray]]:
    """Yield (words, (n, dims) float32) chunks of `word v1 ... vN` lines; `first` is the line already read."""
    if header is None:
        dims, start, carry = text_dims(path, first), 1, first
    else:
        dims, start, carry = check_dims(path, 1, header[1]), 2, b""
    rows = 0
    try:
        for block in text_blocks(stream, carry, max_line=MAX_LINE_BYTES):
            words, data = parse_lines(path, start, block, dims)
            if header is not None and rows + len(words) > header[0]:
                line = _row_line(start, block, header[0] - rows)
                raise DataError(f"{path}:{line}: more rows than the header's {header[0]}")
            rows += len(words)
            start += block.count(b"\n")
            yield words, data
    except LineTooLong as err:
        raise DataError(f"{path}:{start}: a line longer than {err.args[0]} bytes, more than a row of {dims} "
                        f"values holds") from None
    if header is not None and rows != header[0]:
        raise DataError(f"{path}:1: header says {header[0]} rows but the file has {rows}")


def _row_line(start: int, block: bytes, row: int) -> int:
    """The line number of the row-th (from 0) non-blank line of a block whose first line is `start`."""
    for i, line in enumerate(block.split(b"\n")):
        if line.rstrip(b"\r\n "):
            if not row:
                return start + i
            row -= 1
    return start + block.count(b"\n")


def _parse_chunk(path: Path, start: int, block: bytes, dims: int) -> tuple[list[str], np.ndarray]:
    """Parse lines numbered from `start` one by one: split each word off, then all the numbers in one numpy call."""
    try:
        text = block.decode("utf8")
    except UnicodeDecodeError as err:
        line_start = block.rfind(b"\n", 0, err.start) + 1
        line = start + block.count(b"\n", 0, line_start)
        raise DataError(f"{path}:{line}: not UTF-8 ({err.reason} at byte {err.start - line_start})") from err
    words, rests, numbers = [], [], []
    for i, line in enumerate(text.split("\n")[:-1]):
        word, _, rest = line.rstrip("\r\n ").partition(" ")
        if word or rest:  # skip blank lines (e.g. at the end of the file)
            words.append(word)
            rests.append(rest)
            numbers.append(start + i)
    if not words:
        return words, np.zeros((0, dims), dtype=np.float32)
    try:  # numpy's C parser reads all the numbers of the chunk at once
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)  # "input contained no data" (tab-separated): see below
            values = np.loadtxt(rests, dtype=np.float32, ndmin=2, comments=None)
    except (ValueError, UserWarning):
        values = None
    if values is None or values.shape != (len(words), dims):
        _diagnose(path, numbers, rests, dims)
    return words, values


def _diagnose(path: Path, numbers: list[int], rests: list[str], dims: int) -> None:
    """Find the first line of a chunk that failed to parse and raise a DataError naming it."""
    for number, rest in zip(numbers, rests):
        fields = rest.split()
        if len(fields) != dims:
            raise DataError(f"{path}:{number}: expected {dims} values after the word, found {len(fields)}")
        try:
            np.array(fields, dtype=np.float32)
        except ValueError as err:
            raise DataError(f"{path}:{number}: non-numeric value ({err})") from err
    raise DataError(f"{path}:{numbers[0]}: cannot parse the numbers of lines {numbers[0]}-{numbers[-1]}")


def read_binary(path: Path, stream: IO[bytes], rows: int, dims: int) -> Iterator[tuple[list[str], np.ndarray]]:
    """Yield chunks of word2vec binary rows: `word<space>` then `dims` little-endian float32 (LINE = row + 1)."""
    width, buf, pos, done, eof = 4 * check_dims(path, 1, dims), b"", 0, 0, False
    words: list[str] = []
    offsets: list[int] = []
    while done < rows:
        if len(words) == CHUNK_LINES:
            yield words, _gather(buf, offsets, dims)
            words, offsets = [], []
        space = buf.find(b" ", pos)
        if space < 0 or space + 1 + width > len(buf):
            if len(buf) - pos > MAX_WORD_BYTES + 1 + width:  # no word ends within a row's length
                raise DataError(f"{path}:{done + 2}: no word of at most {MAX_WORD_BYTES} bytes starts row {done + 1}")
            if eof:
                raise DataError(f"{path}:{done + 2}: file ends inside row {done + 1}; header says {rows} rows")
            if words:
                yield words, _gather(buf, offsets, dims)
                words, offsets = [], []
            buf, pos = buf[pos:], 0
            more = stream.read(BLOCK_BYTES)
            eof, buf = not more, buf + more
            continue
        try:
            words.append(buf[pos:space].lstrip(b"\n").decode("utf8"))
        except UnicodeDecodeError as err:
            raise DataError(f"{path}:{done + 2}: word is not UTF-8 ({err.reason})") from err
        offsets.append(space + 1)
        pos, done = space + 1 + width, done + 1
    if words:
        yield words, _gather(buf, offsets, dims)
    if (buf[pos:] + stream.read(BLOCK_BYTES)).strip():
        raise DataError(f"{path}:{rows + 2}: data after the last row; header says {rows} rows")


def _gather(buf: bytes, offsets: list[int], dims: int) -> np.ndarray:
    """Copy the rows that start at `offsets` out of `buf` into a (len(offsets), dims) float32 matrix."""
    out = np.empty((len(offsets), dims), dtype=np.float32)
    for i, offset in enumerate(offsets):
        out[i] = np.frombuffer(buf, dtype="<f4", count=dims, offset=offset)
    return out


def _show(line: bytes) -> str:
    return repr(line[:60].decode("utf8", "replace"))
