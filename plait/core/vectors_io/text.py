"""Streaming readers for word2vec/FastText/GloVe text files and word2vec's C binary format."""
from __future__ import annotations

from itertools import islice
from pathlib import Path
from typing import IO, Iterator

import numpy as np

from plait.core.errors import DataError

CHUNK_LINES = 10_000
BLOCK_BYTES = 1 << 24


def parse_header(line: bytes) -> tuple[int, int] | None:
    """(rows, dims) when `line` is a `rows dims` header, else None (a GloVe file starts with a vector)."""
    fields = line.split()
    if len(fields) == 2 and all(f.isdigit() for f in fields):
        return int(fields[0]), int(fields[1])
    return None


def read_text(path: Path, stream: IO[bytes], first: bytes,
              header: tuple[int, int] | None) -> Iterator[tuple[list[str], np.ndarray]]:
    """Yield (words, (n, dims) float32) chunks of `word v1 ... vN` lines; `first` is the line already read."""
    if header is None:
        dims, start, lines = len(first.split()) - 1, 1, iter([first, *stream])
        if dims < 1:
            raise DataError(f"{path}:1: expected a `rows dims` header or `word v1 ... vN`, found {_show(first)}")
    else:
        dims, start, lines = header[1], 2, iter(stream)
    rows = 0
    while chunk := list(islice(lines, CHUNK_LINES)):
        words, data = _parse_chunk(path, start, chunk, dims)
        rows += len(words)
        if header is not None and rows > header[0]:
            raise DataError(f"{path}:{start + len(chunk) - 1}: more rows than the header's {header[0]}")
        start += len(chunk)
        yield words, data
    if header is not None and rows != header[0]:
        raise DataError(f"{path}:1: header says {header[0]} rows but the file has {rows}")


def _parse_chunk(path: Path, start: int, chunk: list[bytes], dims: int) -> tuple[list[str], np.ndarray]:
    """Parse lines numbered from `start`: split each word off, then all the numbers in one numpy call."""
    try:
        text = b"".join(chunk).decode("utf8")
    except UnicodeDecodeError:
        for i, line in enumerate(chunk):
            try:
                line.decode("utf8")
            except UnicodeDecodeError as err:
                raise DataError(f"{path}:{start + i}: not UTF-8 ({err.reason} at byte {err.start})") from err
        raise
    words, rests, numbers = [], [], []
    for i, line in enumerate(text.split("\n")[: len(chunk)]):
        word, _, rest = line.rstrip("\r\n ").partition(" ")
        if word or rest:  # skip blank lines (e.g. at the end of the file)
            words.append(word)
            rests.append(rest)
            numbers.append(start + i)
    if not words:
        return words, np.zeros((0, dims), dtype=np.float32)
    try:  # numpy's C parser reads all the numbers of the chunk at once
        values = np.loadtxt(rests, dtype=np.float32, ndmin=2, comments=None)
    except ValueError:
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
    width, buf, pos, done, eof = 4 * dims, b"", 0, 0, False
    words: list[str] = []
    offsets: list[int] = []
    while done < rows:
        if len(words) == CHUNK_LINES:
            yield words, _gather(buf, offsets, dims)
            words, offsets = [], []
        space = buf.find(b" ", pos)
        if space < 0 or space + 1 + width > len(buf):
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
