"""Read word vectors from word2vec/FastText/GloVe text, word2vec binary, and (with gensim) gensim/FastText models.

`read_vectors(path)` sniffs the format from the file's first bytes and returns a stream of
`(words, matrix)` chunks (a float32 (len(words), dims) matrix each), so huge files never sit in memory as
Python objects. Malformed input raises `DataError("FILE:LINE: ...")`. `text_layout(path)` tells init_vectors
when a file is plain uncompressed text, which `parallel.read_text_table` parses on all CPUs straight into a `.npy`.
"""
from __future__ import annotations

import gzip
import zlib
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

import numpy as np

from plait.core.errors import DataError, UserError
from plait.core.vectors.subwords import Subwords
from plait.core.vectors.readers import gensim_formats
from plait.core.vectors.readers.parallel import TextLayout, count_lines
from plait.core.vectors.readers.text import MAX_LINE_BYTES, parse_header, read_binary, read_text, text_dims

Chunks = Iterator[tuple[list[str], np.ndarray]]
FACEBOOK_MAGIC = (793712314).to_bytes(4, "little")


@contextmanager
def open_vectors(path: Path) -> Iterator[IO[bytes]]:
    """A binary stream of the file's content: gzip and zip (first member) are decompressed on the fly."""
    with open(path, "rb") as raw:
        magic = raw.peek(4)[:4]
        if magic[:2] == b"\x1f\x8b":
            try:
                with gzip.open(raw) as stream:
                    yield stream
            except (EOFError, OSError, zlib.error) as err:  # gzip.BadGzipFile is an OSError
                raise DataError(f"{path}:1: damaged or cut-short gzip file ({err})") from None
        elif magic == b"PK\x03\x04":
            with zipfile.ZipFile(raw) as archive:
                members = [m for m in archive.infolist() if not m.is_dir()]
                if not members:
                    raise DataError(f"{path}:1: zip archive holds no file")
                with archive.open(members[0]) as stream:
                    yield stream
        else:
            yield raw


def read_vectors(path: Path, *, mode: str = "default") -> tuple[Chunks, Subwords | None]:
    """The (words, matrix) chunks of a vectors file, and FastText n-gram buckets when `mode` is "subword"."""
    if not path.is_file():
        raise UserError(f"{path}: no such vectors file")
    with open(path, "rb") as raw:
        magic = raw.read(4)
    if magic == FACEBOOK_MAGIC:
        return gensim_formats.read_facebook(path, subword=mode == "subword")
    if magic[:1] == b"\x80":  # a pickle: gensim's native save format
        return gensim_formats.read_native(path, subword=mode == "subword")
    if mode == "subword":
        raise UserError(f"{path}: --mode subword needs a FastText .bin or a gensim FastText model")
    return _read_plain(path), None


def text_layout(path: Path) -> TextLayout | None:
    """Where the rows of an uncompressed word2vec/FastText/GloVe text file start; None for any other format.

    A headerless (GloVe) file is counted once for its rows. A header claiming more rows than the file could
    hold also gives None: the sequential reader then reports the mismatch.
    """
    if not path.is_file():
        return None
    with open(path, "rb") as raw:
        magic = raw.peek(4)[:4]
        if magic[:2] == b"\x1f\x8b" or magic in (b"PK\x03\x04", FACEBOOK_MAGIC) or magic[:1] == b"\x80":
            return None
        first = raw.readline()
        header = parse_header(first)
        if header is not None:
            if _looks_binary(raw):
                return None
            layout = TextLayout(offset=len(first), first_line=2, rows=header[0], dims=header[1])
        else:
            size = path.stat().st_size
            lines = count_lines(path, 0, size) + bool(size and not _ends_with_newline(raw))
            layout = TextLayout(offset=0, first_line=1, rows=lines, dims=text_dims(path, first))
    if layout.rows * 2 * layout.dims > path.stat().st_size - layout.offset:  # each value needs >= 2 bytes
        return None
    return layout


def _ends_with_newline(raw: IO[bytes]) -> bool:
    """Whether a non-empty binary file ends in a newline."""
    raw.seek(-1, 2)
    return raw.read(1) == b"\n"


def _read_plain(path: Path) -> Chunks:
    """Text (with or without a header) or word2vec binary, decided by the first line and the bytes after it."""
    with open_vectors(path) as stream:
        first = stream.readline(MAX_LINE_BYTES + 1)
        if len(first) > MAX_LINE_BYTES:
            raise DataError(f"{path}:1: a line longer than {MAX_LINE_BYTES} bytes, more than a row of vectors holds")
        header = parse_header(first)
        if header is not None and _looks_binary(stream):
            yield from read_binary(path, stream, *header)
        else:
            yield from read_text(path, stream, first, header)


def _looks_binary(stream: IO[bytes]) -> bool:
    """Whether the row after a header is word2vec binary: raw float32 bytes are not control-free UTF-8 text."""
    peek = getattr(stream, "peek", None)
    line = (peek(1 << 16) if peek else b"").partition(b"\n")[0]
    try:
        text = line.decode("utf8")
    except UnicodeDecodeError as err:
        # A row longer than the peek may end inside a character: only an error before that counts.
        return err.end < len(line) - 3
    return any(ord(c) < 32 and c not in "\t\r" for c in text)
